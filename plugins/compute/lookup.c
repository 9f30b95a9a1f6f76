/* compute: the lookups (one request per resource, sent together), the
 * reads that depend on them, and the checks made before anything
 * mutating: ownership, the image, the quotas. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute.h"

static const char *status_of(struct cmp *c, const sh_doc *item)
{
    const char *s = item ? c->f.h->doc_string(item, "status") : NULL;
    return s ? s : "";
}

/* Calls queued before (destroy's lists) go out in the same wave. */
int cmp_lookup(struct cmp *c)
{
    const sh_host *h = c->f.h;
    sh_doc *cl = shc_json(&c->f, "{'clusters': ['%s'], 'include': ['TAGS', 'SETTINGS']}", c->cluster_name);
    cmp_read(c, "ecs", "DescribeClusters", cl, NULL, c->cluster_l.label, NULL, &c->clusters_out);
    /* moto ignores logGroupNamePattern: the prefix, then the exact name */
    sh_doc *lg = shc_json(&c->f, "{'logGroupNamePrefix': '%s'}", c->log_name);
    cmp_read(c, "logs", "DescribeLogGroups", lg, "logGroups", c->log_l.label, NULL, &c->logs_out);
    struct cmp_role *roles[] = {&c->exec, &c->task};
    for (size_t i = 0; i < 2; i++) {
        sh_doc *in = shc_json(&c->f, "{'RoleName': '%s'}", roles[i]->name);
        cmp_read(c, "iam", "GetRole", in, NULL, roles[i]->line->label, "NoSuchEntity", &roles[i]->role);
    }
    /* the latest ACTIVE revision of the family (moto: the highest, whatever its status) */
    if (!c->destroying) { /* destroy lists every revision instead */
        sh_doc *td = shc_json(&c->f, "{'taskDefinition': '%s', 'include': ['TAGS']}", c->family);
        cmp_read(c, "ecs", "DescribeTaskDefinition", td, NULL, c->td_l.label, "ClientException", &c->td_out);
    }
    sh_doc *svc = shc_json(&c->f, "{'cluster': '%s', 'services': ['%s'], 'include': ['TAGS']}", c->cluster_name,
                           c->service_name);
    cmp_read(c, "ecs", "DescribeServices", svc, NULL, c->svc_l.label, "ClusterNotFoundException", &c->services_out);
    if (!c->count_owner) { /* no plugin of the stack owns the count: one made outside it may */
        sh_doc *st = shc_json(&c->f, "{'ServiceNamespace': 'ecs', 'ResourceIds': ['%s'], "
                                     "'ScalableDimension': 'ecs:service:DesiredCount'}",
                              c->resource_id);
        cmp_read(c, "application-autoscaling", "DescribeScalableTargets", st, "ScalableTargets", c->svc_l.label,
                 NULL, &c->targets_out);
    }
    if (shc_wave(&c->f))
        return -1;

    /* INACTIVE clusters and services stay describable: absent */
    c->cluster = h->doc_count(c->clusters_out, "clusters") ? h->doc_get(c->clusters_out, "clusters[0]") : NULL;
    if (c->cluster && !strcmp(status_of(c, c->cluster), "INACTIVE"))
        c->cluster = NULL;
    const char *arn = c->cluster ? h->doc_string(c->cluster, "clusterArn") : NULL;
    if (arn)
        snprintf(c->cluster_arn, sizeof(c->cluster_arn), "%s", arn);
    for (size_t i = 0; i < h->doc_count(c->logs_out, "logGroups"); i++) {
        const sh_doc *g = shc_node(h, c->logs_out, "logGroups[%zu]", i);
        const char *name = h->doc_string(g, "logGroupName");
        if (name && !strcmp(name, c->log_name))
            c->log_group = g;
    }
    arn = c->log_group ? h->doc_string(c->log_group, "logGroupArn") : NULL;
    if (arn)
        snprintf(c->log_arn, sizeof(c->log_arn), "%s", arn);
    for (size_t i = 0; i < 2; i++)
        if (roles[i]->role)
            roles[i]->role = h->doc_get(roles[i]->role, "Role");
    c->td = c->td_out ? h->doc_get(c->td_out, "taskDefinition") : NULL;
    if (c->td && strcmp(status_of(c, c->td), "ACTIVE"))
        c->td = NULL;
    c->service = c->cluster && h->doc_count(c->services_out, "services") ? h->doc_get(c->services_out, "services[0]")
                                                                          : NULL;
    const char *status = status_of(c, c->service);
    c->draining = !strcmp(status, "DRAINING");
    if (c->service && strcmp(status, "ACTIVE") && !c->draining)
        c->service = NULL;
    arn = c->service && !c->draining ? h->doc_string(c->service, "serviceArn") : NULL;
    if (arn)
        snprintf(c->service_arn, sizeof(c->service_arn), "%s", arn);
    if (!c->count_owner)
        c->scaled = h->doc_count(c->targets_out, "ScalableTargets") > 0;
    return 0;
}

