/* stackhost: the host's entry point. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stackhost/stackhost.h>

#include "prices.h"
#include "commands.h"
#include "config.h"
#include "context.h"
#include "aws/profile.h"
#include "aws/secret.h"
#include "log.h"
#include "secure_alloc.h"

static void on_signal(int sig)
{
    /* Nothing under way that could be left half done: the default action
     * (SA_RESETHAND restored it), delivered once the handler returns. */
    if (!atomic_load(&run_graceful)) {
        raise(sig);
        return;
    }
    /* Plugins see it through host->cancelled(): they finish the request
     * in flight and stop. A second signal takes the default action. */
    atomic_store(&run_interrupted, sig);
}

static void install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* STACKHOST_PAUSE_AT_EXIT=1: the process stops itself (SIGSTOP) once
 * everything is freed, just before it exits, so that a test can read its
 * memory (as root) and find no secret left behind. Reading it needs the
 * privilege to ptrace a non-dumpable process: the pause gives nothing
 * more. */
static int finish(int rc)
{
    const char *pause_at_exit = getenv("STACKHOST_PAUSE_AT_EXIT");
    if (pause_at_exit && !strcmp(pause_at_exit, "1"))
        raise(SIGSTOP);
    return rc;
}

int main(int argc, char **argv)
{
    secure_memory_install();
    struct cli cli;
    struct strbuf err = STRBUF_INIT;
    int rc = cli_parse(argc, argv, &cli, &err);
    if (rc) {
        fprintf(stderr, "stackhost: %s\n", err.buf);
        strbuf_release(&err);
        return rc;
    }
    strbuf_release(&err);
    if (cli.version) {
        printf("stackhost %s (plugin abi %d.%d)\n", STACKHOST_VERSION, STACKHOST_ABI_MAJOR, STACKHOST_ABI_MINOR);
        return EXIT_OK;
    }
    if (cli.help || cli.command == CMD_HELP || cli.command == CMD_COMPLETION) {
        struct strbuf out = STRBUF_INIT;
        rc = EXIT_OK;
        if (cli.command == CMD_COMPLETION && cli_completion(cli.arg, &out)) {
            fprintf(stderr, "stackhost: completion knows bash and zsh, not '%s'\n", cli.arg);
            rc = EXIT_USAGE;
        } else if (cli.command == CMD_HELP && cli.arg) {
            cli_command_usage(cli_command_find(cli.arg), &out);
        } else if (cli.command != CMD_COMPLETION) {
            cli_usage(&out);
        }
        emit_stdout(&out);
        strbuf_release(&out);
        return rc;
    }
    log_set_level(cli.verbosity < 0 ? SH_LOG_ERROR
                  : cli.verbosity == 0 ? SH_LOG_INFO
                  : cli.verbosity == 1 ? SH_LOG_DEBUG
                                       : SH_LOG_TRACE);
    install_signal_handlers();
    if (cli.json)
        json_errors_start();
    profile_select(cli.profile);
    config_select_region(cli.region);
    switch (cli.command) {
    case CMD_VALIDATE: rc = cmd_validate(&cli); break;
    case CMD_GRAPH: rc = cmd_graph(&cli); break;
    case CMD_COST: rc = cmd_cost(&cli); break;
    case CMD_UNLOCK: rc = cmd_unlock(&cli); break;
    case CMD_PLUGINS: rc = cmd_plugins(&cli); break;
    default: rc = cmd_run(&cli); break;
    }
    int sig = atomic_load(&run_interrupted);
    if (sig && rc != EXIT_OK) {
        log_msg(SH_LOG_ERROR, NULL, "interrupted: run the same command again to finish, or destroy to clean up");
        rc = 128 + sig; /* as a shell reports a process a signal ended: Ctrl-C is 130, as the aws cli's */
    }
    json_errors_emit();
    prices_free();
    redact_clear();
    secret_burn_stack();
    return finish(rc);
}
