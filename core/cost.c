#include "cost.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "json_text.h"
#include "plan_view.h"
#include "xalloc.h"

int cost_report_add(struct cost_report *r, const char *plugin, const sh_cost *part, struct strbuf *why)
{
    struct price p;
    int found = part && part->price ? price_get(part->price, r->region, &p) : -1;
    const char *what = part && part->resource ? part->resource : "(no resource)";
    if (!part || !part->resource || found == -1 || !(part->quantity >= 0) || part->quantity_max < 0) {
        strbuf_addf(why, "%s: no price '%s' in the price table, or a negative quantity (a plugin bug)", what,
                    part && part->price ? part->price : "(null)");
        return -1;
    }
    if (found == -2) {
        strbuf_addf(why, "%s: the price table has no %s price for region %s (%s): refresh it with "
                    "scripts/refresh-prices, or set STACKHOST_PRICES to a table that has the region",
                    what, part->price, r->region, prices_origin());
        return -1;
    }
    if (r->n == r->alloc) {
        r->alloc = r->alloc ? r->alloc * 2 : 32;
        r->parts = xrealloc(r->parts, r->alloc * sizeof(*r->parts));
    }
    struct cost_part *c = &r->parts[r->n++];
    memset(c, 0, sizeof(*c));
    c->plugin = xstrdup(plugin);
    c->resource = xstrdup(part->resource);
    c->price_key = xstrdup(part->price);
    c->usage = part->usage ? xstrdup(part->usage) : NULL;
    c->quantity = part->quantity;
    c->quantity_max = part->quantity_max > part->quantity ? part->quantity_max : part->quantity;
    c->price = p;
    double per = p.usd * (p.unit && !strcmp(p.unit, "hour") ? prices_hours_per_month() : 1);
    c->monthly = c->quantity * per;
    c->monthly_max = c->quantity_max * per;
    return 0;
}

int cost_collect(struct stack *st, struct cost_report *r, struct diag_list *dl)
{
    memset(r, 0, sizeof(*r));
    r->region = config_region(&st->cfg);
    struct strbuf err = STRBUF_INIT;
    if (prices_load(&err)) {
        diag_add(dl, NULL, 0, NULL, "%s", err.buf);
        strbuf_release(&err);
        return -1;
    }
    size_t before = diag_count(dl);
    for (size_t k = 0; k < st->n; k++) {
        struct stack_item *it = &st->items[st->order[k]];
        if (!it->section->enabled)
            continue;
        sh_plugin_fn fn = plugin_cost(it->plugin);
        if (!fn) {
            r->unpriced = xrealloc(r->unpriced, (r->nunpriced + 1) * sizeof(*r->unpriced));
            r->unpriced[r->nunpriced++] = xstrdup(it->section->name);
            continue;
        }
        struct sh_ctx ctx;
        ctx_init(&ctx, NULL, st, it, SH_MODE_COST);
        ctx.cost = r;
        sh_status s = fn(host_table(), &ctx);
        if (s != SH_OK && !ctx.errors.n)
            diag_add(&ctx.errors, NULL, 0, NULL, "%s: its cost callback failed (%s)", it->section->name,
                     sh_status_name(s));
        diag_move(dl, &ctx.errors);
        ctx_release(&ctx);
    }
    for (size_t i = 0; i < r->n; i++) {
        struct cost_part *c = &r->parts[i];
        if (c->usage)
            r->usage += c->monthly;
        else
            r->fixed += c->monthly;
        r->total_max += c->monthly_max;
        /* the oldest: a stale figure is never hidden behind a fresh date */
        if (c->price.as_of && (!r->as_of || strcmp(c->price.as_of, r->as_of) < 0))
            r->as_of = c->price.as_of;
    }
    r->total = r->fixed + r->usage;
    return diag_count(dl) > before ? -1 : 0;
}

void cost_report_free(struct cost_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->parts[i].plugin);
        free(r->parts[i].resource);
        free(r->parts[i].price_key);
        free(r->parts[i].usage);
    }
    for (size_t i = 0; i < r->nunpriced; i++)
        free(r->unpriced[i]);
    free(r->parts);
    free(r->unpriced);
    memset(r, 0, sizeof(*r));
}

