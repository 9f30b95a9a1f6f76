/* An opened stack: the configuration resolved for one environment, every
 * plugin it lists loaded and checked, every section validated against its
 * plugin's table, requirements resolved and ordered. Nothing here sends
 * a request: `validate` is stack_open and nothing more. */
#ifndef CORE_STACK_H
#define CORE_STACK_H

#include <stddef.h>

#include "config.h"
#include "diag.h"
#include "graph.h"
#include "loader.h"

struct stack_item {
    struct section *section; /* in cfg */
    struct plugin *plugin;   /* in plugins */
    int selected;            /* runs in this command (--only) */
};

struct stack {
    struct stack_config cfg;
    struct search_path search;
    struct plugin_list plugins;
    struct stack_item *items; /* one per section, in file order */
    size_t n;
    const char **names;       /* items' names, for the graph */
    struct graph graph;       /* over items */
    size_t *order;            /* every item, requirements first */
};

struct stack_options {
    const char *file;
    const char *env;
    const char *plugin_path; /* --plugin-path, or NULL */
    const char *only;        /* --only: comma-separated plugin names, or NULL */
    const char *const *sets; /* --set plugin.key=value, nsets of them (stack_set.h) */
    size_t nsets;
};

/* Returns 0, or -1 with every problem in dl (st is then closed). */
int stack_open(struct stack *st, const struct stack_options *opt, struct diag_list *dl);
void stack_close(struct stack *st);
struct stack_item *stack_find(struct stack *st, const char *name);

#endif
