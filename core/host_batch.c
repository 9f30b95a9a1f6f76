/* The host's batches (sh_host.batch_*): a plugin's independent AWS calls
 * sent together through aws_send_all, with aws_call's semantics for each
 * (plan refusal, errors as the context's aws_error, answers owned by the
 * context). */
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "xalloc.h"

struct sh_batch {
    sh_ctx *ctx;
    struct aws_request *reqs;
    size_t n, alloc;
    size_t sent; /* reqs[0 .. sent) have been run */
    char **resources; /* copies of the resource labels, one per call */
    size_t resources_alloc;
    const sh_doc **answers; /* context-owned answers, one per call */
    size_t answers_alloc;
};

sh_batch *host_batch_new(sh_ctx *ctx)
{
    sh_batch *b = xcalloc(1, sizeof(*b));
    b->ctx = ctx;
    XGROW(ctx->batches, ctx->batches_alloc, ctx->nbatches + 1);
    ctx->batches[ctx->nbatches++] = b;
    return b;
}

void host_batch_free(sh_batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->resources[i]);
    free(b->reqs);
    free(b->resources);
    free(b->answers);
    free(b);
}

size_t host_batch_add(sh_batch *b, const char *service, const char *operation, const sh_doc *input,
                      const char *items_path, const char *resource)
{
    XGROW(b->reqs, b->alloc, b->n + 1);
    XGROW(b->resources, b->resources_alloc, b->n + 1);
    XGROW(b->answers, b->answers_alloc, b->n + 1);
    b->resources[b->n] = resource ? xstrdup(resource) : NULL;
    b->answers[b->n] = NULL;
    struct aws_request *r = &b->reqs[b->n];
    memset(r, 0, sizeof(*r));
    r->service = service;
    r->operation = operation;
    r->input = input;
    r->items_path = items_path;
    r->flags = ctx_call_flags(b->ctx);
    r->origin = ctx_plugin_name(b->ctx);
    r->resource = b->resources[b->n];
    return b->n++;
}

/* A call that cannot be sent at all, as aws_send would fail it. */
static void refuse(struct aws_request *r, const char *code, const char *message)
{
    r->rc = -1;
    snprintf(r->err.service, sizeof(r->err.service), "%s", r->service ? r->service : "?");
    snprintf(r->err.operation, sizeof(r->err.operation), "%s", r->operation ? r->operation : "?");
    snprintf(r->err.code, sizeof(r->err.code), "%s", code);
    snprintf(r->err.message, sizeof(r->err.message), "%s", message);
}

sh_status host_batch_run(sh_batch *b)
{
    sh_ctx *ctx = b->ctx;
    size_t first = b->sent, count = b->n - b->sent;
    b->sent = b->n;
    if (!count)
        return SH_OK;
    if (!ctx->run || !ctx->run->aws) {
        for (size_t i = first; i < b->n; i++)
            refuse(&b->reqs[i], "NotConnected", "aws calls are made from create, destroy and outputs only");
        return SH_ERR_AWS;
    }
    if (ctx_cancelled(ctx)) {
        for (size_t i = first; i < b->n; i++)
            refuse(&b->reqs[i], "Cancelled", "the run is stopping");
        return SH_ERR_CANCELLED;
    }
    for (size_t i = first; i < b->n; i++)
        if (!b->reqs[i].service || !b->reqs[i].operation)
            refuse(&b->reqs[i], "InvalidRequest", "a batched call needs a service and an operation");
    /* Refused calls stay refused; the rest go out together. */
    struct aws_request *todo = xcalloc(count, sizeof(*todo));
    size_t *at = xcalloc(count, sizeof(*at)), k = 0;
    for (size_t i = first; i < b->n; i++) {
        if (b->reqs[i].rc)
            continue;
        at[k] = i;
        todo[k++] = b->reqs[i];
    }
    for (size_t j = 0; j < k; j++)
        if (todo[j].resource && !aws_operation_is_read(todo[j].operation))
            ctx_action_started(ctx, todo[j].resource);
    aws_send_all(ctx->run->aws, todo, k);
    for (size_t j = 0; j < k; j++)
        if (todo[j].resource && !aws_operation_is_read(todo[j].operation))
            ctx_action_answered(ctx, todo[j].resource);
    for (size_t j = 0; j < k; j++)
        b->reqs[at[j]] = todo[j];
    free(todo);
    free(at);
    /* In request order, as a sequence of aws_call would have reported. */
    sh_status status = SH_OK;
    for (size_t i = first; i < b->n; i++) {
        struct aws_request *r = &b->reqs[i];
        if (r->rc && !strcmp(r->err.code, "PlanRefused")) {
            ctx_plan_refused(ctx, r->service, r->operation);
            r->rc = 0;
            r->out = doc_new(DOC_OBJECT);
        }
        if (r->rc) {
            status = SH_ERR_AWS;
            continue;
        }
        b->answers[i] = ctx_own_doc(ctx, r->out);
        r->out = NULL;
    }
    return status;
}

sh_status host_batch_result(sh_batch *b, size_t i, const sh_doc **output)
{
    if (output)
        *output = NULL;
    if (i >= b->sent) {
        struct aws_error e;
        memset(&e, 0, sizeof(e));
        snprintf(e.code, sizeof(e.code), "NotSent");
        snprintf(e.message, sizeof(e.message), "call %zu of the batch was not run (batch_run first)", i);
        ctx_keep_error(b->ctx, &e);
        return SH_ERR_INVALID;
    }
    struct aws_request *r = &b->reqs[i];
    if (r->rc) {
        ctx_keep_error(b->ctx, &r->err);
        return SH_ERR_AWS;
    }
    if (output)
        *output = b->answers[i];
    return SH_OK;
}
