#include "plan_view.h"

#include <jansson.h>
#include <string.h>

#include "colour.h"
#include "context.h"
#include "cost.h"
#include "json_text.h"
#include "log.h"

static const char *change_mark(sh_change kind)
{
    switch (kind) {
    case SH_CHANGE_NONE: return "=";
    case SH_CHANGE_CREATE: return "+";
    case SH_CHANGE_UPDATE: return "~";
    case SH_CHANGE_REPLACE: return "-/+";
    case SH_CHANGE_DELETE: return "-";
    }
    return "?";
}

static const char *change_colour(sh_change kind)
{
    switch (kind) {
    case SH_CHANGE_CREATE: return COLOUR_GREEN;
    case SH_CHANGE_UPDATE: return COLOUR_YELLOW;
    case SH_CHANGE_REPLACE:
    case SH_CHANGE_DELETE: return COLOUR_RED;
    case SH_CHANGE_NONE: break;
    }
    return "";
}

/* The JSON action: one word, as terraform's (no-op for no change). */
static const char *change_action(sh_change kind)
{
    return kind == SH_CHANGE_NONE ? "no-op" : change_verb(kind);
}

size_t plan_type_length(const char *label)
{
    size_t last_word = 0;
    for (const char *w = label; *w;) {
        size_t len = strcspn(w, " ");
        if (strspn(w, "abcdefghijklmnopqrstuvwxyz") < len)
            return w == label ? 0 : (size_t)(w - label - 1);
        last_word = (size_t)(w - label);
        w += len;
        w += strspn(w, " ");
    }
    return last_word ? last_word - 1 : 0;
}

void plan_count(const struct job *jobs, size_t n, size_t counts[SH_CHANGE_DELETE + 1])
{
    memset(counts, 0, sizeof(size_t) * (SH_CHANGE_DELETE + 1));
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < jobs[i].ctx.nchanges; c++)
            if ((size_t)jobs[i].ctx.changes[c].kind <= SH_CHANGE_DELETE)
                counts[jobs[i].ctx.changes[c].kind]++;
}

/* The month's estimate of a change's resource: its parts, or for one
 * going (not in the configuration any more) one like it that stays.
 * *found: whether it is priced. */
static double change_cost(const struct plan_view *v, const struct change *ch, int *found)
{
    *found = 0;
    if (!v->cost)
        return 0;
    double usd = cost_of_resource(v->cost, ch->resource, found);
    if (!*found && ch->kind == SH_CHANGE_DELETE)
        usd = cost_of_kind(v->cost, ch->resource, found);
    return usd;
}

/* The totals a month before and after the plan: after is the
 * configuration's estimate (0 for a destroy); before takes away what is
 * created and adds back what is deleted. */
static size_t cost_totals(const struct job *jobs, size_t n, const struct plan_view *v, double *before,
                          double *after)
{
    size_t in_place = 0; /* priced resources changed in place: counted at their new cost before too */
    *after = v->destroy ? 0 : v->cost->total;
    *before = v->cost->total;
    for (size_t i = 0; i < n && !v->destroy; i++)
        for (size_t c = 0; c < jobs[i].ctx.nchanges; c++) {
            const struct change *ch = &jobs[i].ctx.changes[c];
            int found;
            double usd = change_cost(v, ch, &found);
            if (ch->kind == SH_CHANGE_CREATE)
                *before -= usd;
            else if (ch->kind == SH_CHANGE_DELETE)
                *before += usd;
            else if (found && ch->kind != SH_CHANGE_NONE)
                in_place++;
        }
    if (*before < 0.005)
        *before = 0;
    return in_place;
}

static json_t *change_json(const char *plugin, const struct change *ch, const struct plan_view *v)
{
    json_t *o = json_object();
    size_t type = plan_type_length(ch->resource);
    const char *name = ch->resource + type + (type ? 1 : 0);
    json_object_set_new(o, "plugin", json_string(plugin));
    json_object_set_new(o, "action", json_string(change_action(ch->kind)));
    json_object_set_new(o, "type", json_stringn(ch->resource, type));
    json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "detail", ch->detail ? json_string(ch->detail) : json_null());
    int found;
    double usd = change_cost(v, ch, &found);
    json_object_set_new(o, "monthly_usd", found ? json_real(cost_cents(usd)) : json_null());
    return o;
}

static void plan_json(const struct job *jobs, size_t n, const struct plan_view *v, const size_t *counts,
                      struct strbuf *out)
{
    json_t *doc = json_document();
    json_object_set_new(doc, "stack", json_string(v->stack));
    json_object_set_new(doc, "environment", json_string(v->env));
    json_object_set_new(doc, "destroy", json_boolean(v->destroy));
    json_t *changes = json_array();
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < jobs[i].ctx.nchanges; c++)
            json_array_append_new(changes, change_json(jobs[i].item->section->name, &jobs[i].ctx.changes[c], v));
    json_object_set_new(doc, "changes", changes);
    json_t *cost = json_null();
    if (v->cost) {
        double before, after;
        cost_totals(jobs, n, v, &before, &after);
        cost = json_pack("{s:s, s:s, s:s?, s:f, s:f, s:f, s:f}", "currency", prices_currency(), "region",
                         v->cost->region, "prices_as_of", v->cost->as_of, "before_monthly_usd", cost_cents(before),
                         "after_monthly_usd", cost_cents(after), "after_monthly_usd_max",
                         cost_cents(v->destroy ? 0 : v->cost->total_max), "usage_monthly_usd",
                         cost_cents(v->destroy ? 0 : v->cost->usage));
    }
    json_object_set_new(doc, "cost", cost);
    json_object_set_new(doc, "summary",
                        json_pack("{s:I, s:I, s:I, s:I, s:I}", "create", (json_int_t)counts[SH_CHANGE_CREATE],
                                  "update", (json_int_t)counts[SH_CHANGE_UPDATE], "replace",
                                  (json_int_t)counts[SH_CHANGE_REPLACE], "delete",
                                  (json_int_t)counts[SH_CHANGE_DELETE], "unchanged",
                                  (json_int_t)counts[SH_CHANGE_NONE]));
    json_text(out, doc);
}

