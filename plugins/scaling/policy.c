/* scaling: the target tracking policies on the service's average CPU
 * (always) and memory (when memory_target is set). A policy is put only
 * when it is missing or a field of its configuration differs: every
 * PutScalingPolicy makes Application Auto Scaling touch the policy's
 * alarms (moto even piles a new pair on each put), so an unchanged policy
 * is never put again. A policy no longer wanted is deleted, which removes
 * its alarms with it; the alarms themselves are never touched here. */
#include <stdio.h>
#include <string.h>

#include "scaling.h"

#define CONFIG "TargetTrackingScalingPolicyConfiguration"

/* It scales in as well as out. */
static sh_doc *put_request(struct scal *s, const struct scal_policy *p)
{
    return shc_json(&s->f, "{" SCAL_TARGET ", 'PolicyName': '%s', 'PolicyType': 'TargetTrackingScaling', '" CONFIG
                           "': {'TargetValue': %lld, 'PredefinedMetricSpecification': {'PredefinedMetricType': '%s'}, "
                           "'ScaleOutCooldown': %lld, 'ScaleInCooldown': %lld, 'DisableScaleIn': false}}",
                    s->resource_id, p->name, p->target, p->metric, s->cfg.out_cooldown, s->cfg.in_cooldown);
}

/* A number of the found configuration against the one wanted (AWS
 * answers TargetValue as a double, 70.0). */
static int number(struct scal *s, struct scal_policy *p, const char *field, const char *what, long long want,
                  const char *unit)
{
    return shc_number_differs(s->f.h, s->f.ctx, &p->line, what, shc_str(s->f.h, p->found, CONFIG ".%s", field),
                              (double)want, unit);
}

/* Notes every field of the found policy that differs from the desired
 * one; non-zero when one does. (The line may hold notes of an earlier
 * pass whose answer was lost: they say what was done, not what differs.) */
static int compare(struct scal *s, struct scal_policy *p)
{
    const sh_host *h = s->f.h;
    int differs = shc_text_differs(h, s->f.ctx, &p->line, "policy type", h->doc_string(p->found, "PolicyType"),
                                   "TargetTrackingScaling");
    differs |= shc_text_differs(h, s->f.ctx, &p->line, "metric",
                                h->doc_string(p->found, CONFIG ".PredefinedMetricSpecification.PredefinedMetricType"),
                                p->metric);
    differs |= number(s, p, "TargetValue", "target", p->target, "%");
    differs |= number(s, p, "ScaleOutCooldown", "scale-out cooldown", s->cfg.out_cooldown, " s");
    differs |= number(s, p, "ScaleInCooldown", "scale-in cooldown", s->cfg.in_cooldown, " s");
    const char *disable = h->doc_string(p->found, CONFIG ".DisableScaleIn");
    if (disable && strcmp(disable, "false")) {
        shc_line_diff(h, s->f.ctx, &p->line, SH_CHANGE_UPDATE, "scale-in", "disabled", "enabled");
        differs = 1;
    }
    return differs;
}

sh_doc *scal_policy_ref(struct scal *s, const struct scal_policy *p)
{
    return shc_json(&s->f, "{" SCAL_TARGET ", 'PolicyName': '%s'}", s->resource_id, p->name);
}

void scal_policy_wave(struct scal *s, int puts, int deletes)
{
    for (size_t i = 0; i < SCAL_POLICIES; i++) {
        struct scal_policy *p = &s->policies[i];
        if (!p->target) {
            if (!deletes || !p->found)
                continue;
            shc_change(&s->f.q, &p->line, SH_CHANGE_DELETE, shc_text(s->f.h, s->f.ctx, "%s_target unset", p->purpose),
                       SCAL_SERVICE, "DeleteScalingPolicy", scal_policy_ref(s, p), SCAL_GONE_CODES, NULL, NULL);
            continue;
        }
        if (!puts)
            continue;
        if (!p->found) {
            shc_change(&s->f.q, &p->line, SH_CHANGE_CREATE,
                       shc_text(s->f.h, s->f.ctx, "%s at %lld%%, scale-out cooldown %lld s, scale-in cooldown %lld s",
                                p->metric, p->target, s->cfg.out_cooldown, s->cfg.in_cooldown),
                       SCAL_SERVICE, "PutScalingPolicy", put_request(s, p), NULL, NULL, NULL);
        } else if (compare(s, p)) {
            shc_queue_add(&s->f.q, SCAL_SERVICE, "PutScalingPolicy", put_request(s, p), NULL, p->line.label,
                          NULL, NULL);
        }
    }
}
