#include "context.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

atomic_int run_interrupted;

void run_init(struct run *run, struct stack *st, sh_mode mode)
{
    run->stack = st;
    run->mode = mode;
    outputs_init(&run->outputs);
    atomic_init(&run->stop, 0);
}

void run_free(struct run *run)
{
    outputs_free(&run->outputs);
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
        free(ctx->owned[i]);
    free(ctx->owned);
    free(ctx->tag_keys);
    free(ctx->tag_values);
    memset(ctx, 0, sizeof(*ctx));
}

const char *ctx_own(struct sh_ctx *ctx, char *s)
{
    XGROW(ctx->owned, ctx->owned_alloc, ctx->nowned + 1);
    ctx->owned[ctx->nowned++] = s;
    return s;
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
