/* unlock: removes the lease a run left behind (lease.h), after showing
 * who held it and asking (--auto-approve: without asking). */
#include <stdio.h>
#include <unistd.h>

#include "commands.h"
#include "confirm.h"
#include "context.h"
#include "lease.h"
#include "log.h"
#include "stack.h"

static int unlock(const struct cli *cli, struct stack *st, struct diag_list *dl)
{
    struct run run;
    run_init(&run, st, SH_MODE_OUTPUTS);
    struct strbuf holder = STRBUF_INIT, why = STRBUF_INIT;
    int rc = EXIT_ERROR;
    if (run_connect_aws(&run, &why) || lease_holder(run.aws, st->cfg.name, st->cfg.env, &holder, &why)) {
        diag_add(dl, NULL, 0, NULL, "%s", why.buf);
    } else if (!holder.len) {
        log_msg(SH_LOG_INFO, NULL, "stack %s, environment %s: no lease is held; nothing to unlock", st->cfg.name,
                st->cfg.env);
        rc = EXIT_OK;
    } else {
        log_msg(SH_LOG_INFO, NULL, "stack %s, environment %s, account %s: the lease is held by %s", st->cfg.name,
                st->cfg.env, run.account_id, holder.buf);
        struct strbuf question = STRBUF_INIT;
        strbuf_addstr(&question, "remove it (only if that run is gone: two runs changing one environment at once "
                      "can make duplicates)");
        if (!cli->auto_approve && !confirm(question.buf, st->cfg.env)) {
            diag_add(dl, NULL, 0, NULL, "unlock cancelled: the answer was not '%s' or 'yes'; the lease is kept",
                     st->cfg.env);
        } else if (lease_break(run.aws, st->cfg.name, st->cfg.env, &why)) {
            diag_add(dl, NULL, 0, NULL, "%s", why.buf);
        } else {
            log_msg(SH_LOG_INFO, NULL, "lease removed: stack %s, environment %s", st->cfg.name, st->cfg.env);
            rc = EXIT_OK;
        }
        strbuf_release(&question);
    }
    strbuf_release(&holder);
    strbuf_release(&why);
    run_free(&run);
    return rc;
}

int cmd_unlock(const struct cli *cli)
{
    struct diag_list dl = DIAG_LIST_INIT;
    if (!cli->env) {
        diag_add(&dl, cli_config_file(cli), 0, NULL, "unlock needs an environment: pass -e ENV");
        diag_log(&dl);
        diag_clear(&dl);
        return EXIT_USAGE;
    }
    if (!cli->auto_approve && !isatty(STDIN_FILENO)) {
        diag_add(&dl, NULL, 0, NULL, "unlock asks first, on a terminal; without one, pass --auto-approve to remove "
                 "the lease without asking");
        diag_log(&dl);
        diag_clear(&dl);
        return EXIT_USAGE;
    }
    struct stack st;
    struct stack_options opt = {cli_config_file(cli), cli->env, cli->plugin_path, cli->only, NULL, 0};
    if (stack_open(&st, &opt, &dl)) {
        diag_log(&dl);
        diag_clear(&dl);
        return EXIT_USAGE;
    }
    int rc = unlock(cli, &st, &dl);
    diag_log(&dl);
    diag_clear(&dl);
    stack_close(&st);
    return rc;
}
