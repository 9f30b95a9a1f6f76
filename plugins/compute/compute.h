/* compute plugin internals: the desired state of the ECS cluster, the log
 * group, the two IAM roles, the task definition and the Fargate service,
 * what the lookups found, and the steps. One `struct cmp` lives for one
 * callback (the lifecycle's, lifecycle.h): the names, the service's
 * idempotency token and the progress lines; cmp_begin clears what one
 * pass found.
 *
 * Deploy runs in waves (shc_queue, each sent together):
 *   lookups: DescribeClusters, DescribeLogGroups, GetRole x2,
 *      DescribeTaskDefinition, DescribeServices, DescribeScalableTargets (only
 *      when no plugin of the stack owns the desired count: a foreign target),
 *      DescribeImages (the image tag)
 *   -> reads: the log group's tags, each role's inline and attached
 *      policies and its inline policy's document; then, before anything
 *      mutating: ownership, the missing image warning, the task
 *      definition compared, the quotas
 *   -> cluster, log group and roles created, or their settings, trust
 *      and tags put back, extra policies deleted or detached
 *   -> retention, the roles' inline policies
 *   -> a task definition revision, only when the definition differs
 *   -> the service created, or updated in what differs; then --wait.
 * A wave that loses an answer (or hears "already exists") ends the pass:
 * the lifecycle starts again from the lookups, which find it. */
#ifndef PLUGINS_COMPUTE_COMPUTE_H
#define PLUGINS_COMPUTE_COMPUTE_H

#include <stddef.h>

#include <stackhost/lifecycle.h>
#include <stackhost/stackhost.h>

#define CMP_ARN 512
#define CMP_MAX_PARAMS 32


struct cmp_role {
    const char *name, *policy_name, *purpose;
    char arn[CMP_ARN];
    const char *trust;  /* the trust policy's JSON text */
    const char *policy; /* the inline policy's JSON text, NULL: the role grants nothing */
    shc_line *line;
    /* lookups (NULL: absent) */
    const sh_doc *role;     /* GetRole's Role */
    const sh_doc *inline_names, *attached, *policy_out;
};

struct cmp_secret {
    char name[128];        /* DB_CONNECTION_STRING */
    const char *value_from; /* the parameter's ARN */
};

struct cmp {
    shc_frame f; /* first: the lifecycle's (lifecycle.h) */
    /* the callback's, set by cmp_load */
    int destroying; /* destroy (or its plan) */
    long run_id;    /* the callback's start: the service's clientToken */
    /* the progress lines, kept so a change made before a lost answer is still reported */
    shc_line cluster_l, log_l, exec_l, task_l, td_l, svc_l;
    /* --wait: service event ids already shown */
    char **seen;
    size_t nseen, seen_alloc;
    /* names */
    const char *stack, *cluster_name, *log_name, *family, *service_name, *container;
    char resource_id[CMP_ARN]; /* Application Auto Scaling's service/cluster/service */
    struct cmp_config { /* the keys but container_port (refused), filled by host->config_read */
        const char *image_tag, *task_policy;
        long long cpu, memory, desired_count, log_retention_days, keep_revisions, log_gb, insights_metrics;
        int task_policy_wildcards;
    } cfg;
    long long port; /* network.task_port */
    const char *count_owner; /* host->owner of desired_count: NULL none declared, "" not deciding now */
    /* per pass, from here on (cmp_begin clears it) */
    char cluster_arn[CMP_ARN], log_arn[CMP_ARN], log_streams_arn[CMP_ARN + 8], service_arn[CMP_ARN];
    char td_arn[CMP_ARN]; /* the revision the service runs: found equal, or registered */
    struct cmp_role exec, task;
    /* inputs (in a plan before the first deploy: placeholders) */
    int inputs_missing;
    const char *repo_uri, *repo_arn, *repo_name, *tg_arn, *task_sg, *image;
    const char *const *subnets;
    size_t nsubnets;
    struct cmp_secret secrets[CMP_MAX_PARAMS];
    size_t nsecrets;
    /* lookups (NULL: absent) */
    const sh_doc *clusters_out, *cluster, *logs_out, *log_group, *log_tags;
    const sh_doc *td_out, *td, *services_out, *service, *targets_out;
    int image_missing; /* DescribeImages answered ImageNotFoundException */
    int scaled;        /* a scalable target owns the desired count */
    int draining;      /* the service is going away: wait, then create */
    int not_rolled_out; /* the service was left as it was for its image: the run is incomplete */
    /* the task definition */
    int td_register;  /* the latest ACTIVE revision differs, or none */
    char td_detail[SHC_DETAIL];
    /* the quotas a create needs, read with the reads (cmp_quotas) */
    const sh_doc *quota_clusters, *quota_cluster, *quota_vcpu;
    int quota_cluster_read, quota_vcpu_read;
};

