/* observability: the CPU alarm on the ECS service and the healthy-task
 * alarm on the target group, both notifying the topic. PutMetricAlarm
 * replaces the whole alarm, so it is sent only when what DescribeAlarms
 * answers differs from what it would send; tags go with the first put
 * (AWS ignores them on later ones) and drift is put back with
 * TagResource. Only these two names are looked up: the TargetTracking-...
 * alarms of Application Auto Scaling are never touched or published. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obs.h"

void obs_alarms_init(struct obs *o)
{
    const sh_host *h = o->h;
    sh_ctx *ctx = o->ctx;
    struct obs_alarm *cpu = &o->alarm[0], *healthy = &o->alarm[1];
    cpu->purpose = "cpu-high";
    cpu->namespace_ = "AWS/ECS";
    cpu->metric = "CPUUtilization";
    cpu->statistic = "Average";
    cpu->comparison = "GreaterThanThreshold";
    cpu->missing_data = "missing";
    cpu->dim_name[0] = "ClusterName";
    cpu->dim_name[1] = "ServiceName";
    cpu->threshold = h->config_int(ctx, "cpu_alarm");
    cpu->period = h->config_int(ctx, "cpu_alarm_period");
    cpu->evaluations = h->config_int(ctx, "cpu_alarm_evaluation_periods");
    cpu->datapoints = h->config_int(ctx, "cpu_alarm_datapoints");
    cpu->description = shc_text(h, ctx, "%s %s: the service's average cpu is above the threshold (stackhost)",
                                o->stack, o->env);
    healthy->purpose = "healthy-tasks-low";
    healthy->namespace_ = "AWS/ApplicationELB";
    healthy->metric = "HealthyHostCount";
    healthy->statistic = "Minimum";
    healthy->comparison = "LessThanThreshold";
    healthy->missing_data = "breaching"; /* no data: no healthy target reported */
    healthy->dim_name[0] = "TargetGroup";
    healthy->dim_name[1] = "LoadBalancer";
    healthy->threshold = h->config_int(ctx, "min_healthy");
    healthy->period = h->config_int(ctx, "healthy_alarm_period");
    healthy->evaluations = h->config_int(ctx, "healthy_alarm_evaluation_periods");
    healthy->datapoints = h->config_int(ctx, "healthy_alarm_datapoints");
    healthy->description = shc_text(h, ctx, "%s %s: fewer healthy targets than the minimum (stackhost)", o->stack,
                                    o->env);
    for (size_t i = 0; i < OBS_ALARMS; i++) {
        struct obs_alarm *a = &o->alarm[i];
        a->name = h->resource_name(ctx, "alarm", shc_text(h, ctx, "%s-%s", o->stack, a->purpose));
        a->line.label = shc_text(h, ctx, "cloudwatch alarm %s", a->name);
    }
}

/* Read when the alarms are next, not before: compute publishes the
 * service's names once the service exists, and the key, topic and
 * subscriptions need not wait for that (dataflow). */
int obs_alarms_inputs(struct obs *o)
{
    static const char *const plugin[OBS_ALARMS][2] = {{"compute", "compute"}, {"lb", "lb"}};
    static const char *const key[OBS_ALARMS][2] = {{"cluster_name", "service_name"},
                                                   {"target_group_arn_suffix", "alb_arn_suffix"}};
    for (size_t i = 0; i < OBS_ALARMS; i++)
        for (size_t d = 0; d < 2; d++)
            o->alarm[i].dim_value[d] = o->h->input_string(o->ctx, plugin[i][d], key[i][d]);
    if (o->plan) /* before the first deploy they are absent: the plan says create */
        return 0;
    int rc = 0;
    for (size_t i = 0; i < OBS_ALARMS; i++)
        for (size_t d = 0; d < 2; d++)
            if (!o->alarm[i].dim_value[d] || !*o->alarm[i].dim_value[d]) {
                o->h->fail(o->ctx, SH_ERR_NOT_FOUND,
                           "%s needs %s's output %s (its %s dimension), which is missing: deploy %s first",
                           o->alarm[i].line.label, plugin[i][d], key[i][d], o->alarm[i].dim_name[d], plugin[i][d]);
                rc = -1;
            }
    o->failed = rc != 0;
    return rc;
}

void obs_alarms_lookup(struct obs *o)
{
    sh_doc *in = obs_req(o);
    char path[32];
    for (size_t i = 0; i < OBS_ALARMS; i++)
        o->h->doc_set_string(in, shc_path(path, sizeof(path), "AlarmNames[%zu]", i), o->alarm[i].name);
    o->h->doc_set_string(in, "AlarmTypes[0]", "MetricAlarm");
    shc_read_all(&o->q, "cloudwatch", "DescribeAlarms", in, "MetricAlarms.member", "cloudwatch alarms", &o->alarms_listed);
}

