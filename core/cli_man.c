/* The manual page, made from the same tables as --help, so that it
 * cannot describe an option the program does not take. */
#include <string.h>

#include <stackhost/version.h>

#include "cli.h"

/* Text as roff: backslashes and dashes escaped, no line starting with a
 * control character. */
static void roff(struct strbuf *out, const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if ((c == '.' || c == '\'') && (i == 0 || text[i - 1] == '\n'))
            strbuf_addstr(out, "\\&");
        if (c == '\\')
            strbuf_addstr(out, "\\e");
        else if (c == '-')
            strbuf_addstr(out, "\\-");
        else
            strbuf_addch(out, c);
    }
}

static void roff_str(struct strbuf *out, const char *text)
{
    roff(out, text, strlen(text));
}

static void commands_of(struct strbuf *out, unsigned mask)
{
    const char *sep = "";
    for (size_t k = 0; k < cli_ncommands; k++) {
        enum command c = cli_commands[k].cmd;
        if ((mask & CLI_ON(c)) && c != CMD_HELP && c != CMD_COMPLETION) {
            strbuf_addf(out, "%s%s", sep, cli_commands[k].name);
            sep = ", ";
        }
    }
}

void cli_man_page(struct strbuf *out)
{
    strbuf_addf(out, ".TH STACKHOST 1 \"\" \"stackhost %s\" \"User Commands\"\n", STACKHOST_VERSION);
    strbuf_addstr(out, ".SH NAME\nstackhost \\- deploy a web service stack to AWS from one configuration file\n"
                       ".SH SYNOPSIS\n.B stackhost\n[\\fIoptions\\fR] \\fICOMMAND\\fR [\\fIARG\\fR]\n"
                       ".SH DESCRIPTION\n"
                       "stackhost reads a libconfig file naming the plugins of a stack (network, registry, "
                       "secrets, lb, compute, scaling, observability, or third parties') with their settings "
                       "per environment, and makes an AWS account match it: plan shows what would change, "
                       "deploy changes it after showing the plan and asking, destroy removes everything the "
                       "stack owns. Options may come before or after the command.\n"
                       ".SH COMMANDS\n");
    for (size_t k = 0; k < cli_ncommands; k++) {
        const struct cli_command *c = &cli_commands[k];
        strbuf_addf(out, ".TP\n.B %s", c->name);
        if (*c->args) {
            strbuf_addstr(out, " \\fI");
            roff_str(out, c->args);
            strbuf_addstr(out, "\\fR");
        }
        strbuf_addch(out, '\n');
        roff_str(out, c->text);
        strbuf_addstr(out, "\n.IP\n.nf\n");
        roff_str(out, c->examples);
        strbuf_addstr(out, "\n.fi\n");
    }
    strbuf_addstr(out, ".SH OPTIONS\n");
    for (size_t i = 0; i < cli_noptions; i++) {
        const struct cli_option *o = &cli_options[i];
        strbuf_addstr(out, ".TP\n");
        if (o->short_name)
            strbuf_addf(out, "\\fB\\-%c\\fR, ", o->short_name);
        strbuf_addstr(out, "\\fB\\-\\-");
        roff_str(out, o->name);
        strbuf_addstr(out, "\\fR");
        if (o->metavar)
            strbuf_addf(out, o->arg == CLI_OPTIONAL_NUMBER ? "[=\\fI%s\\fR]" : " \\fI%s\\fR", o->metavar);
        strbuf_addch(out, '\n');
        roff_str(out, o->help);
        strbuf_addstr(out, " (");
        if (o->commands)
            commands_of(out, o->commands);
        else
            strbuf_addstr(out, "no command");
        strbuf_addstr(out, ")\n");
    }
    strbuf_addstr(out, ".SH ENVIRONMENT\n"
                       ".TP\n.B STACKHOST_PLUGIN_PATH\nplugin directories searched after \\-\\-plugin\\-path\n"
                       ".TP\n.B NO_COLOR\nno colour, as \\-\\-no\\-color\n"
                       ".TP\n.B AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, AWS_MAX_ATTEMPTS, AWS_RETRY_MODE, "
                       "AWS_CA_BUNDLE\nas the AWS CLI reads them, with the credentials (environment, web "
                       "identity, the shared files' profile, container, instance metadata)\n"
                       ".SH EXIT STATUS\n"
                       ".TP\n.B 0\nsuccess (plan: with or without changes)\n"
                       ".TP\n.B 1\nthe run failed\n"
                       ".TP\n.B 2\nbad usage or configuration\n"
                       ".TP\n.B 3\nplan \\-\\-detailed\\-exitcode found changes to make\n"
                       ".TP\n.B 130, 143\nstopped by Ctrl\\-C or SIGTERM: run the same command again to finish\n"
                       ".SH FILES\n"
                       ".TP\n.I stackhost.cfg\nthe configuration read without \\-c\n"
                       ".SH SEE ALSO\n"
                       "The README and docs/ of the sources: configuration.md, json.md (the \\-\\-json "
                       "documents), writing\\-a\\-plugin.md.\n");
}
