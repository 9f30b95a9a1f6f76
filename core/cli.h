/* Command-line parsing. Options may come before or after the command
 * (`stackhost outputs --json` = `stackhost --json outputs`); `--` ends
 * the options. One table (cli_options) says what each option takes and
 * which commands it applies to: the parser, the help, the completion
 * scripts and the refusal of an option a command does not take all read
 * it. Pure: no I/O, no globals, so it is tested directly. */
#ifndef CORE_CLI_H
#define CORE_CLI_H

/* Deploy waits for the rollouts it starts this long by default (--wait=SECONDS, --no-wait). */
#define CLI_WAIT_DEFAULT 900
/* Deploy and destroy wait this long for another run's lease by default (--lock-timeout=SECONDS). */
#define CLI_LOCK_TIMEOUT_DEFAULT 300
/* --set may be given this many times. */
#define CLI_MAX_SETS 64

#include <stddef.h>

#include "strbuf.h"

enum command {
    CMD_NONE,
    CMD_VALIDATE,
    CMD_PLAN,
    CMD_DEPLOY,
    CMD_DESTROY,
    CMD_OUTPUTS,
    CMD_PLUGINS,
    CMD_GRAPH,
    CMD_UNLOCK,
    CMD_COST,
    CMD_HELP,
    CMD_COMPLETION
};

/* Exit statuses (documented in --help and the README). */
enum {
    EXIT_OK = 0,      /* success (plan: whether or not there are changes) */
    EXIT_ERROR = 1,   /* the run failed */
    EXIT_USAGE = 2,   /* bad usage or configuration */
    EXIT_CHANGES = 3  /* plan --detailed-exitcode found changes to make */
};

struct cli {
    enum command command;
    const char *arg;         /* `plugins NAME`, `outputs NAME`, `help COMMAND`, `completion SHELL` */
    const char *config;      /* -c, or NULL: see cli_config_file */
    const char *env;         /* -e */
    const char *plugin_path; /* --plugin-path */
    const char *profile;     /* --profile: the shared files' profile, over AWS_PROFILE */
    const char *region;      /* --region: over AWS_REGION; must agree with stack.region */
    const char *sets[CLI_MAX_SETS]; /* --set KEY=VALUE, in order (borrowed from argv) */
    size_t nsets;
    int json;
    int resources;           /* graph --resources */
    int verbosity;           /* -q: -1, default 0, -v: 1, -v -v: 2 */
    int no_color;            /* --no-color (NO_COLOR is read where colour is chosen) */
    long jobs;               /* -j: plugins run at once */
    long requests;           /* --requests: aws requests on the wire at once */
    const char *trace;       /* --trace FILE */
    int allow_replace;       /* --allow-replace */
    long wait_seconds;       /* how long deploy waits for rollouts: --wait=SECONDS, else CLI_WAIT_DEFAULT; 0: --no-wait */
    int wait_given, no_wait; /* --wait, --no-wait (refused together) */
    int restart;             /* --restart */
    int destroy;             /* plan --destroy */
    int detailed_exitcode;   /* plan --detailed-exitcode: EXIT_CHANGES when there are changes */
    int auto_approve;        /* --auto-approve: deploy, destroy and unlock without asking */
    long lock_timeout;       /* --lock-timeout: how long deploy and destroy wait for another run's lease */
    const char *only;        /* --only a,b: run just these plugins */
    int help, version;
};

/* What an option takes. */
enum cli_arg { CLI_FLAG, CLI_VALUE, CLI_OPTIONAL_NUMBER };

/* One option. `commands` is a mask of CLI_ON(command) bits; 0 = global only (--version). */
struct cli_option {
    const char *name;   /* long name, without its dashes */
    char short_name;    /* or 0 */
    enum cli_arg arg;
    const char *metavar;
    unsigned commands;
    const char *help;
};
#define CLI_ON(cmd) (1u << (cmd))

struct cli_command {
    const char *name;
    enum command cmd;
    const char *args;     /* after the name in the usage line: "[NAME]", or "" */
    const char *summary;  /* one line, for the command list */
    const char *text;     /* what it does, for help COMMAND */
    const char *examples; /* lines, for help COMMAND */
};

extern const struct cli_option cli_options[];
extern const size_t cli_noptions;
extern const struct cli_command cli_commands[];
extern const size_t cli_ncommands;

/* Parses argv (argv[0] is the program). Returns 0, or EXIT_USAGE with the
 * reason in err. --help and --version set their flags and need no command. */
int cli_parse(int argc, char **argv, struct cli *cli, struct strbuf *err);
const char *cli_command_name(enum command cmd);
const struct cli_command *cli_command_find(const char *name);
/* -c, else "stackhost.cfg". */
const char *cli_config_file(const struct cli *cli);
/* The help: the whole program's (cmd NULL) or one command's. */
void cli_usage(struct strbuf *out);
void cli_command_usage(const struct cli_command *cmd, struct strbuf *out);
/* `completion SHELL`: the script, or -1 for a shell it does not know. */
int cli_completion(const char *shell, struct strbuf *out);
/* The manual page, in roff (installed as man1/stackhost.1). */
void cli_man_page(struct strbuf *out);

#endif
