#include "stack_set.h"

#include <stdlib.h>
#include <string.h>

#include "stack.h"
#include "validate.h"
#include "xalloc.h"

/* The value as its key wants it; a text that does not parse stays a
 * string, for the key check to name the type it expected. */
static struct sh_value *set_value(const sh_config_key *key, const char *name, const char *text)
{
    if (!key || key->type != SH_CONFIG_STRING) {
        const char *why = NULL;
        struct sh_value *v = value_parse(text, name, &why);
        if (v)
            return v;
    }
    struct sh_value *v = value_new(VALUE_STRING, name);
    v->u.s = xstrdup(text);
    return v;
}

/* Marks v and what it holds as written on the command line. */
static void set_origin(struct sh_value *v, const char *where)
{
    free(v->file);
    v->file = xstrdup(where);
    v->line = 0;
    for (size_t i = 0; i < v->n; i++)
        set_origin(v->kids[i], where);
}

static void apply_one(struct stack *st, const char *set, struct diag_list *dl)
{
    const char *eq = strchr(set, '=');
    struct strbuf where = STRBUF_INIT, plugin = STRBUF_INIT;
    strbuf_addf(&where, "--set %.*s", (int)(eq - set), set);
    const char *dot = memchr(set, '.', (size_t)(eq - set));
    if (!dot || dot == set || dot + 1 == eq) {
        diag_add(dl, where.buf, 0, NULL, "needs PLUGIN.KEY=VALUE, as --set compute.image_tag=1.4.2");
        goto out;
    }
    strbuf_add(&plugin, set, (size_t)(dot - set));
    struct stack_item *it = NULL;
    for (size_t i = 0; i < st->n && !it; i++)
        if (!strcmp(st->items[i].section->name, plugin.buf))
            it = &st->items[i];
    if (!it) {
        const char **names = xcalloc(st->n + 1, sizeof(*names));
        for (size_t i = 0; i < st->n; i++)
            names[i] = st->items[i].section->name;
        struct strbuf hint = STRBUF_INIT;
        suggest_hint(&hint, plugin.buf, names, st->n);
        diag_add(dl, where.buf, 0, NULL, "the file has no plugin '%s'%s: --set changes a key of a plugin in "
                 "the file's plugins group", plugin.buf, hint.buf);
        strbuf_release(&hint);
        free(names);
        goto out;
    }
    char *key = xstrndup(dot + 1, (size_t)(eq - dot - 1));
    struct sh_value *v = set_value(validate_key_find(it->plugin->desc->keys, key), key, eq + 1);
    free(key);
    set_origin(v, where.buf);
    struct sh_value *old = value_get(it->section->settings, v->name);
    if (old)
        value_remove(old);
    value_add(it->section->settings, v);
out:
    strbuf_release(&plugin);
    strbuf_release(&where);
}

void stack_apply_sets(struct stack *st, const char *const *sets, size_t n, struct diag_list *dl)
{
    for (size_t i = 0; i < n; i++)
        apply_one(st, sets[i], dl);
}
