/* The monthly estimate: every enabled plugin's cost callback (ABI 1.6)
 * says what its resources are made of, priced here from the price table
 * (prices.h) for the stack's region; `stackhost cost` prints it, and a
 * plan shows each change's part and the totals before and after. */
#ifndef CORE_COST_H
#define CORE_COST_H

#include <stddef.h>

#include <stackhost/host.h>

#include "diag.h"
#include "prices.h"
#include "stack.h"
#include "strbuf.h"

/* One priced part (sh_cost), as a plugin added it and as priced. */
struct cost_part {
    char *plugin, *resource, *price_key, *usage; /* owned */
    double quantity, quantity_max;
    struct price price;           /* the table's, in the stack's region */
    double monthly, monthly_max;  /* USD a month; max: at quantity_max */
};

struct cost_report {
    const char *region;
    struct cost_part *parts;
    size_t n, alloc;
    char **unpriced; /* enabled plugins without a cost callback */
    size_t nunpriced;
    double fixed, usage, total, total_max;
    const char *as_of; /* the newest date among the prices used */
};

/* Runs the cost callbacks of the enabled plugins and prices their parts.
 * 0, or -1 with the errors in dl (a price the table lacks, a region it has
 * no prices for). */
int cost_collect(struct stack *st, struct cost_report *r, struct diag_list *dl);
void cost_report_free(struct cost_report *r);
/* The month's estimate of the parts named `resource` (at quantity);
 * *found says whether any part has that name. */
double cost_of_resource(const struct cost_report *r, const char *resource, int *found);
/* The month's estimate of one resource like `resource` (the same type,
 * plan_type_length: another nat gateway): for a deleted one the plan
 * prices from the parts of those that stay. *found as above. */
double cost_of_kind(const struct cost_report *r, const char *resource, int *found);
/* "$1,234.56" */
void cost_money(struct strbuf *out, double usd);
/* usd rounded to the cent, as the JSON documents give it. */
double cost_cents(double usd);
/* The breakdown of `stackhost cost`, as text or as the JSON document. */
void cost_print(const struct cost_report *r, const struct stack *st, int json, struct strbuf *out);
/* The lines every estimate ends with: the prices' region and date, what
 * is not applied, what is not priced. */
void cost_notes(const struct cost_report *r, struct strbuf *out);

/* Prices part (host->cost_add) into r, as plugin's. 0, or -1 with why
 * (a price the table lacks, for the region or at all). */
int cost_report_add(struct cost_report *r, const char *plugin, const sh_cost *part, struct strbuf *why);

#endif
