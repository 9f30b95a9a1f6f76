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
    const sh_host *h = o->f.h;
    sh_ctx *ctx = o->f.ctx;
    struct obs_alarm *cpu = &o->alarm[0], *healthy = &o->alarm[1];
    cpu->purpose = "cpu-high";
    cpu->namespace_ = "AWS/ECS";
    cpu->metric = "CPUUtilization";
    cpu->statistic = "Average";
    cpu->comparison = "GreaterThanThreshold";
    cpu->missing_data = "missing";
    cpu->dim_name[0] = "ClusterName";
    cpu->dim_name[1] = "ServiceName";
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
    healthy->description = shc_text(h, ctx, "%s %s: fewer healthy targets than the minimum (stackhost)", o->stack,
                                    o->env);
    for (size_t i = 0; i < OBS_ALARMS; i++) {
        struct obs_alarm *a = &o->alarm[i];
        a->cfg = o->cfg.alarm[i];
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
    /* before the first deploy they are absent: a plan says create */
    for (size_t i = 0; i < OBS_ALARMS; i++)
        for (size_t d = 0; d < 2; d++)
            o->alarm[i].dim_value[d] = shc_input(&o->f, plugin[i][d], key[i][d], o->alarm[i].line.label);
    return o->f.failed ? -1 : 0;
}

void obs_alarms_lookup(struct obs *o)
{
    sh_doc *in = shc_json(&o->f, "{'AlarmTypes': ['MetricAlarm']}");
    for (size_t i = 0; i < OBS_ALARMS; i++)
        shc_set(&o->f, in, o->alarm[i].name, "AlarmNames[%zu]", i);
    shc_read_all(&o->f.q, "cloudwatch", "DescribeAlarms", in, "MetricAlarms.member", "cloudwatch alarms", &o->alarms_listed);
}

void obs_alarms_reads(struct obs *o)
{
    const sh_host *h = o->f.h;
    size_t n = o->alarms_listed ? h->doc_count(o->alarms_listed, "MetricAlarms.member") : 0;
    for (size_t i = 0; i < n; i++) {
        const sh_doc *item = shc_node(h, o->alarms_listed, "MetricAlarms.member[%zu]", i);
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
        sh_doc *in = shc_json(&o->f, "{'ResourceARN': '%s'}", arn);
        shc_read(&o->f.q, "cloudwatch", "ListTagsForResource", in, a->line.label, NULL, &a->tags);
    }
}

int obs_alarms_check(struct obs *o)
{
    int rc = 0;
    for (size_t k = 0; k < OBS_ALARMS; k++)
        if (o->alarm[k].item && shc_ensure_owned(&o->f, o->alarm[k].tags, &shc_tags_query, "cloudwatch alarm", o->alarm[k].name))
            rc = -1;
    return rc;
}

/* The whole PutMetricAlarm request; tags only on the first put. */
static sh_doc *alarm_input(struct obs *o, const struct obs_alarm *a, int tags)
{
    sh_doc *in = shc_json(&o->f, "{'AlarmName': '%s', 'AlarmDescription': '%s', 'ActionsEnabled': true, "
                                 "'AlarmActions': ['%s'], 'OKActions': ['%s'], 'Namespace': '%s', 'MetricName': '%s', "
                                 "'Statistic': '%s', 'Dimensions': [{'Name': '%s', 'Value': '%s'}, "
                                 "{'Name': '%s', 'Value': '%s'}], 'Period': %lld, 'EvaluationPeriods': %lld, "
                                 "'DatapointsToAlarm': %lld, 'Threshold': %lld, 'ComparisonOperator': '%s', "
                                 "'TreatMissingData': '%s'}",
                          a->name, a->description, o->topic_arn, o->topic_arn, a->namespace_, a->metric, a->statistic,
                          a->dim_name[0], a->dim_value[0] ? a->dim_value[0] : "", a->dim_name[1],
                          a->dim_value[1] ? a->dim_value[1] : "", a->cfg.period,
                          a->cfg.evaluations, a->cfg.datapoints, a->cfg.threshold, a->comparison, a->missing_data);
    if (tags)
        shc_put_tags(o->f.h, o->f.ctx, in, &shc_tags_query_put, NULL);
    return in;
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
    size_t n = o->f.h->doc_count(item, member);
    if (!only)
        return n == 0;
    snprintf(member, sizeof(member), "%s.member[0]", path);
    return n == 1 && same_text(o->f.h->doc_string(item, member), only);
}

