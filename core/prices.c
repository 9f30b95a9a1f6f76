#include "prices.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

extern const char stackhost_prices_json[];

static json_t *table;
static char *origin;

int prices_load(struct strbuf *err)
{
    if (table)
        return 0;
    const char *file = getenv("STACKHOST_PRICES");
    json_error_t je;
    table = file && *file ? json_load_file(file, 0, &je) : json_loads(stackhost_prices_json, 0, &je);
    const char *from = file && *file ? file : "the built-in price table";
    if (!table) {
        strbuf_addf(err, "%s: line %d: %s", from, je.line, je.text);
        return -1;
    }
    if (json_integer_value(json_object_get(table, "format_version")) != 1 ||
        !json_is_object(json_object_get(table, "prices")) ||
        json_number_value(json_object_get(table, "hours_per_month")) <= 0) {
        strbuf_addf(err, "%s: not a price table of format_version 1 (prices, hours_per_month; see pricing/prices.json)",
                    from);
        json_decref(table);
        table = NULL;
        return -1;
    }
    origin = strdup(file && *file ? file : "built in");
    return 0;
}

int price_get(const char *key, const char *region, struct price *out)
{
    json_t *p = table ? json_object_get(json_object_get(table, "prices"), key) : NULL;
    if (!p)
        return -1;
    memset(out, 0, sizeof(*out));
    out->key = key;
    out->unit = json_string_value(json_object_get(p, "unit"));
    out->description = json_string_value(json_object_get(p, "description"));
    out->source = json_string_value(json_object_get(p, "source"));
    json_t *r = json_object_get(json_object_get(p, "regions"), region);
    json_t *usd = json_object_get(r, "usd");
    if (!json_is_number(usd))
        return -2;
    out->usd = json_number_value(usd);
    out->as_of = json_string_value(json_object_get(r, "as_of"));
    return 0;
}

double prices_hours_per_month(void)
{
    return table ? json_number_value(json_object_get(table, "hours_per_month")) : 730;
}

const char *prices_currency(void)
{
    const char *c = table ? json_string_value(json_object_get(table, "currency")) : NULL;
    return c ? c : "USD";
}

const char *prices_origin(void)
{
    return origin ? origin : "built in";
}

void prices_free(void)
{
    json_decref(table);
    table = NULL;
    free(origin);
    origin = NULL;
}
