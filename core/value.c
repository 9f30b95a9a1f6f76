#include "value.h"

#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config_limits.h"
#include "xalloc.h"

struct sh_value *value_new(enum value_type type, const char *name)
{
    struct sh_value *v = xcalloc(1, sizeof(*v));
    v->type = type;
    v->name = name ? xstrdup(name) : NULL;
    return v;
}

void value_free(struct sh_value *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++)
        value_free(v->kids[i]);
    free(v->kids);
    if (v->type == VALUE_STRING)
        free(v->u.s);
    free(v->name);
    free(v->file);
    free(v);
}

void value_add(struct sh_value *parent, struct sh_value *child)
{
    XGROW(parent->kids, parent->alloc, parent->n + 1);
    parent->kids[parent->n++] = child;
    child->parent = parent;
}

void value_remove(struct sh_value *child)
{
    struct sh_value *p = child->parent;
    for (size_t i = 0; p && i < p->n; i++) {
        if (p->kids[i] == child) {
            memmove(p->kids + i, p->kids + i + 1, (p->n - i - 1) * sizeof(*p->kids));
            p->n--;
            break;
        }
    }
    value_free(child);
}

struct sh_value *value_get(const struct sh_value *group, const char *name)
{
    if (!group || group->type != VALUE_GROUP)
        return NULL;
    for (size_t i = 0; i < group->n; i++)
        if (!strcmp(group->kids[i]->name, name))
            return group->kids[i];
    return NULL;
}

struct sh_value *value_copy(const struct sh_value *v)
{
    struct sh_value *c = value_new(v->type, v->name);
    c->origin = v->origin ? v->origin : (v->file ? v : NULL);
    if (v->type == VALUE_STRING)
        c->u.s = xstrdup(v->u.s);
    else
        c->u = v->u;
    for (size_t i = 0; i < v->n; i++)
        value_add(c, value_copy(v->kids[i]));
    return c;
}

void value_merge(struct sh_value *base, const struct sh_value *over)
{
    for (size_t i = 0; i < over->n; i++) {
        const struct sh_value *o = over->kids[i];
        struct sh_value *b = value_get(base, o->name);
        if (b && b->type == VALUE_GROUP && o->type == VALUE_GROUP) {
            value_merge(b, o);
            continue;
        }
        struct sh_value *c = value_copy(o);
        if (!b) {
            value_add(base, c);
            continue;
        }
        for (size_t k = 0; k < base->n; k++) {
            if (base->kids[k] == b) {
                base->kids[k] = c;
                c->parent = base;
                break;
            }
        }
        value_free(b);
    }
}

static const struct sh_value *written(const struct sh_value *v)
{
    return v->origin ? v->origin : v;
}

const char *value_file(const struct sh_value *v)
{
    /* A default has no place of its own: point at the enclosing group. */
    for (const struct sh_value *w = v; w; w = w->parent)
        if (written(w)->file)
            return written(w)->file;
    return NULL;
}

int value_line(const struct sh_value *v)
{
    for (const struct sh_value *w = v; w; w = w->parent)
        if (written(w)->file)
            return written(w)->line;
    return 0;
}

static void path_of(const struct sh_value *v, struct strbuf *out)
{
    /* A copy's own parents are the merged tree; the origin's parents are
     * the place in the file, which is what the user can find and edit. */
    if (v->origin)
        v = v->origin;
    if (!v->parent)
        return; /* the root */
    path_of(v->parent, out);
    if (v->name) {
        if (out->len)
            strbuf_addch(out, '.');
        strbuf_addstr(out, v->name);
    } else {
        size_t i = 0;
        while (i < v->parent->n && v->parent->kids[i] != v)
            i++;
        strbuf_addf(out, "[%zu]", i);
    }
}

void value_path(const struct sh_value *v, struct strbuf *out)
{
    struct strbuf path = STRBUF_INIT; /* path_of reads its own buffer's length */
    path_of(v, &path);
    strbuf_add(out, path.buf, path.len);
    strbuf_release(&path);
}

void value_diag(struct diag_list *dl, const struct sh_value *v, const char *fmt, ...)
{
    struct strbuf msg = STRBUF_INIT, path = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&msg, fmt, ap);
    va_end(ap);
    /* a value from the command line (--set plugin.key) is named by it */
    if (!value_file(v) || strncmp(value_file(v), "--", 2))
        value_path(v, &path);
    diag_add(dl, value_file(v), value_line(v), path.len ? path.buf : NULL, "%s", msg.buf);
    strbuf_release(&msg);
    strbuf_release(&path);
}

const char *value_type_name(enum value_type type)
{
    switch (type) {
    case VALUE_STRING: return "a string";
    case VALUE_INT: return "an integer";
    case VALUE_FLOAT: return "a float";
    case VALUE_BOOL: return "a boolean";
    case VALUE_LIST: return "a list";
    case VALUE_GROUP: return "a group";
    }
    return "a value";
}

