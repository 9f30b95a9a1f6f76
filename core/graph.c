#include "graph.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void graph_init(struct graph *g, size_t n, const char **names)
{
    g->n = n;
    g->names = names;
    g->deps = xcalloc(n, sizeof(*g->deps));
    g->ndeps = xcalloc(n, sizeof(*g->ndeps));
    g->deps_alloc = xcalloc(n, sizeof(*g->deps_alloc));
}

void graph_require(struct graph *g, size_t node, size_t requirement)
{
    for (size_t i = 0; i < g->ndeps[node]; i++)
        if (g->deps[node][i] == requirement)
            return;
    XGROW(g->deps[node], g->deps_alloc[node], g->ndeps[node] + 1);
    g->deps[node][g->ndeps[node]++] = requirement;
}

/* Depth-first search for a cycle among the nodes not yet ordered;
 * color: 0 new, 1 on the stack, 2 done. */
static int find_cycle(const struct graph *g, size_t v, int *color, size_t *stack, size_t depth,
                      const int *placed, struct strbuf *out)
{
    color[v] = 1;
    stack[depth] = v;
    for (size_t i = 0; i < g->ndeps[v]; i++) {
        size_t w = g->deps[v][i];
        if (placed[w])
            continue;
        if (color[w] == 1) {
            size_t start = 0;
            while (stack[start] != w)
                start++;
            for (size_t k = start; k <= depth; k++)
                strbuf_addf(out, "%s -> ", g->names[stack[k]]);
            strbuf_addstr(out, g->names[w]);
            return 1;
        }
        if (color[w] == 0 && find_cycle(g, w, color, stack, depth + 1, placed, out))
            return 1;
    }
    color[v] = 2;
    return 0;
}

int graph_order(const struct graph *g, size_t *order, struct strbuf *cycle)
{
    int *placed = xcalloc(g->n + 1, sizeof(*placed));
    size_t done = 0;
    int progress = 1;
    /* Kahn's algorithm by repeated scans: n is a handful of plugins, and
     * scanning in insertion order keeps the order stable. */
    while (done < g->n && progress) {
        progress = 0;
        for (size_t v = 0; v < g->n; v++) {
            if (placed[v])
                continue;
            int ready = 1;
            for (size_t i = 0; i < g->ndeps[v] && ready; i++)
                ready = placed[g->deps[v][i]];
            if (ready) {
                placed[v] = 1;
                order[done++] = v;
                progress = 1;
                break;
            }
        }
    }
    int rc = 0;
    if (done < g->n) {
        int *color = xcalloc(g->n, sizeof(*color));
        size_t *stack = xcalloc(g->n + 1, sizeof(*stack));
        for (size_t v = 0; v < g->n; v++)
            if (!placed[v] && !color[v] && find_cycle(g, v, color, stack, 0, placed, cycle))
                break;
        free(color);
        free(stack);
        rc = -1;
    }
    free(placed);
    return rc;
}

void graph_dot(const struct graph *g, const char *title, const int *dimmed, struct strbuf *out)
{
    strbuf_addf(out, "digraph \"%s\" {\n  rankdir=LR;\n  node [shape=box];\n", title);
    for (size_t v = 0; v < g->n; v++)
        strbuf_addf(out, "  \"%s\"%s;\n", g->names[v], dimmed && dimmed[v] ? " [style=dashed]" : "");
    for (size_t v = 0; v < g->n; v++)
        for (size_t i = 0; i < g->ndeps[v]; i++)
            strbuf_addf(out, "  \"%s\" -> \"%s\";\n", g->names[v], g->names[g->deps[v][i]]);
    strbuf_addstr(out, "}\n");
}

void graph_free(struct graph *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->deps[i]);
    free(g->deps);
    free(g->ndeps);
    free(g->deps_alloc);
    memset(g, 0, sizeof(*g));
}
