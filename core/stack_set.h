/* --set PLUGIN.KEY=VALUE: a value for one run, over the file's and the
 * environment's (CI deploys a new image tag without editing the file). */
#ifndef CORE_STACK_SET_H
#define CORE_STACK_SET_H

#include <stddef.h>

#include "diag.h"

struct stack;

/* Sets each "plugin.key=value" in its plugin's merged settings, typed by
 * the plugin's key table (a string key takes VALUE as it is; others parse
 * it in libconfig syntax: 3, true, ["a", "b"]). The value remembers it
 * came from `--set plugin.key`, so the usual checks (unknown key, type,
 * range, format) name that, not a file line. Problems go to dl. */
void stack_apply_sets(struct stack *st, const char *const *sets, size_t n, struct diag_list *dl);

#endif
