/* scaling: what it costs a month (ABI 1.6). It owns the service's task
 * count, so it prices the tasks (compute's cpu and memory) at its min
 * count and at its max; and the two alarms (high, low) Application Auto
 * Scaling makes for each target tracking policy, billed as any alarm. */
#include "scaling.h"

sh_status scal_cost(const sh_host *h, sh_ctx *ctx)
{
    struct scal_config cfg;
    h->config_read(ctx, &cfg);
    const sh_value *cpu = h->required_config(ctx, "compute", "cpu"), *mem = h->required_config(ctx, "compute", "memory");
    double vcpu = cpu ? (double)h->value_int(cpu) / 1024.0 : 0.25, gb = mem ? (double)h->value_int(mem) / 1024.0 : 0.5;
    const char *stack = h->stack_name(ctx);
    const char *svc = shc_text(h, ctx, "ecs service %s", h->resource_name(ctx, "svc", stack));
    sh_status rc = h->cost_add(ctx, &(sh_cost){svc, "fargate_vcpu_hour", (double)cfg.min * vcpu,
                                                (double)cfg.max * vcpu, NULL});
    if (rc == SH_OK)
        rc = h->cost_add(ctx, &(sh_cost){svc, "fargate_gb_hour", (double)cfg.min * gb, (double)cfg.max * gb, NULL});
    const char *purposes[] = {"cpu", cfg.memory_target ? "memory" : NULL};
    for (size_t i = 0; i < 2 && purposes[i] && rc == SH_OK; i++) {
        const char *policy = h->resource_name(ctx, "scaling", shc_text(h, ctx, "%s-%s", stack, purposes[i]));
        rc = h->cost_add(ctx, &(sh_cost){shc_text(h, ctx, "scaling policy %s", policy), "cloudwatch_alarm_month", 2,
                                          0, NULL});
    }
    return rc;
}
