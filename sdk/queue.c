#define _POSIX_C_SOURCE 200809L /* strdup */
/* A queue of independent calls sent together: the host's batches, with a
 * label and a completion per call, so a plugin's converge step is "queue
 * what this wave needs, run it, read the answers" without bookkeeping. */
#include <stdlib.h>
#include <string.h>

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

/* What call i answered: SH_OK with *out, or the error (the context's
 * aws_error now). On a host before ABI 1.1 the call is made here. */
static sh_status answer(shc_queue *q, sh_batch *b, size_t i, const sh_doc **out)
{
    const shc_call *c = &q->calls[i];
    if (b)
        return q->h->batch_result(b, i, out);
    if (c->items_path)
        return q->h->aws_call_all(q->ctx, c->service, c->operation, c->input, c->items_path, out);
    return q->h->aws_call(q->ctx, c->service, c->operation, c->input, out);
}

int shc_queue_run(shc_queue *q)
{
    const sh_host *h = q->h;
    int rc = 0;
    if (q->failed) {
        h->fail(q->ctx, SH_ERR_NOMEM, "out of memory queueing aws calls");
        rc = -1;
    }
    sh_batch *b = NULL;
    if (!rc && q->n && SH_HOST_HAS(h, batch_result)) {
        b = h->batch_new(q->ctx);
        for (size_t i = 0; i < q->n; i++)
            h->batch_add(b, q->calls[i].service, q->calls[i].operation, q->calls[i].input, q->calls[i].items_path,
                         q->calls[i].label);
        if (h->batch_run(b) == SH_ERR_CANCELLED) {
            h->fail(q->ctx, SH_ERR_CANCELLED, "stopped before sending %zu aws call%s: the run is stopping", q->n,
                    q->n == 1 ? "" : "s");
            rc = -1;
        }
    }
    for (size_t i = 0; !rc && i < q->n; i++) {
        const shc_call *c = &q->calls[i];
        const sh_doc *out = NULL;
        if (answer(q, b, i, &out) != SH_OK) {
            const sh_aws_error *e = h->aws_error(q->ctx);
            if (!(e && shc_code_in(e->code, c->accept))) {
                h->fail(q->ctx, SH_ERR_AWS, "%s: %s", c->label, h->aws_error_text(q->ctx));
                rc = -1;
                continue;
            }
            out = NULL;
        }
        if (c->done && c->done(c->arg, out))
            rc = -1;
    }
    shc_queue_clear(q);
    return rc;
}
