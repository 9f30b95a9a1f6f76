/* The host function table handed to plugins (sh_host, see host.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stackhost/plugin.h>

#include "cost.h"
#include "context.h"
#include "engine.h"
#include "log.h"
#include "strbuf.h"
#include "trace.h"
#include "validate.h"
#include "value.h"
#include "xalloc.h"

static const char *plugin_name(const sh_ctx *ctx) { return ctx->item->section->name; }

const char *ctx_plugin_name(const sh_ctx *ctx) { return plugin_name(ctx); }

static void host_log(sh_ctx *ctx, sh_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(level, plugin_name(ctx), fmt, ap);
    va_end(ap);
}

static sh_status host_fail(sh_ctx *ctx, sh_status status, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    diag_add(&ctx->errors, NULL, 0, NULL, "%s: %s", plugin_name(ctx), sb.buf);
    strbuf_release(&sb);
    return status == SH_OK ? SH_ERR : status;
}

static void host_redact(sh_ctx *ctx, const char *secret)
{
    (void)ctx;
    redact_add(secret);
}

static sh_mode host_mode(const sh_ctx *ctx) { return ctx->mode; }

static int host_cancelled(const sh_ctx *ctx)
{
    return atomic_load(&run_interrupted) || (ctx->run && atomic_load(&ctx->run->stop));
}

int ctx_cancelled(const sh_ctx *ctx) { return host_cancelled(ctx); }

unsigned ctx_call_flags(const sh_ctx *ctx)
{
    return ctx->mode == SH_MODE_DEPLOY || ctx->mode == SH_MODE_DESTROY ? 0 : AWS_CALL_READ_ONLY;
}

static const char *host_stack_name(const sh_ctx *ctx) { return ctx->stack->cfg.name; }

static const char *host_environment(const sh_ctx *ctx)
{
    return ctx->stack->cfg.suffix ? ctx->stack->cfg.suffix : "";
}

static const char *host_region(const sh_ctx *ctx) { return config_region(&ctx->stack->cfg); }

static const char *host_resource_name(sh_ctx *ctx, const char *type, const char *purpose)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_addf(&sb, "%s-%s-%s", type, purpose, host_environment(ctx));
    return ctx_own(ctx, strbuf_detach(&sb));
}

static size_t host_tags(const sh_ctx *cctx, const char *const **keys, const char *const **values)
{
    sh_ctx *ctx = (sh_ctx *)cctx; /* the tag arrays are built once, on first use */
    if (!ctx->tag_keys) {
        const struct sh_value *extra = ctx->stack->cfg.tags;
        size_t n = 3 + (extra ? extra->n : 0);
        ctx->tag_keys = xcalloc(n + 1, sizeof(*ctx->tag_keys));
        ctx->tag_values = xcalloc(n + 1, sizeof(*ctx->tag_values));
        ctx->tag_keys[0] = "Project";
        ctx->tag_values[0] = host_stack_name(ctx);
        ctx->tag_keys[1] = "Environment";
        ctx->tag_values[1] = host_environment(ctx);
        ctx->tag_keys[2] = "ManagedBy";
        ctx->tag_values[2] = "stackhost";
        ctx->ntags = 3;
        for (size_t i = 0; extra && i < extra->n; i++) {
            ctx->tag_keys[ctx->ntags] = extra->kids[i]->name;
            ctx->tag_values[ctx->ntags++] = extra->kids[i]->u.s;
        }
    }
    if (keys)
        *keys = ctx->tag_keys;
    if (values)
        *values = ctx->tag_values;
    return ctx->ntags;
}

/* A key the plugin's table does not declare would silently read as
 * absent (0, NULL): a misspelt name in the plugin's code. It is a plugin
 * bug, said at once, and the callback's run fails. */
