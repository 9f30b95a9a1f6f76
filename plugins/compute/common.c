/* compute: the desired state, the inputs of the required plugins, and the
 * helpers every step uses: requests, waves, tags, lines. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compute.h"


static void role_init(struct cmp *c, struct cmp_role *r, const char *purpose, shc_line *line)
{
    const sh_host *h = c->f.h;
    const char *part = shc_text(h, c->f.ctx, "%s-%s", c->stack, purpose);
    r->purpose = purpose;
    r->name = h->resource_name(c->f.ctx, "role", part);
    r->policy_name = h->resource_name(c->f.ctx, "policy", part);
    snprintf(r->arn, sizeof(r->arn), "arn:%s:iam::%s:role/%s", h->partition(c->f.ctx), h->account_id(c->f.ctx),
             r->name);
    r->line = line;
    if (!line->label)
        line->label = shc_text(h, c->f.ctx, "iam role %s", r->name);
}

/* The answers ECS, IAM and Logs give while something propagates
 * (aws-api.md section 13; terraform-provider-aws retries the same). A
 * genuine InvalidParameterException (a bad subnet, a cpu/memory pair
 * Fargate refuses) matches no message here and fails at once. */
#define CMP_SLR_HINT                                                                                              \
    "aws makes the service-linked role AWSServiceRoleForECS on an account's first use of ECS: the deployer "    \
    "needs iam:CreateServiceLinkedRole (or make it once: aws iam create-service-linked-role "                   \
    "--aws-service-name ecs.amazonaws.com)"
const shc_not_yet cmp_not_yet[] = {
    /* an account's first cluster or service: ECS's service-linked role is being made */
    {"CreateCluster|CreateService|UpdateService", "InvalidParameterException",
     "unable to assume the service linked role", 120, CMP_SLR_HINT},
    /* the listener that forwards to the target group is seconds old */
    {"CreateService|UpdateService", "InvalidParameterException", "does not have an associated load balancer", 120,
     "the target group must be the default action of a listener of the load balancer (the lb plugin's)"},
    /* a role made or changed a moment ago is not yet usable by ECS */
    {"CreateService|UpdateService", "InvalidParameterException",
     "unable to assume role|ecs service role being passed|unable to assume the role", 120,
     "check the roles' trust policies (ecs-tasks.amazonaws.com) and that the deployer may iam:PassRole them"},
    {"RegisterTaskDefinition", "ClientException", "role is not valid", 120,
     "check the roles' trust policies (ecs-tasks.amazonaws.com) and that the deployer may iam:PassRole them"},
    /* a cluster made a moment ago */
    {"CreateService", "ClusterNotFoundException", NULL, 60, NULL},
    /* a role or log group made a moment ago, unknown to the next call */
    {"PutRolePolicy|TagRole|UntagRole|UpdateAssumeRolePolicy", "NoSuchEntity", NULL, 120, NULL},
    {"PutRetentionPolicy|TagResource|TagLogGroup|UntagResource", "ResourceNotFoundException", NULL, 120, NULL},
    /* destroy: what the cluster held, the roles' policies and the
     * service's deployments take a moment to count as gone */
    {"DeleteCluster", "ClusterContainsServicesException|ClusterContainsTasksException|UpdateInProgressException",
     NULL, 300, NULL},
    {"DeleteService", "InvalidParameterException", "cannot be stopped while deployments are active", 300, NULL},
    /* what the service held (its load balancer's registrations) still going: Terraform retries it too */
    {"DeleteService", "DependencyViolation", "has a dependent object", 300, NULL},
    {"DeleteRole", "DeleteConflict", NULL, 60, NULL},
    SHC_NOT_YET_END};

int cmp_load(shc_frame *f, int destroy)
{
    struct cmp *c = (struct cmp *)f;
    const sh_host *h = f->h;
    sh_ctx *ctx = f->ctx;
    c->destroying = destroy;
    c->run_id = (long)time(NULL);
    c->stack = h->stack_name(ctx);
    c->cluster_name = h->resource_name(ctx, "cluster", c->stack);
    c->log_name = h->resource_name(ctx, "logs", c->stack);
    c->family = h->resource_name(ctx, "task", c->stack);
    c->service_name = h->resource_name(ctx, "svc", c->stack);
    c->container = shc_text(h, ctx, "%s-api", c->stack);
    snprintf(c->resource_id, sizeof(c->resource_id), "service/%s/%s", c->cluster_name, c->service_name);
    h->config_read(ctx, &c->cfg);
    /* Who owns the desired count once the service exists: the scaling
     * plugin declares it does (owns compute.desired_count) while enabled.
     * With no such plugin in the stack, a scalable target made outside it
     * owns it: the lookups read it (lookup.c). */
    c->count_owner = h->owner(ctx, "desired_count");
    c->port = shc_task_port(h, ctx);
    c->cluster_l.label = shc_text(h, ctx, "ecs cluster %s", c->cluster_name);
    c->log_l.label = shc_text(h, ctx, "log group %s", c->log_name);
    c->td_l.label = shc_text(h, ctx, "task definition %s", c->family);
    c->svc_l.label = shc_text(h, ctx, "ecs service %s", c->service_name);
    return 0;
}

