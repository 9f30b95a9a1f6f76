/* lb: the internet-facing application load balancer, its target group
 * and listeners of catalog-stack.md: the descriptor, the keys and their
 * checks, and the callbacks that run the waves of lb.h (alb.c,
 * target_group.c, listeners.c) and destroy (destroy.c). */
#include <stdio.h>
#include <string.h>

#include <stackhost/stackhost.h>

#include "lb.h"

static const char *const lb_requires[] = {"network", NULL};

static const sh_config_key lb_keys[] = {
    {.name = "certificate_arn", .type = SH_CONFIG_STRING, .format = SH_FORMAT_ARN,
     .help = "ACM certificate: adds HTTPS on 443 and redirects HTTP 80 to it"},
    {.name = "deletion_protection", .type = SH_CONFIG_BOOL, .default_value = "false",
     .help = "refuse deleting the ALB: destroy refuses while it is on (in aws or here)"},
    {.name = "health_path", .type = SH_CONFIG_STRING, .default_value = "\"/health\"", .format = SH_FORMAT_PATH,
     .help = "target group health check path; healthy = HTTP 200"},
    {.name = "target_port", .type = SH_CONFIG_INT, .min = 1, .max = 65535,
     .help = "not a setting any more: the tasks' port is network.task_port (refused when set)"},
    {.name = "lcu_per_hour", .type = SH_CONFIG_INT, .default_value = "1", .min = 0, .max = 100000,
     .help = "cost estimate only: the load balancer's average capacity units an hour; changes nothing deployed"},
    SH_CONFIG_END};

static const sh_config_bind lb_bind[] = {
    SH_BIND(struct lb_config, cert, "certificate_arn"), SH_BIND(struct lb_config, health_path, "health_path"),
    SH_BIND(struct lb_config, protection, "deletion_protection"), SH_BIND(struct lb_config, lcu, "lcu_per_hour"),
    SH_BIND_END};

/* ELBv2 names are at most 32 characters: refuse before any request
 * rather than truncate into a name that no longer says what it is. */
static sh_status lb_validate(const sh_host *host, sh_ctx *ctx)
{
    sh_status rc = SH_OK;
    struct lb_config cfg;
    host->config_read(ctx, &cfg);
    const char *names[] = {host->resource_name(ctx, "alb", host->stack_name(ctx)),
                           host->resource_name(ctx, "tg", host->stack_name(ctx))};
    for (size_t i = 0; i < 2; i++)
        if (strlen(names[i]) > 32)
            rc = host->config_error(ctx, NULL,
                                    "the name %s is %zu characters, over elastic load balancing's 32: "
                                    "shorten stack.name or the environment's suffix",
                                    names[i], strlen(names[i]));
    if (shc_refuse_port_key(host, ctx, "target_port") != SH_OK)
        rc = SH_ERR_CONFIG;
    /* HTTPS on 443 (and 80 redirecting to it) behind a group that drops
     * 443 would redirect every request to a closed port */
    const sh_value *ports = SH_HOST_HAS(host, required_config) ? host->required_config(ctx, "network", "alb_ports")
                                                              : NULL;
    if (cfg.cert && *cfg.cert && ports) {
        int open443 = 0;
        char open[128] = "";
        for (size_t i = 0; i < host->value_count(ports); i++) {
            long long port = host->value_int(host->value_at(ports, i));
            open443 |= port == 443;
            size_t used = strlen(open);
            snprintf(open + used, sizeof(open) - used, "%s%lld", used ? ", " : "", port);
        }
        if (!open443)
            rc = host->config_error(ctx, host->config(ctx, "certificate_arn"),
                                    "certificate_arn adds the https listener on 443 (and 80 redirects to it), but "
                                    "network.alb_ports opens only %s: add 443 to network.alb_ports",
                                    open);
    }
    return rc;
}

/* "no change" for what exists and did not change; the plan's lines. */
static void report(struct lb *l)
{
    shc_line_report(l->f.h, l->f.ctx, &l->alb_l);
    shc_line_report(l->f.h, l->f.ctx, &l->tg_l);
    for (size_t i = 0; i < l->nwant; i++)
        shc_line_report(l->f.h, l->f.ctx, &l->want[i].line);
    for (size_t i = 0; i < l->nunwanted; i++)
        shc_line_report(l->f.h, l->f.ctx, &l->unwanted[i].line);
}

