#include "outputs.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "json_text.h"
#include "xalloc.h"

void outputs_init(struct outputs *o)
{
    memset(o, 0, sizeof(*o));
    pthread_mutex_init(&o->lock, NULL);
    pthread_cond_init(&o->changed, NULL);
}

static void output_release(struct output *out)
{
    free(out->plugin);
    free(out->key);
    free(out->value);
    for (size_t i = 0; i < out->n; i++)
        free(out->items[i]);
    free(out->items);
}

void outputs_free(struct outputs *o)
{
    for (size_t i = 0; i < o->n; i++)
        output_release(&o->items[i]);
    for (size_t i = 0; i < o->nretired; i++)
        output_release(&o->retired[i]);
    for (size_t i = 0; i < o->nproducers; i++)
        free(o->producers[i].plugin);
    free(o->producers);
    free(o->items);
    free(o->retired);
    pthread_cond_destroy(&o->changed);
    pthread_mutex_destroy(&o->lock);
    memset(o, 0, sizeof(*o));
}

int outputs_key_valid(const char *key)
{
    size_t len = key ? strlen(key) : 0;
    return len && len <= 64 && strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_") == len;
}

static struct output *find(struct outputs *o, const char *plugin, const char *key)
{
    for (size_t i = 0; i < o->n; i++)
        if (!strcmp(o->items[i].plugin, plugin) && !strcmp(o->items[i].key, key))
            return &o->items[i];
    return NULL;
}

/* Locked: the slot for (plugin, key), retiring a previous value. */
static struct output *slot(struct outputs *o, const char *plugin, const char *key)
{
    struct output *out = find(o, plugin, key);
    if (out) {
        XGROW(o->retired, o->retired_alloc, o->nretired + 1);
        o->retired[o->nretired++] = *out;
    } else {
        XGROW(o->items, o->alloc, o->n + 1);
        out = &o->items[o->n++];
    }
    memset(out, 0, sizeof(*out));
    out->plugin = xstrdup(plugin);
    out->key = xstrdup(key);
    return out;
}

int outputs_set_string(struct outputs *o, const char *plugin, const char *key, const char *value)
{
    if (!outputs_key_valid(key) || !value)
        return -1;
    pthread_mutex_lock(&o->lock);
    struct output *out = slot(o, plugin, key);
    out->value = xstrdup(value);
    pthread_cond_broadcast(&o->changed);
    pthread_mutex_unlock(&o->lock);
    return 0;
}

int outputs_set_list(struct outputs *o, const char *plugin, const char *key, const char *const *items, size_t n)
{
    if (!outputs_key_valid(key) || (n && !items))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!items[i])
            return -1;
    pthread_mutex_lock(&o->lock);
    struct output *out = slot(o, plugin, key);
    out->is_list = 1;
    out->items = xcalloc(n + 1, sizeof(*out->items));
    for (size_t i = 0; i < n; i++)
        out->items[i] = xstrdup(items[i]);
    out->n = n;
    pthread_cond_broadcast(&o->changed);
    pthread_mutex_unlock(&o->lock);
    return 0;
}

const struct output *outputs_get(struct outputs *o, const char *plugin, const char *key)
{
    pthread_mutex_lock(&o->lock);
    const struct output *out = find(o, plugin, key);
    pthread_mutex_unlock(&o->lock);
    return out;
}

/* Locked. NULL when not expected. */
static struct producer *producer(struct outputs *o, const char *plugin)
{
    for (size_t i = 0; i < o->nproducers; i++)
        if (!strcmp(o->producers[i].plugin, plugin))
            return &o->producers[i];
    return NULL;
}

void outputs_expect(struct outputs *o, const char *plugin)
{
    pthread_mutex_lock(&o->lock);
    if (!producer(o, plugin)) {
        XGROW(o->producers, o->producers_alloc, o->nproducers + 1);
        o->producers[o->nproducers++] = (struct producer){xstrdup(plugin), PRODUCING};
    }
    pthread_mutex_unlock(&o->lock);
}

void outputs_done(struct outputs *o, const char *plugin, int failed)
{
    pthread_mutex_lock(&o->lock);
    struct producer *p = producer(o, plugin);
    if (p && p->state == PRODUCING) {
        p->state = failed ? PRODUCER_FAILED : PRODUCED;
        pthread_cond_broadcast(&o->changed);
    }
    pthread_mutex_unlock(&o->lock);
}

int outputs_await(struct outputs *o, const char *plugin, const char *key, struct output *copy, int *waited,
                  int *failed)
{
    int w = 0;
    pthread_mutex_lock(&o->lock);
    const struct output *out;
    const struct producer *p; /* looked up each time: entries move as others are added */
    while (!(out = find(o, plugin, key)) && (p = producer(o, plugin)) && p->state == PRODUCING) {
        w = 1;
        pthread_cond_wait(&o->changed, &o->lock);
    }
    p = producer(o, plugin);
    if (out)
        *copy = *out;
    if (waited)
        *waited = w;
    if (failed)
        *failed = p && p->state == PRODUCER_FAILED;
    pthread_mutex_unlock(&o->lock);
    return out != NULL;
}

