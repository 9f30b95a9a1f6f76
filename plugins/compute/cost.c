/* compute: what it costs a month (ABI 1.6): the Fargate tasks (vCPU and
 * memory hours), unless a plugin owns their count (scaling prices them
 * from its min to its max); the log group's ingestion and storage (the
 * GB written is an assumption: log_gb_per_month); Container Insights'
 * metrics (insights_metrics). The cluster, roles and task definition
 * cost nothing. */
#include "compute.h"

sh_status cmp_cost(const sh_host *h, sh_ctx *ctx)
{
    struct cmp_config cfg;
    h->config_read(ctx, &cfg);
    const char *stack = h->stack_name(ctx), *owner = h->owner(ctx, "desired_count");
    const char *svc = shc_text(h, ctx, "ecs service %s", h->resource_name(ctx, "svc", stack));
    const char *logs = shc_text(h, ctx, "log group %s", h->resource_name(ctx, "logs", stack));
    const char *cluster = shc_text(h, ctx, "ecs cluster %s", h->resource_name(ctx, "cluster", stack));
    double tasks = (double)cfg.desired_count;
    sh_status rc = SH_OK;
    if (!owner || !*owner) {
        rc = h->cost_add(ctx, &(sh_cost){svc, "fargate_vcpu_hour", tasks * (double)cfg.cpu / 1024.0, 0, NULL});
        if (rc == SH_OK)
            rc = h->cost_add(ctx, &(sh_cost){svc, "fargate_gb_hour", tasks * (double)cfg.memory / 1024.0, 0, NULL});
    }
    /* what is kept: a month's GB for the days of retention */
    double stored = (double)cfg.log_gb * (double)cfg.log_retention_days / 30.0;
    if (rc == SH_OK)
        rc = h->cost_add(ctx, &(sh_cost){logs, "logs_ingest_gb", (double)cfg.log_gb, 0,
                                          shc_text(h, ctx, "%lld GB of logs a month (compute.log_gb_per_month)",
                                                   cfg.log_gb)});
    if (rc == SH_OK)
        rc = h->cost_add(ctx, &(sh_cost){logs, "logs_storage_gb_month", stored, 0,
                                          shc_text(h, ctx, "those GB kept %lld days (compute.log_retention_days)",
                                                   cfg.log_retention_days)});
    if (rc == SH_OK)
        rc = h->cost_add(ctx, &(sh_cost){cluster, "cloudwatch_metric_month", (double)cfg.insights_metrics, 0,
                                          shc_text(h, ctx, "%lld Container Insights metrics (compute.insights_metrics)",
                                                   cfg.insights_metrics)});
    return rc;
}