/* What cannot change in place goes first (only with --allow-replace):
 * deleted, then the next pass makes it again from the lookups. */
static int replace(struct lb *l)
{
    if (l->alb_replace[0] &&
        lb_alb_delete(l, &l->alb, 1, shc_text(l->f.h, l->f.ctx, "to replace it: %s", l->alb_replace), 0))
        return -1;
    if (l->tg_replace[0] && lb_tg_delete_for_replace(l))
        return -1;
    l->f.again = 1;
    return -1;
}

/* The waves of lb.h. Nothing is changed before both names' ownership,
 * the quota and the replacements are known. */
static int converge(struct lb *l)
{
    /* its own lookups first: network's outputs may still be on their way */
    if (lb_lookup(l, LB_READ_ALL) || l->f.again || lb_inputs(l) || lb_find(l) || lb_alb_quota(l))
        return -1;
    if (lb_alb_replace_check(l) | lb_tg_replace_check(l))
        return -1;
    if (!l->f.plan && (l->alb_replace[0] || l->tg_replace[0]))
        return replace(l);
    lb_listeners_plan(l);
    lb_alb_wave(l);
    lb_tg_wave(l);
    lb_alb_extras_wave(l, 0);
    lb_listener_tag_reads(l);
    if (shc_wave(&l->f) || l->f.again)
        return -1;
    lb_alb_new_wave(l);
    lb_tg_new_wave(l);
    lb_alb_extras_wave(l, 1);
    lb_listeners_wave(l, 1);
    if (shc_wave(&l->f) || l->f.again)
        return -1;
    lb_listeners_wave(l, 0);
    if (shc_wave(&l->f) || l->f.again)
        return -1;
    /* The target group takes targets, and its listener exists, while the
     * load balancer still provisions: compute need not wait for that. */
    if (!l->f.plan && lb_publish(&l->f) != SH_OK)
        return -1;
    if (lb_alb_wait(l))
        return -1;
    report(l);
    return 0;
}

static int converge_pass(shc_frame *f)
{
    struct lb *l = (struct lb *)f;
    int rc = converge(l);
    if (rc && (l->alb_replace[0] || l->tg_replace[0]))
        f->again_why = "a replaced resource is made again";
    return rc;
}

/* Outputs by lookups only: the load balancer and target group found by
 * name, checked to be the stack's. */
static int outputs(shc_frame *f)
{
    struct lb *l = (struct lb *)f;
    if (lb_lookup(l, LB_READ_TAGS))
        return -1;
    if (f->again) {
        f->h->fail(f->ctx, SH_ERR_AWS, "%s changed while it was read: run outputs again", l->alb_l.label);
        return -1;
    }
    return lb_find(l);
}

static const shc_lifecycle lb_lifecycle = {
    .size = sizeof(struct lb), .not_yet = lb_not_yet, .load = lb_load, .begin = lb_begin,
    .converge = converge_pass, .publish = lb_publish, .outputs = outputs, .destroy = lb_destroy_pass,
    .destroy_what = "the load balancer and target group"};

SHC_LIFECYCLE(lb, lb_lifecycle)

static const sh_resource_decl lb_resources[] = {
    {"alb", "load balancer alb-{S}-{E} (internet-facing)", SH_AFTER("network.public_subnets", "network.sg_alb")},
    {"target_group", "target group tg-{S}-{E} (ip, /health)", SH_AFTER("network.vpc")},
    {"listeners", "listeners: http 80 (https 443 and a redirect with certificate_arn)", SH_AFTER("alb", "target_group")},
    {NULL, NULL, NULL}};

/* What it publishes: a dependent reading another key is told at once. */
static const char *const lb_publishes[] = {
    "alb_arn", "alb_arn_suffix", "alb_dns_name", "alb_url", "target_group_arn", "target_group_arn_suffix",
    NULL};

SH_PLUGIN_EXPORT = {
    SH_PLUGIN_ABI,
    .name = "lb",
    .version = "0.1.0",
    .description = "internet-facing application load balancer, target group, listeners",
    .requires = lb_requires,
    .keys = lb_keys,
    .validate = lb_validate,
    SHC_CALLBACKS(lb),
    .resources = lb_resources,
    .publishes = lb_publishes,
    .config_bind = lb_bind,
    .cost = lb_cost,
    /* nothing of it waits for the service's or the alarms' destroy */
    .destroy_alongside = 1,
};