double cost_of_resource(const struct cost_report *r, const char *resource, int *found)
{
    double sum = 0;
    *found = 0;
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->parts[i].resource, resource)) {
            sum += r->parts[i].monthly;
            *found = 1;
        }
    return sum;
}

double cost_of_kind(const struct cost_report *r, const char *resource, int *found)
{
    size_t type = plan_type_length(resource);
    *found = 0;
    /* the parts of the first resource of that type */
    for (size_t i = 0; type && i < r->n; i++)
        if (plan_type_length(r->parts[i].resource) == type && !strncmp(r->parts[i].resource, resource, type))
            return cost_of_resource(r, r->parts[i].resource, found);
    return 0;
}

void cost_money(struct strbuf *out, double usd)
{
    char digits[64];
    snprintf(digits, sizeof(digits), "%.2f", usd < 0 ? -usd : usd);
    size_t whole = strcspn(digits, ".");
    strbuf_addstr(out, usd < -0.004 ? "-$" : "$");
    for (size_t i = 0; i < whole; i++) {
        if (i && (whole - i) % 3 == 0)
            strbuf_addch(out, ',');
        strbuf_addch(out, digits[i]);
    }
    strbuf_addstr(out, digits + whole);
}

double cost_cents(double usd)
{
    return (double)(long long)(usd * 100 + (usd < 0 ? -0.5 : 0.5)) / 100;
}

void cost_notes(const struct cost_report *r, struct strbuf *out)
{
    strbuf_addf(out, "an estimate: %s on-demand list prices of %s (%s price table", prices_currency(), r->region,
                prices_origin());
    if (r->as_of)
        strbuf_addf(out, ", the oldest figure of %s", r->as_of);
    strbuf_addf(out, "), %g hours a month; taxes, free tier, savings plans and discounts not applied", 
                prices_hours_per_month());
    if (r->usage > 0)
        strbuf_addstr(out, "; usage parts rest on the assumptions shown (each names the key that sets it)");
    if (r->nunpriced) {
        strbuf_addstr(out, "; not priced: ");
        for (size_t i = 0; i < r->nunpriced; i++)
            strbuf_addf(out, "%s%s", i ? ", " : "", r->unpriced[i]);
        strbuf_addstr(out, " (no cost callback)");
    }
    strbuf_addch(out, '\n');
}

/* A figure as written, without an exponent: 0.00002, 0.045, 1000. */
static void add_number(struct strbuf *out, double v)
{
    char text[64];
    snprintf(text, sizeof(text), "%.6f", v);
    size_t n = strlen(text);
    while (n > 1 && text[n - 1] == '0')
        n--;
    if (text[n - 1] == '.')
        n--;
    text[n] = '\0';
    strbuf_addstr(out, text);
}

static void part_formula(const struct cost_part *c, struct strbuf *out)
{
    int hourly = c->price.unit && !strcmp(c->price.unit, "hour");
    add_number(out, (double)(long long)(c->quantity * 1000 + 0.5) / 1000);
    if (c->quantity_max > c->quantity) {
        strbuf_addstr(out, " to ");
        add_number(out, (double)(long long)(c->quantity_max * 1000 + 0.5) / 1000);
    }
    strbuf_addstr(out, " x $");
    add_number(out, c->price.usd);
    strbuf_addf(out, "/%s", c->price.unit ? c->price.unit : "unit");
    if (hourly)
        strbuf_addf(out, " x %g h", prices_hours_per_month());
    strbuf_addf(out, " (%s)", c->price.description ? c->price.description : c->price_key);
}

