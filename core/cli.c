#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "validate.h"

#define V CLI_ON(CMD_VALIDATE)
#define P CLI_ON(CMD_PLAN)
#define D CLI_ON(CMD_DEPLOY)
#define X CLI_ON(CMD_DESTROY)
#define O CLI_ON(CMD_OUTPUTS)
#define L CLI_ON(CMD_PLUGINS)
#define G CLI_ON(CMD_GRAPH)
#define U CLI_ON(CMD_UNLOCK)
#define C CLI_ON(CMD_COST)
#define EVERY (V | P | D | X | O | L | G | U | C | CLI_ON(CMD_HELP) | CLI_ON(CMD_COMPLETION))
/* the commands that talk to aws */
#define AWS (P | D | X | O | U)

/* Order: as the help lists them. */
const struct cli_option cli_options[] = {
    {"config", 'c', CLI_VALUE, "FILE", V | P | D | X | O | L | G | U | C, "configuration file (default: stackhost.cfg)"},
    {"env", 'e', CLI_VALUE, "ENV", V | P | D | X | O | G | U | C, "environment of the file to use"},
    {"set", 0, CLI_VALUE, "PLUGIN.KEY=VALUE", V | P | D | X | O | G | C,
     "a plugin's key for this run, over the file and the environment (compute.image_tag=1.4.2); repeatable"},
    {"only", 0, CLI_VALUE, "A,B", V | P | D | X | O | G | C,
     "run only these plugins (and leave the others as they are); what they require must be listed too"},
    {"plugin-path", 0, CLI_VALUE, "DIR", V | P | D | X | O | L | G | U | C,
     "directories searched first for plugins (colon-separated)"},
    {"profile", 0, CLI_VALUE, "NAME", AWS, "profile of the shared aws files (over AWS_PROFILE)"},
    {"region", 0, CLI_VALUE, "REGION", AWS,
     "aws region (over AWS_REGION; must agree with the file's stack.region when it sets one)"},
    {"allow-replace", 0, CLI_FLAG, NULL, P | D,
     "deploy may delete and recreate a resource whose setting cannot change in place (a subnet's cidr or zone)"},
    {"destroy", 0, CLI_FLAG, NULL, P,
     "plan what destroy would delete (every resource of the environment), sending nothing that changes"},
    {"detailed-exitcode", 0, CLI_FLAG, NULL, P,
     "plan exits 3 when there are changes (0: none), as terraform plan -detailed-exitcode"},
    {"auto-approve", 0, CLI_FLAG, NULL, D | X | U,
     "change without asking (the plan is still shown; needed without a terminal: ci, scripts)"},
    {"lock-timeout", 0, CLI_VALUE, "SECONDS", D | X,
     "how long to wait while another run holds the environment's lease (default 300)"},
    {"wait", 0, CLI_OPTIONAL_NUMBER, "SECONDS", D,
     "how long deploy waits for the rollout: the new tasks running and their targets healthy (default 900)"},
    {"no-wait", 0, CLI_FLAG, NULL, D, "deploy returns once the service is created or updated"},
    {"restart", 0, CLI_FLAG, NULL, D,
     "start a new deployment of the service (new tasks of the same definition) even when nothing changed"},
    {"resources", 0, CLI_FLAG, NULL, G, "every resource and what it needs first, not the plugins"},
    {"json", 0, CLI_FLAG, NULL, V | P | D | O | L | C,
     "machine-readable stdout, errors included (docs/json.md)"},
    {"jobs", 'j', CLI_VALUE, "N", P | D | X | O, "plugins run at the same time (default: all)"},
    {"requests", 0, CLI_VALUE, "N", P | D | X | O, "aws requests on the wire at once, all plugins (default 64)"},
    {"trace", 0, CLI_VALUE, "FILE", P | D | X | O,
     "write every aws request and wait to FILE as chrome trace-event json (open it in perfetto)"},
    {"no-color", 0, CLI_FLAG, NULL, EVERY, "no colour on a terminal (as NO_COLOR=1)"},
    {"verbose", 'v', CLI_FLAG, NULL, EVERY, "more detail on stderr (twice: every request)"},
    {"quiet", 'q', CLI_FLAG, NULL, EVERY, "errors only on stderr"},
    {"help", 'h', CLI_FLAG, NULL, EVERY, "this text (stackhost help COMMAND: one command's)"},
    {"version", 'V', CLI_FLAG, NULL, 0, "the version"},
};
const size_t cli_noptions = sizeof(cli_options) / sizeof(cli_options[0]);

