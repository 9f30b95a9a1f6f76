/* The price table: AWS's on-demand prices by region, per hour, month, GB
 * or notification (pricing/prices.json, built into the host;
 * STACKHOST_PRICES names another file of the same form). Loaded once, on
 * the main thread, before any plugin's cost callback runs. */
#ifndef CORE_PRICES_H
#define CORE_PRICES_H

#include "strbuf.h"

struct price {
    const char *key;         /* "nat_gateway_hour" */
    const char *unit;        /* hour, month, GB, notification */
    const char *description; /* "NAT gateway, per gateway-hour" */
    const char *source;      /* the AWS page it comes from */
    double usd;              /* in the region asked for */
    const char *as_of;       /* the figure's date */
};

/* Loads the table (once). 0, or -1 with why in err (the file's name). */
int prices_load(struct strbuf *err);
/* The key's price in region: 0; -1 when the table has no such key; -2 when
 * it has none for the region. The strings live until prices_free. */
int price_get(const char *key, const char *region, struct price *out);
/* Hours an hourly price is multiplied by for a month (730). */
double prices_hours_per_month(void);
const char *prices_currency(void);
/* Where the table came from: "built in" or the file. */
const char *prices_origin(void);
void prices_free(void);

#endif
