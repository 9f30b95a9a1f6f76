/* lb: what it costs a month (ABI 1.6): the load balancer's hours, its
 * capacity units (lcu_per_hour, an assumption) and the public IPv4
 * address an internet-facing load balancer holds in each zone. The
 * target group and listeners cost nothing. */
#include "lb.h"

sh_status lb_cost(const sh_host *h, sh_ctx *ctx)
{
    struct lb_config cfg;
    h->config_read(ctx, &cfg);
    const sh_value *azs = h->required_config(ctx, "network", "az_count");
    long long zones = azs ? h->value_int(azs) : 3;
    const char *alb = shc_text(h, ctx, "load balancer %s", h->resource_name(ctx, "alb", h->stack_name(ctx)));
    sh_status rc = h->cost_add(ctx, &(sh_cost){alb, "alb_hour", 1, 0, NULL});
    if (rc == SH_OK)
        rc = h->cost_add(ctx, &(sh_cost){alb, "public_ipv4_hour", (double)zones, 0, NULL});
    if (rc == SH_OK)
        rc = h->cost_add(ctx, &(sh_cost){alb, "alb_lcu_hour", (double)cfg.lcu, 0,
                                          shc_text(h, ctx, "%lld capacity unit%s an hour on average (lb.lcu_per_hour)",
                                                   cfg.lcu, cfg.lcu == 1 ? "" : "s")});
    return rc;
}
