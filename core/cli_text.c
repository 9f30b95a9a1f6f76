/* What the command line says about itself: the commands' help, and the
 * shell completion scripts, both made from the tables of cli.c so that
 * neither can name an option the parser does not take. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

const struct cli_command cli_commands[] = {
    {"validate", CMD_VALIDATE, "", "check the configuration and plugins, send nothing",
     "Checks the file, every environment's overrides and every plugin's keys and\n"
     "cross-key rules, sending nothing to aws. Prints the enabled plugins in the\n"
     "order they run: of every environment, or of the one -e names.",
     "stackhost -c examples/catalog.cfg validate\n"
     "stackhost -c examples/catalog.cfg -e prod validate --json"},
    {"plan", CMD_PLAN, "", "show what deploy would change, change nothing",
     "Reads the account and shows what deploy would create (+), change in place\n"
     "(~), replace (-/+) or delete (-), field by field, before -> after. Only\n"
     "changes are listed, with a count of what stays as it is (-v: everything).\n"
     "Exits 0 when it succeeds, changes or not (3 with --detailed-exitcode when\n"
     "there are changes).",
     "stackhost -c examples/catalog.cfg -e dev plan\n"
     "stackhost -c examples/catalog.cfg -e dev plan --set compute.image_tag=2.0.0\n"
     "stackhost -c examples/catalog.cfg -e dev plan --destroy\n"
     "stackhost -c examples/catalog.cfg -e dev plan --detailed-exitcode || [ $? = 3 ]"},
    {"deploy", CMD_DEPLOY, "", "make the account match the configuration",
     "Takes the environment's lease (one operator at a time), plans, shows the\n"
     "plan, asks on a terminal (the environment's name or yes), then creates and\n"
     "changes what differs, waits for the service's rollout and prints the\n"
     "stack's outputs. Run it again after any failure or interruption: it\n"
     "finishes what is left.",
     "stackhost -c examples/catalog.cfg -e dev deploy\n"
     "stackhost -c examples/catalog.cfg -e dev deploy --auto-approve --set compute.image_tag=1.4.2\n"
     "stackhost -c examples/catalog.cfg -e dev deploy --auto-approve --no-wait"},
    {"destroy", CMD_DESTROY, "", "remove everything the stack owns in the environment",
     "Takes the environment's lease, plans the deletion (as plan --destroy),\n"
     "asks on a terminal, and deletes every resource of the environment,\n"
     "waiting until a final lookup finds none. Protected resources (a load\n"
     "balancer with deletion protection, a registry holding images without\n"
     "registry.delete_images) stop it before anything is deleted.",
     "stackhost -c examples/catalog.cfg -e dev plan --destroy\n"
     "stackhost -c examples/catalog.cfg -e dev destroy --auto-approve"},
    {"outputs", CMD_OUTPUTS, "[NAME]", "print the stack's outputs, or one of them raw",
     "Looks the stack's resources up and prints its outputs (stack.outputs of\n"
     "the file). With NAME (an output's name, or PLUGIN.KEY) prints that value\n"
     "alone, for scripts. Fails when the stack is not deployed.",
     "stackhost -c examples/catalog.cfg -e dev outputs\n"
     "URL=$(stackhost -c examples/catalog.cfg -e dev outputs alb_url)\n"
     "stackhost -c examples/catalog.cfg -e dev outputs --json"},
    {"plugins", CMD_PLUGINS, "[NAME]", "list the plugins found, or one plugin's keys",
     "Lists the plugins on the search path (--plugin-path, STACKHOST_PLUGIN_PATH,\n"
     "the file's plugin_path, then the installed ones) with their version and\n"
     "requirements; with NAME, that plugin's configuration keys and defaults.",
     "stackhost plugins\n"
     "stackhost plugins compute"},
    {"graph", CMD_GRAPH, "", "print the plugin graph as graphviz dot",
     "Prints the order plugins run in, as graphviz dot; with --resources,\n"
     "every resource and what it needs first.",
     "stackhost -c examples/catalog.cfg -e dev graph | dot -Tsvg > plugins.svg\n"
     "stackhost -c examples/catalog.cfg -e dev graph --resources"},
    {"unlock", CMD_UNLOCK, "", "remove the environment's lease left by a run that is gone",
     "Shows who holds the environment's lease and, once confirmed, removes it.\n"
     "Only for a run that is gone: a live run renews its lease and stops when it\n"
     "finds it removed.",
     "stackhost -c examples/catalog.cfg -e dev unlock"},
    {"cost", CMD_COST, "", "estimate what the environment costs a month",
     "Asks every plugin what its resources are made of (tasks, gateways, load\n"
     "balancer hours, keys, alarms) and prices them from AWS's on-demand list\n"
     "prices for the stack's region, built in (STACKHOST_PRICES: another table).\n"
     "Usage parts (GB through the NAT gateways, capacity units, log GB) rest on\n"
     "assumptions, each a plugin key with a default, named beside it. Needs no\n"
     "AWS account: the environment need not be deployed. plan shows each change's\n"
     "part and the total before and after.",
     "stackhost -c examples/catalog.cfg -e prod cost\n"
     "stackhost -c examples/catalog.cfg -e dev cost --set network.nat_per_az=true\n"
     "stackhost -c examples/catalog.cfg -e prod cost --json"},
    {"help", CMD_HELP, "[COMMAND]", "this text, or one command's",
     "Prints the program's help, or one command's with its options and examples\n"
     "(as COMMAND --help).",
     "stackhost help deploy"},
    {"completion", CMD_COMPLETION, "SHELL", "print the completion script for bash or zsh",
     "Prints a script that completes commands, options, environments and plugin\n"
     "names. Installed with the program for bash; or load it yourself.",
     "stackhost completion bash > ~/.local/share/bash-completion/completions/stackhost\n"
     "source <(stackhost completion bash)\n"
     "stackhost completion zsh > \"${fpath[1]}/_stackhost\""},
};
const size_t cli_ncommands = sizeof(cli_commands) / sizeof(cli_commands[0]);

static void option_lines(struct strbuf *out, unsigned mask)
{
    for (size_t i = 0; i < cli_noptions; i++) {
        const struct cli_option *o = &cli_options[i];
        if (mask && !(o->commands & mask))
            continue;
        size_t start = out->len;
        if (o->short_name)
            strbuf_addf(out, "  -%c, --%s", o->short_name, o->name);
        else
            strbuf_addf(out, "      --%s", o->name);
        if (o->metavar)
            strbuf_addf(out, o->arg == CLI_OPTIONAL_NUMBER ? "[=%s]" : " %s", o->metavar);
        /* the help, from column 28, wrapped before column 80 */
        size_t col = out->len - start;
        if (col >= 27) {
            strbuf_addch(out, '\n');
            col = 0;
        }
        strbuf_addf(out, "%*s", (int)(28 - col), "");
        col = 28;
        for (const char *h = o->help; *h;) {
            size_t word = strcspn(h, " ");
            if (col > 28 && col + 1 + word > 79) {
                strbuf_addf(out, "\n%28s", "");
                col = 28;
            } else if (col > 28) {
                strbuf_addch(out, ' ');
                col++;
            }
            strbuf_add(out, h, word);
            col += word;
            h += word + (h[word] == ' ');
        }
        strbuf_addch(out, '\n');
    }
}

