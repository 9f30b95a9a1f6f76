/* secrets: what it costs a month (ABI 1.6): standard SecureString
 * parameters, which SSM stores for nothing (listed, at $0, so that the
 * estimate says so rather than leave them out). */
#include "sec.h"

sh_status sec_cost(const sh_host *h, sh_ctx *ctx)
{
    struct sec_config cfg;
    h->config_read(ctx, &cfg);
    sh_status rc = SH_OK;
    for (size_t i = 0; i < h->value_count(cfg.parameters) && rc == SH_OK; i++) {
        const char *name = h->value_string(h->value_member(h->value_at(cfg.parameters, i), "name"));
        rc = h->cost_add(ctx, &(sh_cost){shc_text(h, ctx, "parameter /%s/%s/%s", h->stack_name(ctx),
                                                  h->environment(ctx), name),
                                         "ssm_parameter_month", 1, 0, NULL});
    }
    return rc;
}