static const sh_value *host_config(const sh_ctx *ctx, const char *key)
{
    if (!validate_key_find(ctx->item->plugin->desc->keys, key)) {
        struct sh_ctx *mut = (struct sh_ctx *)ctx; /* the errors are the context's to keep */
        diag_add(&mut->errors, NULL, 0, NULL, "plugin bug: plugin '%s' reads the configuration key '%s', which its "
                 "key table does not declare", ctx->item->section->name, key ? key : "(null)");
        return NULL;
    }
    return value_get(ctx->item->section->settings, key);
}

/* A value of the wrong type is a bug in the plugin (the host validated
 * the file against the plugin's own table): say so, loudly. */
static const sh_value *typed(const sh_value *v, enum value_type want)
{
    if (!v)
        return NULL;
    if (v->type != want) {
        struct strbuf path = STRBUF_INIT;
        value_path(v, &path);
        log_msg(SH_LOG_ERROR, NULL, "plugin bug: %s read as %s but is %s", path.buf, value_type_name(want),
                value_type_name(v->type));
        strbuf_release(&path);
        return NULL;
    }
    return v;
}

static const char *host_value_string(const sh_value *v)
{
    v = typed(v, VALUE_STRING);
    return v ? v->u.s : NULL;
}

static long long host_value_int(const sh_value *v)
{
    v = typed(v, VALUE_INT);
    return v ? v->u.i : 0;
}

static int host_value_bool(const sh_value *v)
{
    v = typed(v, VALUE_BOOL);
    return v ? v->u.b : 0;
}

static size_t host_value_count(const sh_value *v)
{
    return v && (v->type == VALUE_LIST || v->type == VALUE_GROUP) ? v->n : 0;
}

static const sh_value *host_value_at(const sh_value *v, size_t i)
{
    return v && v->type == VALUE_LIST && i < v->n ? v->kids[i] : NULL;
}

static const sh_value *host_value_member(const sh_value *group, const char *key)
{
    return value_get(group, key);
}

static const char *host_config_string(const sh_ctx *ctx, const char *key)
{
    return host_value_string(host_config(ctx, key));
}

static long long host_config_int(const sh_ctx *ctx, const char *key)
{
    return host_value_int(host_config(ctx, key));
}

static int host_config_bool(const sh_ctx *ctx, const char *key)
{
    return host_value_bool(host_config(ctx, key));
}

static sh_status host_config_error(sh_ctx *ctx, const sh_value *at, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    value_diag(&ctx->errors, at ? at : ctx->item->section->settings, "%s", sb.buf);
    strbuf_release(&sb);
    return SH_ERR_CONFIG;
}

/* Whether `plugin` declares `key` among the outputs it publishes (ABI
 * 1.3); a plugin that declares none may publish any. */
static int publishes(struct stack *st, const char *plugin, const char *key)
{
    struct stack_item *it = st ? stack_find(st, plugin) : NULL;
    const char *const *keys = it ? plugin_publishes(it->plugin) : NULL;
    return !keys || publishes_key(keys, key);
}

static sh_status undeclared_output(sh_ctx *ctx, const char *key)
{
    return host_fail(ctx, SH_ERR_INVALID, "plugin bug: publishes the output '%s', which its descriptor's "
                     "`publishes` does not list", key ? key : "(null)");
}

static sh_status host_output_string(sh_ctx *ctx, const char *key, const char *value)
{
    if (!ctx->run)
        return host_fail(ctx, SH_ERR_INVALID, "outputs cannot be set while validating");
    if (!publishes(ctx->stack, plugin_name(ctx), key))
        return undeclared_output(ctx, key);
    if (outputs_set_string(&ctx->run->outputs, plugin_name(ctx), key, value))
        return host_fail(ctx, SH_ERR_INVALID, "output key '%s' is not [a-z0-9_]+ or its value is missing",
                         key ? key : "(null)");
    return SH_OK;
}

