#define _POSIX_C_SOURCE 200809L /* strdup, nanosleep */
/* A queue of independent calls sent together: the host's batches, with a
 * label and a completion per call, the codes that mean "already done" or
 * "not yet", and lost answers told apart from failures, so a plugin's
 * converge step is "queue what this wave needs, run it" without
 * bookkeeping. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <stackhost/converge.h>

struct shc_call {
    const char *service, *operation;
    const sh_doc *input;
    const char *items_path;
    char *label;
    char *accept; /* codes that count as success, or NULL */
    shc_done_fn done;
    void *arg;
};

void shc_queue_init(shc_queue *q, const sh_host *h, sh_ctx *ctx)
{
    memset(q, 0, sizeof(*q));
    q->h = h;
    q->ctx = ctx;
}

void shc_queue_clear(shc_queue *q)
{
    for (size_t i = 0; i < q->n; i++) {
        free(q->calls[i].label);
        free(q->calls[i].accept);
    }
    free(q->calls);
    q->calls = NULL;
    q->n = q->alloc = 0;
    q->failed = 0;
}

static void add(shc_queue *q, const char *service, const char *operation, const sh_doc *input,
                const char *items_path, const char *label, const char *accept, shc_done_fn done, void *arg)
{
    sh_mode mode = q->h->mode(q->ctx);
    if (mode != SH_MODE_DEPLOY && mode != SH_MODE_DESTROY && !sh_operation_is_read(operation))
        return;
    if (q->n == q->alloc) {
        size_t alloc = q->alloc ? q->alloc * 2 : 16;
        shc_call *calls = realloc(q->calls, alloc * sizeof(*calls));
        if (!calls) {
            q->failed = 1;
            return;
        }
        q->calls = calls;
        q->alloc = alloc;
    }
    shc_call *c = &q->calls[q->n++];
    c->service = service;
    c->operation = operation;
    c->input = input;
    c->items_path = items_path;
    c->label = strdup(label ? label : operation);
    c->accept = accept ? strdup(accept) : NULL;
    c->done = done;
    c->arg = arg;
}

void shc_queue_add(shc_queue *q, const char *service, const char *operation, const sh_doc *input,
                   const char *items_path, const char *label, shc_done_fn done, void *arg)
{
    add(q, service, operation, input, items_path, label, NULL, done, arg);
}

void shc_queue_add_accepting(shc_queue *q, const char *service, const char *operation, const sh_doc *input,
                             const char *label, const char *accept_codes, shc_done_fn done, void *arg)
{
    add(q, service, operation, input, NULL, label, accept_codes, done, arg);
}