static const char exit_statuses[] =
    "exit status:\n"
    "  0  success\n"
    "  1  the run failed\n"
    "  2  bad usage or configuration\n"
    "  3  plan --detailed-exitcode found changes to make\n"
    "  130, 143  stopped by Ctrl-C (SIGINT) or SIGTERM: run the same command\n"
    "            again to finish\n";

void cli_usage(struct strbuf *out)
{
    strbuf_addstr(out, "usage: stackhost [options] COMMAND [ARG]\n"
                       "\n"
                       "Deploys a web service stack to AWS from one configuration file, through plugins.\n"
                       "\n"
                       "commands:\n");
    for (size_t i = 0; i < cli_ncommands; i++) {
        char left[32];
        snprintf(left, sizeof(left), "%s %s", cli_commands[i].name, cli_commands[i].args);
        strbuf_addf(out, "  %-18s%s\n", left, cli_commands[i].summary);
    }
    strbuf_addstr(out, "\noptions (before or after the command; stackhost help COMMAND: which apply):\n");
    option_lines(out, 0);
    strbuf_addstr(out, "\n"
                       "environment: STACKHOST_PLUGIN_PATH (plugin directories, after --plugin-path),\n"
                       "  NO_COLOR, and the aws cli's: AWS_PROFILE, AWS_REGION, AWS_MAX_ATTEMPTS,\n"
                       "  AWS_RETRY_MODE, AWS_CA_BUNDLE, AWS_ENDPOINT_URL, credentials\n"
                       "\n");
    strbuf_addstr(out, exit_statuses);
}