static sh_status host_output_list(sh_ctx *ctx, const char *key, const char *const *items, size_t n)
{
    if (!ctx->run)
        return host_fail(ctx, SH_ERR_INVALID, "outputs cannot be set while validating");
    if (!publishes(ctx->stack, plugin_name(ctx), key))
        return undeclared_output(ctx, key);
    if (outputs_set_list(&ctx->run->outputs, plugin_name(ctx), key, items, n))
        return host_fail(ctx, SH_ERR_INVALID, "output key '%s' is not [a-z0-9_]+ or an item is missing",
                         key ? key : "(null)");
    return SH_OK;
}

/* Outputs are the one channel between plugins, and the graph orders only
 * declared requirements: reading anything else would race. A required
 * plugin may still be running (dataflow): the read waits for the value,
 * or for that plugin to end without it (absent). 1 with *out filled (a
 * copy: the registry's entries move while others publish), or 0. */
/* Whether the context's plugin declares `plugin` in its requirements. */
static int requires_plugin(const sh_ctx *ctx, const char *plugin)
{
    const char *const *req = ctx->item->plugin->desc->requires;
    for (size_t i = 0; plugin && req && req[i]; i++)
        if (!strcmp(req[i], plugin))
            return 1;
    return 0;
}

/* A wait of the plugin's on another's (an input, a destroy) on its
 * track of --trace, from start to now. */
static void trace_wait(sh_ctx *ctx, const char *name, const struct timespec *start, const char *detail)
{
    if (!ctx->run->trace)
        return;
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    trace_span(ctx->run->trace, plugin_name(ctx), name, "wait", start, &end, detail);
}

static int input(sh_ctx *ctx, const char *plugin, const char *key, struct output *out)
{
    if (!requires_plugin(ctx, plugin)) {
        log_msg(SH_LOG_ERROR, plugin_name(ctx), "plugin bug: reads output %s.%s without requiring '%s'",
                plugin, key, plugin);
        return 0;
    }
    if (!publishes(ctx->stack, plugin, key)) {
        /* an error for a plugin built knowing `publishes`; an older one
         * got NULL for a key never published, and still does */
        if (ctx->item->plugin->desc->abi_minor >= 3)
            host_fail(ctx, SH_ERR_INVALID, "plugin bug: reads the output %s.%s, which %s does not publish (see "
                      "its descriptor's `publishes`)", plugin, key ? key : "(null)", plugin);
        else
            log_msg(SH_LOG_WARN, plugin_name(ctx), "reads the output %s.%s, which %s does not publish", plugin,
                    key ? key : "(null)", plugin);
        return 0;
    }
    if (!ctx->run)
        return 0;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int waited, failed;
    int found = outputs_await(&ctx->run->outputs, plugin, key, out, &waited, &failed);
    if (!found && failed)
        snprintf(ctx->starved_of, sizeof(ctx->starved_of), "the failed plugin never published %s.%s", plugin, key);
    if (waited) {
        log_msg(SH_LOG_DEBUG, plugin_name(ctx), "waited %.1fs for %s.%s%s", seconds_since(&start), plugin, key,
                found ? "" : ", which it did not publish");
        char name[160];
        snprintf(name, sizeof(name), "input: %s.%s", plugin, key);
        trace_wait(ctx, name, &start, found ? "published" : "absent");
    }
    return found;
}

static const char *host_input_string(sh_ctx *ctx, const char *plugin, const char *key)
{
    struct output o;
    return input(ctx, plugin, key, &o) && !o.is_list ? o.value : NULL;
}

static size_t host_input_list(sh_ctx *ctx, const char *plugin, const char *key, const char *const **items)
{
    struct output o;
    if (!input(ctx, plugin, key, &o) || !o.is_list) {
        if (items)
            *items = NULL;
        return 0;
    }
    if (items)
        *items = (const char *const *)o.items;
    return o.n;
}

