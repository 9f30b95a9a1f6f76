/* compute: removing the service (deleted with force, INACTIVE) once the
 * plugin that owns its count has removed its scalable target
 * (destroy_alongside), with every revision of the task definition family
 * deregistered and the roles' policies deleted or detached; then the
 * revisions, the roles, the log group and the cluster, in the order AWS
 * needs. Only what carries this stack's
 * ownership tags is touched; destroy ends when a lookup finds nothing
 * owned, so a second destroy finds nothing. */
#include <string.h>

#include "compute.h"

#define DELETE_PER_CALL 10 /* DeleteTaskDefinitions takes up to 10 */
#define MAX_REVISIONS 512

struct revisions_gone {
    struct cmp *c;
    const char *detail; /* the last batch's: the line once every revision went; NULL before it */
    size_t *kept; /* how many ECS did not delete in this pass (shared by the batches) */
};

/* DeleteTaskDefinitions answers 200 with the revisions it could not
 * delete in failures[] (arn, reason, detail): each is told, and the next
 * pass's lookups list those revisions again, so destroy tries them again
 * and, if they stay, ends with what is still listed. */
static int revisions_deleted(void *arg, const sh_doc *out)
{
    struct revisions_gone *g = arg;
    const sh_host *h = g->c->f.h;
    const char *label = g->c->td_l.label;
    size_t n = out ? h->doc_count(out, "failures") : 0;
    for (size_t i = 0; i < n; i++) {
        const char *arn = shc_str(h, out, "failures[%zu].arn", i);
        const char *reason = shc_str(h, out, "failures[%zu].reason", i);
        const char *detail = shc_str(h, out, "failures[%zu].detail", i);
        h->log(g->c->f.ctx, SH_LOG_WARN, "%s: ecs did not delete %s: %s%s%s", label, arn ? arn : "a revision",
               reason ? reason : "no reason given", detail ? ": " : "", detail ? detail : "");
    }
    *g->kept += n;
    if (g->detail && !*g->kept)
        h->report(g->c->f.ctx, SH_CHANGE_DELETE, label, g->detail);
    return 0;
}

/* The answer of DeleteService: INACTIVE at once when it ran no task. */
static int service_deleted(void *arg, const sh_doc *out)
{
    struct cmp *c = arg;
    const char *status = out ? c->f.h->doc_string(out, "service.status") : NULL;
    /* an accepted "not active" may be a service still draining: polled */
    c->draining = !out || !status || strcmp(status, "INACTIVE");
    return 0;
}

/* The service, deleted with force: ECS stops its tasks as it drains (as
 * Terraform's scale to 0 would, in one call less); then INACTIVE. `left`:
 * a scalable target the owner of the count does not remove in this run. */
static void delete_service(struct cmp *c, int left)
{
    const sh_host *h = c->f.h;
    if (left)
        h->log(c->f.ctx, SH_LOG_WARN, "a scalable target still owns the desired count of %s (the scaling plugin's "
               "destroy removes it): left alone; the service is deleted with force", c->svc_l.label);
    if (c->draining)
        return;
    sh_doc *in = shc_json(&c->f, "{'cluster': '%s', 'service': '%s', 'force': true}", c->cluster_name, c->service_name);
    c->draining = 1;
    shc_delete_then(&c->f.q, c->svc_l.label, NULL, "ecs", "DeleteService", in,
                    "ServiceNotFoundException|ServiceNotActiveException", service_deleted, c);
}

/* First its policies go (inline deleted, managed detached), then the role. */
static void delete_role(struct cmp *c, struct cmp_role *r, int second)
{
    const sh_host *h = c->f.h;
    if (second) {
        sh_doc *in = shc_json(&c->f, "{'RoleName': '%s'}", r->name);
        shc_delete(&c->f.q, r->line->label, NULL, "iam", "DeleteRole", in, "NoSuchEntity");
        return;
    }
    for (size_t i = 0; i < h->doc_count(r->inline_names, "PolicyNames.member"); i++) {
        sh_doc *in = shc_json(&c->f, "{'RoleName': '%s', 'PolicyName': '%s'}", r->name,
                              shc_str(h, r->inline_names, "PolicyNames.member[%zu]", i));
        shc_queue_add_accepting(&c->f.q, "iam", "DeleteRolePolicy", in, r->line->label, "NoSuchEntity", NULL, NULL);
    }
    for (size_t i = 0; i < h->doc_count(r->attached, "AttachedPolicies.member"); i++) {
        sh_doc *in = shc_json(&c->f, "{'RoleName': '%s', 'PolicyArn': '%s'}", r->name,
                              shc_str(h, r->attached, "AttachedPolicies.member[%zu].PolicyArn", i));
        shc_queue_add_accepting(&c->f.q, "iam", "DetachRolePolicy", in, r->line->label, "NoSuchEntity", NULL, NULL);
    }
}