void cli_command_usage(const struct cli_command *c, struct strbuf *out)
{
    strbuf_addf(out, "usage: stackhost %s%s%s [options]\n\n%s\n", c->name, *c->args ? " " : "", c->args, c->summary);
    strbuf_addf(out, "\n%s\n", c->text);
    if (c->cmd != CMD_HELP && c->cmd != CMD_COMPLETION) {
        strbuf_addstr(out, "\noptions:\n");
        option_lines(out, CLI_ON(c->cmd));
    }
    strbuf_addstr(out, "\nexamples:\n");
    for (const char *e = c->examples; *e;) {
        size_t len = strcspn(e, "\n");
        strbuf_addf(out, "  %.*s\n", (int)len, e);
        e += len + (e[len] == '\n');
    }
    if (c->cmd != CMD_HELP && c->cmd != CMD_COMPLETION)
        strbuf_addf(out, "\n%s", exit_statuses);
}

/* The words completion offers after `--NAME` of an option taking a value. */
static const char *value_kind(const char *name)
{
    if (!strcmp(name, "config") || !strcmp(name, "trace"))
        return "file";
    if (!strcmp(name, "plugin-path"))
        return "dir";
    if (!strcmp(name, "env"))
        return "env";
    if (!strcmp(name, "only"))
        return "plugin";
    return "";
}

static void bash_script(struct strbuf *out)
{
    strbuf_addstr(out, "# bash completion for stackhost (stackhost completion bash)\n"
                       "_stackhost_options() {\n"
                       "    case $1 in\n");
    for (size_t k = 0; k < cli_ncommands; k++) {
        strbuf_addf(out, "    %s) echo '", cli_commands[k].name);
        for (size_t i = 0; i < cli_noptions; i++)
            if (cli_options[i].commands & CLI_ON(cli_commands[k].cmd))
                strbuf_addf(out, "--%s ", cli_options[i].name);
        strbuf_addstr(out, "' ;;\n");
    }
    strbuf_addstr(out, "    *) echo '");
    for (size_t i = 0; i < cli_noptions; i++)
        strbuf_addf(out, "--%s ", cli_options[i].name);
    strbuf_addstr(out, "' ;;\n    esac\n}\n"
                       "_stackhost_value() {\n"
                       "    case $1 in\n");
    for (size_t i = 0; i < cli_noptions; i++) {
        const struct cli_option *o = &cli_options[i];
        if (o->arg != CLI_VALUE)
            continue;
        strbuf_addf(out, "    --%s%s%c) echo %s ;;\n", o->name, o->short_name ? "|-" : "",
                    o->short_name ? o->short_name : ' ', *value_kind(o->name) ? value_kind(o->name) : "none");
    }
    strbuf_addstr(out, "    *) echo no ;;\n    esac\n}\n"
                       "_stackhost() {\n"
                       "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
                       "    local cmd='' cfg=stackhost.cfg i w\n"
                       "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
                       "        w=${COMP_WORDS[i]}\n"
                       "        case $w in\n"
                       "        -c|--config) cfg=${COMP_WORDS[i+1]}; ((i++)) ;;\n"
                       "        --config=*) cfg=${w#--config=} ;;\n"
                       "        -*) [[ $w != *=* && $(_stackhost_value \"$w\") != no ]] && ((i++)) ;;\n"
                       "        *) [[ -z $cmd ]] && cmd=$w ;;\n"
                       "        esac\n"
                       "    done\n"
                       "    case $(_stackhost_value \"$prev\") in\n"
                       "    file) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
                       "    dir) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n"
                       "    env) COMPREPLY=($(compgen -W \"$(stackhost -c \"$cfg\" validate 2>/dev/null | sed -n 's/.*valid for environment \\([^ ]*\\) .*/\\1/p')\" -- \"$cur\")); return ;;\n"
                       "    plugin) COMPREPLY=($(compgen -W \"$(stackhost plugins 2>/dev/null | awk 'NR>1{print $1}')\" -- \"$cur\")); return ;;\n"
                       "    none) return ;;\n"
                       "    esac\n"
                       "    if [[ $cur == -* ]]; then\n"
                       "        COMPREPLY=($(compgen -W \"$(_stackhost_options \"$cmd\")\" -- \"$cur\"))\n"
                       "    elif [[ -z $cmd ]]; then\n"
                       "        COMPREPLY=($(compgen -W '");
    for (size_t k = 0; k < cli_ncommands; k++)
        strbuf_addf(out, "%s ", cli_commands[k].name);
    strbuf_addstr(out, "' -- \"$cur\"))\n"
                       "    elif [[ $cmd == help ]]; then\n"
                       "        COMPREPLY=($(compgen -W '");
    for (size_t k = 0; k < cli_ncommands; k++)
        strbuf_addf(out, "%s ", cli_commands[k].name);
    strbuf_addstr(out, "' -- \"$cur\"))\n"
                       "    elif [[ $cmd == completion ]]; then\n"
                       "        COMPREPLY=($(compgen -W 'bash zsh' -- \"$cur\"))\n"
                       "    elif [[ $cmd == plugins ]]; then\n"
                       "        COMPREPLY=($(compgen -W \"$(stackhost plugins 2>/dev/null | awk 'NR>1{print $1}')\" -- \"$cur\"))\n"
                       "    fi\n"
                       "}\n"
                       "complete -F _stackhost stackhost\n");
}

