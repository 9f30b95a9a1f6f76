/* scaling plugin internals: the desired scalable target of the ECS
 * service and its target tracking policies, what the lookups found, and
 * the steps. One `struct scal` lives for one callback; its per-pass
 * fields are reset before each pass (a pass starts again from the lookups
 * after a lost answer), its lines are kept so a change whose answer was
 * lost is still reported as made once the next pass finds it made.
 *
 * Deploy, in waves (shc_queue, each sent together):
 *   lookups: DescribeScalableTargets and DescribeScalingPolicies of the
 *      service's resource id (moto ignores PolicyNames: filtered here)
 *   -> RegisterScalableTarget when the target is missing or its min, max
 *      or suspended state differ; DeleteScalingPolicy of a policy no
 *      longer wanted; PutScalingPolicy of a policy missing or different
 *      when the target already exists
 *   -> PutScalingPolicy when the target was just registered.
 * An unchanged policy is never put again: moto makes a new pair of
 * target-tracking alarms on every put and keeps the old pair.
 *
 * Ownership: Application Auto Scaling keeps tags on scalable targets
 * only (moto ignores them), never on policies; what is this stack's is
 * decided by the resource id, the stack's own service
 * (service/cluster-S-E/svc-S-E), whose tags destroy checks before
 * touching anything (compute refuses a foreign service on deploy). The
 * target-tracking alarms belong to Application Auto Scaling: never read
 * for changing, never changed, never deleted here. */
#ifndef PLUGINS_SCALING_SCALING_H
#define PLUGINS_SCALING_SCALING_H

#include <stddef.h>

#include <stackhost/lifecycle.h>
#include <stackhost/stackhost.h>

#define SCAL_SERVICE "application-autoscaling"
#define SCAL_NAMESPACE "ecs"
#define SCAL_DIMENSION "ecs:service:DesiredCount"
/* The members naming the target in a request (shc_json; %s: resource_id). */
#define SCAL_TARGET "'ServiceNamespace': '" SCAL_NAMESPACE "', 'ResourceId': '%s', 'ScalableDimension': '" \
                    SCAL_DIMENSION "'"
#define SCAL_ID 512
#define SCAL_POLICIES 2 /* cpu, memory */

struct scal;

struct scal_policy {
    const char *purpose; /* "cpu": the policy is scaling-S-cpu-E */
    const char *name;
    const char *metric;  /* ECSServiceAverageCPUUtilization */
    long long target;    /* the percentage held; 0: the policy is not wanted */
    shc_line line;
    /* per pass */
    const sh_doc *found; /* the described policy, NULL when absent */
};

/* The configuration, filled by host->config_read through scal_bind. */
struct scal_config {
    long long min, max, cpu_target, memory_target, out_cooldown, in_cooldown;
};
extern const sh_config_bind scal_bind[];

struct scal {
    shc_frame f; /* first: the lifecycle's (lifecycle.h) */
    /* desired */
    const char *cluster, *service;
    char resource_id[SCAL_ID]; /* service/cluster-S-E/svc-S-E */
    struct scal_config cfg;
    struct scal_policy policies[SCAL_POLICIES];
    int inputs_missing; /* a plan before compute's first deploy */
    shc_line target_l;
    /* per pass */
    const sh_doc *targets_out, *policies_out, *services_out;
    const sh_doc *target; /* the described scalable target, NULL when absent */
};

/* ---- common.c ---- */
/* The configuration and names; deploy reads compute's outputs (a missing
 * one is an error naming it), destroy the names compute gives. -1 after
 * recording an error. */
int scal_load(shc_frame *f, int destroy);
/* Forgets what the last pass found (the lines stay). */
void scal_begin(shc_frame *f);
/* The answers Application Auto Scaling gives while something propagates. */
extern const shc_not_yet scal_not_yet[];
/* A request naming the namespace, the resource id and the dimension. */
sh_doc *scal_on_target(struct scal *s);
/* DescribeScalableTargets and DescribeScalingPolicies together (and
 * DescribeServices of the service when with_service); sets target and
 * each policy's found. -1 on a failure. */
int scal_lookup(struct scal *s, int with_service);
/* What a delete's answer says when it is gone already: AWS's
 * ObjectNotFoundException, moto's ValidationException "No scalable target
 * found" / "No scaling policy found"; any other ValidationException is
 * the failure it is. */
#define SCAL_GONE_CODES "ObjectNotFoundException|ValidationException(No scalable target found|No scaling policy found)"
/* Prints every line (not in outputs). */
void scal_report(struct scal *s);

/* ---- target.c ---- */
/* Queues RegisterScalableTarget when the target is missing or differs. */
void scal_target_wave(struct scal *s);

/* ---- policy.c ---- */
/* Queues PutScalingPolicy for each wanted policy that is missing or
 * differs, DeleteScalingPolicy for each found one no longer wanted. */
void scal_policy_wave(struct scal *s, int puts, int deletes);
/* A request naming the policy (DeleteScalingPolicy's). */
sh_doc *scal_policy_ref(struct scal *s, const struct scal_policy *p);

/* ---- destroy.c ---- */
int scal_destroy_pass(shc_frame *f, size_t *found);

/* ---- outputs.c ---- */
/* After a deploy or plan: the desired state; in outputs: what the lookups found. */
sh_status scal_publish(shc_frame *f);

/* ---- cost.c ---- */
/* The descriptor's cost callback: the tasks from min to max, and the
 * alarms target tracking makes. */
sh_status scal_cost(const sh_host *h, sh_ctx *ctx);

#endif
