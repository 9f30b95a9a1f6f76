/* The commands of the command line; each returns the exit status. */
#ifndef CORE_COMMANDS_H
#define CORE_COMMANDS_H

#include "cli.h"

struct stack;

/* Opens the stack the command line names (file, -e, --plugin-path, --only,
 * --set); 0, or EXIT_USAGE after logging why. */
int command_stack_open(const struct cli *cli, struct stack *st);

int cmd_validate(const struct cli *cli);
int cmd_graph(const struct cli *cli);
/* cost: the monthly estimate of the environment */
int cmd_cost(const struct cli *cli);
int cmd_plugins(const struct cli *cli);
/* plan, deploy, destroy, outputs */
int cmd_run(const struct cli *cli);
/* unlock: removes the environment's lease */
int cmd_unlock(const struct cli *cli);

#endif