static int dimensions_same(struct obs *o, const struct obs_alarm *a)
{
    const sh_host *h = o->f.h;
    size_t n = h->doc_count(a->item, "Dimensions.member");
    if (n != 2 || !a->dim_value[0] || !a->dim_value[1])
        return 0;
    for (size_t d = 0; d < 2; d++) {
        int found = 0;
        for (size_t i = 0; i < n && !found; i++) /* AWS keeps no order */
            found = same_text(shc_str(h, a->item, "Dimensions.member[%zu].Name", i),
                              a->dim_name[d]) &&
                    same_text(shc_str(h, a->item, "Dimensions.member[%zu].Value", i),
                              a->dim_value[d]);
        if (!found)
            return 0;
    }
    return 1;
}

/* The value of the alarm's dimension `name` as described, or NULL. */
static const char *dimension_have(struct obs *o, const struct obs_alarm *a, const char *name)
{
    for (size_t i = 0; i < o->f.h->doc_count(a->item, "Dimensions.member"); i++)
        if (same_text(shc_str(o->f.h, a->item, "Dimensions.member[%zu].Name", i),
                      name))
            return shc_str(o->f.h, a->item, "Dimensions.member[%zu].Value", i);
    return NULL;
}

/* Notes each dimension that differs ("dimension TargetGroup
 * targetgroup/tg-a/1 -> targetgroup/tg-b/2"), one not wanted going to
 * (none); in a plan before compute or lb made what it names, its value is
 * not known yet. A dimension listed twice is no value: "dimensions". */
static void dimensions_diff(struct obs *o, struct obs_alarm *a)
{
    const sh_host *h = o->f.h;
    int noted = 0;
    for (size_t d = 0; d < 2; d++) {
        const char *have = dimension_have(o, a, a->dim_name[d]);
        if (same_text(have, a->dim_value[d]))
            continue;
        shc_line_diff(h, o->f.ctx, &a->line, SH_CHANGE_UPDATE, shc_text(h, o->f.ctx, "dimension %s", a->dim_name[d]),
                      have, a->dim_value[d] ? a->dim_value[d] : "(not known yet)");
        noted = 1;
    }
    for (size_t i = 0; i < h->doc_count(a->item, "Dimensions.member"); i++) {
        const char *name = shc_str(h, a->item, "Dimensions.member[%zu].Name", i);
        if (same_text(name, a->dim_name[0]) || same_text(name, a->dim_name[1]))
            continue;
        shc_line_diff(h, o->f.ctx, &a->line, SH_CHANGE_UPDATE, shc_text(h, o->f.ctx, "dimension %s", name ? name : "?"),
                      dimension_have(o, a, name ? name : ""), NULL);
        noted = 1;
    }
    if (!noted)
        shc_line_note(&a->line, SH_CHANGE_UPDATE, "dimensions");
}

/* An action's name: the last part of its arn (a topic's name). */
static const char *arn_name(const char *arn)
{
    const char *colon = arn ? strrchr(arn, ':') : NULL;
    return colon ? colon + 1 : arn ? arn : "?";
}

/* "alarm sns-catalog-alarms-dev ok sns-catalog-alarms-dev": where the
 * alarm notifies, "disabled" first when its actions are off; NULL when
 * nowhere. */
static const char *actions_text(struct obs *o, const sh_doc *item)
{
    static const char *const lists[][2] = {
        {"AlarmActions", "alarm"}, {"OKActions", "ok"}, {"InsufficientDataActions", "insufficient data"}};
    const sh_host *h = o->f.h;
    char text[512] = "";
    const char *enabled = h->doc_string(item, "ActionsEnabled");
    size_t used = (size_t)snprintf(text, sizeof(text), "%s", same_text(enabled, "false") ? "disabled" : "");
    for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
        for (size_t i = 0; i < shc_count(h, item, "%s.member", lists[l][0]); i++) {
            const char *arn = shc_str(h, item, "%s.member[%zu]", lists[l][0], i);
            if (used < sizeof(text))
                used += (size_t)snprintf(text + used, sizeof(text) - used, "%s%s %s", used ? " " : "", lists[l][1],
                                         arn_name(arn));
        }
    return used ? shc_text(h, o->f.ctx, "%s", text) : NULL;
}

/* The actions PutMetricAlarm sends: the topic on alarm and on ok. */
static const char *actions_want(struct obs *o)
{
    return shc_text(o->f.h, o->f.ctx, "alarm %s ok %s", arn_name(o->topic_arn), arn_name(o->topic_arn));
}

