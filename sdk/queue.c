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
    int deletes;  /* shc_delete: reported deleted once it succeeds */
    char *detail; /* what the report says beside the label, or NULL */
    char **each;  /* shc_delete_each: the resources reported deleted, instead of the label */
    size_t neach;
    const char *keep_path; /* shc_keep: the answer's text at keep_path into keep[keep_len] */
    char *keep;
    size_t keep_len;
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
        free(q->calls[i].detail);
        for (size_t k = 0; k < q->calls[i].neach; k++)
            free(q->calls[i].each[k]);
        free(q->calls[i].each);
    }
    free(q->calls);
    q->calls = NULL;
    q->n = q->alloc = q->added = 0;
    q->failed = 0;
}

/* Deploy and destroy send what changes; the other modes only report it. */
static int sends_changes(const shc_queue *q)
{
    sh_mode mode = q->h->mode(q->ctx);
    return mode == SH_MODE_DEPLOY || mode == SH_MODE_DESTROY;
}

static void add(shc_queue *q, const char *service, const char *operation, const sh_doc *input,
                const char *items_path, const char *label, const char *accept, shc_done_fn done, void *arg)
{
    q->added = 0;
    if (!sends_changes(q) && !sh_operation_is_read(operation))
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
    c->deletes = 0;
    c->detail = NULL;
    c->each = NULL;
    c->neach = 0;
    c->keep_path = NULL;
    c->keep = NULL;
    c->keep_len = 0;
    q->added = q->n;
}

