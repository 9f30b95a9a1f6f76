/* observability: what it costs a month (ABI 1.6): the KMS key (with
 * encrypt), the two alarms, and the alarm e-mails (an assumption:
 * notifications_per_month). The topic itself costs nothing. */
#include "obs.h"

sh_status obs_cost(const sh_host *h, sh_ctx *ctx)
{
    static const char *const purposes[OBS_ALARMS] = {"cpu-high", "healthy-tasks-low"};
    struct obs_config cfg;
    h->config_read(ctx, &cfg);
    const char *stack = h->stack_name(ctx), *alarms = shc_text(h, ctx, "%s-alarms", stack);
    sh_status rc = SH_OK;
    if (cfg.encrypt)
        rc = h->cost_add(ctx, &(sh_cost){shc_text(h, ctx, "kms key alias/%s", h->resource_name(ctx, "kms", alarms)),
                                          "kms_key_month", 1, 0, NULL});
    for (size_t i = 0; i < OBS_ALARMS && rc == SH_OK; i++) {
        const char *name = h->resource_name(ctx, "alarm", shc_text(h, ctx, "%s-%s", stack, purposes[i]));
        rc = h->cost_add(ctx, &(sh_cost){shc_text(h, ctx, "cloudwatch alarm %s", name), "cloudwatch_alarm_month", 1, 0,
                                          NULL});
    }
    if (rc == SH_OK && cfg.notify.n)
        rc = h->cost_add(ctx, &(sh_cost){shc_text(h, ctx, "sns topic %s", h->resource_name(ctx, "sns", alarms)),
                                          "sns_email", (double)(cfg.notifications * (long long)cfg.notify.n), 0,
                                          shc_text(h, ctx, "%lld notifications a month to %zu address%s "
                                                   "(observability.notifications_per_month)",
                                                   cfg.notifications, cfg.notify.n, cfg.notify.n == 1 ? "" : "es")});
    return rc;
}