void cmp_begin(shc_frame *f)
{
    struct cmp *c = (struct cmp *)f;
    const sh_host *h = f->h;
    const char *part = h->partition(f->ctx), *acct = h->account_id(f->ctx), *region = h->region(f->ctx);
    memset(c->cluster_arn, 0, sizeof(*c) - offsetof(struct cmp, cluster_arn));
    snprintf(c->cluster_arn, sizeof(c->cluster_arn), "arn:%s:ecs:%s:%s:cluster/%s", part, region, acct,
             c->cluster_name);
    snprintf(c->log_arn, sizeof(c->log_arn), "arn:%s:logs:%s:%s:log-group:%s", part, region, acct, c->log_name);
    /* CreateLogStream and PutLogEvents act on the group's streams: the ":*" form */
    snprintf(c->log_streams_arn, sizeof(c->log_streams_arn), "%s:*", c->log_arn);
    role_init(c, &c->exec, "exec", &c->exec_l);
    role_init(c, &c->task, "task", &c->task_l);
    c->scaled = c->count_owner && *c->count_owner;
}

/* An input of a required plugin, for the resource of `line`. In a plan
 * before that plugin's first deploy it is absent: a placeholder lets the
 * plan report creates. */
static const char *input(struct cmp *c, const char *plugin, const char *key, const shc_line *line)
{
    const char *v = shc_input(&c->f, plugin, key, line->label);
    if (v)
        return v;
    c->inputs_missing = 1;
    return shc_text(c->f.h, c->f.ctx, "(%s.%s)", plugin, key);
}

/* arn:...:parameter/S/E/db-connection-string -> DB_CONNECTION_STRING. */
static int secret_name(struct cmp *c, const char *arn, char *out, size_t size)
{
    const char *path = strstr(arn, ":parameter/");
    const char *prefix = shc_text(c->f.h, c->f.ctx, "/%s/%s/", c->stack, c->f.h->environment(c->f.ctx));
    if (!path)
        return -1;
    path += strlen(":parameter");
    size_t n = strlen(prefix);
    if (strncmp(path, prefix, n) || !path[n] || strchr(path + n, '/') || strlen(path + n) >= size)
        return -1;
    size_t k = 0;
    for (const char *p = path + n; *p; p++)
        out[k++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
    out[k] = '\0';
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct cmp_secret *)a)->name, ((const struct cmp_secret *)b)->name);
}

/* Read only when the service is next: the private subnets come once the
 * network's NAT gateways route them, and the cluster, roles and task
 * definition need not wait for that (dataflow). */
int cmp_service_inputs(struct cmp *c)
{
    c->tg_arn = input(c, "lb", "target_group_arn", &c->svc_l);
    c->task_sg = input(c, "network", "task_security_group_id", &c->svc_l);
    c->nsubnets = shc_input_list(&c->f, "network", "private_subnet_ids", c->svc_l.label, &c->subnets);
    c->inputs_missing |= !c->nsubnets;
    return c->f.failed ? -1 : 0;
}

int cmp_inputs(struct cmp *c)
{
    const sh_host *h = c->f.h;
    c->repo_uri = input(c, "registry", "repository_uri", &c->td_l);
    c->repo_arn = input(c, "registry", "repository_arn", &c->exec_l);
    c->repo_name = input(c, "registry", "repository_name", &c->td_l);
    const char *const *arns;
    size_t n = h->input_list(c->f.ctx, "secrets", "parameter_arns", &arns);
    for (size_t i = 0; i < n; i++) {
        if (c->nsecrets == CMP_MAX_PARAMS) {
            shc_fail(&c->f, SH_ERR_CONFIG, "secrets.parameter_arns has %zu parameters; a container takes at most %d "
                     "here", n, CMP_MAX_PARAMS);
            break;
        }
        struct cmp_secret *s = &c->secrets[c->nsecrets];
        if (secret_name(c, arns[i], s->name, sizeof(s->name))) {
            shc_fail(&c->f, SH_ERR_CONFIG, "secrets.parameter_arns: %s is not a parameter under /%s/%s/: the "
                     "container's secret name cannot be made from it", arns[i], c->stack, h->environment(c->f.ctx));
            continue;
        }
        s->value_from = arns[i];
        c->nsecrets++;
    }
    /* in name order: ECS does not promise to answer them in the order sent,
     * and a reordering must not read as a new definition */
    qsort(c->secrets, c->nsecrets, sizeof(c->secrets[0]), by_name);
    c->image = shc_text(h, c->f.ctx, "%s:%s", c->repo_uri, c->cfg.image_tag);
    cmp_roles_prepare(c);
    return c->f.failed ? -1 : 0;
}

void cmp_read(struct cmp *c, const char *service, const char *op, const sh_doc *in, const char *items,
              const char *label, const char *absent, const sh_doc **out)
{
    if (items)
        shc_read_all(&c->f.q, service, op, in, items, label, out);
    else
        shc_read(&c->f.q, service, op, in, label, absent, out);
}

void cmp_ecs_tags_drift(struct cmp *c, shc_line *line, const sh_doc *item, const char *arn)
{
    sh_doc *in = shc_json(&c->f, "{'resourceArn': '%s'}", arn);
    shc_tags_change(&c->f, line, item, &shc_tags_ecs, &shc_tags_ecs, "ecs", "TagResource", in);
}

/* Logs answers tags as a map ({"Project": "catalog"}), which a document
 * path cannot list: the keys stackhost manages are read one by one. */
void cmp_free(shc_frame *f)
{
    struct cmp *c = (struct cmp *)f;
    for (size_t i = 0; i < c->nseen; i++)
        free(c->seen[i]);
    free(c->seen);
}
