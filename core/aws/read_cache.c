#include "aws/read_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "xalloc.h"

struct kept {
    char *service;
    char *key; /* operation, pagination path and input, as one text */
    int rc_status;
    struct sh_doc *out;
    struct aws_error err;
    int used;
};

struct read_cache {
    pthread_mutex_t lock;
    int replaying;
    struct kept *items;
    size_t n, alloc;
    size_t hits;
};

struct read_cache *read_cache_new(void)
{
    struct read_cache *rc = xcalloc(1, sizeof(*rc));
    pthread_mutex_init(&rc->lock, NULL);
    return rc;
}

static void kept_drop(struct kept *k)
{
    free(k->service);
    free(k->key);
    doc_free(k->out);
    k->service = k->key = NULL;
    k->out = NULL;
    k->used = 1;
}

void read_cache_free(struct read_cache *rc)
{
    if (!rc)
        return;
    for (size_t i = 0; i < rc->n; i++)
        kept_drop(&rc->items[i]);
    free(rc->items);
    pthread_mutex_destroy(&rc->lock);
    free(rc);
}

void read_cache_replay(struct read_cache *rc)
{
    pthread_mutex_lock(&rc->lock);
    rc->replaying = 1;
    pthread_mutex_unlock(&rc->lock);
}

static char *key_of(const char *operation, const char *items_path, const struct sh_doc *input)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_addf(&sb, "%s\n%s\n", operation, items_path ? items_path : "");
    if (input)
        doc_to_json(input, &sb);
    return strbuf_detach(&sb);
}

void read_cache_keep(struct read_cache *rc, const char *service, const char *operation, const char *items_path,
                     const struct sh_doc *input, int rc_status, const struct sh_doc *out,
                     const struct aws_error *err)
{
    /* a failure without AWS's answer (network, timeout) says nothing of
     * the account */
    if (!rc || (rc_status && (!err || err->http_status < 400 || err->http_status >= 500)))
        return;
    struct kept k = {.service = xstrdup(service), .key = key_of(operation, items_path, input),
                     .rc_status = rc_status, .out = rc_status ? NULL : doc_copy(out)};
    if (rc_status)
        k.err = *err;
    pthread_mutex_lock(&rc->lock);
    if (rc->replaying) {
        pthread_mutex_unlock(&rc->lock);
        kept_drop(&k);
        return;
    }
    XGROW(rc->items, rc->alloc, rc->n + 1);
    rc->items[rc->n++] = k;
    pthread_mutex_unlock(&rc->lock);
}

int read_cache_take(struct read_cache *rc, const char *service, const char *operation, const char *items_path,
                    const struct sh_doc *input, int *rc_status, struct sh_doc **out, struct aws_error *err)
{
    if (!rc)
        return 0;
    char *key = key_of(operation, items_path, input);
    int found = 0;
    pthread_mutex_lock(&rc->lock);
    for (size_t i = 0; rc->replaying && i < rc->n && !found; i++) {
        struct kept *k = &rc->items[i];
        if (k->used || strcmp(k->service, service) || strcmp(k->key, key))
            continue;
        *rc_status = k->rc_status;
        *out = k->rc_status ? NULL : doc_copy(k->out);
        if (k->rc_status)
            *err = k->err;
        kept_drop(k);
        rc->hits++;
        found = 1;
    }
    pthread_mutex_unlock(&rc->lock);
    free(key);
    return found;
}

void read_cache_forget(struct read_cache *rc, const char *service)
{
    if (!rc)
        return;
    pthread_mutex_lock(&rc->lock);
    for (size_t i = 0; i < rc->n; i++)
        if (!rc->items[i].used && !strcmp(rc->items[i].service, service))
            kept_drop(&rc->items[i]);
    pthread_mutex_unlock(&rc->lock);
}

size_t read_cache_hits(const struct read_cache *rc)
{
    if (!rc)
        return 0;
    pthread_mutex_lock((pthread_mutex_t *)&rc->lock);
    size_t hits = rc->hits;
    pthread_mutex_unlock((pthread_mutex_t *)&rc->lock);
    return hits;
}
