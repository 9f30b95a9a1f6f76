/* The configuration as a tree of values (the SDK's opaque sh_value).
 *
 * The tree read from the file keeps each value's file and line. Merged
 * copies (environment overrides over the base) point back at the value
 * they were copied from (`origin`), so that an error about a merged value
 * names the place the user wrote it. A parent owns its children. */
#ifndef CORE_VALUE_H
#define CORE_VALUE_H

#include <jansson.h>
#include <stddef.h>

#include <stackhost/host.h>

#include "diag.h"
#include "strbuf.h"

enum value_type {
    VALUE_STRING,
    VALUE_INT,
    VALUE_FLOAT,
    VALUE_BOOL,
    VALUE_LIST,  /* libconfig arrays [..] and lists (..) */
    VALUE_GROUP  /* { name = value; ... } */
};

struct sh_value {
    enum value_type type;
    char *name;                   /* member name in a group, NULL in a list */
    char *file;                   /* where written; NULL for defaults and copies */
    int line;
    struct sh_value *parent;
    const struct sh_value *origin; /* copies: the value in the file; else NULL */
    union {
        char *s;
        long long i;
        double f;
        int b;
    } u;
    struct sh_value **kids; /* members of a group, items of a list */
    size_t n, alloc;
};

struct sh_value *value_new(enum value_type type, const char *name);
void value_free(struct sh_value *v);
/* Appends child (taking ownership) to a group or list. */
void value_add(struct sh_value *parent, struct sh_value *child);
/* Removes child from its parent and frees it. */
void value_remove(struct sh_value *child);
/* Group member by name, or NULL. */
struct sh_value *value_get(const struct sh_value *group, const char *name);
/* Deep copy; the copy's origin is v's origin (or v itself). */
struct sh_value *value_copy(const struct sh_value *v);
/* Merges `over` into `base` (a group): groups merge member by member,
 * everything else (scalars and lists) replaces the base value. */
void value_merge(struct sh_value *base, const struct sh_value *over);

/* Where the user wrote v: its file and line (NULL/0 for defaults). */
const char *value_file(const struct sh_value *v);
int value_line(const struct sh_value *v);
/* Appends v's key path as written, e.g. "plugins.secrets.parameters[1].env". */
void value_path(const struct sh_value *v, struct strbuf *out);
/* Records a problem located at v. */
void value_diag(struct diag_list *dl, const struct sh_value *v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* v as JSON: strings, numbers, booleans, lists as arrays, groups as
 * objects. The caller owns the result. */
json_t *value_to_json(const struct sh_value *v);

/* "a string", "an integer", ... for messages. */
const char *value_type_name(enum value_type type);
/* Appends v in libconfig syntax (strings quoted), for messages and help. */
void value_format(const struct sh_value *v, struct strbuf *out);

/* Reads a libconfig file into a tree (root is an unnamed group). Returns 0,
 * or -1 with the problem (file, line, libconfig's reason) in dl. */
int value_read_file(const char *path, struct sh_value **root, struct diag_list *dl);
/* Parses one value in libconfig syntax ("3", "[1, 2]", "\"x\""). Returns
 * NULL and sets *why (static text) when it does not parse. */
struct sh_value *value_parse(const char *text, const char *name, const char **why);

#endif
