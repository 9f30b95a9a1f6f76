/* observability: the KMS-encrypted SNS alarm topic, e-mail
 * subscriptions and the CPU and healthy-task alarms of catalog-stack.md:
 * the descriptor, the keys and their checks, and the callbacks that run
 * the steps (key.c, topic.c, alarms.c, destroy.c; see obs.h). */
#include <stdio.h>
#include <string.h>

#include <stackhost/stackhost.h>

#include "obs.h"

static const char *const observability_requires[] = {"compute", "lb", NULL};

static const sh_config_key observability_keys[] = {
    {.name = "notify", .type = SH_CONFIG_STRING_LIST, .default_value = "[]", .format = SH_FORMAT_EMAIL,
     .help = "e-mail addresses subscribed to the alarm topic (each confirms by mail; a removed address is "
             "unsubscribed once it has confirmed)"},
    {.name = "encrypt", .type = SH_CONFIG_BOOL, .default_value = "true",
     .help = "encrypt the topic with a customer-managed KMS key that CloudWatch may use"},
    {.name = "cpu_alarm", .type = SH_CONFIG_INT, .default_value = "80", .min = 1, .max = 100,
     .help = "alarm when the service's average CPU percentage is above this (3 of 3 minutes by default)"},
    {.name = "cpu_alarm_period", .type = SH_CONFIG_INT, .default_value = "60", .min = 60, .max = 86400,
     .help = "seconds over which the CPU alarm averages, a multiple of 60 (ECS reports once a minute)"},
    {.name = "cpu_alarm_evaluation_periods", .type = SH_CONFIG_INT, .default_value = "3", .min = 1, .max = 1440,
     .help = "periods the CPU alarm looks back over"},
    {.name = "cpu_alarm_datapoints", .type = SH_CONFIG_INT, .default_value = "3", .min = 1, .max = 1440,
     .help = "periods above the threshold, of those looked back over, that raise the CPU alarm"},
    {.name = "min_healthy", .type = SH_CONFIG_INT, .default_value = "2", .min = 1, .max = 1000,
     .help = "alarm when fewer healthy targets than this (2 of 2 minutes by default); no data counts as too few"},
    {.name = "healthy_alarm_period", .type = SH_CONFIG_INT, .default_value = "60", .min = 60, .max = 86400,
     .help = "seconds over which the healthy-task alarm takes the minimum, a multiple of 60"},
    {.name = "healthy_alarm_evaluation_periods", .type = SH_CONFIG_INT, .default_value = "2", .min = 1,
     .max = 1440, .help = "periods the healthy-task alarm looks back over"},
    {.name = "healthy_alarm_datapoints", .type = SH_CONFIG_INT, .default_value = "2", .min = 1, .max = 1440,
     .help = "periods below min_healthy, of those looked back over, that raise the healthy-task alarm"},
    {.name = "notifications_per_month", .type = SH_CONFIG_INT, .default_value = "30", .min = 0, .max = 100000000,
     .help = "cost estimate only: alarm notifications a month, each an e-mail to every address of notify"},
    SH_CONFIG_END};

static const sh_config_bind observability_bind[] = {
    SH_BIND(struct obs_config, notify, "notify"),
    SH_BIND(struct obs_config, encrypt, "encrypt"),
    SH_BIND(struct obs_config, alarm[0].threshold, "cpu_alarm"),
    SH_BIND(struct obs_config, alarm[0].period, "cpu_alarm_period"),
    SH_BIND(struct obs_config, alarm[0].evaluations, "cpu_alarm_evaluation_periods"),
    SH_BIND(struct obs_config, alarm[0].datapoints, "cpu_alarm_datapoints"),
    SH_BIND(struct obs_config, alarm[1].threshold, "min_healthy"),
    SH_BIND(struct obs_config, alarm[1].period, "healthy_alarm_period"),
    SH_BIND(struct obs_config, alarm[1].evaluations, "healthy_alarm_evaluation_periods"),
    SH_BIND(struct obs_config, alarm[1].datapoints, "healthy_alarm_datapoints"),
    SH_BIND(struct obs_config, notifications, "notifications_per_month"),
    SH_BIND_END};

/* AWS's limits on an alarm's window (PutMetricAlarm): the period a
 * multiple of 60 for these standard-resolution metrics, the datapoints
 * no more than the periods looked at, and periods x evaluation periods at
 * most one day, or seven days for periods of an hour or more. */
static sh_status alarm_window_valid(const sh_host *host, sh_ctx *ctx, const char *prefix,
                                    const struct obs_alarm_config *a)
{
    char period_key[64], evaluations_key[64], datapoints_key[64];
    snprintf(period_key, sizeof(period_key), "%s_period", prefix);
    snprintf(evaluations_key, sizeof(evaluations_key), "%s_evaluation_periods", prefix);
    snprintf(datapoints_key, sizeof(datapoints_key), "%s_datapoints", prefix);
    long long period = a->period, evaluations = a->evaluations, datapoints = a->datapoints;
    long long longest = period >= 3600 ? 604800 : 86400;
    sh_status rc = SH_OK;
    if (period % 60)
        rc = host->config_error(ctx, host->config(ctx, period_key),
                                "%lld is not a multiple of 60: the service's metrics come once a minute", period);
    if (datapoints > evaluations)
        rc = host->config_error(ctx, host->config(ctx, datapoints_key),
                                "%lld datapoints out of %lld evaluation periods: at most %s", datapoints, evaluations,
                                evaluations_key);
    if (period * evaluations > longest)
        rc = host->config_error(ctx, host->config(ctx, evaluations_key),
                                "%lld periods of %lld s look back %lld s: aws allows at most %lld s (%s)",
                                evaluations, period, period * evaluations, longest,
                                longest == 86400 ? "one day for periods under an hour" : "seven days");
    return rc;
}

