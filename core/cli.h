/* Command-line parsing. Options may come before or after the command
 * (`stackhost outputs --json` = `stackhost --json outputs`); `--` ends
 * the options. Pure: no I/O, no globals, so it is tested directly. */
#ifndef CORE_CLI_H
#define CORE_CLI_H

/* Deploy waits for the rollouts it starts this long by default (--wait=SECONDS, --no-wait). */
#define CLI_WAIT_DEFAULT 900
/* Deploy and destroy wait this long for another run's lease by default (--lock-timeout=SECONDS). */
#define CLI_LOCK_TIMEOUT_DEFAULT 300

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
    CMD_UNLOCK
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
    const char *arg;         /* `plugins NAME`, `outputs NAME` */
    const char *config;      /* -c, or NULL: see cli_config_file */
    const char *env;         /* -e */
    const char *plugin_path; /* --plugin-path */
    int json;
    int resources;           /* graph --resources */
    int verbosity;           /* -q: -1, default 0, -v: 1, -v -v: 2 */
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

/* Parses argv (argv[0] is the program). Returns 0, or EXIT_USAGE with the
 * reason in err. --help and --version set their flags and need no command. */
int cli_parse(int argc, char **argv, struct cli *cli, struct strbuf *err);
const char *cli_command_name(enum command cmd);
/* -c, else "stackhost.cfg". */
const char *cli_config_file(const struct cli *cli);
/* The --help text. */
void cli_usage(struct strbuf *out);

#endif