static void host_report(sh_ctx *ctx, sh_change change, const char *resource, const char *detail)
{
    XGROW(ctx->changes, ctx->changes_alloc, ctx->nchanges + 1);
    struct change *c = &ctx->changes[ctx->nchanges++];
    c->kind = change;
    c->resource = xstrdup(resource ? resource : "(unnamed)");
    c->detail = detail ? xstrdup(detail) : NULL;
    /* a plan prints its lines at the end; outputs only reads, and says
     * nothing of what a deploy would do (a missing resource is an error) */
    if (ctx->mode != SH_MODE_PLAN && ctx->mode != SH_MODE_OUTPUTS) {
        double secs = ctx_action_seconds(ctx, c->resource);
        log_msg(change == SH_CHANGE_NONE ? SH_LOG_DEBUG : SH_LOG_INFO, plugin_name(ctx), "%s %s%s%s%s (%.1fs)",
                change_verb(change), c->resource, detail ? " (" : "", detail ? detail : "", detail ? ")" : "",
                secs);
    }
    clock_gettime(CLOCK_MONOTONIC, &ctx->last_report);
}

static sh_doc *host_doc_new(sh_ctx *ctx)
{
    return ctx_own_doc(ctx, doc_new(DOC_OBJECT));
}

static sh_status doc_result(int rc)
{
    return rc ? SH_ERR_INVALID : SH_OK;
}

static sh_status host_doc_set_string(sh_doc *doc, const char *path, const char *value)
{
    return doc && path && value ? doc_result(doc_set(doc, path, DOC_STRING, value)) : SH_ERR_INVALID;
}

static sh_status host_doc_set_number(sh_doc *doc, const char *path, long long value)
{
    char text[32];
    snprintf(text, sizeof(text), "%lld", value);
    return doc && path ? doc_result(doc_set(doc, path, DOC_NUMBER, text)) : SH_ERR_INVALID;
}

static sh_status host_doc_set_bool(sh_doc *doc, const char *path, int value)
{
    return doc && path ? doc_result(doc_set(doc, path, DOC_BOOL, value ? "true" : "false")) : SH_ERR_INVALID;
}

static sh_status host_doc_set_empty(sh_doc *doc, const char *path, int list)
{
    return doc && path ? doc_result(doc_set_empty(doc, path, list ? DOC_ARRAY : DOC_OBJECT)) : SH_ERR_INVALID;
}

static sh_doc *host_doc_parse(sh_ctx *ctx, const char *json)
{
    struct sh_doc *d = json ? doc_from_json(json, strlen(json)) : NULL;
    return d ? ctx_own_doc(ctx, d) : NULL;
}

static int host_doc_equal(const sh_doc *want, const sh_doc *have, int subset)
{
    return doc_equal(want, have, subset);
}

static const sh_doc *host_doc_get(const sh_doc *doc, const char *path)
{
    return doc ? doc_get(doc, path) : NULL;
}

static const char *host_doc_string(const sh_doc *doc, const char *path)
{
    return doc ? doc_text(doc, path) : NULL;
}

static size_t host_doc_count(const sh_doc *doc, const char *path)
{
    return doc ? doc_count(doc, path) : 0;
}

static const char *host_doc_json(sh_ctx *ctx, const sh_doc *doc)
{
    struct strbuf sb = STRBUF_INIT;
    if (doc)
        doc_to_json(doc, &sb);
    return ctx_own(ctx, strbuf_detach(&sb));
}

/* What a mutating operation would do, for the plan line it becomes. */
static sh_change change_of(const char *op)
{
    static const char *const creates[] = {"Create", "Allocate", "Put", "Register", "Run", "Attach", "Associate",
                                          "Authorize", "Subscribe", "Tag", "Enable", NULL};
    static const char *const deletes[] = {"Delete", "Release", "Deregister", "Detach", "Disassociate", "Revoke",
                                          "Unsubscribe", "Untag", "Schedule", "Disable", NULL};
    for (size_t i = 0; creates[i]; i++)
        if (!strncmp(op, creates[i], strlen(creates[i])))
            return SH_CHANGE_CREATE;
    for (size_t i = 0; deletes[i]; i++)
        if (!strncmp(op, deletes[i], strlen(deletes[i])))
            return SH_CHANGE_DELETE;
    return SH_CHANGE_UPDATE;
}