static void plan_text(const struct job *jobs, size_t n, const struct plan_view *v, const size_t *counts,
                      struct strbuf *out)
{
    for (size_t i = 0; i < n; i++) {
        const struct sh_ctx *ctx = &jobs[i].ctx;
        int header = 0;
        for (size_t c = 0; c < ctx->nchanges; c++) {
            const struct change *ch = &ctx->changes[c];
            if (ch->kind == SH_CHANGE_NONE && !v->all)
                continue;
            if (!header++)
                strbuf_addf(out, "%s:\n", jobs[i].item->section->name);
            const char *on = v->colour ? change_colour(ch->kind) : "", *off = v->colour && *on ? COLOUR_OFF : "";
            strbuf_addf(out, "  %s%-3s %-9s%s %s%s%s%s", on, change_mark(ch->kind), change_verb(ch->kind), off,
                        ch->resource, ch->detail ? " (" : "", ch->detail ? ch->detail : "", ch->detail ? ")" : "");
            int found;
            double usd = change_cost(v, ch, &found);
            if (found && ch->kind != SH_CHANGE_NONE && usd >= 0.005) {
                strbuf_addstr(out, ch->kind == SH_CHANGE_CREATE ? "  +" : ch->kind == SH_CHANGE_DELETE ? "  -" : "  ");
                cost_money(out, usd);
                strbuf_addstr(out, "/month");
            }
            strbuf_addch(out, '\n');
        }
    }
    size_t unchanged = counts[SH_CHANGE_NONE];
    if (counts[SH_CHANGE_CREATE] + counts[SH_CHANGE_UPDATE] + counts[SH_CHANGE_REPLACE] + counts[SH_CHANGE_DELETE])
        strbuf_addf(out, "plan: %zu to create, %zu to update, %zu to replace, %zu to delete", counts[SH_CHANGE_CREATE],
                    counts[SH_CHANGE_UPDATE], counts[SH_CHANGE_REPLACE], counts[SH_CHANGE_DELETE]);
    else
        strbuf_addstr(out, "no changes: the account matches the configuration");
    if (unchanged)
        strbuf_addf(out, "; %zu unchanged%s", unchanged, v->all ? "" : " (-v lists them)");
    strbuf_addch(out, '\n');
    if (!v->cost)
        return;
    double before, after;
    size_t in_place = cost_totals(jobs, n, v, &before, &after);
    strbuf_addstr(out, "cost: ");
    if (cost_cents(before) == cost_cents(after)) {
        cost_money(out, after);
        strbuf_addstr(out, " a month, no change");
    } else {
        cost_money(out, before);
        strbuf_addstr(out, " -> ");
        cost_money(out, after);
        strbuf_addstr(out, " a month (");
        if (after >= before)
            strbuf_addch(out, '+');
        cost_money(out, after - before);
        strbuf_addch(out, ')');
    }
    strbuf_addf(out, "; an estimate from %s list prices (the oldest of %s), before taxes, free tier, savings plans and "
                "discounts", v->cost->region, v->cost->as_of ? v->cost->as_of : "no date");
    if (!v->destroy && v->cost->usage > 0) {
        strbuf_addstr(out, ", ");
        cost_money(out, v->cost->usage);
        strbuf_addstr(out, " of it assumed usage");
    }
    if (in_place)
        strbuf_addf(out, "; %zu resource%s changed in place counted at %s new cost before too", in_place,
                    in_place == 1 ? "" : "s", in_place == 1 ? "its" : "their");
    strbuf_addstr(out, " (stackhost cost shows every part)\n");
}

size_t plan_print(const struct job *jobs, size_t n, const struct plan_view *v)
{
    size_t counts[SH_CHANGE_DELETE + 1];
    plan_count(jobs, n, counts);
    struct strbuf out = STRBUF_INIT;
    if (v->to == PLAN_TO_JSON)
        plan_json(jobs, n, v, counts, &out);
    else
        plan_text(jobs, n, v, counts, &out);
    if (v->to == PLAN_TO_LOG) {
        strbuf_setlen(&out, out.len - 1);
        log_msg(SH_LOG_INFO, NULL, "%s", out.buf);
    } else {
        emit_stdout(&out);
    }
    strbuf_release(&out);
    return counts[SH_CHANGE_CREATE] + counts[SH_CHANGE_UPDATE] + counts[SH_CHANGE_REPLACE] + counts[SH_CHANGE_DELETE];
}
