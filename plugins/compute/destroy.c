/* compute: removing the service (scaled to 0, its tasks stopped, deleted,
 * INACTIVE), every revision of the task definition family (deregistered,
 * then deleted), the cluster, the log group and the roles (inline
 * policies deleted and managed ones detached first), in the order AWS
 * needs. Only what carries this stack's ownership tags is touched;
 * destroy ends when a lookup finds nothing owned, so a second destroy
 * finds nothing. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "compute.h"

#define DESTROY_PASSES 10
#define DELETE_PER_CALL 10 /* DeleteTaskDefinitions takes up to 10 */
#define MAX_REVISIONS 512

struct gone {
    struct cmp *c;
    const char *label, *detail;
    size_t *kept; /* revisions: how many ECS did not delete in this pass (shared by the batches) */
};

static int report_gone(void *arg, const sh_doc *out)
{
    struct gone *g = arg;
    (void)out;
    g->c->h->report(g->c->ctx, SH_CHANGE_DELETE, g->label, g->detail);
    return 0;
}

/* DeleteTaskDefinitions answers 200 with the revisions it could not
 * delete in failures[] (arn, reason, detail): each is told, and the next
 * pass's lookups list those revisions again, so destroy tries them again
 * and, if they stay, ends with what is still listed. */
static int revisions_deleted(void *arg, const sh_doc *out)
{
    struct gone *g = arg;
    const sh_host *h = g->c->h;
    char path[64];
    size_t n = out ? h->doc_count(out, "failures") : 0;
    for (size_t i = 0; i < n; i++) {
        const char *arn = h->doc_string(out, shc_path(path, sizeof(path), "failures[%zu].arn", i));
        const char *reason = h->doc_string(out, shc_path(path, sizeof(path), "failures[%zu].reason", i));
        const char *detail = h->doc_string(out, shc_path(path, sizeof(path), "failures[%zu].detail", i));
        h->log(g->c->ctx, SH_LOG_WARN, "%s: ecs did not delete %s: %s%s%s", g->label, arn ? arn : "a revision",
               reason ? reason : "no reason given", detail ? ": " : "", detail ? detail : "");
    }
    *g->kept += n;
    /* the last batch's line, once every revision went */
    return g->detail && !*g->kept ? report_gone(arg, out) : 0;
}

/* What one pass found of the family: the revisions' ARNs, ACTIVE and INACTIVE. */
struct revisions {
    const char *active[MAX_REVISIONS], *inactive[MAX_REVISIONS];
    size_t nactive, ninactive;
};

static int owned_or_warn(struct cmp *c, const sh_doc *item, const shc_tag_shape *shape, const char *label)
{
    if (!item)
        return 0;
    if (shc_owned(c->h, c->ctx, item, shape))
        return 1;
    c->h->log(c->ctx, SH_LOG_WARN, "%s is not this stack's (no ownership tags): left alone", label);
    return 0;
}

/* The service: scaled to 0, its tasks stopped, deleted, INACTIVE. */
static int remove_service(struct cmp *c, struct gone *g)
{
    const sh_host *h = c->h;
    /* With a scalable target, a count set to 0 is raised back to its
     * minimum: the service is deleted with force instead (ECS stops its
     * tasks as it drains). */
    if (c->scaled)
        h->log(c->ctx, SH_LOG_WARN, "a scalable target still owns the desired count of %s (the scaling plugin's "
               "destroy removes it): left alone; the service is deleted with force", c->run->svc_l.label);
    if (!c->draining) {
        const char *count = h->doc_string(c->service, "desiredCount");
        if (!c->scaled && (!count || strcmp(count, "0"))) {
            sh_doc *in = cmp_req(c);
            h->doc_set_string(in, "cluster", c->cluster_name);
            h->doc_set_string(in, "service", c->service_name);
            h->doc_set_number(in, "desiredCount", 0);
            shc_queue_add_accepting(&c->q, "ecs", "UpdateService", in, c->run->svc_l.label,
                                    "ServiceNotFoundException|ServiceNotActiveException", NULL, NULL);
            if (cmp_run(c))
                return -1;
        }
        if (!c->scaled && cmp_service_wait(c, 0))
            return -1;
        sh_doc *in = cmp_req(c);
        h->doc_set_string(in, "cluster", c->cluster_name);
        h->doc_set_string(in, "service", c->service_name);
        if (c->scaled)
            h->doc_set_bool(in, "force", 1);
        shc_queue_add_accepting(&c->q, "ecs", "DeleteService", in, c->run->svc_l.label,
                                "ServiceNotFoundException|ServiceNotActiveException", report_gone, g);
        if (cmp_run(c))
            return -1;
    }
    return cmp_service_wait(c, 1);
}