int cmp_reads(struct cmp *c)
{
    /* Deploy and plan look for the image (cmp_inputs: the registry's
     * repository, published once it exists). */
    int image = (c->f.mode == SH_MODE_DEPLOY || c->f.mode == SH_MODE_PLAN) && !c->destroying && !c->inputs_missing;
    const sh_doc *image_out = NULL;
    /* what a create needs of the account's quotas, known to be needed
     * from the lookups (a new revision's need is known later: cmp_quotas) */
    if ((c->f.mode == SH_MODE_DEPLOY || c->f.mode == SH_MODE_PLAN) && !c->destroying) {
        if ((c->quota_cluster_read = !c->cluster)) {
            cmp_read(c, "ecs", "ListClusters", shc_doc(&c->f), "clusterArns", "the account's quotas", NULL,
                     &c->quota_clusters);
            shc_quota_read(&c->f.q, "ecs", "L-21C621EB", "the account's quotas", &c->quota_cluster);
        }
        if ((c->quota_vcpu_read = !c->service))
            shc_quota_read(&c->f.q, "fargate", "L-3032A538", "the account's quotas", &c->quota_vcpu);
    }
    if (image) {
        sh_doc *in = shc_json(&c->f, "{'repositoryName': '%s', 'imageIds': [{'imageTag': '%s'}]}",
                              c->repo_name, c->cfg.image_tag);
        cmp_read(c, "ecr", "DescribeImages", in, NULL, shc_text(c->f.h, c->f.ctx, "image %s", c->image),
                 "ImageNotFoundException|RepositoryNotFoundException", &image_out);
    }
    if (c->log_group) {
        sh_doc *in = shc_json(&c->f, "{'resourceArn': '%s'}", c->log_arn);
        cmp_read(c, "logs", "ListTagsForResource", in, NULL, c->log_l.label, "ResourceNotFoundException",
                 &c->log_tags);
    }
    cmp_role_reads(c, &c->exec);
    cmp_role_reads(c, &c->task);
    if (shc_wave(&c->f))
        return -1;
    c->image_missing = image && !image_out;
    return 0;
}

/* Every resource in the way is named, not only the first. */
int cmp_owned_all(struct cmp *c)
{
    shc_frame *f = &c->f;
    return -((c->cluster && shc_ensure_owned(f, c->cluster, &shc_tags_ecs, "cluster", c->cluster_name)) |
             (c->log_group && shc_ensure_owned(f, c->log_tags, &shc_tags_map, "log group", c->log_name)) |
             (c->exec.role && shc_ensure_owned(f, c->exec.role, &shc_tags_query, "role", c->exec.name)) |
             (c->task.role && shc_ensure_owned(f, c->task.role, &shc_tags_query, "role", c->task.name)) |
             (c->td && shc_ensure_owned(f, c->td_out, &shc_tags_ecs, "task definition family", c->family)) |
             (c->service && shc_ensure_owned(f, c->service, &shc_tags_ecs, "service", c->service_name)));
}

/* The service would start tasks that cannot pull their image: said before
 * anything changes; deploy converges the rest and leaves the service as
 * it is (cmp_image_push_error). */
