/* The commands of the command line; each returns the exit status. */
#ifndef CORE_COMMANDS_H
#define CORE_COMMANDS_H

#include "cli.h"

int cmd_validate(const struct cli *cli);
int cmd_graph(const struct cli *cli);
int cmd_plugins(const struct cli *cli);
/* plan, deploy, destroy, outputs */
int cmd_run(const struct cli *cli);
/* unlock: removes the environment's lease */
int cmd_unlock(const struct cli *cli);

#endif