/* First its policies go (inline deleted, managed detached), then the role. */
static void delete_role(struct cmp *c, struct cmp_role *r, int second, struct gone *g)
{
    const sh_host *h = c->h;
    char path[96];
    if (second) {
        sh_doc *in = cmp_req(c);
        h->doc_set_string(in, "RoleName", r->name);
        shc_queue_add_accepting(&c->q, "iam", "DeleteRole", in, r->line->label, "NoSuchEntity", report_gone, g);
        return;
    }
    for (size_t i = 0; i < h->doc_count(r->inline_names, "PolicyNames.member"); i++) {
        sh_doc *in = cmp_req(c);
        h->doc_set_string(in, "RoleName", r->name);
        h->doc_set_string(in, "PolicyName",
                          h->doc_string(r->inline_names, shc_path(path, sizeof(path), "PolicyNames.member[%zu]", i)));
        shc_queue_add_accepting(&c->q, "iam", "DeleteRolePolicy", in, r->line->label, "NoSuchEntity", NULL, NULL);
    }
    for (size_t i = 0; i < h->doc_count(r->attached, "AttachedPolicies.member"); i++) {
        sh_doc *in = cmp_req(c);
        h->doc_set_string(in, "RoleName", r->name);
        const char *arn =
            h->doc_string(r->attached, shc_path(path, sizeof(path), "AttachedPolicies.member[%zu].PolicyArn", i));
        h->doc_set_string(in, "PolicyArn", arn);
        shc_queue_add_accepting(&c->q, "iam", "DetachRolePolicy", in, r->line->label, "NoSuchEntity", NULL, NULL);
    }
}

