#include "context.h"

#include <stdlib.h>
#include <string.h>

#include "aws/settings.h"
#include "trace.h"
#include "xalloc.h"

atomic_int run_interrupted;
atomic_int run_graceful;

void run_init(struct run *run, struct stack *st, sh_mode mode)
{
    memset(run, 0, sizeof(*run));
    run->stack = st;
    run->mode = mode;
    outputs_init(&run->outputs);
    atomic_init(&run->stop, 0);
}

void run_free(struct run *run)
{
    outputs_free(&run->outputs);
    trace_free(run->trace);
    if (run->aws) {
        aws_client_free(run->aws);
        free(run->aws);
    }
    free(run->account_id);
    free(run->caller_arn);
}

int run_client(struct run *run, struct strbuf *err)
{
    const char *region = config_region(&run->stack->cfg);
    run->aws = xcalloc(1, sizeof(*run->aws));
    aws_client_init(run->aws, region, run->max_in_flight);
    if (aws_settings_apply(run->aws, err))
        return -1;
    /* Roles are assumed at the STS endpoint the run uses, signed with the
     * clock skew the client learns. */
    cred_provider_configure(&run->aws->creds, region, &run->aws->skew);
    run->aws->cancel = &run_interrupted;
    if (run->trace) {
        run->aws->observe = trace_attempt;
        run->aws->observe_arg = run->trace;
    }
    run->partition = !strncmp(region, "cn-", 3) ? "aws-cn" : !strncmp(region, "us-gov-", 7) ? "aws-us-gov" : "aws";
    return 0;
}

int run_identify(struct run *run, struct strbuf *err)
{
    struct sh_doc *answer = NULL;
    struct aws_error e;
    if (aws_call(run->aws, "sts", "GetCallerIdentity", NULL, AWS_CALL_READ_ONLY, &answer, &e)) {
        strbuf_addstr(err, "cannot tell which account would change: ");
        aws_error_format(&e, err);
        return -1;
    }
    const char *account = doc_text(answer, "Account"), *arn = doc_text(answer, "Arn");
    if (!account) {
        strbuf_addstr(err, "sts GetCallerIdentity answered without an account");
        doc_free(answer);
        return -1;
    }
    run->account_id = xstrdup(account);
    run->caller_arn = xstrdup(arn ? arn : "");
    doc_free(answer);
    return 0;
}

int run_connect_aws(struct run *run, struct strbuf *err)
{
    return run_client(run, err) || run_identify(run, err) ? -1 : 0;
}

void ctx_init(struct sh_ctx *ctx, struct run *run, struct stack *st, struct stack_item *item, sh_mode mode)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->run = run;
    ctx->stack = st;
    ctx->item = item;
    ctx->mode = mode;
    clock_gettime(CLOCK_MONOTONIC, &ctx->last_report);
}

void ctx_release(struct sh_ctx *ctx)
{
    diag_clear(&ctx->errors);
    for (size_t i = 0; i < ctx->nchanges; i++) {
        free(ctx->changes[i].resource);
        free(ctx->changes[i].detail);
    }
    free(ctx->changes);
    for (size_t i = 0; i < ctx->nowned; i++)
        xfree_wiped(ctx->owned[i]); /* doc_json of a request may hold a secret */
    free(ctx->owned);
    free(ctx->tag_keys);
    free(ctx->tag_values);
    for (size_t i = 0; i < ctx->nbatches; i++)
        host_batch_free(ctx->batches[i]);
    free(ctx->batches);
    for (size_t i = 0; i < ctx->ndocs; i++)
        doc_free(ctx->docs[i]);
    free(ctx->docs);
    for (size_t i = 0; i < ctx->nstarts; i++)
        free(ctx->starts[i].resource);
    free(ctx->starts);
    memset(ctx, 0, sizeof(*ctx));
}

void ctx_action_started(struct sh_ctx *ctx, const char *resource)
{
    for (size_t i = 0; i < ctx->nstarts; i++)
        if (!strcmp(ctx->starts[i].resource, resource))
            return;
    XGROW(ctx->starts, ctx->starts_alloc, ctx->nstarts + 1);
    ctx->starts[ctx->nstarts].resource = xstrdup(resource);
    ctx->starts[ctx->nstarts].took = -1;
    clock_gettime(CLOCK_MONOTONIC, &ctx->starts[ctx->nstarts++].at);
}

void ctx_action_answered(struct sh_ctx *ctx, const char *resource)
{
    for (size_t i = 0; i < ctx->nstarts; i++)
        if (!strcmp(ctx->starts[i].resource, resource)) {
            ctx->starts[i].took = seconds_since(&ctx->starts[i].at);
            return;
        }
}

double ctx_action_seconds(struct sh_ctx *ctx, const char *resource)
{
    for (size_t i = 0; i < ctx->nstarts; i++) {
        if (strcmp(ctx->starts[i].resource, resource))
            continue;
        double secs = ctx->starts[i].took >= 0 ? ctx->starts[i].took : seconds_since(&ctx->starts[i].at);
        free(ctx->starts[i].resource);
        ctx->starts[i] = ctx->starts[--ctx->nstarts];
        return secs;
    }
    return seconds_since(&ctx->last_report);
}

const char *ctx_own(struct sh_ctx *ctx, char *s)
{
    XGROW(ctx->owned, ctx->owned_alloc, ctx->nowned + 1);
    ctx->owned[ctx->nowned++] = s;
    return s;
}

struct sh_doc *ctx_own_doc(struct sh_ctx *ctx, struct sh_doc *d)
{
    XGROW(ctx->docs, ctx->docs_alloc, ctx->ndocs + 1);
    ctx->docs[ctx->ndocs++] = d;
    return d;
}

const char *change_verb(sh_change kind)
{
    switch (kind) {
    case SH_CHANGE_NONE: return "no change";
    case SH_CHANGE_CREATE: return "create";
    case SH_CHANGE_UPDATE: return "update";
    case SH_CHANGE_REPLACE: return "replace";
    case SH_CHANGE_DELETE: return "delete";
    }
    return "change";
}

double seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}
