/* `cost`: the environment's monthly estimate, from the configuration
 * alone (cost.h). */
#include <stdlib.h>

#include "commands.h"
#include "cost.h"
#include "log.h"
#include "stack.h"

int cmd_cost(const struct cli *cli)
{
    struct diag_list dl = DIAG_LIST_INIT;
    struct stack st;
    if (command_stack_open(cli, &st))
        return EXIT_USAGE;
    struct cost_report r;
    int rc = cost_collect(&st, &r, &dl);
    if (rc) {
        diag_log(&dl);
        diag_clear(&dl);
    } else {
        struct strbuf out = STRBUF_INIT;
        cost_print(&r, &st, cli->json, &out);
        emit_stdout(&out);
        strbuf_release(&out);
    }
    cost_report_free(&r);
    stack_close(&st);
    return rc ? EXIT_ERROR : EXIT_OK;
}