void cmp_image_check(struct cmp *c)
{
    if (c->image_missing)
        c->f.h->log(c->f.ctx, SH_LOG_WARN,
                  "image %s is not in the repository: deploy makes everything else and leaves the service as it "
                  "is until the image is pushed", c->image);
}

void cmp_image_push_error(struct cmp *c)
{
    const sh_host *h = c->f.h;
    const char *slash = strchr(c->repo_uri, '/');
    const char *registry = slash ? shc_text(h, c->f.ctx, "%.*s", (int)(slash - c->repo_uri), c->repo_uri) : c->repo_uri;
    h->fail(c->f.ctx, SH_ERR_AWS,
            "%s: not rolled out: image %s is not in the repository, and tasks could not start without it; push it, "
            "then run deploy again: aws ecr get-login-password --region %s | docker login --username AWS "
            "--password-stdin %s && docker tag IMAGE %s && docker push %s",
            c->svc_l.label, c->image, h->region(c->f.ctx), registry, c->image, c->image);
}

/* What could stop this deploy half way, checked before it changes
 * anything: a new cluster against the clusters per account (L-21C621EB,
 * 10 000 by default), and the service's Fargate vCPUs at the height of
 * a deployment (maximumPercent 200: twice the tasks) against the
 * account's Fargate On-Demand vCPU quota (L-3032A538). The tasks other
 * services already run are not counted (that takes the AWS/Usage
 * metrics); the services per cluster (5 000) cannot block: the cluster
 * holds this service only. */
int cmp_quotas(struct cmp *c)
{
    if (c->f.mode != SH_MODE_DEPLOY && c->f.mode != SH_MODE_PLAN)
        return 0;
    int need_cluster = !c->cluster, need_tasks = !c->service || c->td_register;
    if (!need_cluster && !need_tasks)
        return 0;
    const sh_doc *clusters = c->quota_clusters, *cluster_quota = c->quota_cluster, *vcpu_quota = c->quota_vcpu;
    if (need_tasks && !c->quota_vcpu_read) { /* a new revision of a service that exists */
        shc_quota_read(&c->f.q, "fargate", "L-3032A538", "the account's quotas", &vcpu_quota);
        if (shc_wave(&c->f))
            return -1;
    }
    int rc = 0;
    if (need_cluster) {
        double limit = shc_quota_value(c->f.h, cluster_quota, "Quota.Value", 10000);
        size_t used = c->f.h->doc_count(clusters, "clusterArns");
        if ((double)used + 1 > limit) {
            c->f.h->fail(c->f.ctx, SH_ERR_CONFIG,
                       "this deploy needs a new ecs cluster, and region %s already has %zu of its %.0f (service "
                       "quotas, L-21C621EB): delete unused clusters or raise the quota, then deploy again",
                       c->f.h->region(c->f.ctx), used, limit);
            rc = -1;
        }
    }
    /* once scaling owns the count, the service may run more than the key says */
    const char *running = c->scaled && c->service ? c->f.h->doc_string(c->service, "desiredCount") : NULL;
    long long tasks = running && atoll(running) > c->cfg.desired_count ? atoll(running) : c->cfg.desired_count;
    double need = (double)tasks * (double)c->cfg.cpu / 1024.0 * 2.0;
    double limit = shc_quota_value(c->f.h, vcpu_quota, "Quota.Value", 0);
    if (need_tasks && limit > 0 && need > limit) {
        c->f.h->fail(c->f.ctx, SH_ERR_CONFIG,
                   "the service needs up to %.2f fargate vcpus during a deployment (%lld tasks of %.2f vcpu, twice "
                   "during a rollout), over the account's fargate on-demand vcpu quota of %.0f in %s (service "
                   "quotas, L-3032A538): lower desired_count or cpu, or raise the quota",
                   need, tasks, (double)c->cfg.cpu / 1024.0, limit, c->f.h->region(c->f.ctx));
        rc = -1;
    }
    if (rc)
        c->f.failed = 1;
    return rc;
}
