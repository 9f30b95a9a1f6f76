/* The outputs registry: values plugins publish (string or list of
 * strings), keyed by plugin and key, that dependents read and that
 * `stackhost outputs` prints. Thread-safe. Every value's strings stay
 * valid until outputs_free, even when its key is set again (the old value
 * is retired, not freed), so a reader holding them never dangles; the
 * entries themselves move (see outputs_await). */
#ifndef CORE_OUTPUTS_H
#define CORE_OUTPUTS_H

#include <jansson.h>
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
    pthread_cond_t changed; /* a value set, or a producer done */
    struct producer {
        char *plugin;
        enum { PRODUCING, PRODUCED, PRODUCER_FAILED } state;
    } *producers; /* the plugins expected to publish in this run */
    size_t nproducers, producers_alloc;
    struct output *items; /* in the order first set */
    size_t n, alloc;
    struct output *retired;
    size_t nretired, retired_alloc;
};

void outputs_init(struct outputs *o);
void outputs_free(struct outputs *o);
/* Whether key is one the registry takes: [a-z0-9_]+, at most 64. */
int outputs_key_valid(const char *key);
/* Key: outputs_key_valid. Returns 0, or -1 for a bad key. Copied. */
int outputs_set_string(struct outputs *o, const char *plugin, const char *key, const char *value);
int outputs_set_list(struct outputs *o, const char *plugin, const char *key, const char *const *items, size_t n);
/* NULL when absent. The entry moves when another key is set: use it only
 * while no plugin runs (outputs_await is for readers during a run). */
const struct output *outputs_get(struct outputs *o, const char *plugin, const char *key);

/* Dataflow. A producer is a plugin whose callback runs (or will) in this
 * run: outputs_expect before the run starts, outputs_done once its
 * callback returned (failed: it failed) or it will not run (failed).
 * outputs_await reads like outputs_get, but while the key is absent and
 * its plugin is producing it waits; *waited tells whether it did and
 * *failed whether the plugin failed (both may be NULL). It never waits on
 * a plugin not expected, so a run in which a producer ends without
 * publishing a key answers NULL, never hangs. */
void outputs_expect(struct outputs *o, const char *plugin);
void outputs_done(struct outputs *o, const char *plugin, int failed);
/* 1 with *copy filled (a shallow copy made under the lock: its strings
 * stay valid until outputs_free, while the registry's own entries move as
 * others are set), or 0 when absent. */
int outputs_await(struct outputs *o, const char *plugin, const char *key, struct output *copy, int *waited,
                  int *failed);
struct sh_value;

/* A stack output (stack.outputs): a name for one plugin's output. */
struct output_alias {
    const char *name;   /* "alb_url" */
    const char *plugin; /* "lb" */
    const char *key;    /* "alb_url" */
    const struct sh_value *at; /* where the file says it, for errors; may be NULL */
};

/* The stack outputs first, "name = value" (those whose plugin output is
 * absent are left out), then "plugin.key = value" per line; list items
 * joined with ", ". */
void outputs_text(struct outputs *o, const struct output_alias *aliases, size_t naliases, struct strbuf *out);
/* Sets doc's "outputs" (the stack outputs: {"name": value}) and
 * "plugins" ({"plugin": {"key": value}}); a value is a string or a list
 * of strings (docs/json.md). */
void outputs_json(struct outputs *o, const struct output_alias *aliases, size_t naliases, json_t *doc);
/* One output, by a stack output's name (alb_url) or plugin.key: its value
 * raw (a list one item a line), or as JSON when json. 0, or -1 with the
 * names there are in out. */
int outputs_one(struct outputs *o, const struct output_alias *aliases, size_t naliases, const char *name, int json,
                struct strbuf *out);

#endif
