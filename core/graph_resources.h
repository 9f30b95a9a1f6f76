/* The resource graph of a stack (`stackhost graph --resources`). */
#ifndef CORE_GRAPH_RESOURCES_H
#define CORE_GRAPH_RESOURCES_H

#include "diag.h"
#include "stack.h"
#include "strbuf.h"

/* Appends the DOT text: a cluster per plugin (in execution order, a
 * disabled one dashed) holding its declared resources, and an edge from
 * each resource to what it comes after. Returns 0, or -1 with an error in
 * dl for each `after` naming a resource no plugin of the stack declares. */
int graph_resources_dot(const struct stack *st, struct strbuf *out, struct diag_list *dl);

#endif