static void print_text(const struct cost_report *r, const struct stack *st, struct strbuf *out)
{
    const char *plugin = NULL, *resource = NULL;
    for (size_t i = 0; i < r->n; i++) {
        const struct cost_part *c = &r->parts[i];
        if (!plugin || strcmp(plugin, c->plugin)) {
            strbuf_addf(out, "%s:\n", c->plugin);
            resource = NULL;
        }
        plugin = c->plugin;
        if (!resource || strcmp(resource, c->resource))
            strbuf_addf(out, "  %s\n", c->resource);
        resource = c->resource;
        strbuf_addstr(out, "    ");
        struct strbuf money = STRBUF_INIT;
        cost_money(&money, c->monthly);
        if (c->monthly_max > c->monthly + 0.004) {
            strbuf_addstr(&money, " to ");
            cost_money(&money, c->monthly_max);
        }
        strbuf_addf(out, "%20s  ", money.buf);
        strbuf_release(&money);
        part_formula(c, out);
        if (c->usage)
            strbuf_addf(out, "; usage: %s", c->usage);
        strbuf_addch(out, '\n');
    }
    struct strbuf line = STRBUF_INIT;
    strbuf_addf(&line, "%s-%s: ", st->cfg.name, st->cfg.suffix ? st->cfg.suffix : "");
    cost_money(&line, r->total);
    strbuf_addstr(&line, " a month");
    if (r->total_max > r->total + 0.004) {
        strbuf_addstr(&line, " (up to ");
        cost_money(&line, r->total_max);
        strbuf_addstr(&line, " with scaling at its max, usage as assumed)");
    }
    strbuf_addstr(&line, ": ");
    cost_money(&line, r->fixed);
    strbuf_addstr(&line, " fixed by the configuration, ");
    cost_money(&line, r->usage);
    strbuf_addstr(&line, " usage\n");
    strbuf_addstr(out, line.buf);
    strbuf_release(&line);
    cost_notes(r, out);
}

static json_t *part_json(const struct cost_part *c)
{
    return json_pack("{s:s, s:s, s:s, s:s?, s:s, s:f, s:f, s:f, s:f, s:f, s:b, s:s?}", "plugin", c->plugin,
                     "resource", c->resource, "price", c->price_key, "description", c->price.description, "unit",
                     c->price.unit ? c->price.unit : "", "unit_usd", c->price.usd, "quantity", c->quantity,
                     "quantity_max", c->quantity_max, "monthly_usd", cost_cents(c->monthly), "monthly_usd_max",
                     cost_cents(c->monthly_max), "usage", c->usage != NULL, "assumption", c->usage);
}

static void print_json(const struct cost_report *r, const struct stack *st, struct strbuf *out)
{
    json_t *doc = json_document();
    json_object_set_new(doc, "stack", json_string(st->cfg.name));
    json_object_set_new(doc, "environment", st->cfg.env ? json_string(st->cfg.env) : json_null());
    json_object_set_new(doc, "region", json_string(r->region));
    json_object_set_new(doc, "currency", json_string(prices_currency()));
    json_object_set_new(doc, "hours_per_month", json_real(prices_hours_per_month()));
    json_object_set_new(doc, "prices_as_of", r->as_of ? json_string(r->as_of) : json_null());
    json_object_set_new(doc, "prices", json_string(prices_origin()));
    json_t *parts = json_array();
    for (size_t i = 0; i < r->n; i++)
        json_array_append_new(parts, part_json(&r->parts[i]));
    json_object_set_new(doc, "parts", parts);
    json_t *unpriced = json_array();
    for (size_t i = 0; i < r->nunpriced; i++)
        json_array_append_new(unpriced, json_string(r->unpriced[i]));
    json_object_set_new(doc, "not_priced", unpriced);
    json_object_set_new(doc, "totals",
                        json_pack("{s:f, s:f, s:f, s:f}", "fixed_monthly_usd", cost_cents(r->fixed),
                                  "usage_monthly_usd", cost_cents(r->usage), "monthly_usd", cost_cents(r->total),
                                  "monthly_usd_max", cost_cents(r->total_max)));
    json_text(out, doc);
}

void cost_print(const struct cost_report *r, const struct stack *st, int json, struct strbuf *out)
{
    if (json)
        print_json(r, st, out);
    else
        print_text(r, st, out);
}