static void value_text(const struct output *v, struct strbuf *out)
{
    if (v->is_list) {
        for (size_t k = 0; k < v->n; k++)
            strbuf_addf(out, "%s%s", k ? ", " : "", v->items[k]);
    } else {
        strbuf_addstr(out, v->value);
    }
    strbuf_addch(out, '\n');
}

static int by_plugin(const void *a, const void *b)
{
    const struct output *x = *(const struct output *const *)a, *y = *(const struct output *const *)b;
    int c = strcmp(x->plugin, y->plugin);
    return c ? c : (x < y ? -1 : x > y);
}

/* Locked. The entries by plugin, each plugin's in the order first set:
 * plugins publish while others run, so the order set is not stable. */
static const struct output **ordered(struct outputs *o)
{
    const struct output **v = xcalloc(o->n + 1, sizeof(*v));
    for (size_t i = 0; i < o->n; i++)
        v[i] = &o->items[i];
    qsort(v, o->n, sizeof(*v), by_plugin);
    return v;
}

void outputs_text(struct outputs *o, const struct output_alias *aliases, size_t naliases, struct strbuf *out)
{
    pthread_mutex_lock(&o->lock);
    for (size_t i = 0; i < naliases; i++) {
        const struct output *v = find(o, aliases[i].plugin, aliases[i].key);
        if (v) {
            strbuf_addf(out, "%s = ", aliases[i].name);
            value_text(v, out);
        }
    }
    const struct output **sorted = ordered(o);
    for (size_t i = 0; i < o->n; i++) {
        strbuf_addf(out, "%s.%s = ", sorted[i]->plugin, sorted[i]->key);
        value_text(sorted[i], out);
    }
    free(sorted);
    pthread_mutex_unlock(&o->lock);
}

static json_t *value_json(const struct output *v);

int outputs_one(struct outputs *o, const struct output_alias *aliases, size_t naliases, const char *name, int json,
                struct strbuf *out)
{
    const struct output *v = NULL;
    pthread_mutex_lock(&o->lock);
    for (size_t i = 0; i < naliases && !v; i++)
        if (!strcmp(aliases[i].name, name))
            v = find(o, aliases[i].plugin, aliases[i].key);
    for (size_t i = 0; i < o->n && !v; i++) {
        size_t len = strlen(o->items[i].plugin);
        if (!strncmp(name, o->items[i].plugin, len) && name[len] == '.' && !strcmp(name + len + 1, o->items[i].key))
            v = &o->items[i];
    }
    if (v && json) {
        json_t *j = value_json(v);
        char *text = json_dumps(j, JSON_ENCODE_ANY);
        strbuf_addf(out, "%s\n", text ? text : "null");
        free(text);
        json_decref(j);
    } else if (v && v->is_list) {
        for (size_t k = 0; k < v->n; k++)
            strbuf_addf(out, "%s\n", v->items[k]);
    } else if (v) {
        strbuf_addf(out, "%s\n", v->value);
    } else {
        for (size_t i = 0; i < naliases; i++)
            strbuf_addf(out, "%s%s", i ? ", " : "", aliases[i].name);
        const struct output **sorted = ordered(o);
        for (size_t i = 0; i < o->n; i++)
            strbuf_addf(out, "%s%s.%s", naliases || i ? ", " : "", sorted[i]->plugin, sorted[i]->key);
        free(sorted);
    }
    pthread_mutex_unlock(&o->lock);
    return v ? 0 : -1;
}

static json_t *value_json(const struct output *v)
{
    if (!v->is_list)
        return json_string(v->value);
    json_t *val = json_array();
    for (size_t k = 0; k < v->n; k++)
        json_array_append_new(val, json_string(v->items[k]));
    return val;
}

void outputs_json(struct outputs *o, const struct output_alias *aliases, size_t naliases, json_t *doc)
{
    json_t *stack = json_object(), *root = json_object();
    json_object_set_new(doc, "outputs", stack);
    json_object_set_new(doc, "plugins", root);
    pthread_mutex_lock(&o->lock);
    for (size_t i = 0; i < naliases; i++) {
        const struct output *v = find(o, aliases[i].plugin, aliases[i].key);
        if (v)
            json_object_set_new(stack, aliases[i].name, value_json(v));
    }
    const struct output **sorted = ordered(o);
    for (size_t i = 0; i < o->n; i++) {
        const struct output *v = sorted[i];
        json_t *group = json_object_get(root, v->plugin);
        if (!group) {
            group = json_object();
            json_object_set_new(root, v->plugin, group);
        }
        json_object_set_new(group, v->key, value_json(v));
    }
    free(sorted);
    pthread_mutex_unlock(&o->lock);
}