void shc_pause(const sh_host *h, sh_ctx *ctx, int seconds)
{
    for (int i = 0; i < seconds * 10 && !h->cancelled(ctx); i++) {
        struct timespec ts = {0, 100 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* Sends the calls at idx[0..n) (through one batch, or one by one on a
 * host before ABI 1.1); leaves the batch in *b. */
static int send_round(shc_queue *q, const size_t *idx, size_t n, sh_batch **b)
{
    const sh_host *h = q->h;
    *b = NULL;
    if (!SH_HOST_HAS(h, batch_result))
        return 0;
    *b = h->batch_new(q->ctx);
    for (size_t k = 0; k < n; k++) {
        const shc_call *c = &q->calls[idx[k]];
        h->batch_add(*b, c->service, c->operation, c->input, c->items_path, c->label);
    }
    if (h->batch_run(*b) == SH_ERR_CANCELLED) {
        h->fail(q->ctx, SH_ERR_CANCELLED, "stopped before sending %zu aws call%s: the run is stopping", n,
                n == 1 ? "" : "s");
        return -1;
    }
    return 0;
}

/* What call k of the round answered; the error is the context's aws_error. */
static sh_status answer(shc_queue *q, sh_batch *b, size_t k, const shc_call *c, const sh_doc **out)
{
    if (b)
        return q->h->batch_result(b, k, out);
    if (c->items_path)
        return q->h->aws_call_all(q->ctx, c->service, c->operation, c->input, c->items_path, out);
    return q->h->aws_call(q->ctx, c->service, c->operation, c->input, out);
}

int shc_queue_run(shc_queue *q)
{
    const sh_host *h = q->h;
    int rc = 0;
    q->lost = 0;
    q->lost_text[0] = '\0';
    if (q->failed) {
        h->fail(q->ctx, SH_ERR_NOMEM, "out of memory queueing aws calls");
        shc_queue_clear(q);
        return -1;
    }
    size_t *idx = q->n ? calloc(q->n, sizeof(*idx)) : NULL, n = q->n;
    if (q->n && !idx) {
        h->fail(q->ctx, SH_ERR_NOMEM, "out of memory sending aws calls");
        shc_queue_clear(q);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    time_t start = time(NULL);
    int delay = 1;
    while (n && !rc) {
        sh_batch *b;
        if (send_round(q, idx, n, &b)) {
            rc = -1;
            break;
        }
        size_t again = 0;
        const char *waiting = NULL, *why = NULL;
        for (size_t k = 0; k < n; k++) {
            const shc_call *c = &q->calls[idx[k]];
            const sh_doc *out = NULL;
            if (answer(q, b, k, c, &out) != SH_OK) {
                const sh_aws_error *e = h->aws_error(q->ctx);
                if (e && shc_code_in(e->code, c->accept)) {
                    out = NULL;
                } else if (e && shc_code_in(e->code, q->retry_codes) &&
                           time(NULL) - start < q->retry_seconds && !h->cancelled(q->ctx)) {
                    idx[again++] = idx[k];
                    waiting = c->label;
                    why = e->code;
                    continue;
                } else if (e && SH_HOST_HAS(h, wait) && e->maybe_applied) {
                    if (!q->lost)
                        snprintf(q->lost_text, sizeof(q->lost_text), "%s: %s", c->label, h->aws_error_text(q->ctx));
                    q->lost = 1;
                    rc = -1;
                    continue;
                } else {
                    h->fail(q->ctx, SH_ERR_AWS, "%s: %s", c->label, h->aws_error_text(q->ctx));
                    rc = -1;
                    continue;
                }
            }
            if (c->done && c->done(c->arg, out))
                rc = -1;
        }
        n = again;
        if (n && !rc) {
            h->log(q->ctx, SH_LOG_INFO, "waiting for %s%s: %s (%lds)", waiting, n > 1 ? " and others" : "", why,
                   (long)(time(NULL) - start));
            shc_pause(q->h, q->ctx, delay);
            delay = delay * 2 > 8 ? 8 : delay * 2;
        }
    }
    free(idx);
    shc_queue_clear(q);
    return rc;
}

int shc_queue_give_up(shc_queue *q)
{
    if (q->lost)
        q->h->fail(q->ctx, SH_ERR_AWS, "%s", q->lost_text);
    q->lost = 0;
    return -1;
}

int shc_destroy_timeout(void)
{
    const char *v = getenv("STACKHOST_DESTROY_TIMEOUT");
    char *end;
    long s = v && *v ? strtol(v, &end, 10) : 0;
    return v && *v && !*end && s > 0 && s <= 24 * 3600 ? (int)s : 20 * 60;
}

int shc_destroy_until_gone(const sh_host *h, sh_ctx *ctx, const char *what, int max_passes, long deadline,
                           shc_pass_fn pass, void *arg)
{
    sh_mode mode = h->mode(ctx);
    for (int n = 1;; n++) {
        size_t found = 0;
        if (pass(arg, &found))
            return -1;
        if (mode != SH_MODE_DESTROY && mode != SH_MODE_DEPLOY)
            return 0;
        if (!found)
            return 0;
        if (n >= max_passes || (deadline && time(NULL) >= deadline)) {
            h->fail(ctx, SH_ERR_TIMEOUT, "%zu of %s still listed after %d passes of destroy: run destroy again",
                    found, what, n);
            return -1;
        }
        h->log(ctx, SH_LOG_DEBUG, "destroy pass %d removed %zu of %s; looking again", n, found, what);
        if (n > 1)
            shc_pause(h, ctx, 2);
    }
}