void ctx_keep_error(sh_ctx *ctx, const struct aws_error *e)
{
    ctx->last_error = *e;
    sh_aws_error *v = &ctx->last_error_view;
    v->service = ctx->last_error.service;
    v->operation = ctx->last_error.operation;
    v->http_status = ctx->last_error.http_status;
    v->code = ctx->last_error.code;
    v->message = ctx->last_error.message;
    v->request_id = ctx->last_error.request_id;
    v->attempts = ctx->last_error.attempts;
    v->maybe_applied = ctx->last_error.maybe_applied;
}

static sh_status call(sh_ctx *ctx, const char *service, const char *op, const sh_doc *input, const char *items,
                      const sh_doc **output)
{
    struct aws_error e;
    memset(&e, 0, sizeof(e));
    if (output)
        *output = NULL;
    if (!ctx->run || !ctx->run->aws || !service || !op || !output) {
        snprintf(e.code, sizeof(e.code), "NotConnected");
        snprintf(e.message, sizeof(e.message), "aws calls are made from create, destroy and outputs only");
        ctx_keep_error(ctx, &e);
        return SH_ERR_INVALID;
    }
    if (host_cancelled(ctx)) {
        snprintf(e.code, sizeof(e.code), "Cancelled");
        snprintf(e.message, sizeof(e.message), "the run is stopping");
        ctx_keep_error(ctx, &e);
        return SH_ERR_CANCELLED;
    }
    struct aws_request r = {.service = service, .operation = op, .input = input, .items_path = items,
                            .flags = ctx_call_flags(ctx), .origin = plugin_name(ctx)};
    aws_send(ctx->run->aws, &r);
    if (r.rc && !strcmp(r.err.code, "PlanRefused")) {
        ctx_plan_refused(ctx, service, op);
        *output = ctx_own_doc(ctx, doc_new(DOC_OBJECT));
        return SH_OK;
    }
    if (r.rc) {
        ctx_keep_error(ctx, &r.err);
        return SH_ERR_AWS;
    }
    *output = ctx_own_doc(ctx, r.out);
    return SH_OK;
}

/* The plan never sends a change, whatever the plugin asks. */
void ctx_plan_refused(sh_ctx *ctx, const char *service, const char *op)
{
    struct strbuf what = STRBUF_INIT;
    strbuf_addf(&what, "%s %s (a call the plan did not send)", service, op);
    host_report(ctx, change_of(op), what.buf, NULL);
    strbuf_release(&what);
}

static sh_status host_aws_call(sh_ctx *ctx, const char *service, const char *op, const sh_doc *input,
                               const sh_doc **output)
{
    return call(ctx, service, op, input, NULL, output);
}

static sh_status host_aws_call_all(sh_ctx *ctx, const char *service, const char *op, const sh_doc *input,
                                   const char *items_path, const sh_doc **output)
{
    if (!items_path || !*items_path) {
        if (output)
            *output = NULL;
        return host_fail(ctx, SH_ERR_INVALID, "aws_call_all %s %s needs the path of the items to gather",
                         service ? service : "?", op ? op : "?");
    }
    return call(ctx, service, op, input, items_path, output);
}

static const sh_aws_error *host_aws_error(const sh_ctx *ctx)
{
    return ctx->last_error_view.code ? &ctx->last_error_view : NULL;
}

static const char *host_aws_error_text(sh_ctx *ctx)
{
    struct strbuf sb = STRBUF_INIT;
    if (ctx->last_error_view.code)
        aws_error_format(&ctx->last_error, &sb);
    else
        strbuf_addstr(&sb, "no aws error");
    return ctx_own(ctx, strbuf_detach(&sb));
}

static const char *host_account_id(const sh_ctx *ctx)
{
    return ctx->run ? ctx->run->account_id : NULL;
}

