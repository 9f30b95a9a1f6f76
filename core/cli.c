#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "validate.h"

static const struct {
    const char *name;
    enum command cmd;
} commands[] = {
    {"validate", CMD_VALIDATE}, {"plan", CMD_PLAN},       {"deploy", CMD_DEPLOY}, {"destroy", CMD_DESTROY},
    {"outputs", CMD_OUTPUTS},   {"plugins", CMD_PLUGINS}, {"graph", CMD_GRAPH},   {"unlock", CMD_UNLOCK},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The long options, without their dashes: for a did-you-mean, and to tell
 * "-auto-approve" (one dash too few) from bundled short flags. */
static const char *const long_options[] = {"config", "env", "only", "plugin-path", "trace", "requests", "jobs",
                                           "wait", "no-wait", "lock-timeout", "json", "resources", "allow-replace",
                                           "restart", "destroy", "auto-approve", "verbose", "quiet", "help",
                                           "version", "detailed-exitcode"};
#define NLONG (sizeof(long_options) / sizeof(long_options[0]))

/* "unknown option '--x'", with the closest long option when one is near. */
static int unknown_option(struct strbuf *err, const char *a, size_t len)
{
    const char *name = a;
    while (*name == '-')
        name++;
    char word[64];
    snprintf(word, sizeof(word), "%.*s", (int)(len - (size_t)(name - a)), name);
    const char *near = suggest_closest(word, long_options, NLONG);
    strbuf_addf(err, "unknown option '%s'", a);
    if (near)
        strbuf_addf(err, ", did you mean '--%s'?", near);
    strbuf_addstr(err, " (see stackhost --help)");
    return EXIT_USAGE;
}

/* "-auto-approve": a long option written with one dash. */
static const char *one_dash_long(const char *a)
{
    size_t len = strcspn(a + 1, "=");
    for (size_t i = 0; len > 1 && i < NLONG; i++)
        if (strlen(long_options[i]) == len && !strncmp(a + 1, long_options[i], len))
            return long_options[i];
    return NULL;
}

const char *cli_command_name(enum command cmd)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (commands[i].cmd == cmd)
            return commands[i].name;
    return "(none)";
}

const char *cli_config_file(const struct cli *cli)
{
    return cli->config ? cli->config : "stackhost.cfg";
}

void cli_usage(struct strbuf *out)
{
    strbuf_addstr(out,
        "usage: stackhost [-c FILE] [-e ENV] [--plugin-path DIR] [--only A,B] [--json] [-v|-q] COMMAND\n"
        "\n"
        "Deploys a web service stack to AWS from one configuration file, through plugins.\n"
        "\n"
        "commands:\n"
        "  validate        check the configuration and plugins, send nothing; print the\n"
        "                  enabled plugins in execution order (every environment without -e)\n"
        "  plan            show what deploy would change, change nothing\n"
        "  deploy          make the account match the configuration\n"
        "  destroy         remove everything the stack owns in the environment\n"
        "  outputs [NAME]  print the stack's outputs, or one (alb_url, lb.alb_dns_name) raw,\n"
        "                  for scripts: URL=$(stackhost -e dev outputs alb_url)\n"
        "  plugins [NAME]  list the plugins found, or one plugin's configuration keys\n"
        "  graph           print the plugin graph as Graphviz DOT; with --resources,\n"
        "                  every resource and what it needs first\n"
        "  unlock          remove the environment's lease, left by a run that is gone\n"
        "                  (shows its holder and asks first)\n"
        "\n"
        "options (before or after the command):\n"
        "  -c, --config FILE     configuration file (default: stackhost.cfg)\n"
        "  -e, --env ENV         environment of the file to use\n"
        "      --plugin-path DIR directories searched first for plugins (colon-separated)\n"
        "  -j, --jobs N          plugins run at the same time (default 4)\n"
        "      --requests N      aws requests on the wire at once, all plugins together\n"
        "                        (default 16)\n"
        "      --trace FILE      write every aws request and wait of plan, deploy, destroy\n"
        "                        or outputs to FILE as chrome trace-event json (perfetto)\n"
        "      --json            machine-readable stdout\n"
        "      --only A,B        run only these plugins (and leave the others as they are);\n"
        "                        what they require must be listed too\n"
        "      --allow-replace   deploy may delete and recreate a resource whose setting\n"
        "                        cannot change in place (a subnet's cidr or zone)\n"
        "      --wait[=SECONDS]  how long deploy waits for the rollout: the new tasks\n"
        "                        running and their targets healthy (default 900 s),\n"
        "                        printing progress and the service's events\n"
        "      --no-wait         deploy returns once the service is created or updated\n"
        "      --auto-approve    deploy, destroy and unlock without asking (the plan is\n"
        "                        still shown; needed without a terminal: ci, scripts)\n"
        "      --lock-timeout=S  how long deploy and destroy wait while another run holds\n"
        "                        the environment's lease (default 300 s)\n"
        "      --detailed-exitcode  plan exits 3 when there are changes (0: none), as\n"
        "                        terraform plan -detailed-exitcode\n"
        "      --destroy         plan what destroy would delete (every resource of the\n"
        "                        environment), sending nothing that changes\n"
        "      --restart         deploy starts a new deployment of the service (new\n"
        "                        tasks of the same definition) even when nothing changed\n"
        "  -v, --verbose         more detail on stderr (twice: trace)\n"
        "  -q, --quiet           errors only on stderr\n"
        "  -h, --help            this text\n"
        "  -V, --version         the version\n"
        "\n"
        "environment: STACKHOST_PLUGIN_PATH (plugin directories, after --plugin-path)\n"
        "\n"
        "exit status:\n"
        "  0  success\n"
        "  1  the run failed\n"
        "  2  bad usage or configuration\n"
        "  3  plan --detailed-exitcode found changes to make\n"
        "  130, 143  stopped by Ctrl-C (SIGINT) or SIGTERM: run the same command again to finish\n");
}

