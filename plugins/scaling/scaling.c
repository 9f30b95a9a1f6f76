/* scaling: Application Auto Scaling of the ECS service, as in
 * catalog-stack.md: the scalable target (min..max tasks) and target
 * tracking on the service's average CPU, and on its memory when
 * memory_target is set. The descriptor, the keys and their checks, and
 * the callbacks that run the steps (common.c, target.c, policy.c,
 * destroy.c, outputs.c; see scaling.h). */
#include <stdio.h>

#include <stackhost/stackhost.h>

#include "scaling.h"

static const char *const scaling_requires[] = {"compute", NULL};

static const sh_config_key scaling_keys[] = {
    {.name = "min", .type = SH_CONFIG_INT, .default_value = "2", .min = 1, .max = 1000,
     .help = "fewest tasks (at least 1: a service scaled to 0 serves nothing)"},
    {.name = "max", .type = SH_CONFIG_INT, .default_value = "10", .min = 1, .max = 1000,
     .help = "most tasks"},
    {.name = "cpu_target", .type = SH_CONFIG_INT, .default_value = "70", .min = 10, .max = 90,
     .help = "average service CPU percentage that target tracking holds"},
    {.name = "memory_target", .type = SH_CONFIG_INT, .default_value = "0", .min = 0, .max = 90,
     .help = "average service memory percentage that a second policy holds (10 to 90); 0: no memory policy"},
    {.name = "scale_out_cooldown", .type = SH_CONFIG_INT, .default_value = "60", .min = 0, .max = 3600,
     .help = "seconds after a scale-out before another"},
    {.name = "scale_in_cooldown", .type = SH_CONFIG_INT, .default_value = "300", .min = 0, .max = 3600,
     .help = "seconds after a scale-in before another"},
    SH_CONFIG_END};

static sh_status scaling_validate(const sh_host *host, sh_ctx *ctx)
{
    sh_status rc = SH_OK;
    struct scal_config cfg;
    host->config_read(ctx, &cfg);
    if (cfg.min > cfg.max)
        rc = host->config_error(ctx, host->config(ctx, "min"), "min %lld is above max %lld", cfg.min, cfg.max);
    if (cfg.memory_target && cfg.memory_target < 10)
        rc = host->config_error(ctx, host->config(ctx, "memory_target"),
                                "memory_target %lld: a target from 10 to 90 percent, or 0 for no memory policy",
                                cfg.memory_target);
    return rc;
}

/* The lookups, then the waves of scaling.h; in a plan the same, sending
 * nothing that changes anything. */
static int converge(shc_frame *f)
{
    struct scal *s = (struct scal *)f;
    if (!s->inputs_missing && scal_lookup(s, 0))
        return -1;
    /* compute's names came before the run: the target waits for the
     * service itself (compute publishes its arn once it exists) */
    if (f->mode == SH_MODE_DEPLOY && !shc_input(f, "compute", "service_arn", s->target_l.label))
        return -1;
    int had_target = s->target != NULL;
    /* what was made a moment ago can be unknown for a while: scal_not_yet */
    scal_target_wave(s);
    scal_policy_wave(s, had_target, 1);
    if (shc_wave(f))
        return -1;
    if (!had_target) {
        scal_policy_wave(s, 1, 0);
        if (shc_wave(f))
            return -1;
    }
    scal_report(s);
    return 0;
}

static const shc_lifecycle scaling_lifecycle = {
    .size = sizeof(struct scal), .not_yet = scal_not_yet, .load = scal_load, .begin = scal_begin,
    .converge = converge, .publish = scal_publish, .destroy = scal_destroy_pass,
    .destroy_what = "the scalable target and its policies"};

/* outputs: the same lookups as a plan */
SHC_LIFECYCLE(scaling, scaling_lifecycle)

static const sh_resource_decl scaling_resources[] = {
    {"target", "scalable target service/cluster-{S}-{E}/svc-{S}-{E}", SH_AFTER("compute.service")},
    {"cpu_policy", "scaling policy scaling-{S}-cpu-{E}", SH_AFTER("target")},
    {"memory_policy", "scaling policy scaling-{S}-memory-{E} (with memory_target)",
     SH_AFTER("target")},
    {NULL, NULL, NULL}};

/* What it publishes: a dependent reading another key is told at once. */
static const char *const scaling_publishes[] = {
    "scalable_target_resource_id", "min_capacity", "max_capacity", "policy_names", NULL};

SH_PLUGIN_EXPORT = {
    SH_PLUGIN_ABI,
    .name = "scaling",
    .version = "0.1.0",
    .description = "target tracking auto scaling of the service on CPU (and memory)",
    .requires = scaling_requires,
    .keys = scaling_keys,
    .validate = scaling_validate,
    SHC_CALLBACKS(scaling),
    .resources = scaling_resources,
    .publishes = scaling_publishes,
    .cost = scal_cost,
    .config_bind = scal_bind,
    .owns = (const char *const[]){"compute.desired_count", NULL},
};
