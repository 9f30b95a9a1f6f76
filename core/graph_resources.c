/* `stackhost graph --resources`: every resource the stack's plugins
 * declare (sh_plugin.resources), grouped by plugin, each pointing at what
 * must exist before it, as Graphviz DOT. */
#include "graph_resources.h"

#include <string.h>

#include "loader.h"

static const sh_resource_decl *find(const sh_resource_decl *r, const char *id, size_t len)
{
    for (; r && r->id; r++)
        if (strlen(r->id) == len && !strncmp(r->id, id, len))
            return r;
    return NULL;
}

/* The label with {S} and {E} replaced, escaped for a DOT string. */
static void add_label(struct strbuf *out, const char *label, const char *stack, const char *suffix)
{
    for (const char *p = label; *p; p++) {
        if (!strncmp(p, "{S}", 3)) {
            strbuf_addstr(out, stack);
            p += 2;
        } else if (!strncmp(p, "{E}", 3)) {
            strbuf_addstr(out, suffix);
            p += 2;
        } else {
            if (*p == '"' || *p == '\\')
                strbuf_addch(out, '\\');
            strbuf_addch(out, *p);
        }
    }
}

int graph_resources_dot(const struct stack *st, struct strbuf *out, struct diag_list *dl)
{
    const char *stack = st->cfg.name ? st->cfg.name : "S", *suffix = st->cfg.suffix ? st->cfg.suffix : "E";
    int rc = 0;
    strbuf_addf(out, "digraph \"%s\" {\n  rankdir=LR;\n  compound=true;\n  node [shape=box, fontsize=10];\n", stack);
    for (size_t k = 0; k < st->n; k++) {
        const struct stack_item *it = &st->items[st->order[k]];
        const sh_resource_decl *res = plugin_resources(it->plugin);
        const char *name = it->section->name;
        strbuf_addf(out, "  subgraph \"cluster_%s\" {\n    label=\"%s\";%s\n", name, name,
                    it->section->enabled ? "" : " style=dashed;");
        if (!res || !res->id)
            strbuf_addf(out, "    \"%s\" [label=\"%s (resources not declared)\"];\n", name, name);
        for (const sh_resource_decl *r = res; r && r->id; r++) {
            strbuf_addf(out, "    \"%s.%s\" [label=\"", name, r->id);
            add_label(out, r->label, stack, suffix);
            strbuf_addstr(out, "\"];\n");
        }
        strbuf_addstr(out, "  }\n");
    }
    for (size_t k = 0; k < st->n; k++) {
        const struct stack_item *it = &st->items[st->order[k]];
        const char *name = it->section->name;
        for (const sh_resource_decl *r = plugin_resources(it->plugin); r && r->id; r++) {
            for (size_t i = 0; r->after && r->after[i]; i++) {
                const char *a = r->after[i], *dot = strchr(a, '.');
                if (!dot) {
                    strbuf_addf(out, "  \"%s.%s\" -> \"%s.%s\";\n", name, r->id, name, a);
                    continue;
                }
                struct strbuf plugin = STRBUF_INIT;
                strbuf_add(&plugin, a, (size_t)(dot - a));
                const struct stack_item *other = stack_find((struct stack *)st, plugin.buf);
                if (!other) {
                    diag_add(dl, it->plugin->path, 0, NULL,
                             "plugin '%s': resource '%s' comes after '%s', but plugin '%s' is not in this stack",
                             name, r->id, a, plugin.buf);
                    rc = -1;
                } else if (!find(plugin_resources(other->plugin), dot + 1, strlen(dot + 1))) {
                    diag_add(dl, it->plugin->path, 0, NULL,
                             "plugin '%s': resource '%s' comes after '%s', which plugin '%s' does not declare", name,
                             r->id, a, plugin.buf);
                    rc = -1;
                } else {
                    strbuf_addf(out, "  \"%s.%s\" -> \"%s\";\n", name, r->id, a);
                }
                strbuf_release(&plugin);
            }
        }
    }
    strbuf_addstr(out, "}\n");
    return rc;
}