void obs_alarms_reads(struct obs *o)
{
    const sh_host *h = o->h;
    char path[64];
    size_t n = o->alarms_listed ? h->doc_count(o->alarms_listed, "MetricAlarms.member") : 0;
    for (size_t i = 0; i < n; i++) {
        const sh_doc *item = h->doc_get(o->alarms_listed, shc_path(path, sizeof(path), "MetricAlarms.member[%zu]", i));
        const char *name = h->doc_string(item, "AlarmName");
        for (size_t k = 0; name && k < OBS_ALARMS; k++)
            if (!strcmp(name, o->alarm[k].name))
                o->alarm[k].item = item;
    }
    for (size_t k = 0; k < OBS_ALARMS; k++) {
        struct obs_alarm *a = &o->alarm[k];
        const char *arn = a->item ? h->doc_string(a->item, "AlarmArn") : NULL;
        if (!arn)
            continue;
        sh_doc *in = obs_req(o);
        h->doc_set_string(in, "ResourceARN", arn);
        shc_read(&o->q, "cloudwatch", "ListTagsForResource", in, a->line.label, NULL, &a->tags);
    }
}

int obs_alarms_check(struct obs *o)
{
    int rc = 0;
    for (size_t k = 0; k < OBS_ALARMS; k++)
        if (o->alarm[k].item && obs_owned(o, o->alarm[k].tags, &shc_tags_query, "cloudwatch alarm", o->alarm[k].name))
            rc = -1;
    return rc;
}

/* The whole PutMetricAlarm request; tags only on the first put. */
static sh_doc *alarm_input(struct obs *o, const struct obs_alarm *a, int tags)
{
    const sh_host *h = o->h;
    sh_doc *in = obs_req(o);
    char path[48];
    h->doc_set_string(in, "AlarmName", a->name);
    h->doc_set_string(in, "AlarmDescription", a->description);
    h->doc_set_bool(in, "ActionsEnabled", 1);
    h->doc_set_string(in, "AlarmActions[0]", o->topic_arn);
    h->doc_set_string(in, "OKActions[0]", o->topic_arn);
    h->doc_set_string(in, "Namespace", a->namespace_);
    h->doc_set_string(in, "MetricName", a->metric);
    h->doc_set_string(in, "Statistic", a->statistic);
    for (size_t d = 0; d < 2; d++) {
        h->doc_set_string(in, shc_path(path, sizeof(path), "Dimensions[%zu].Name", d), a->dim_name[d]);
        h->doc_set_string(in, shc_path(path, sizeof(path), "Dimensions[%zu].Value", d),
                          a->dim_value[d] ? a->dim_value[d] : "");
    }
    h->doc_set_number(in, "Period", a->period);
    h->doc_set_number(in, "EvaluationPeriods", a->evaluations);
    h->doc_set_number(in, "DatapointsToAlarm", a->datapoints);
    h->doc_set_number(in, "Threshold", a->threshold);
    h->doc_set_string(in, "ComparisonOperator", a->comparison);
    h->doc_set_string(in, "TreatMissingData", a->missing_data);
    if (tags)
        shc_put_tags(h, o->ctx, in, &shc_tags_query_put, NULL);
    return in;
}

static void differs(char *detail, size_t len, const char *what)
{
    size_t used = strlen(detail);
    if (used < len)
        snprintf(detail + used, len - used, "%s%s", used ? ", " : "", what);
}

static int same_text(const char *have, const char *want)
{
    return have && want && !strcmp(have, want);
}

/* Whether the list at path (an XML list: .member) is exactly [only], or
 * empty when only is NULL. */
static int list_is(struct obs *o, const sh_doc *item, const char *path, const char *only)
{
    char member[64];
    snprintf(member, sizeof(member), "%s.member", path);
    size_t n = o->h->doc_count(item, member);
    if (!only)
        return n == 0;
    snprintf(member, sizeof(member), "%s.member[0]", path);
    return n == 1 && same_text(o->h->doc_string(item, member), only);
}