void shc_keep(shc_queue *q, const char *path, char *out, size_t len)
{
    if (!q->added || !out || !len)
        return;
    shc_call *c = &q->calls[q->added - 1];
    c->keep_path = path;
    c->keep = out;
    c->keep_len = len;
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

void shc_delete(shc_queue *q, const char *label, const char *detail, const char *service, const char *operation,
                const sh_doc *input, const char *accept)
{
    shc_delete_then(q, label, detail, service, operation, input, accept, NULL, NULL);
}

void shc_delete_then(shc_queue *q, const char *label, const char *detail, const char *service, const char *operation,
                     const sh_doc *input, const char *accept, shc_done_fn done, void *arg)
{
    if (!sends_changes(q)) {
        q->added = 0;
        q->h->report(q->ctx, SH_CHANGE_DELETE, label, detail);
        return;
    }
    add(q, service, operation, input, NULL, label, accept, done, arg);
    if (!q->added)
        return;
    q->calls[q->added - 1].deletes = 1;
    q->calls[q->added - 1].detail = detail ? strdup(detail) : NULL;
}

void shc_delete_each(shc_queue *q, const char *label, const char *const *each, size_t n, const char *service,
                     const char *operation, const sh_doc *input, const char *accept)
{
    if (!sends_changes(q)) {
        q->added = 0;
        for (size_t i = 0; i < n; i++)
            q->h->report(q->ctx, SH_CHANGE_DELETE, each[i], NULL);
        return;
    }
    shc_delete_then(q, label, NULL, service, operation, input, accept, NULL, NULL);
    shc_call *c = q->added ? &q->calls[q->added - 1] : NULL;
    if (!c)
        return;
    if (!(c->each = calloc(n ? n : 1, sizeof(*c->each)))) {
        q->failed = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (!(c->each[c->neach] = strdup(each[i] ? each[i] : label)))
            q->failed = 1;
        else
            c->neach++;
    }
}

void shc_queue_add_pages(shc_queue *q, const char *service, const char *operation, const sh_doc *input,
                         const char *items_path, const char *label, const char *accept_codes, shc_done_fn done,
                         void *arg)
{
    add(q, service, operation, input, items_path, label, accept_codes, done, arg);
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

/* One shc_queue_run: the calls still to be answered (idx[0..n)), since
 * when, and what the last round said. */
struct round {
    shc_queue *q;
    size_t *idx, n;
    time_t start;
    int rc;
    int first_poll; /* the wait's first poll only reports: the round was just sent */
    const char *waiting;
    char why[200];
};

/* When a "not yet" answer of this entry stops being retried. */
static time_t not_yet_limit(const struct round *r, const shc_not_yet *ny)
{
    int seconds = shc_not_yet_seconds(ny);
    if (seconds != SHC_UNTIL_DEADLINE)
        return r->start + seconds;
    return r->q->deadline ? (time_t)r->q->deadline : r->start + shc_destroy_timeout();
}

static void not_yet_expired(struct round *r, const shc_call *c, const shc_not_yet *ny)
{
    const sh_host *h = r->q->h;
    h->fail(r->q->ctx, SH_ERR_AWS, "%s: %s: still answered after %lds, longer than aws's propagation usually takes: %s", c->label,
            h->aws_error_text(r->q->ctx), (long)(time(NULL) - r->start),
            ny->hint ? ny->hint : "run the command again once it has");
}

/* Sends the calls at idx[0..n) and handles their answers; leaves in idx
 * (and n) those answered "not yet" within their time. */
static void send_and_answer(struct round *r)
{
    shc_queue *q = r->q;
    const sh_host *h = q->h;
    sh_batch *b;
    if (send_round(q, r->idx, r->n, &b)) {
        r->rc = -1;
        return;
    }
    size_t again = 0;
    for (size_t k = 0; k < r->n; k++) {
        const shc_call *c = &q->calls[r->idx[k]];
        const sh_doc *out = NULL;
        if (answer(q, b, k, c, &out) != SH_OK) {
            const sh_aws_error *e = h->aws_error(q->ctx);
            const shc_not_yet *ny = e ? shc_not_yet_match(q->not_yet, c->operation, e) : NULL;
            if (e && shc_answer_in(e, c->accept)) {
                out = NULL;
            } else if (ny && time(NULL) < not_yet_limit(r, ny)) {
                r->idx[again++] = r->idx[k];
                r->waiting = c->label;
                snprintf(r->why, sizeof(r->why), "%s: %s", e->code, e->message ? e->message : "");
                continue;
            } else if (ny) {
                not_yet_expired(r, c, ny);
                r->rc = -1;
                continue;
            } else if (e && SH_HOST_HAS(h, wait) && e->maybe_applied) {
                if (!q->lost)
                    snprintf(q->lost_text, sizeof(q->lost_text), "%s: %s", c->label, h->aws_error_text(q->ctx));
                q->lost = 1;
                r->rc = -1;
                continue;
            } else {
                h->fail(q->ctx, SH_ERR_AWS, "%s: %s", c->label, h->aws_error_text(q->ctx));
                r->rc = -1;
                continue;
            }
        }
        const char *kept = c->keep && out ? h->doc_string(out, c->keep_path) : NULL;
        if (kept)
            snprintf(c->keep, c->keep_len, "%s", kept);
        for (size_t i = 0; i < c->neach; i++)
            h->report(q->ctx, SH_CHANGE_DELETE, c->each[i], NULL);
        if (c->deletes && !c->each)
            h->report(q->ctx, SH_CHANGE_DELETE, c->label, c->detail);
        if (c->done && c->done(c->arg, out))
            r->rc = -1;
    }
    r->n = again;
}

/* host->wait's poll: sends the calls answered "not yet" again. */
static int poll_not_yet(void *arg, char *progress, size_t len)
{
    struct round *r = arg;
    if (r->first_poll)
        r->first_poll = 0;
    else
        send_and_answer(r);
    if (r->rc)
        return -1;
    snprintf(progress, len, "%s", r->why);
    return r->n ? 0 : 1;
}

int shc_queue_run(shc_queue *q)
{
    const sh_host *h = q->h;
    q->lost = 0;
    q->lost_text[0] = '\0';
    if (q->failed) {
        h->fail(q->ctx, SH_ERR_NOMEM, "out of memory queueing aws calls");
        shc_queue_clear(q);
        return -1;
    }
    struct round r = {.q = q, .n = q->n, .start = time(NULL)};
    r.idx = q->n ? calloc(q->n, sizeof(*r.idx)) : NULL;
    if (q->n && !r.idx) {
        h->fail(q->ctx, SH_ERR_NOMEM, "out of memory sending aws calls");
        shc_queue_clear(q);
        return -1;
    }
    for (size_t i = 0; i < r.n; i++)
        r.idx[i] = i;
    if (r.n)
        send_and_answer(&r);
    if (r.n && !r.rc && SH_HOST_HAS(h, wait)) {
        /* The host's wait paces, reports and stops the retries; each call's
         * own limit ends it first (the wait's is a margin). */
        r.first_poll = 1;
        const char *what = r.n > 1 ? shc_text(h, q->ctx, "%s and %zu more", r.waiting, r.n - 1) : r.waiting;
        /* as long as the table's longest entry: a later answer may match
         * a longer one than the first answers did */
        time_t until = r.start;
        for (const shc_not_yet *ny = q->not_yet; ny && ny->codes; ny++)
            until = not_yet_limit(&r, ny) > until ? not_yet_limit(&r, ny) : until;
        long left = (long)(until - time(NULL)) + 30;
        if (h->wait(q->ctx, what, left > 30 ? (int)left : 30, poll_not_yet, &r) != SH_OK)
            r.rc = -1;
    }
    /* A host before ABI 1.1: backing off from 1 s to 8 s. */
    for (int delay = 1; r.n && !r.rc; delay = delay * 2 > 8 ? 8 : delay * 2) {
        h->log(q->ctx, SH_LOG_INFO, "waiting for %s: %s (%lds)", r.waiting, r.why, (long)(time(NULL) - r.start));
        shc_pause(h, q->ctx, delay);
        if (h->cancelled(q->ctx)) {
            h->fail(q->ctx, SH_ERR_CANCELLED, "stopped waiting for %s: the run is stopping", r.waiting);
            r.rc = -1;
            break;
        }
        send_and_answer(&r);
    }
    free(r.idx);
    shc_queue_clear(q);
    return r.rc;
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