static int usage_error(struct strbuf *err, const char *fmt, const char *a)
{
    strbuf_addf(err, fmt, a);
    return EXIT_USAGE;
}

/* Takes an option's value: "--opt=value", or the next argument. */
static int take_value(int argc, char **argv, int *i, const char *eq, const char **out, struct strbuf *err)
{
    if (eq) {
        *out = eq + 1;
        return 0;
    }
    if (*i + 1 >= argc)
        return usage_error(err, "option %s needs a value", argv[*i]);
    *out = argv[++*i];
    return 0;
}

/* A whole number in [min, max] for option `name`. */
static int parse_number(const char *name, const char *v, long min, long max, long *out, struct strbuf *err)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < min || n > max) {
        strbuf_addf(err, "%s needs a number from %ld to %ld, not '%s'", name, min, max, v);
        return EXIT_USAGE;
    }
    *out = n;
    return 0;
}

static int positional(struct cli *cli, const char *a, struct strbuf *err)
{
    if (cli->command == CMD_NONE) {
        for (size_t k = 0; k < NCOMMANDS; k++) {
            if (!strcmp(a, commands[k].name)) {
                cli->command = commands[k].cmd;
                return 0;
            }
        }
        const char *names[NCOMMANDS];
        for (size_t k = 0; k < NCOMMANDS; k++)
            names[k] = commands[k].name;
        const char *near = suggest_closest(a, names, NCOMMANDS);
        strbuf_addf(err, "unknown command '%s'", a);
        if (near)
            strbuf_addf(err, ", did you mean '%s'?", near);
        strbuf_addstr(err, " (see stackhost --help)");
        return EXIT_USAGE;
    }
    if ((cli->command == CMD_PLUGINS || cli->command == CMD_OUTPUTS) && !cli->arg) {
        cli->arg = a;
        return 0;
    }
    return usage_error(err, "unexpected argument '%s'", a);
}

int cli_parse(int argc, char **argv, struct cli *cli, struct strbuf *err)
{
    memset(cli, 0, sizeof(*cli));
    cli->jobs = 4;
    cli->wait_seconds = CLI_WAIT_DEFAULT;
    cli->requests = 16;
    cli->lock_timeout = CLI_LOCK_TIMEOUT_DEFAULT;
    int options_done = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options_done || a[0] != '-' || !a[1]) {
            int rc = positional(cli, a, err);
            if (rc)
                return rc;
            continue;
        }
        if (!strcmp(a, "--")) {
            options_done = 1;
            continue;
        }
        if (a[1] != '-' && one_dash_long(a)) {
            strbuf_addf(err, "unknown option '%s': long options take two dashes: '--%s'", a, a + 1);
            return EXIT_USAGE;
        }
        if (a[1] != '-') {
            /* Short options; only flags bundle (-vv), value options end it. */
            for (const char *p = a + 1; *p; p++) {
                const char **slot = NULL;
                const char *jobs = NULL;
                switch (*p) {
                case 'v': cli->verbosity = cli->verbosity < 0 ? 1 : cli->verbosity + 1; break;
                case 'q': cli->verbosity = -1; break;
                case 'h': cli->help = 1; break;
                case 'V': cli->version = 1; break;
                case 'c': slot = &cli->config; break;
                case 'e': slot = &cli->env; break;
                case 'j': slot = &jobs; break;
                default: {
                    char opt[3] = {'-', *p, '\0'};
                    return usage_error(err, "unknown option '%s' (see stackhost --help)", opt);
                }
                }
                if (slot) {
                    if (p[1]) {
                        *slot = p + 1;
                    } else if (i + 1 < argc) {
                        *slot = argv[++i];
                    } else {
                        char opt[3] = {'-', *p, '\0'};
                        return usage_error(err, "option %s needs a value", opt);
                    }
                    if (jobs && parse_number("-j", jobs, 1, 64, &cli->jobs, err))
                        return EXIT_USAGE;
                    break;
                }
            }
            continue;
        }
        const char *eq = strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