/* One pass; *found gets how many owned resources the lookups listed. */
static int destroy_pass(void *arg, size_t *found)
{
    struct cmp *c = arg;
    cmp_load(c, c->h, c->ctx, c->run);
    c->destroying = 1;
    const sh_host *h = c->h;
    *found = 1; /* until the lookups have answered: a lost answer means look again */
    const sh_doc *active_out, *inactive_out;
    cmp_list_revisions(c, "ACTIVE", &active_out);
    cmp_list_revisions(c, "INACTIVE", &inactive_out);
    if (cmp_lookup(c))
        return c->failed ? -1 : 0;
    struct revisions revs, *rev = &revs; /* the waves run within this pass */
    memset(rev, 0, sizeof(*rev));
    rev->nactive = cmp_family_arns(c, active_out, rev->active, MAX_REVISIONS);
    rev->ninactive = cmp_family_arns(c, inactive_out, rev->inactive, MAX_REVISIONS);
    /* the family's ownership: its newest revision's tags */
    const char *newest = rev->nactive     ? rev->active[rev->nactive - 1]
                         : rev->ninactive ? rev->inactive[rev->ninactive - 1]
                                          : NULL;
    if (newest) {
        sh_doc *in = cmp_req(c);
        h->doc_set_string(in, "taskDefinition", newest);
        h->doc_set_string(in, "include[0]", "TAGS");
        cmp_read(c, "ecs", "DescribeTaskDefinition", in, NULL, c->run->td_l.label, "ClientException", &c->td_out);
    }
    if (cmp_reads(c))
        return c->failed ? -1 : 0;
    struct cmp_run *run = c->run;
    int cluster = owned_or_warn(c, c->cluster, &shc_tags_ecs, run->cluster_l.label);
    int service = owned_or_warn(c, c->service, &shc_tags_ecs, run->svc_l.label);
    int family = owned_or_warn(c, c->td_out, &shc_tags_ecs, run->td_l.label);
    int logs = owned_or_warn(c, c->log_group ? c->log_tags : NULL, &shc_tags_json, run->log_l.label);
    int exec = owned_or_warn(c, c->exec.role, &shc_tags_query, run->exec_l.label);
    int task = owned_or_warn(c, c->task.role, &shc_tags_query, run->task_l.label);
    size_t revisions = family ? rev->nactive + rev->ninactive : 0;
    *found = (size_t)(cluster + service + logs + exec + task) + revisions;
    const char *rev_text = shc_text(h, c->ctx, "%zu revision%s", revisions, revisions == 1 ? "" : "s");
    if (c->plan) {
        const char *labels[] = {run->svc_l.label, run->td_l.label, run->cluster_l.label, run->log_l.label,
                                run->exec_l.label, run->task_l.label};
        int there[] = {service, revisions > 0, cluster, logs, exec, task};
        for (size_t i = 0; i < 6; i++)
            if (there[i])
                h->report(c->ctx, SH_CHANGE_DELETE, labels[i], i == 1 ? rev_text : NULL);
        return 0;
    }
    size_t kept = 0;
    struct gone g[] = {{c, run->svc_l.label, NULL, NULL},     {c, run->td_l.label, rev_text, &kept},
                       {c, run->cluster_l.label, NULL, NULL}, {c, run->log_l.label, NULL, NULL},
                       {c, run->exec_l.label, NULL, NULL},    {c, run->task_l.label, NULL, NULL}};
    struct gone quiet = {c, run->td_l.label, NULL, &kept}; /* a batch of revisions before the last: no line */
    if (service && remove_service(c, &g[0]))
        return c->failed ? -1 : 0; /* a lost answer: the next pass looks again */
    /* the service is INACTIVE: what it used can go, together */
    for (size_t i = 0; family && i < rev->nactive; i++) {
        sh_doc *in = cmp_req(c);
        h->doc_set_string(in, "taskDefinition", rev->active[i]);
        shc_queue_add(&c->q, "ecs", "DeregisterTaskDefinition", in, NULL, run->td_l.label, NULL, NULL);
    }
    if (cluster) {
        sh_doc *in = cmp_req(c);
        h->doc_set_string(in, "cluster", c->cluster_name);
        shc_queue_add_accepting(&c->q, "ecs", "DeleteCluster", in, run->cluster_l.label, "ClusterNotFoundException",
                                report_gone, &g[2]);
    }
    if (logs) {
        sh_doc *in = cmp_req(c);
        h->doc_set_string(in, "logGroupName", c->log_name);
        shc_queue_add_accepting(&c->q, "logs", "DeleteLogGroup", in, run->log_l.label, "ResourceNotFoundException",
                                report_gone, &g[3]);
    }
    if (exec)
        delete_role(c, &c->exec, 0, NULL);
    if (task)
        delete_role(c, &c->task, 0, NULL);
    /* AWS takes a moment to count a service as gone from its cluster: cmp_not_yet */
    if (cmp_run(c))
        return c->failed ? -1 : 0;
    /* every revision INACTIVE now: deleted, ten a request */
    const char *all[2 * MAX_REVISIONS];
    size_t n = 0;
    for (size_t i = 0; family && i < rev->nactive; i++)
        all[n++] = rev->active[i];
    for (size_t i = 0; family && i < rev->ninactive; i++)
        all[n++] = rev->inactive[i];
    for (size_t i = 0; i < n; i += DELETE_PER_CALL) {
        sh_doc *in = cmp_req(c);
        char path[64];
        for (size_t k = i; k < n && k < i + DELETE_PER_CALL; k++)
            h->doc_set_string(in, shc_path(path, sizeof(path), "taskDefinitions[%zu]", k - i), all[k]);
        shc_queue_add(&c->q, "ecs", "DeleteTaskDefinitions", in, NULL, run->td_l.label, revisions_deleted,
                      i + DELETE_PER_CALL >= n ? &g[1] : &quiet);
    }
    if (exec)
        delete_role(c, &c->exec, 1, &g[4]);
    if (task)
        delete_role(c, &c->task, 1, &g[5]);
    /* a role's policies can take a moment to be gone from it: cmp_not_yet */
    if (cmp_run(c))
        return c->failed ? -1 : 0;
    return 0;
}

int cmp_destroy_all(struct cmp *c)
{
    return shc_destroy_until_gone(c->h, c->ctx, "the compute resources", DESTROY_PASSES,
                                  (long)time(NULL) + shc_destroy_timeout(), destroy_pass, c);
}
