/* network: what it costs a month (ABI 1.6): a NAT gateway and its public
 * IPv4 address per zone (one with nat_per_az false), and the GB through
 * them, an assumption (nat_gb_per_month), on the first gateway: the one
 * there either way, so that a plan adding or removing the others changes
 * the total by their own hours. The VPC, subnets, routes, gateway and
 * groups cost nothing. */
#include <stdio.h>

#include "net.h"

sh_status net_cost(const sh_host *h, sh_ctx *ctx)
{
    struct net_config cfg;
    h->config_read(ctx, &cfg);
    long long nats = cfg.nat_per_az ? cfg.az_count : 1;
    const char *usage = shc_text(h, ctx, "%lld GB a month through the NAT gateway%s (network.nat_gb_per_month)",
                                 cfg.nat_gb, nats > 1 ? "s" : "");
    sh_status rc = SH_OK;
    for (long long i = 0; i < nats && rc == SH_OK; i++) {
        char zone = "abcdef"[i];
        const char *nat = h->resource_name(ctx, "nat", shc_text(h, ctx, "%s-%c", h->stack_name(ctx), zone));
        const char *eip = h->resource_name(ctx, "eip", shc_text(h, ctx, "%s-nat-%c", h->stack_name(ctx), zone));
        const char *nat_label = shc_text(h, ctx, "nat gateway %s", nat);
        if ((rc = h->cost_add(ctx, &(sh_cost){nat_label, "nat_gateway_hour", 1, 0, NULL})) == SH_OK && !i)
            rc = h->cost_add(ctx, &(sh_cost){nat_label, "nat_gateway_gb", (double)cfg.nat_gb, 0, usage});
        if (rc == SH_OK)
            rc = h->cost_add(ctx, &(sh_cost){shc_text(h, ctx, "elastic ip %s", eip), "public_ipv4_hour", 1, 0, NULL});
    }
    return rc;
}
