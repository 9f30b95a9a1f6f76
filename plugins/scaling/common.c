/* scaling: the desired state, the lookups, and the helpers every step
 * uses: requests on the target, waves, deletes told apart from failures,
 * the lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scaling.h"

static const char *const metrics[SCAL_POLICIES] = {"ECSServiceAverageCPUUtilization",
                                                   "ECSServiceAverageMemoryUtilization"};
static const char *const purposes[SCAL_POLICIES] = {"cpu", "memory"};

const sh_config_bind scal_bind[] = {
    SH_BIND(struct scal_config, min, "min"),
    SH_BIND(struct scal_config, max, "max"),
    SH_BIND(struct scal_config, cpu_target, "cpu_target"),
    SH_BIND(struct scal_config, memory_target, "memory_target"),
    SH_BIND(struct scal_config, out_cooldown, "scale_out_cooldown"),
    SH_BIND(struct scal_config, in_cooldown, "scale_in_cooldown"),
    SH_BIND_END};

/* The answers Application Auto Scaling gives while something propagates
 * (aws-api.md section 13). */
#define SCAL_SLR_HINT                                                                                             \
    "aws makes the service-linked role AWSServiceRoleForApplicationAutoScaling_ECSService on an account's first "  \
    "scalable target: the deployer needs iam:CreateServiceLinkedRole, or make the role once: aws iam "           \
    "create-service-linked-role --aws-service-name ecs.application-autoscaling.amazonaws.com"
const shc_not_yet scal_not_yet[] = {
    /* An account's first scalable target: AWS makes the service-linked role
     * AWSServiceRoleForApplicationAutoScaling_ECSService, and until its
     * permissions propagate every call touching CloudWatch answers
     * FailedResourceAccessException ("... is not authorized to perform:
     * cloudwatch:..."), on deploy as on destroy; the code has no other
     * cause (Terraform retries it by code alone). */
    {NULL, "FailedResourceAccessException", NULL, 120, SCAL_SLR_HINT},
    {"RegisterScalableTarget", "ValidationException", "unable to assume iam role", 120, SCAL_SLR_HINT},
    /* a change to the target still pending: the target's and its policies' calls go together */
    {NULL, "ConcurrentUpdateException", NULL, 60, NULL},
    /* a service made a moment ago, unknown to Application Auto Scaling */
    {"RegisterScalableTarget", "ValidationException", "ECS service doesn't exist|service does not exist", 60, NULL},
    /* a target registered a moment ago, unknown to PutScalingPolicy */
    {"PutScalingPolicy", "ObjectNotFoundException", NULL, 60, NULL},
    SHC_NOT_YET_END};

int scal_load(shc_frame *f, int destroy)
{
    struct scal *s = (struct scal *)f;
    const sh_host *h = f->h;
    sh_ctx *ctx = f->ctx;
    int from_inputs = !destroy;
    const char *stack = h->stack_name(ctx);
    h->config_read(ctx, &s->cfg);
    const long long targets[SCAL_POLICIES] = {s->cfg.cpu_target, s->cfg.memory_target};
    for (size_t i = 0; i < SCAL_POLICIES; i++) {
        struct scal_policy *p = &s->policies[i];
        p->purpose = purposes[i];
        p->metric = metrics[i];
        p->target = targets[i];
        p->name = h->resource_name(ctx, "scaling", shc_text(h, ctx, "%s-%s", stack, p->purpose));
        p->line.label = shc_text(h, ctx, "scaling policy %s", p->name);
    }
    /* compute's names: its outputs, published by its names callback before
     * the run (never made again here) */
    s->cluster = h->input_string(ctx, "compute", "cluster_name");
    s->service = h->input_string(ctx, "compute", "service_name");
    const char *missing = !s->cluster ? "cluster_name" : !s->service ? "service_name" : NULL;
    if (missing && (s->f.mode == SH_MODE_DEPLOY || !from_inputs)) {
        /* compute publishes its names before any run: a host without that is not supported */
        return shc_fail(f, SH_ERR_CONFIG, "the scalable target needs compute's output %s, which compute did not "
                        "publish: deploy compute first, or with it", missing);
    }
    /* A plan before compute's first deploy: nothing of scaling can exist yet. */
    s->inputs_missing = missing != NULL;
    if (missing) {
        s->cluster = "";
        s->service = "";
    }
    snprintf(s->resource_id, sizeof(s->resource_id), "service/%s/%s", s->cluster, s->service);
    s->target_l.label = shc_text(h, ctx, "scalable target %s", s->resource_id);
    return 0;
}