/* One pass; *found gets how many owned resources the lookups listed. */
int cmp_destroy_pass(shc_frame *f, size_t *found)
{
    struct cmp *c = (struct cmp *)f;
    const sh_host *h = f->h;
    const sh_doc *active_out, *inactive_out;
    cmp_list_revisions(c, "ACTIVE", &active_out);
    cmp_list_revisions(c, "INACTIVE", &inactive_out);
    if (cmp_lookup(c))
        return -1;
    /* the family's revisions, ACTIVE ones first, then INACTIVE ones */
    const char *all[2 * MAX_REVISIONS];
    size_t nactive = cmp_family_arns(c, active_out, all, MAX_REVISIONS);
    size_t n = nactive + cmp_family_arns(c, inactive_out, all + nactive, MAX_REVISIONS);
    /* the family's ownership: its newest revision's tags */
    const char *newest = nactive ? all[nactive - 1] : n ? all[n - 1] : NULL;
    if (newest) {
        sh_doc *in = shc_json(&c->f, "{'taskDefinition': '%s', 'include': ['TAGS']}", newest);
        cmp_read(c, "ecs", "DescribeTaskDefinition", in, NULL, c->td_l.label, "ClientException", &c->td_out);
    }
    if (cmp_reads(c))
        return -1;
    int cluster = shc_ours(f, c->cluster != NULL, c->cluster, &shc_tags_ecs, c->cluster_l.label);
    int service = shc_ours(f, c->service != NULL, c->service, &shc_tags_ecs, c->svc_l.label);
    int family = shc_ours(f, c->td_out != NULL, c->td_out, &shc_tags_ecs, c->td_l.label);
    int logs = shc_ours(f, c->log_group != NULL, c->log_tags, &shc_tags_map, c->log_l.label);
    int exec = shc_ours(f, c->exec.role != NULL, c->exec.role, &shc_tags_query, c->exec_l.label);
    int task = shc_ours(f, c->task.role != NULL, c->task.role, &shc_tags_query, c->task_l.label);
    size_t revisions = family ? n : 0;
    *found = (size_t)(cluster + service + logs + exec + task) + revisions;
    const char *rev_text = shc_text(h, f->ctx, "%zu revision%s", revisions, revisions == 1 ? "" : "s");
    /* In a plan what follows only reports; the revisions, deleted ten a
     * request and reported once all went, have their line here. */
    if (f->plan && revisions)
        h->report(f->ctx, SH_CHANGE_DELETE, c->td_l.label, rev_text);
    size_t kept = 0;
    struct revisions_gone last = {c, rev_text, &kept}, before = {c, NULL, &kept};
    /* The scalable target goes before the service it scales: the destroy
     * of the plugin that owns the count, when it runs in this one. Nothing
     * the service needs goes before: a failed wait leaves it whole. */
    int owner_done = service && c->count_owner && *c->count_owner ? shc_await_destroyed(f, c->count_owner) : 0;
    if (owner_done < 0)
        return -1;
    if (service)
        delete_service(c, c->scaled && !owner_done && !f->plan);
    /* with it: every ACTIVE revision deregistered, the roles' policies */
    for (size_t i = 0; family && i < nactive; i++) {
        sh_doc *in = shc_json(&c->f, "{'taskDefinition': '%s'}", all[i]);
        shc_queue_add(&f->q, "ecs", "DeregisterTaskDefinition", in, NULL, c->td_l.label, NULL, NULL);
    }
    if (exec)
        delete_role(c, &c->exec, 0);
    if (task)
        delete_role(c, &c->task, 0);
    if (shc_wave(f) || (c->draining && cmp_service_wait(c, 1)))
        return -1;
    /* its tasks are stopping or stopped: nothing of it is in the
     * network's subnets any more (the network waits out the interfaces) */
    shc_destroy_released(f);
    /* then what it used, and the cluster: every revision INACTIVE now,
     * deleted ten a request */
    for (size_t i = 0; i < revisions; i += DELETE_PER_CALL) {
        sh_doc *in = shc_doc(&c->f);
        for (size_t k = i; k < revisions && k < i + DELETE_PER_CALL; k++)
            shc_set(f, in, all[k], "taskDefinitions[%zu]", k - i);
        shc_queue_add(&f->q, "ecs", "DeleteTaskDefinitions", in, NULL, c->td_l.label, revisions_deleted,
                      i + DELETE_PER_CALL >= revisions ? &last : &before);
    }
    if (exec)
        delete_role(c, &c->exec, 1);
    if (task)
        delete_role(c, &c->task, 1);
    if (logs) {
        sh_doc *in = shc_json(&c->f, "{'logGroupName': '%s'}", c->log_name);
        shc_delete(&f->q, c->log_l.label, NULL, "logs", "DeleteLogGroup", in, "ResourceNotFoundException");
    }
    /* the cluster once no service is left in it (AWS takes a moment to
     * count one as gone: cmp_not_yet) */
    if (cluster) {
        sh_doc *in = shc_json(&c->f, "{'cluster': '%s'}", c->cluster_name);
        shc_delete(&f->q, c->cluster_l.label, NULL, "ecs", "DeleteCluster", in, "ClusterNotFoundException");
    }
    return shc_wave(f);
}