#undef V
#undef P
#undef D
#undef X
#undef O
#undef L
#undef G
#undef U
#undef C
#undef EVERY
#undef AWS

static const struct cli_option *option_long(const char *name, size_t len)
{
    for (size_t i = 0; i < cli_noptions; i++)
        if (strlen(cli_options[i].name) == len && !strncmp(cli_options[i].name, name, len))
            return &cli_options[i];
    return NULL;
}

static const struct cli_option *option_short(char c)
{
    for (size_t i = 0; i < cli_noptions; i++)
        if (cli_options[i].short_name == c)
            return &cli_options[i];
    return NULL;
}

/* "unknown option '--x'", with the closest long option when one is near. */
static int unknown_option(struct strbuf *err, const char *a, size_t len)
{
    const char *name = a;
    while (*name == '-')
        name++;
    char word[64];
    snprintf(word, sizeof(word), "%.*s", (int)(len - (size_t)(name - a)), name);
    const char *names[sizeof(cli_options) / sizeof(cli_options[0])];
    for (size_t i = 0; i < cli_noptions; i++)
        names[i] = cli_options[i].name;
    const char *near = suggest_closest(word, names, cli_noptions);
    strbuf_addf(err, "unknown option '%s'", a);
    if (near)
        strbuf_addf(err, ", did you mean '--%s'?", near);
    strbuf_addstr(err, " (see stackhost --help)");
    return EXIT_USAGE;
}

const char *cli_command_name(enum command cmd)
{
    for (size_t i = 0; i < cli_ncommands; i++)
        if (cli_commands[i].cmd == cmd)
            return cli_commands[i].name;
    return "(none)";
}

const struct cli_command *cli_command_find(const char *name)
{
    for (size_t i = 0; i < cli_ncommands; i++)
        if (!strcmp(cli_commands[i].name, name))
            return &cli_commands[i];
    return NULL;
}

const char *cli_config_file(const struct cli *cli)
{
    return cli->config ? cli->config : "stackhost.cfg";
}