#define IS(name) (len == strlen(name) && !strncmp(a, name, len))
        int rc = 0;
        if (IS("--config")) {
            rc = take_value(argc, argv, &i, eq, &cli->config, err);
        } else if (IS("--env")) {
            rc = take_value(argc, argv, &i, eq, &cli->env, err);
        } else if (IS("--only")) {
            rc = take_value(argc, argv, &i, eq, &cli->only, err);
        } else if (IS("--plugin-path")) {
            rc = take_value(argc, argv, &i, eq, &cli->plugin_path, err);
        } else if (IS("--trace")) {
            rc = take_value(argc, argv, &i, eq, &cli->trace, err);
            if (!rc && !*cli->trace)
                rc = usage_error(err, "%s", "--trace needs a file name");
        } else if (IS("--requests") || IS("--jobs")) {
            const char *v = NULL;
            rc = take_value(argc, argv, &i, eq, &v, err);
            if (!rc && IS("--jobs"))
                rc = parse_number("--jobs", v, 1, 64, &cli->jobs, err);
            else if (!rc)
                rc = parse_number("--requests", v, 1, 256, &cli->requests, err);
        } else if (IS("--lock-timeout")) {
            const char *v = NULL;
            rc = take_value(argc, argv, &i, eq, &v, err);
            if (!rc)
                rc = parse_number("--lock-timeout", v, 0, 86400, &cli->lock_timeout, err);
        } else if (IS("--wait")) {
            cli->wait_given = 1;
            /* --wait=60 or --wait 60; a bare --wait keeps the default */
            const char *v = eq ? eq + 1 : NULL;
            if (!v && i + 1 < argc && argv[i + 1][0] && strspn(argv[i + 1], "0123456789") == strlen(argv[i + 1]))
                v = argv[++i];
            if (v)
                rc = parse_number("--wait", v, 1, 86400, &cli->wait_seconds, err);
        } else if (IS("--no-wait") && !eq) {
            cli->no_wait = 1;
        } else if (eq) {
            rc = usage_error(err, "option '%s' takes no value", a);
        } else if (IS("--json")) {
            cli->json = 1;
        } else if (IS("--resources")) {
            cli->resources = 1;
        } else if (IS("--allow-replace")) {
            cli->allow_replace = 1;
        } else if (IS("--restart")) {
            cli->restart = 1;
        } else if (IS("--destroy")) {
            cli->destroy = 1;
        } else if (IS("--detailed-exitcode")) {
            cli->detailed_exitcode = 1;
        } else if (IS("--auto-approve")) {
            cli->auto_approve = 1;
        } else if (IS("--verbose")) {
            cli->verbosity = cli->verbosity < 0 ? 1 : cli->verbosity + 1;
        } else if (IS("--quiet")) {
            cli->verbosity = -1;
        } else if (IS("--help")) {
            cli->help = 1;
        } else if (IS("--version")) {
            cli->version = 1;
        } else {
            rc = unknown_option(err, a, len);
        }
#undef IS
        if (rc)
            return rc;
    }
    if (!cli->help && !cli->version && cli->command == CMD_NONE) {
        strbuf_addstr(err, "no command given (see stackhost --help)");
        return EXIT_USAGE;
    }
    if (cli->arg && cli->command != CMD_PLUGINS && cli->command != CMD_OUTPUTS)
        return usage_error(err, "unexpected argument '%s'", cli->arg);
    if (cli->config && !*cli->config)
        return usage_error(err, "%s", "-c needs a file name");
    if (cli->wait_given && cli->no_wait)
        return usage_error(err, "%s", "--wait and --no-wait together: choose one");
    if (cli->no_wait)
        cli->wait_seconds = 0;
    if (cli->detailed_exitcode && cli->command != CMD_PLAN)
        return usage_error(err, "--detailed-exitcode is an option of plan (exit 3 when there are changes), not of %s",
                           cli_command_name(cli->command));
    if (cli->destroy && cli->command != CMD_PLAN)
        return usage_error(err, "--destroy is an option of plan (stackhost plan --destroy), not of %s",
                           cli_command_name(cli->command));
    return 0;
}
