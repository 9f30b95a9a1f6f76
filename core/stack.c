#include "stack.h"

#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "stack_set.h"
#include "validate.h"
#include "xalloc.h"

static const char *const section_reserved[] = {"enabled", NULL};

static void load_plugins(struct stack *st, struct diag_list *dl)
{
    for (size_t i = 0; i < st->cfg.nsections; i++) {
        struct section *sec = &st->cfg.sections[i];
        struct strbuf refused = STRBUF_INIT;
        char *path = search_path_find(&st->search, sec->name, &refused);
        int shadowing = refused.len > 0;
        if (shadowing)
            value_diag(dl, sec->declared, "%s", refused.buf);
        strbuf_release(&refused);
        if (shadowing) {
            continue;
        } else if (!path) {
            struct strbuf dirs = STRBUF_INIT;
            for (size_t k = 0; k < st->search.n; k++)
                strbuf_addf(&dirs, "%s%s", k ? ", " : "", st->search.dirs[k]);
            struct strbuf hint = STRBUF_INIT;
            search_path_suggest(&st->search, sec->name, &hint);
            value_diag(dl, sec->declared, "plugin '%s' not found%s: no %s.so in %s (set --plugin-path, "
                       "STACKHOST_PLUGIN_PATH or plugin_path)", sec->name, hint.buf, sec->name, dirs.buf);
            strbuf_release(&hint);
            strbuf_release(&dirs);
            continue;
        }
        struct plugin *p = NULL;
        if (!plugin_open(path, sec->name, &st->plugins, &p, dl)) {
            st->items[st->n].section = sec;
            st->items[st->n].plugin = p;
            st->names[st->n] = sec->name;
            st->n++;
        }
        free(path);
    }
}

static void check_requirements(struct stack *st, struct diag_list *dl)
{
    graph_init(&st->graph, st->n, st->names);
    for (size_t i = 0; i < st->n; i++) {
        struct stack_item *it = &st->items[i];
        const char *const *req = it->plugin->desc->requires;
        for (size_t r = 0; req && req[r]; r++) {
            struct stack_item *dep = stack_find(st, req[r]);
            struct section *dsec = config_section(&st->cfg, req[r]);
            if (dep) {
                graph_require(&st->graph, i, (size_t)(dep - st->items));
            }
            if (!it->section->enabled)
                continue; /* a disabled plugin only needs its requirements to deploy */
            if (!dsec) {
                value_diag(dl, it->section->declared,
                           "plugin '%s' requires plugin '%s', which is not in the plugins group; add %s = { ... }",
                           it->section->name, req[r], req[r]);
            } else if (!dsec->enabled) {
                struct strbuf where = STRBUF_INIT;
                if (dsec->switched) {
                    strbuf_addstr(&where, " by ");
                    value_path(dsec->switched, &where);
                    strbuf_addf(&where, " (line %d)", value_line(dsec->switched));
                }
                value_diag(dl, it->section->declared,
                           "plugin '%s' requires plugin '%s', which is disabled in environment '%s'%s; "
                           "enable '%s' or disable '%s' too",
                           it->section->name, req[r], st->cfg.env ? st->cfg.env : "(base)", where.buf,
                           req[r], it->section->name);
                strbuf_release(&where);
            }
        }
    }
    st->order = xcalloc(st->n + 1, sizeof(*st->order));
    struct strbuf cycle = STRBUF_INIT;
    if (graph_order(&st->graph, st->order, &cycle))
        diag_add(dl, st->cfg.file, 0, NULL, "plugin requirements form a cycle: %s (each requires the next)", cycle.buf);
    strbuf_release(&cycle);
}

/* --only: every name a plugin of the file, and what a selected enabled
 * plugin requires selected too (its outputs would be missing). */
static void select_only(struct stack *st, const char *only, struct diag_list *dl)
{
    for (size_t i = 0; i < st->n; i++)
        st->items[i].selected = only == NULL;
    if (!only)
        return;
    const char *p = only;
    while (*p) {
        size_t len = strcspn(p, ",");
        char *name = xstrndup(p, len);
        struct stack_item *it = stack_find(st, name);
        if (it) {
            it->selected = 1;
        } else if (len) {
            struct strbuf hint = STRBUF_INIT;
            suggest_hint(&hint, name, st->names, st->n);
            diag_add(dl, NULL, 0, NULL, "--only names '%s', which is not a plugin of %s%s", name, st->cfg.file,
                     hint.buf);
            strbuf_release(&hint);
        }
        free(name);
        p += len + (p[len] == ',');
    }
    for (size_t i = 0; i < st->n; i++) {
        if (!st->items[i].selected || !st->items[i].section->enabled)
            continue;
        for (size_t r = 0; r < st->graph.ndeps[i]; r++) {
            struct stack_item *dep = &st->items[st->graph.deps[i][r]];
            if (!dep->selected)
                diag_add(dl, NULL, 0, NULL, "--only includes '%s' but not '%s', which it requires: add it",
                         st->items[i].section->name, dep->section->name);
        }
    }
}