static int usage_error(struct strbuf *err, const char *fmt, const char *a)
{
    strbuf_addf(err, fmt, a);
    return EXIT_USAGE;
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

static int unknown_command(const char *a, struct strbuf *err)
{
    const char *names[16];
    size_t n = 0;
    for (size_t k = 0; k < cli_ncommands && n < 16; k++)
        names[n++] = cli_commands[k].name;
    const char *near = suggest_closest(a, names, n);
    strbuf_addf(err, "unknown command '%s'", a);
    if (near)
        strbuf_addf(err, ", did you mean '%s'?", near);
    strbuf_addstr(err, " (see stackhost --help)");
    return EXIT_USAGE;
}

static int positional(struct cli *cli, const char *a, struct strbuf *err)
{
    if (cli->command == CMD_NONE) {
        const struct cli_command *c = cli_command_find(a);
        if (!c)
            return unknown_command(a, err);
        cli->command = c->cmd;
        return 0;
    }
    if (!cli->arg && *cli_command_find(cli_command_name(cli->command))->args) {
        cli->arg = a;
        return 0;
    }
    return usage_error(err, "unexpected argument '%s'", a);
}

/* Applies one option with its value (NULL for a flag). */
static int apply(struct cli *cli, const struct cli_option *o, const char *spelled, const char *v, struct strbuf *err)
{
    const char *name = o->name;
    if (o->arg == CLI_VALUE && !*v) {
        strbuf_addf(err, "option %s needs a value", spelled);
        return EXIT_USAGE;
    }
    if (!strcmp(name, "config")) cli->config = v;
    else if (!strcmp(name, "env")) cli->env = v;
    else if (!strcmp(name, "only")) cli->only = v;
    else if (!strcmp(name, "plugin-path")) cli->plugin_path = v;
    else if (!strcmp(name, "profile")) cli->profile = v;
    else if (!strcmp(name, "region")) cli->region = v;
    else if (!strcmp(name, "trace")) cli->trace = v;
    else if (!strcmp(name, "jobs")) return parse_number(spelled, v, 1, 64, &cli->jobs, err);
    else if (!strcmp(name, "requests")) return parse_number("--requests", v, 1, 256, &cli->requests, err);
    else if (!strcmp(name, "lock-timeout")) return parse_number("--lock-timeout", v, 0, 86400, &cli->lock_timeout, err);
    else if (!strcmp(name, "wait")) {
        cli->wait_given = 1;
        return v ? parse_number("--wait", v, 1, 86400, &cli->wait_seconds, err) : 0;
    } else if (!strcmp(name, "set")) {
        const char *eq = strchr(v, '=');
        if (!eq || eq == v) {
            strbuf_addf(err, "--set needs KEY=VALUE (as --set compute.image_tag=1.4.2), not '%s'", v);
            return EXIT_USAGE;
        }
        if (cli->nsets == CLI_MAX_SETS) {
            strbuf_addf(err, "--set is given more than %d times: put these settings in the file", CLI_MAX_SETS);
            return EXIT_USAGE;
        }
        cli->sets[cli->nsets++] = v;
    }
    else if (!strcmp(name, "no-wait")) cli->no_wait = 1;
    else if (!strcmp(name, "json")) cli->json = 1;
    else if (!strcmp(name, "resources")) cli->resources = 1;
    else if (!strcmp(name, "allow-replace")) cli->allow_replace = 1;
    else if (!strcmp(name, "restart")) cli->restart = 1;
    else if (!strcmp(name, "destroy")) cli->destroy = 1;
    else if (!strcmp(name, "detailed-exitcode")) cli->detailed_exitcode = 1;
    else if (!strcmp(name, "auto-approve")) cli->auto_approve = 1;
    else if (!strcmp(name, "no-color")) cli->no_color = 1;
    else if (!strcmp(name, "verbose")) cli->verbosity = cli->verbosity < 0 ? 1 : cli->verbosity + 1;
    else if (!strcmp(name, "quiet")) cli->verbosity = -1;
    else if (!strcmp(name, "help")) cli->help = 1;
    else if (!strcmp(name, "version")) cli->version = 1;
    return 0;
}

/* Short options; only flags bundle (-vv), a value option ends the word. */
static int short_options(int argc, char **argv, int *i, struct cli *cli, unsigned long *seen, struct strbuf *err)
{
    const char *a = argv[*i];
    for (const char *p = a + 1; *p; p++) {
        char spelled[3] = {'-', *p, '\0'};
        const struct cli_option *o = option_short(*p);
        if (!o)
            return usage_error(err, "unknown option '%s' (see stackhost --help)", spelled);
        *seen |= 1ul << (o - cli_options);
        if (o->arg == CLI_FLAG) {
            apply(cli, o, spelled, NULL, err);
            continue;
        }
        const char *v = p[1] ? p + 1 : *i + 1 < argc ? argv[++*i] : NULL;
        if (!v)
            return usage_error(err, "option %s needs a value", spelled);
        return apply(cli, o, spelled, v, err);
    }
    return 0;
}

static int long_option(int argc, char **argv, int *i, struct cli *cli, unsigned long *seen, struct strbuf *err)
{
    const char *a = argv[*i];
    const char *eq = strchr(a, '=');
    size_t len = eq ? (size_t)(eq - a) : strlen(a);
    const struct cli_option *o = option_long(a + 2, len - 2);
    if (!o)
        return unknown_option(err, a, len);
    *seen |= 1ul << (o - cli_options);
    const char *v = eq ? eq + 1 : NULL;
    switch (o->arg) {
    case CLI_FLAG:
        if (eq)
            return usage_error(err, "option '%s' takes no value", a);
        break;
    case CLI_VALUE:
        if (!v && *i + 1 >= argc)
            return usage_error(err, "option %s needs a value", a);
        if (!v)
            v = argv[++*i];
        break;
    case CLI_OPTIONAL_NUMBER:
        /* --wait=60 or --wait 60; a bare --wait keeps the default */
        if (!v && *i + 1 < argc && argv[*i + 1][0] && strspn(argv[*i + 1], "0123456789") == strlen(argv[*i + 1]))
            v = argv[++*i];
        break;
    }
    char spelled[64];
    snprintf(spelled, sizeof(spelled), "--%s", o->name);
    return apply(cli, o, spelled, v, err);
}

/* An option the command does not take is refused, not ignored. */
static int check_applies(const struct cli *cli, unsigned long seen, struct strbuf *err)
{
    for (size_t i = 0; i < cli_noptions; i++) {
        const struct cli_option *o = &cli_options[i];
        if (!(seen & (1ul << i)) || !o->commands || (o->commands & CLI_ON(cli->command)))
            continue;
        const char *cmd = cli_command_name(cli->command);
        strbuf_addf(err, "--%s is not an option of %s", o->name, cmd);
        const char *sep = " (it is one of ";
        for (size_t k = 0; k < cli_ncommands; k++) {
            enum command c = cli_commands[k].cmd;
            if ((o->commands & CLI_ON(c)) && c != CMD_HELP && c != CMD_COMPLETION) {
                strbuf_addf(err, "%s%s", sep, cli_commands[k].name);
                sep = ", ";
            }
        }
        if (*sep == ',')
            strbuf_addstr(err, ")");
        strbuf_addf(err, "; see stackhost help %s", cmd);
        return EXIT_USAGE;
    }
    return 0;
}

int cli_parse(int argc, char **argv, struct cli *cli, struct strbuf *err)
{
    memset(cli, 0, sizeof(*cli));
    cli->jobs = 0; /* every plugin at once */
    cli->wait_seconds = CLI_WAIT_DEFAULT;
    cli->requests = AWS_DEFAULT_IN_FLIGHT;
    cli->lock_timeout = CLI_LOCK_TIMEOUT_DEFAULT;
    int options_done = 0;
    unsigned long seen = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int rc;
        if (options_done || a[0] != '-' || !a[1]) {
            rc = positional(cli, a, err);
        } else if (!strcmp(a, "--")) {
            options_done = 1;
            rc = 0;
        } else if (a[1] == '-') {
            rc = long_option(argc, argv, &i, cli, &seen, err);
        } else if (strcspn(a + 1, "=") > 1 && option_long(a + 1, strcspn(a + 1, "="))) {
            strbuf_addf(err, "unknown option '%s': long options take two dashes: '-%s'", a, a);
            rc = EXIT_USAGE;
        } else {
            rc = short_options(argc, argv, &i, cli, &seen, err);
        }
        if (rc)
            return rc;
    }
    if (cli->version && cli->command == CMD_NONE)
        return 0;
    if (cli->command == CMD_NONE) {
        if (cli->help)
            return 0;
        strbuf_addstr(err, "no command given (see stackhost --help)");
        return EXIT_USAGE;
    }
    if (cli->help) {
        /* deploy --help is help deploy */
        if (cli->command != CMD_HELP)
            cli->arg = cli_command_name(cli->command);
        cli->command = CMD_HELP;
        return 0;
    }
    if (cli->command == CMD_HELP && cli->arg && !cli_command_find(cli->arg))
        return unknown_command(cli->arg, err);
    if (cli->command == CMD_COMPLETION && !cli->arg)
        return usage_error(err, "%s", "completion needs a shell: stackhost completion bash (or zsh)");
    if (cli->command != CMD_HELP && check_applies(cli, seen, err))
        return EXIT_USAGE;
    if (cli->config && !*cli->config)
        return usage_error(err, "%s", "-c needs a file name");
    if (cli->wait_given && cli->no_wait)
        return usage_error(err, "%s", "--wait and --no-wait together: choose one");
    if (cli->no_wait)
        cli->wait_seconds = 0;
    return 0;
}
