/* The outputs registry: values plugins publish (string or list of
 * strings), keyed by plugin and key, that dependents read and that
 * `stackhost outputs` prints. Thread-safe. Every value stays valid until
 * outputs_free, even when its key is set again (the old value is retired,
 * not freed), so a reader never holds a dangling pointer. */
#ifndef CORE_OUTPUTS_H
#define CORE_OUTPUTS_H

#include <pthread.h>
#include <stddef.h>

#include "strbuf.h"

struct output {
    char *plugin;
    char *key;
    int is_list;
    char *value;  /* !is_list */
    char **items; /* is_list: n items */
    size_t n;
};

struct outputs {
    pthread_mutex_t lock;
    struct output *items; /* in the order first set */
    size_t n, alloc;
    struct output *retired;
    size_t nretired, retired_alloc;
};

void outputs_init(struct outputs *o);
void outputs_free(struct outputs *o);
/* Key: [a-z0-9_]+, at most 64. Returns 0, or -1 for a bad key. Copied. */
int outputs_set_string(struct outputs *o, const char *plugin, const char *key, const char *value);
int outputs_set_list(struct outputs *o, const char *plugin, const char *key, const char *const *items, size_t n);
/* NULL when absent. */
const struct output *outputs_get(struct outputs *o, const char *plugin, const char *key);
/* A stack output (stack.outputs): a name for one plugin's output. */
struct output_alias {
    const char *name;   /* "alb_url" */
    const char *plugin; /* "lb" */
    const char *key;    /* "alb_url" */
};

/* The stack outputs first, "name = value" (those whose plugin output is
 * absent are left out), then "plugin.key = value" per line; list items
 * joined with ", ". */
void outputs_text(struct outputs *o, const struct output_alias *aliases, size_t naliases, struct strbuf *out);
/* One JSON object: the stack outputs, then {"plugin": {"key": "value" or
 * ["a", ...]}} per plugin. */
void outputs_json(struct outputs *o, const struct output_alias *aliases, size_t naliases, struct strbuf *out);

#endif