/* "AWS/ECS CPUUtilization" of the alarm described ("... in Percent"
 * with a unit, which the one sent has not); "metric math" for one. */
static const char *metric_have(struct obs *o, const sh_doc *it)
{
    const sh_host *h = o->f.h;
    const char *ns = h->doc_string(it, "Namespace"), *name = h->doc_string(it, "MetricName");
    const char *unit = h->doc_string(it, "Unit");
    if (h->doc_count(it, "Metrics.member"))
        return "metric math";
    return shc_text(h, o->f.ctx, "%s %s%s%s", ns ? ns : "?", name ? name : "?", unit ? " in " : "", unit ? unit : "");
}

/* Notes on the alarm's line what differs between the alarm described
 * and the one wanted ("threshold 80 -> 85"); non-zero when something
 * does. */
static int alarm_diff(struct obs *o, struct obs_alarm *a)
{
    const sh_host *h = o->f.h;
    const sh_doc *it = a->item;
    sh_ctx *ctx = o->f.ctx;
    shc_line *l = &a->line;
    const char *extended = h->doc_string(it, "ExtendedStatistic"), *missing = h->doc_string(it, "TreatMissingData");
    int differs =
        shc_text_differs(h, ctx, l, "metric", metric_have(o, it), shc_text(h, ctx, "%s %s", a->namespace_, a->metric));
    differs |= shc_text_differs(h, ctx, l, "statistic", extended ? extended : h->doc_string(it, "Statistic"),
                                a->statistic);
    if (!dimensions_same(o, a)) {
        dimensions_diff(o, a);
        differs = 1;
    }
    differs |= shc_number_differs(h, ctx, l, "period", h->doc_string(it, "Period"), (double)a->cfg.period, NULL);
    differs |= shc_number_differs(h, ctx, l, "evaluation periods", h->doc_string(it, "EvaluationPeriods"),
                                  (double)a->cfg.evaluations, NULL);
    differs |= shc_number_differs(h, ctx, l, "datapoints", h->doc_string(it, "DatapointsToAlarm"),
                                  (double)a->cfg.datapoints, NULL);
    differs |= shc_text_differs(h, ctx, l, "comparison", h->doc_string(it, "ComparisonOperator"), a->comparison);
    differs |= shc_number_differs(h, ctx, l, "threshold", h->doc_string(it, "Threshold"), (double)a->cfg.threshold,
                                  NULL);
    differs |= shc_text_differs(h, ctx, l, "missing data", missing ? missing : "missing", a->missing_data);
    if (!same_text(h->doc_string(it, "ActionsEnabled"), "true") || !list_is(o, it, "AlarmActions", o->topic_arn) ||
        !list_is(o, it, "OKActions", o->topic_arn) || !list_is(o, it, "InsufficientDataActions", NULL)) {
        shc_line_diff(h, o->f.ctx, &a->line, SH_CHANGE_UPDATE, "actions", actions_text(o, it), actions_want(o));
        differs = 1;
    }
    differs |= shc_text_differs(h, ctx, l, "description", h->doc_string(it, "AlarmDescription"), a->description);
    return differs;
}

void obs_alarms_wave(struct obs *o)
{
    const sh_host *h = o->f.h;
    char detail[SHC_DETAIL];
    for (size_t k = 0; k < OBS_ALARMS; k++) {
        struct obs_alarm *a = &o->alarm[k];
        if (!a->item) {
            shc_change(&o->f.q, &a->line, SH_CHANGE_CREATE, NULL, "cloudwatch", "PutMetricAlarm", alarm_input(o, a, 1),
                       NULL, NULL, NULL);
            continue;
        }
        if (alarm_diff(o, a))
            shc_change(&o->f.q, &a->line, SH_CHANGE_UPDATE, NULL, "cloudwatch", "PutMetricAlarm", alarm_input(o, a, 0),
                       NULL, NULL, NULL);
        sh_doc *tags = shc_json(&o->f, "{'ResourceARN': '%s'}", h->doc_string(a->item, "AlarmArn"));
        if (shc_tags_drift(h, o->f.ctx, a->tags, &shc_tags_query, NULL, tags, &shc_tags_query_put, detail,
                           sizeof(detail)))
            shc_change(&o->f.q, &a->line, SH_CHANGE_UPDATE, detail, "cloudwatch", "TagResource", tags, NULL, NULL, NULL);
    }
}