static int dimensions_same(struct obs *o, const struct obs_alarm *a)
{
    const sh_host *h = o->h;
    char path[64];
    size_t n = h->doc_count(a->item, "Dimensions.member");
    if (n != 2 || !a->dim_value[0] || !a->dim_value[1])
        return 0;
    for (size_t d = 0; d < 2; d++) {
        int found = 0;
        for (size_t i = 0; i < n && !found; i++) /* AWS keeps no order */
            found = same_text(h->doc_string(a->item, shc_path(path, sizeof(path), "Dimensions.member[%zu].Name", i)),
                              a->dim_name[d]) &&
                    same_text(h->doc_string(a->item, shc_path(path, sizeof(path), "Dimensions.member[%zu].Value", i)),
                              a->dim_value[d]);
        if (!found)
            return 0;
    }
    return 1;
}

/* A number of the answer against the one sent: "was -> is" when they differ. */
static void number_differs(struct obs *o, const struct obs_alarm *a, const char *field, const char *what,
                           long long want, char *detail, size_t len)
{
    const char *have = o->h->doc_string(a->item, field);
    if (have && strtod(have, NULL) == (double)want)
        return;
    char text[96];
    if (have)
        snprintf(text, sizeof(text), "%s %g -> %lld", what, strtod(have, NULL), want);
    else
        snprintf(text, sizeof(text), "%s %lld", what, want);
    differs(detail, len, text);
}

/* What differs between the alarm described and the one wanted, as the
 * plan says it ("threshold 80 -> 85"); "" when nothing does. */
static void alarm_diff(struct obs *o, const struct obs_alarm *a, char *detail, size_t len)
{
    const sh_host *h = o->h;
    const sh_doc *it = a->item;
    detail[0] = '\0';
    if (!same_text(h->doc_string(it, "Namespace"), a->namespace_) ||
        !same_text(h->doc_string(it, "MetricName"), a->metric) || h->doc_string(it, "Unit") ||
        h->doc_count(it, "Metrics.member"))
        differs(detail, len, shc_text(h, o->ctx, "metric %s %s", a->namespace_, a->metric));
    if (!same_text(h->doc_string(it, "Statistic"), a->statistic) || h->doc_string(it, "ExtendedStatistic"))
        differs(detail, len, shc_text(h, o->ctx, "statistic %s", a->statistic));
    if (!dimensions_same(o, a))
        differs(detail, len, "dimensions");
    number_differs(o, a, "Period", "period", a->period, detail, len);
    number_differs(o, a, "EvaluationPeriods", "evaluation periods", a->evaluations, detail, len);
    number_differs(o, a, "DatapointsToAlarm", "datapoints", a->datapoints, detail, len);
    if (!same_text(h->doc_string(it, "ComparisonOperator"), a->comparison))
        differs(detail, len, shc_text(h, o->ctx, "comparison %s", a->comparison));
    number_differs(o, a, "Threshold", "threshold", a->threshold, detail, len);
    const char *missing = h->doc_string(it, "TreatMissingData");
    if (!same_text(missing ? missing : "missing", a->missing_data))
        differs(detail, len, shc_text(h, o->ctx, "missing data %s", a->missing_data));
    if (!same_text(h->doc_string(it, "ActionsEnabled"), "true") || !list_is(o, it, "AlarmActions", o->topic_arn) ||
        !list_is(o, it, "OKActions", o->topic_arn) || !list_is(o, it, "InsufficientDataActions", NULL))
        differs(detail, len, "actions");
    if (!same_text(h->doc_string(it, "AlarmDescription"), a->description))
        differs(detail, len, "description");
}

void obs_alarms_wave(struct obs *o)
{
    const sh_host *h = o->h;
    char detail[SHC_DETAIL];
    for (size_t k = 0; k < OBS_ALARMS; k++) {
        struct obs_alarm *a = &o->alarm[k];
        if (!a->item) {
            shc_change(&o->q, &a->line, SH_CHANGE_CREATE, NULL, "cloudwatch", "PutMetricAlarm", alarm_input(o, a, 1),
                       NULL, NULL, NULL);
            continue;
        }
        alarm_diff(o, a, detail, sizeof(detail));
        if (detail[0])
            shc_change(&o->q, &a->line, SH_CHANGE_UPDATE, detail, "cloudwatch", "PutMetricAlarm",
                       alarm_input(o, a, 0), NULL, NULL, NULL);
        sh_doc *tags = obs_req(o);
        h->doc_set_string(tags, "ResourceARN", h->doc_string(a->item, "AlarmArn"));
        if (shc_tags_drift(h, o->ctx, a->tags, &shc_tags_query, NULL, tags, &shc_tags_query_put, detail,
                           sizeof(detail)))
            shc_change(&o->q, &a->line, SH_CHANGE_UPDATE, detail, "cloudwatch", "TagResource", tags, NULL, NULL, NULL);
    }
}