static const char *host_partition(const sh_ctx *ctx)
{
    return ctx->run && ctx->run->partition ? ctx->run->partition : "aws";
}

static int host_allow_replace(const sh_ctx *ctx)
{
    return ctx->run && ctx->run->allow_replace;
}

static const sh_value *host_required_config(const sh_ctx *ctx, const char *plugin, const char *key)
{
    int declared = requires_plugin(ctx, plugin);
    struct stack_item *it = declared && ctx->stack ? stack_find(ctx->stack, plugin) : NULL;
    if (!declared)
        log_msg(SH_LOG_ERROR, plugin_name(ctx), "plugin bug: reads the configuration of '%s' without requiring it",
                plugin ? plugin : "(null)");
    return it && it->section ? value_get(it->section->settings, key) : NULL;
}

/* One bound field from its value (the file was validated against the
 * table, and the loader checked each field's size against its type). */
static void bind_one(sh_ctx *ctx, const sh_config_key *k, const sh_value *v, char *field)
{
    switch (k->type) {
    case SH_CONFIG_STRING: *(const char **)field = host_value_string(v); break;
    case SH_CONFIG_INT: *(long long *)field = host_value_int(v); break;
    case SH_CONFIG_BOOL: *(int *)field = host_value_bool(v); break;
    case SH_CONFIG_GROUP_LIST: *(const sh_value **)field = v; break;
    case SH_CONFIG_STRING_LIST: {
        size_t n = v && v->type == VALUE_LIST ? v->n : 0;
        const char **items = xcalloc(n + 1, sizeof(*items));
        for (size_t i = 0; i < n; i++)
            items[i] = host_value_string(v->kids[i]);
        ctx_own(ctx, (char *)items);
        *(sh_string_list *)field = (sh_string_list){items, n};
        break;
    }
    case SH_CONFIG_INT_LIST: {
        size_t n = v && v->type == VALUE_LIST ? v->n : 0;
        long long *items = xcalloc(n + 1, sizeof(*items));
        for (size_t i = 0; i < n; i++)
            items[i] = host_value_int(v->kids[i]);
        ctx_own(ctx, (char *)items);
        *(sh_int_list *)field = (sh_int_list){items, n};
        break;
    }
    }
}

static sh_status host_config_read(sh_ctx *ctx, void *into)
{
    const sh_config_bind *b = plugin_config_bind(ctx->item->plugin);
    if (!b || !into)
        return SH_ERR_INVALID;
    /* the loader checked that the table declares every key bound */
    for (; b->key; b++)
        bind_one(ctx, validate_key_find(ctx->item->plugin->desc->keys, b->key),
                 value_get(ctx->item->section->settings, b->key), (char *)into + b->offset);
    return SH_OK;
}

static sh_status host_cost_add(sh_ctx *ctx, const sh_cost *part)
{
    if (ctx->mode != SH_MODE_COST || !ctx->cost)
        return host_fail(ctx, SH_ERR_INVALID, "cost_add outside the cost callback (a plugin bug)");
    struct strbuf why = STRBUF_INIT;
    sh_status rc = cost_report_add(ctx->cost, plugin_name(ctx), part, &why) ? host_fail(ctx, SH_ERR_INVALID, "%s", why.buf)
                                                                            : SH_OK;
    strbuf_release(&why);
    return rc;
}

static int host_await_destroyed(sh_ctx *ctx, const char *plugin)
{
    if (!ctx->job || !ctx->run || ctx->mode != SH_MODE_DESTROY)
        return 0;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    struct strbuf failed = STRBUF_INIT;
    int rc = engine_await_destroyed(ctx->job, plugin, &failed);
    if (rc < 0)
        snprintf(ctx->starved_of, sizeof(ctx->starved_of), "the destroy of %s, which may still use what it "
                 "deletes, did not complete", failed.buf);
    strbuf_release(&failed);
    double waited = seconds_since(&start);
    if (waited > 0.001) {
        const char *whose = plugin ? plugin : "the plugins that require it";
        log_msg(SH_LOG_DEBUG, plugin_name(ctx), "waited %.1fs for the destroy of %s", waited, whose);
        char name[160];
        snprintf(name, sizeof(name), "wait: the destroy of %s", whose);
        trace_wait(ctx, name, &start, rc < 0 ? "failed" : "done");
    }
    return rc;
}