/* ---- common.c ---- */
/* The answers ECS, IAM and Logs give while something propagates. */
extern const shc_not_yet cmp_not_yet[];
int cmp_load(shc_frame *f, int destroy);
void cmp_begin(shc_frame *f);
void cmp_free(shc_frame *f);
/* The inputs of the required plugins; in deploy a missing one is an
 * error naming the plugin and key; otherwise a placeholder. cmp_inputs
 * reads the registry's and the secrets', for the roles and the task
 * definition; cmp_service_inputs the network's and lb's, for the service
 * only (they may come later: the reads wait for them). */
int cmp_inputs(struct cmp *c);
int cmp_service_inputs(struct cmp *c);
/* Queues a read whose answer lands in *out. items (may be NULL): the
 * list to gather over pages; without it, `absent` codes leave *out NULL
 * (the resource is not there). */
void cmp_read(struct cmp *c, const char *service, const char *op, const sh_doc *in, const char *items,
              const char *label, const char *absent, const sh_doc **out);
/* Queues ECS TagResource for the tags of item that drifted; notes them. */
void cmp_ecs_tags_drift(struct cmp *c, shc_line *line, const sh_doc *item, const char *arn);

/* ---- lookup.c ---- */
int cmp_lookup(struct cmp *c);     /* the first wave */
int cmp_reads(struct cmp *c);      /* the second: tags, policies */
int cmp_owned_all(struct cmp *c);  /* -1 when something found is not this stack's */
void cmp_image_check(struct cmp *c);
/* Records the error of a deploy that did not roll the service out for
 * its missing image: which image to push where, and how. */
void cmp_image_push_error(struct cmp *c);
int cmp_quotas(struct cmp *c);

/* ---- cluster.c ---- */
void cmp_cluster_wave(struct cmp *c);

/* ---- logs.c ---- */
void cmp_log_wave(struct cmp *c);
void cmp_log_retention_wave(struct cmp *c);

/* ---- roles.c ---- */
void cmp_roles_prepare(struct cmp *c); /* the documents */
void cmp_role_reads(struct cmp *c, struct cmp_role *r);
void cmp_roles_wave(struct cmp *c);
void cmp_roles_policy_wave(struct cmp *c);

/* ---- task_definition.c ---- */
/* Compares the desired definition with the latest ACTIVE revision. */
void cmp_td_compare(struct cmp *c);
void cmp_td_wave(struct cmp *c);
/* "task-catalog-dev:4": the revision the service is to run (found equal,
 * registered, or in a plan the one deploy would register: the latest
 * ACTIVE one + 1, unless newer ones were deregistered by hand, which ECS
 * still counts); NULL when a plan cannot know it (no revision yet). */
const char *cmp_td_revision(struct cmp *c);
/* After a new revision: the family's ACTIVE revisions beyond the newest
 * keep_revisions, but those the service's deployments use, deregistered
 * (in a plan: noted). */
int cmp_td_prune(struct cmp *c);
/* Queues ListTaskDefinitions of the family's revisions in `status`
 * (ACTIVE, INACTIVE), every page, into *out. */
void cmp_list_revisions(struct cmp *c, const char *status, const sh_doc **out);
/* The ARNs of that answer that are the family's (…:task-definition/<family>:<n>), at most max. */
size_t cmp_family_arns(struct cmp *c, const sh_doc *list, const char **out, size_t max);

/* ---- service.c ---- */
int cmp_service_prepare(struct cmp *c); /* a draining service waited out */
void cmp_service_wave(struct cmp *c);
int cmp_service_wait_steady(struct cmp *c);
/* Polls DescribeServices until the service runs no task / is INACTIVE or gone. */
int cmp_service_wait(struct cmp *c, int inactive);

/* ---- destroy.c ---- */
int cmp_destroy_pass(shc_frame *f, size_t *found);

/* ---- cost.c ---- */
/* The descriptor's cost callback: the tasks (unless scaling owns their
 * count), the log group, Container Insights' metrics. */
sh_status cmp_cost(const sh_host *h, sh_ctx *ctx);

#endif