static sh_status observability_validate(const sh_host *host, sh_ctx *ctx)
{
    sh_status rc = SH_OK;
    struct obs_config cfg;
    host->config_read(ctx, &cfg);
    for (size_t i = 0; i < cfg.notify.n; i++)
        for (size_t k = 0; k < i; k++)
            if (!strcmp(cfg.notify.items[i], cfg.notify.items[k]))
                rc = host->config_error(ctx, host->value_at(host->config(ctx, "notify"), i), "%s is listed twice",
                                        cfg.notify.items[i]);
    if (alarm_window_valid(host, ctx, "cpu_alarm", &cfg.alarm[0]) != SH_OK)
        rc = SH_ERR_CONFIG;
    if (alarm_window_valid(host, ctx, "healthy_alarm", &cfg.alarm[1]) != SH_OK)
        rc = SH_ERR_CONFIG;
    return rc;
}

static int converge(shc_frame *f)
{
    struct obs *o = (struct obs *)f;
    obs_key_lookup(o);
    obs_topic_lookup(o);
    obs_alarms_lookup(o);
    if (shc_wave(&o->f))
        return -1;
    /* Keys tagged as ours are searched for on every run (one call): a key
     * whose CreateKey answer was lost, in this run or an earlier one, and
     * that AWS listed only later is found and its deletion scheduled. */
    if (obs_key_reads(o, o->cfg.encrypt)) /* policy and rotation matter only for a key kept */
        return -1;
    obs_topic_reads(o, 1);
    obs_alarms_reads(o);
    if (shc_wave(&o->f))
        return -1;
    /* ownership of everything before anything changes */
    if ((obs_key_choose(o) < 0) | (obs_topic_check(o) < 0) | (obs_alarms_check(o) < 0)) {
        o->f.failed = 1;
        return -1;
    }
    if (o->f.again) /* a lost CreateKey not listed yet: look again before making another */
        return -1;
    if (obs_key_state_step(o))
        return -1;
    /* a new key or topic can be unknown for a moment: obs_not_yet */
    obs_key_enable_wave(o);
    if (shc_wave(&o->f))
        return -1;
    obs_key_settings_wave(o);
    obs_topic_wave(o);
    if (shc_wave(&o->f) || o->f.again)
        return -1;
    obs_subs_wave(o);
    if (shc_wave(&o->f) || obs_alarms_inputs(o))
        return -1;
    obs_alarms_wave(o);
    /* keys retired once the topic no longer uses them; the alias last, so
     * that a key not yet pending deletion is always found by it */
    obs_key_retire_wave(o);
    if (shc_wave(&o->f))
        return -1;
    obs_key_alias_wave(o);
    if (shc_wave(&o->f))
        return -1;
    obs_report(o);
    return 0;
}

/* A pass that looked for a key whose CreateKey answer was lost and did
 * not find it may be early (AWS lists a new key after a moment): a few
 * more passes look again before another key is made. */
static const shc_lifecycle observability_lifecycle = {
    .size = sizeof(struct obs), .not_yet = obs_not_yet, .load = obs_load, .begin = obs_begin,
    .converge = converge, .passes = 12, .publish = obs_publish, .destroy = obs_destroy_pass,
    .destroy_what = "the alarm topic, its key and the alarms", .free = obs_free};

/* outputs: the same lookups as a plan */
SHC_LIFECYCLE(observability, observability_lifecycle)

static const sh_resource_decl observability_resources[] = {
    {"key", "kms key alias/kms-{S}-alarms-{E} (rotation on, cloudwatch may use it)", NULL},
    {"topic", "sns topic sns-{S}-alarms-{E} (encrypted)", SH_AFTER("key")},
    {"subscriptions", "e-mail subscriptions (notify)", SH_AFTER("topic")},
    {"cpu_alarm", "alarm alarm-{S}-cpu-high-{E}", SH_AFTER("topic", "compute.service")},
    {"healthy_alarm", "alarm alarm-{S}-healthy-tasks-low-{E}", SH_AFTER("topic", "lb.target_group", "lb.alb")},
    {NULL, NULL, NULL}};

/* What it publishes: a dependent reading another key is told at once. */
static const char *const observability_publishes[] = {
    "alarm_topic_arn", "alarm_names", "alarm_key_arn", NULL};

SH_PLUGIN_EXPORT = {
    SH_PLUGIN_ABI,
    .name = "observability",
    .version = "0.1.0",
    .description = "alarm topic with KMS and e-mail, CPU and healthy-task alarms",
    .requires = observability_requires,
    .keys = observability_keys,
    .config_bind = observability_bind,
    .validate = observability_validate,
    SHC_CALLBACKS(observability),
    .resources = observability_resources,
    .publishes = observability_publishes,
    .cost = obs_cost,
};
