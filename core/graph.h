/* The plugin graph: nodes are plugins, an edge i -> j means i requires j.
 * Gives a deterministic execution order (requirements first; among
 * plugins ready at the same time, the one added first) and names a cycle
 * when there is one. */
#ifndef CORE_GRAPH_H
#define CORE_GRAPH_H

#include <stddef.h>

#include "strbuf.h"

struct graph {
    size_t n;
    const char **names; /* borrowed */
    size_t **deps;      /* deps[i]: the nodes i requires */
    size_t *ndeps, *deps_alloc;
};

void graph_init(struct graph *g, size_t n, const char **names);
void graph_require(struct graph *g, size_t node, size_t requirement);
/* Fills order[0..n) with requirements before their dependents. Returns 0,
 * or -1 with "a -> b -> a" (each requiring the next) in cycle. */
int graph_order(const struct graph *g, size_t *order, struct strbuf *cycle);
/* Graphviz DOT, edges pointing from a plugin to what it requires; nodes
 * with a non-zero `dimmed` entry (may be NULL) are drawn dashed. */
void graph_dot(const struct graph *g, const char *title, const int *dimmed, struct strbuf *out);
void graph_free(struct graph *g);

#endif