void value_format(const struct sh_value *v, struct strbuf *out)
{
    switch (v->type) {
    case VALUE_STRING: strbuf_addf(out, "\"%s\"", v->u.s); break;
    case VALUE_INT: strbuf_addf(out, "%lld", v->u.i); break;
    case VALUE_FLOAT: strbuf_addf(out, "%g", v->u.f); break;
    case VALUE_BOOL: strbuf_addstr(out, v->u.b ? "true" : "false"); break;
    case VALUE_LIST:
    case VALUE_GROUP:
        strbuf_addstr(out, v->type == VALUE_LIST ? "[" : "{ ");
        for (size_t i = 0; i < v->n; i++) {
            if (v->type == VALUE_GROUP)
                strbuf_addf(out, "%s = ", v->kids[i]->name);
            value_format(v->kids[i], out);
            strbuf_addstr(out, v->type == VALUE_LIST ? (i + 1 < v->n ? ", " : "") : "; ");
        }
        strbuf_addstr(out, v->type == VALUE_LIST ? "]" : "}");
        break;
    }
}

/* libconfig names an @include'd file as written, relative to the include
 * directory; errors should name a path the user can open from here. */
static char *source_file(const config_setting_t *s, const char *main_file, const char *include_dir)
{
    const char *file = config_setting_source_file(s);
    if (!file)
        return NULL;
    if (file[0] == '/' || !include_dir || !strcmp(file, main_file))
        return xstrdup(file);
    struct strbuf sb = STRBUF_INIT;
    strbuf_addf(&sb, "%s/%s", include_dir, file);
    return strbuf_detach(&sb);
}

static struct sh_value *from_setting(const config_setting_t *s, const char *main_file, const char *include_dir)
{
    enum value_type type;
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_GROUP: type = VALUE_GROUP; break;
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64: type = VALUE_INT; break;
    case CONFIG_TYPE_FLOAT: type = VALUE_FLOAT; break;
    case CONFIG_TYPE_STRING: type = VALUE_STRING; break;
    case CONFIG_TYPE_BOOL: type = VALUE_BOOL; break;
    default: type = VALUE_LIST; break;
    }
    struct sh_value *v = value_new(type, config_setting_name(s));
    v->file = source_file(s, main_file, include_dir);
    v->line = (int)config_setting_source_line(s);
    switch (type) {
    case VALUE_INT: v->u.i = config_setting_get_int64(s); break;
    case VALUE_FLOAT: v->u.f = config_setting_get_float(s); break;
    case VALUE_STRING: v->u.s = xstrdup(config_setting_get_string(s)); break;
    case VALUE_BOOL: v->u.b = config_setting_get_bool(s); break;
    case VALUE_LIST:
    case VALUE_GROUP:
        for (int i = 0; i < config_setting_length(s); i++)
            value_add(v, from_setting(config_setting_get_elem(s, (unsigned)i), main_file, include_dir));
        break;
    }
    return v;
}

int value_read_file(const char *path, struct sh_value **root, struct diag_list *dl)
{
    if (config_check_limits(path, dl))
        return -1;
    config_t cfg;
    config_init(&cfg);
    /* @include paths are relative to the including file's directory. */
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        config_set_include_dir(&cfg, *dir ? dir : "/");
    }
    if (config_read_file(&cfg, path) != CONFIG_TRUE) {
        const char *efile = config_error_file(&cfg);
        /* libconfig says only "syntax error", at the line where it gave up */
        const char *text = config_error_text(&cfg);
        if (text && !strcmp(text, "syntax error"))
            diag_add(dl, efile ? efile : path, config_error_line(&cfg), NULL,
                     "syntax error: the file cannot be read from here on; look at this line and the one before "
                     "it for a missing ';' after a setting, an unclosed '{', '(', '[' or '\"', or a '=' missing");
        else
            diag_add(dl, efile ? efile : path, config_error_line(&cfg), NULL, "syntax error: %s", text);
        config_destroy(&cfg);
        free(dir);
        return -1;
    }
    *root = from_setting(config_root_setting(&cfg), path, slash ? dir : NULL);
    /* The root carries the file name so defaults at the top resolve. */
    free((*root)->file);
    (*root)->file = xstrdup(path);
    (*root)->line = 0;
    config_destroy(&cfg);
    free(dir);
    return 0;
}

struct sh_value *value_parse(const char *text, const char *name, const char **why)
{
    config_t cfg;
    config_init(&cfg);
    struct strbuf sb = STRBUF_INIT;
    strbuf_addf(&sb, "v = %s;", text);
    struct sh_value *v = NULL;
    if (config_read_string(&cfg, sb.buf) == CONFIG_TRUE) {
        v = from_setting(config_lookup(&cfg, "v"), "", NULL);
        free(v->name);
        v->name = name ? xstrdup(name) : NULL;
        free(v->file);
        v->file = NULL;
        v->line = 0;
    } else {
        *why = "not a libconfig value";
    }
    strbuf_release(&sb);
    config_destroy(&cfg);
    return v;
}

json_t *value_to_json(const struct sh_value *v)
{
    switch (v->type) {
    case VALUE_STRING: return json_string(v->u.s);
    case VALUE_INT: return json_integer((json_int_t)v->u.i);
    case VALUE_FLOAT: return json_real(v->u.f);
    case VALUE_BOOL: return json_boolean(v->u.b);
    case VALUE_LIST: {
        json_t *a = json_array();
        for (size_t i = 0; i < v->n; i++)
            json_array_append_new(a, value_to_json(v->kids[i]));
        return a;
    }
    case VALUE_GROUP: {
        json_t *o = json_object();
        for (size_t i = 0; i < v->n; i++)
            json_object_set_new(o, v->kids[i]->name, value_to_json(v->kids[i]));
        return o;
    }
    }
    return json_null();
}