/* An option's help as a zsh description: its first clause, without the
 * characters _arguments gives a meaning (quotes, brackets, colons). */
static void zsh_description(struct strbuf *out, const char *help)
{
    size_t len = strcspn(help, "(;");
    while (len && help[len - 1] == ' ')
        len--;
    for (size_t i = 0; i < len; i++)
        if (!strchr("'[]:\\", help[i]))
            strbuf_addch(out, help[i]);
}

/* zsh: _arguments with one state per command, from the same tables. */
static void zsh_script(struct strbuf *out)
{
    strbuf_addstr(out, "#compdef stackhost\n"
                       "# zsh completion for stackhost (stackhost completion zsh > \"${fpath[1]}/_stackhost\")\n"
                       "_stackhost() {\n"
                       "    local -a commands\n"
                       "    commands=(\n");
    for (size_t k = 0; k < cli_ncommands; k++) {
        strbuf_addf(out, "        '%s:", cli_commands[k].name);
        zsh_description(out, cli_commands[k].summary);
        strbuf_addstr(out, "'\n");
    }
    strbuf_addstr(out, "    )\n"
                       "    local cmd=${words[(r)(");
    for (size_t k = 0; k < cli_ncommands; k++)
        strbuf_addf(out, "%s%s", k ? "|" : "", cli_commands[k].name);
    strbuf_addstr(out, ")]}\n"
                       "    local -a opts\n"
                       "    case $cmd in\n");
    for (size_t k = 0; k < cli_ncommands; k++) {
        strbuf_addf(out, "    %s) opts=(", cli_commands[k].name);
        for (size_t i = 0; i < cli_noptions; i++) {
            const struct cli_option *o = &cli_options[i];
            if (!(o->commands & CLI_ON(cli_commands[k].cmd)))
                continue;
            const char *kind = value_kind(o->name);
            const char *action = !strcmp(kind, "file") ? ":file:_files"
                                 : !strcmp(kind, "dir") ? ":directory:_files -/"
                                 : o->arg == CLI_VALUE   ? ":value:"
                                                         : "";
            strbuf_addf(out, " '--%s%s[", o->name, o->arg == CLI_VALUE ? "=" : "");
            zsh_description(out, o->help);
            strbuf_addf(out, "]%s'", action);
            if (o->short_name) {
                strbuf_addf(out, " '-%c[", o->short_name);
                zsh_description(out, o->help);
                strbuf_addf(out, "]%s'", action);
            }
        }
        strbuf_addstr(out, " ) ;;\n");
    }
    strbuf_addstr(out, "    esac\n"
                       "    if [[ -z $cmd ]]; then\n"
                       "        _describe -t commands 'stackhost command' commands\n"
                       "        _arguments '-c[configuration file]:file:_files' '-e[environment]:env:' '--help' '--version'\n"
                       "    elif [[ $cmd == help ]]; then\n"
                       "        _describe -t commands 'stackhost command' commands\n"
                       "    elif [[ $cmd == completion ]]; then\n"
                       "        compadd bash zsh\n"
                       "    else\n"
                       "        _arguments -s $opts\n"
                       "    fi\n"
                       "}\n"
                       "_stackhost \"$@\"\n");
}

int cli_completion(const char *shell, struct strbuf *out)
{
    if (!strcmp(shell, "bash"))
        bash_script(out);
    else if (!strcmp(shell, "zsh"))
        zsh_script(out);
    else
        return -1;
    return 0;
}