/* stack.outputs naming a key its plugin does not declare in `publishes`:
 * a typo found before anything is sent, not an output missing after. A
 * plugin that declares none publishes nothing a stack output can name:
 * its keys are unknown until it runs, so no typo could be caught. */
static void check_output_aliases(struct stack *st, struct diag_list *dl)
{
    for (size_t i = 0; i < st->cfg.noutputs; i++) {
        const struct output_alias *a = &st->cfg.outputs[i];
        struct stack_item *it = stack_find(st, a->plugin);
        if (!it)
            continue; /* not loaded: already reported */
        const char *const *keys = plugin_publishes(it->plugin);
        size_t n = 0;
        while (keys && keys[n])
            n++;
        if (publishes_key(keys, a->key))
            continue;
        if (!keys || !keys[0]) {
            value_diag(dl, a->at, "plugin '%s' %s, so none of its outputs can be a stack output ('%s.%s'); "
                       "its descriptor must list the keys it publishes in .publishes (abi 1.3)", a->plugin,
                       keys ? "declares an empty publishes" : "declares no publishes", a->plugin, a->key);
            continue;
        }
        struct strbuf hint = STRBUF_INIT, list = STRBUF_INIT;
        suggest_hint(&hint, a->key, keys, n);
        for (size_t k = 0; k < n; k++)
            strbuf_addf(&list, "%s%s", k ? ", " : "", keys[k]);
        value_diag(dl, a->at, "plugin '%s' publishes no output '%s'%s; it publishes %s", a->plugin, a->key,
                   hint.buf, list.buf);
        strbuf_release(&hint);
        strbuf_release(&list);
    }
}

/* Runs each enabled plugin's own cross-key checks. */
static void run_validate_callbacks(struct stack *st, struct diag_list *dl)
{
    for (size_t k = 0; k < st->n; k++) {
        struct stack_item *it = &st->items[st->order[k]];
        if (!it->section->enabled || !it->plugin->desc->validate)
            continue;
        struct sh_ctx ctx;
        ctx_init(&ctx, NULL, st, it, SH_MODE_VALIDATE);
        sh_status s = it->plugin->desc->validate(host_table(), &ctx);
        if (s != SH_OK && !ctx.errors.n)
            value_diag(&ctx.errors, it->section->settings, "plugin '%s' rejected its configuration (%s)",
                       it->section->name, sh_status_name(s));
        diag_move(dl, &ctx.errors);
        ctx_release(&ctx);
    }
}

int stack_open(struct stack *st, const struct stack_options *opt, struct diag_list *dl)
{
    memset(st, 0, sizeof(*st));
    size_t before = diag_count(dl);
    if (config_open(opt->file, opt->env, &st->cfg, dl))
        return -1;
    search_path_build(&st->search, opt->plugin_path, getenv("STACKHOST_PLUGIN_PATH"), st->cfg.plugin_path);
    /* Every plugin would be "not found" or found elsewhere: say only this. */
    if (search_path_check(&st->search, value_get(st->cfg.root, "plugin_path"), dl)) {
        stack_close(st);
        return -1;
    }
    st->items = xcalloc(st->cfg.nsections + 1, sizeof(*st->items));
    st->names = xcalloc(st->cfg.nsections + 1, sizeof(*st->names));
    load_plugins(st, dl);
    stack_apply_sets(st, opt->sets, opt->nsets, dl);
    for (size_t i = 0; i < st->n; i++)
        validate_group(st->items[i].plugin->desc->keys, st->items[i].section->settings, section_reserved, dl);
    check_requirements(st, dl);
    check_output_aliases(st, dl);
    if (diag_count(dl) == before)
        select_only(st, opt->only, dl);
    if (diag_count(dl) == before)
        run_validate_callbacks(st, dl);
    if (diag_count(dl) > before) {
        stack_close(st);
        return -1;
    }
    return 0;
}

void stack_close(struct stack *st)
{
    graph_free(&st->graph);
    free(st->order);
    free(st->items);
    free(st->names);
    plugin_list_close(&st->plugins);
    search_path_free(&st->search);
    config_close(&st->cfg);
    memset(st, 0, sizeof(*st));
}

struct stack_item *stack_find(struct stack *st, const char *name)
{
    for (size_t i = 0; i < st->n; i++)
        if (!strcmp(st->items[i].section->name, name))
            return &st->items[i];
    return NULL;
}