void scal_begin(shc_frame *f)
{
    struct scal *s = (struct scal *)f;
    s->targets_out = s->policies_out = s->services_out = s->target = NULL;
    for (size_t i = 0; i < SCAL_POLICIES; i++)
        s->policies[i].found = NULL;
}


sh_doc *scal_on_target(struct scal *s)
{
    return shc_json(&s->f, "{" SCAL_TARGET "}", s->resource_id);
}

/* Non-zero when the item at path is about this stack's service and dimension. */
static int ours(struct scal *s, const sh_doc *item)
{
    const char *ns = s->f.h->doc_string(item, "ServiceNamespace"), *id = s->f.h->doc_string(item, "ResourceId"),
               *dim = s->f.h->doc_string(item, "ScalableDimension");
    return ns && id && dim && !strcmp(ns, SCAL_NAMESPACE) && !strcmp(id, s->resource_id) &&
           !strcmp(dim, SCAL_DIMENSION);
}

int scal_lookup(struct scal *s, int with_service)
{
    const sh_host *h = s->f.h;
    sh_doc *targets = shc_json(&s->f, "{'ServiceNamespace': '" SCAL_NAMESPACE "', 'ResourceIds': ['%s'], "
                                      "'ScalableDimension': '" SCAL_DIMENSION "'}", s->resource_id);
    sh_doc *policies = scal_on_target(s);
    for (size_t i = 0; i < SCAL_POLICIES; i++)
        shc_set(&s->f, policies, s->policies[i].name, "PolicyNames[%zu]", i);
    shc_read_all(&s->f.q, SCAL_SERVICE, "DescribeScalableTargets", targets, "ScalableTargets", s->target_l.label,
                 &s->targets_out);
    shc_read_all(&s->f.q, SCAL_SERVICE, "DescribeScalingPolicies", policies, "ScalingPolicies",
                 shc_text(h, s->f.ctx, "scaling policies of %s", s->resource_id), &s->policies_out);
    if (with_service) {
        sh_doc *svc = shc_json(&s->f, "{'cluster': '%s', 'services': ['%s'], 'include': ['TAGS']}",
                               s->cluster, s->service);
        shc_read(&s->f.q, "ecs", "DescribeServices", svc, shc_text(h, s->f.ctx, "ecs service %s", s->service),
                 "ClusterNotFoundException", &s->services_out);
    }
    if (shc_wave(&s->f))
        return -1;
    /* Filtered here: moto ignores PolicyNames and matches ResourceId as a substring. */
    size_t n = h->doc_count(s->targets_out, "ScalableTargets");
    for (size_t i = 0; i < n && !s->target; i++) {
        const sh_doc *t = shc_node(h, s->targets_out, "ScalableTargets[%zu]", i);
        if (ours(s, t))
            s->target = t;
    }
    n = h->doc_count(s->policies_out, "ScalingPolicies");
    for (size_t i = 0; i < n; i++) {
        const sh_doc *p = shc_node(h, s->policies_out, "ScalingPolicies[%zu]", i);
        const char *name = h->doc_string(p, "PolicyName");
        for (size_t k = 0; name && k < SCAL_POLICIES && ours(s, p); k++)
            if (!strcmp(name, s->policies[k].name))
                s->policies[k].found = p;
    }
    return 0;
}

void scal_report(struct scal *s)
{
    if (s->f.mode == SH_MODE_OUTPUTS)
        return;
    shc_line_report(s->f.h, s->f.ctx, &s->target_l);
    for (size_t i = 0; i < SCAL_POLICIES; i++) {
        const struct scal_policy *p = &s->policies[i];
        /* a policy not wanted and not there is no resource: no line */
        if (p->target || p->line.change != SH_CHANGE_NONE)
            shc_line_report(s->f.h, s->f.ctx, &p->line);
    }
}