static void host_destroy_released(sh_ctx *ctx)
{
    if (ctx->job && ctx->run && ctx->mode == SH_MODE_DESTROY)
        engine_release(ctx->job);
}

static const char *host_owner(const sh_ctx *ctx, const char *key)
{
    struct stack *st = ctx->stack;
    const char *me = ctx->item->section->name;
    size_t mlen = strlen(me);
    for (size_t i = 0; st && key && i < st->n; i++) {
        const struct stack_item *it = &st->items[i];
        const char *const *owns = plugin_owns(it->plugin);
        for (size_t k = 0; owns && owns[k]; k++) {
            if (strncmp(owns[k], me, mlen) || owns[k][mlen] != '.' || strcmp(owns[k] + mlen + 1, key))
                continue;
            return !it->section->enabled ? "" : it->section->name;
        }
    }
    return NULL;
}

static int host_restart(const sh_ctx *ctx)
{
    return ctx->run && ctx->mode == SH_MODE_DEPLOY && ctx->run->restart;
}

static int host_wait_ready(const sh_ctx *ctx)
{
    return ctx->run && ctx->mode == SH_MODE_DEPLOY ? ctx->run->wait_seconds : 0;
}

static const sh_host table = {
    .size = sizeof(sh_host),
    .abi_major = STACKHOST_ABI_MAJOR,
    .abi_minor = STACKHOST_ABI_MINOR,
    .log = host_log,
    .fail = host_fail,
    .redact = host_redact,
    .mode = host_mode,
    .cancelled = host_cancelled,
    .stack_name = host_stack_name,
    .environment = host_environment,
    .region = host_region,
    .resource_name = host_resource_name,
    .tags = host_tags,
    .config = host_config,
    .config_string = host_config_string,
    .config_int = host_config_int,
    .config_bool = host_config_bool,
    .value_count = host_value_count,
    .value_at = host_value_at,
    .value_member = host_value_member,
    .value_string = host_value_string,
    .value_int = host_value_int,
    .value_bool = host_value_bool,
    .config_error = host_config_error,
    .output_string = host_output_string,
    .output_list = host_output_list,
    .input_string = host_input_string,
    .input_list = host_input_list,
    .report = host_report,
    .doc_new = host_doc_new,
    .doc_set_string = host_doc_set_string,
    .doc_set_number = host_doc_set_number,
    .doc_set_bool = host_doc_set_bool,
    .doc_set_empty = host_doc_set_empty,
    .doc_get = host_doc_get,
    .doc_string = host_doc_string,
    .doc_count = host_doc_count,
    .doc_json = host_doc_json,
    .aws_call = host_aws_call,
    .aws_call_all = host_aws_call_all,
    .aws_error = host_aws_error,
    .aws_error_text = host_aws_error_text,
    .account_id = host_account_id,
    .partition = host_partition,
    .allow_replace = host_allow_replace,
    .batch_new = host_batch_new,
    .batch_add = host_batch_add,
    .batch_run = host_batch_run,
    .batch_result = host_batch_result,
    .wait = host_wait,
    .doc_parse = host_doc_parse,
    .doc_equal = host_doc_equal,
    .wait_ready = host_wait_ready,
    .required_config = host_required_config,
    .restart = host_restart,
    .config_read = host_config_read,
    .owner = host_owner,
    .cost_add = host_cost_add,
    .await_destroyed = host_await_destroyed,
    .destroy_released = host_destroy_released,
};

const sh_host *host_table(void) { return &table; }
