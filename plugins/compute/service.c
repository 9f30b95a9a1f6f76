/* compute: the Fargate service. Always looked up before it is created
 * (moto replaces a service created again under its name; AWS refuses one
 * that is ACTIVE or DRAINING): INACTIVE is absent, DRAINING is waited out.
 * A redeploy updates only what differs, and never the desired count once
 * Application Auto Scaling owns it; a service whose last rollout failed
 * gets a new deployment. --wait then watches the rollout: done when ECS
 * says it completed, every desired task runs and the target group reports
 * them healthy; a failed one is reported with its stopped tasks' reasons. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute.h"

/* A clientToken (at most 36 characters) for creating the service: the
 * same in every pass of this run, so AWS answers a retried create with
 * the service it made; another run's differs. */
static void client_token(struct cmp *c, char *out, size_t size)
{
    /* FNV-1a of the names: another stack's service gets another token */
    unsigned long long h = 1469598103934665603ULL;
    for (const char *p = c->cluster_name; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    for (const char *p = c->service_name; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    snprintf(out, size, "%ld-%016llx", c->run_id, h);
}

static void network(struct cmp *c, sh_doc *d)
{
    const char *at = "networkConfiguration.awsvpcConfiguration";
    for (size_t i = 0; i < c->nsubnets; i++)
        shc_set(&c->f, d, c->subnets[i], "%s.subnets[%zu]", at, i);
    shc_set(&c->f, d, c->task_sg, "%s.securityGroups[0]", at);
    shc_set(&c->f, d, "DISABLED", "%s.assignPublicIp", at);
}

static void load_balancers(struct cmp *c, sh_doc *d)
{
    c->f.h->doc_set_string(d, "loadBalancers[0].targetGroupArn", c->tg_arn);
    c->f.h->doc_set_string(d, "loadBalancers[0].containerName", c->container);
    c->f.h->doc_set_number(d, "loadBalancers[0].containerPort", c->port);
}

/* Rolling: never below the desired count, up to twice it, rolled back
 * when the deployment's tasks keep failing. */
static void deployment(struct cmp *c, sh_doc *d)
{
    c->f.h->doc_set_bool(d, "deploymentConfiguration.deploymentCircuitBreaker.enable", 1);
    c->f.h->doc_set_bool(d, "deploymentConfiguration.deploymentCircuitBreaker.rollback", 1);
    c->f.h->doc_set_number(d, "deploymentConfiguration.minimumHealthyPercent", 100);
    c->f.h->doc_set_number(d, "deploymentConfiguration.maximumPercent", 200);
}

#define GRACE_SECONDS 60

int cmp_service_prepare(struct cmp *c)
{
    if (!c->draining || c->f.plan) /* a plan's create says it waits for it */
        return 0;
    /* AWS refuses a name that is still DRAINING: create once it is INACTIVE */
    if (cmp_service_wait(c, 1))
        return -1;
    c->service = NULL;
    c->draining = 0;
    return 0;
}

/* The service's primary deployment (the one ECS is rolling out), or NULL. */
static const sh_doc *primary_deployment(struct cmp *c, const sh_doc *service)
{
    size_t n = c->f.h->doc_count(service, "deployments");
    for (size_t i = 0; i < n; i++) {
        const char *status = shc_str(c->f.h, service, "deployments[%zu].status", i);
        if (status && !strcmp(status, "PRIMARY"))
            return shc_node(c->f.h, service, "deployments[%zu]", i);
    }
    return n ? c->f.h->doc_get(service, "deployments[0]") : NULL;
}

static void create(struct cmp *c, shc_line *line)
{
    const sh_host *h = c->f.h;
    char token[64];
    client_token(c, token, sizeof(token));
    sh_doc *in = shc_json(&c->f, "{'cluster': '%s', 'serviceName': '%s', 'taskDefinition': '%s', "
                                 "'desiredCount': %lld, 'launchType': 'FARGATE', 'healthCheckGracePeriodSeconds': %d, "
                                 "'propagateTags': 'SERVICE', 'enableECSManagedTags': true, 'clientToken': '%s'}",
                          c->cluster_name, c->service_name, c->td_arn, c->cfg.desired_count, GRACE_SECONDS, token);
    network(c, in);
    load_balancers(c, in);
    deployment(c, in);
    shc_put_tags(h, c->f.ctx, in, &shc_tags_ecs, NULL);
    shc_change(&c->f.q, line, SH_CHANGE_CREATE,
               c->draining ? "once the draining service is inactive" : NULL, "ecs", "CreateService", in, NULL, NULL, NULL);
    shc_keep(&c->f.q, "service.serviceArn", c->service_arn, sizeof(c->service_arn));
}

/* Whether the service's `path` holds what `want` holds there (subset:
 * AWS adds members). */
static int same_at(struct cmp *c, const sh_doc *want, const char *path)
{
    return c->f.h->doc_equal(c->f.h->doc_get(want, path), c->f.h->doc_get(c->service, path), 1);
}

/* ---- what differs, as the plan line says it ---- */

static const char *json_at(struct cmp *c, const sh_doc *d, const char *path)
{
    const sh_doc *node = c->f.h->doc_get(d, path);
    return node ? c->f.h->doc_json(c->f.ctx, node) : NULL;
}

/* "task definition task-catalog-dev:3 -> :4" (the family named once). */
static void note_revision(struct cmp *c, shc_line *line, const char *have_arn)
{
    const char *slash = have_arn ? strrchr(have_arn, '/') : NULL, *before = slash ? slash + 1 : have_arn;
    const char *after = cmp_td_revision(c), *colon = after ? strrchr(after, ':') : NULL;
    if (!after)
        after = "a new revision";
    else if (before && colon && !strncmp(before, after, (size_t)(colon - after + 1)))
        after = colon;
    shc_line_diff(c->f.h, c->f.ctx, line, SH_CHANGE_UPDATE, "task definition", before, after);
}

/* "tg-catalog-dev catalog:8080": the one load balancer's target group
 * (its name), container and port; NULL when none. */
static const char *load_balancer_text(struct cmp *c, const sh_doc *d)
{
    const sh_host *h = c->f.h;
    size_t n = h->doc_count(d, "loadBalancers");
    if (n != 1)
        return n ? json_at(c, d, "loadBalancers") : NULL;
    const char *tg = h->doc_string(d, "loadBalancers[0].targetGroupArn");
    const char *at = tg ? strstr(tg, "targetgroup/") : NULL, *name = at ? at + strlen("targetgroup/") : tg ? tg : "?";
    const char *container = h->doc_string(d, "loadBalancers[0].containerName");
    const char *port = h->doc_string(d, "loadBalancers[0].containerPort");
    return shc_text(h, c->f.ctx, "%.*s %s:%s", (int)strcspn(name, "/"), name, container ? container : "?",
                    port ? port : "?");
}

/* "100-200 % with circuit breaker and rollback" */
static const char *deployment_text(struct cmp *c, const sh_doc *d)
{
    const sh_host *h = c->f.h;
    const char *at = "deploymentConfiguration";
    if (!h->doc_get(d, at))
        return NULL;
    const char *min = h->doc_string(d, shc_text(h, c->f.ctx, "%s.minimumHealthyPercent", at));
    const char *max = h->doc_string(d, shc_text(h, c->f.ctx, "%s.maximumPercent", at));
    const char *on = h->doc_string(d, shc_text(h, c->f.ctx, "%s.deploymentCircuitBreaker.enable", at));
    const char *rollback = h->doc_string(d, shc_text(h, c->f.ctx, "%s.deploymentCircuitBreaker.rollback", at));
    int breaker = on && !strcmp(on, "true"), back = rollback && !strcmp(rollback, "true");
    return shc_text(h, c->f.ctx, "%s-%s %% %s", min ? min : "?", max ? max : "?",
                    !breaker ? "without circuit breaker"
                    : back   ? "with circuit breaker and rollback"
                             : "with circuit breaker without rollback");
}

void cmp_service_wave(struct cmp *c)
{
    const sh_host *h = c->f.h;
    shc_line *line = &c->svc_l;
    if (!c->service || c->draining) {
        create(c, line);
        return;
    }
    sh_doc *in = shc_json(&c->f, "{'cluster': '%s', 'service': '%s'}", c->cluster_name, c->service_name),
           *want = shc_doc(&c->f);
    network(c, want);
    load_balancers(c, want);
    deployment(c, want);
    int update = 0;
    const char *td = h->doc_string(c->service, "taskDefinition");
    if (c->f.plan && c->td_register) {
        note_revision(c, line, td);
    } else if (!td || strcmp(td, c->td_arn)) {
        h->doc_set_string(in, "taskDefinition", c->td_arn);
        note_revision(c, line, td);
        update = 1;
    }
    /* the private subnets, the task security group, no public ip: sent together */
    const char *vpc = "networkConfiguration.awsvpcConfiguration";
    const char *subnets = shc_text(h, c->f.ctx, "%s.subnets", vpc);
    const char *sgs = shc_text(h, c->f.ctx, "%s.securityGroups", vpc);
    const char *public_ip = h->doc_string(c->service, shc_text(h, c->f.ctx, "%s.assignPublicIp", vpc));
    int network_differs = shc_set_differs(h, c->f.ctx, line, "subnets", c->service, subnets, c->subnets, c->nsubnets);
    network_differs |= shc_set_differs(h, c->f.ctx, line, "security groups", c->service, sgs, &c->task_sg, 1);
    if (!public_ip || strcmp(public_ip, "DISABLED")) {
        shc_line_diff(h, c->f.ctx, line, SH_CHANGE_UPDATE, "public ip", public_ip, "DISABLED");
        network_differs = 1;
    }
    if (network_differs) {
        network(c, in);
        update = 1;
    }
    if (!same_at(c, want, "loadBalancers")) {
        load_balancers(c, in);
        shc_line_diff(h, c->f.ctx, line, SH_CHANGE_UPDATE, "load balancer", load_balancer_text(c, c->service),
                      load_balancer_text(c, want));
        update = 1;
    }
    /* moto stores neither the grace period, the deployment configuration
     * nor the managed tags at creation, and so does not answer them; AWS
     * always does. A field absent from the answer is therefore not a
     * difference: only one answered with another value is. */
    const char *grace = h->doc_string(c->service, "healthCheckGracePeriodSeconds");
    if (grace && atoll(grace) != GRACE_SECONDS) {
        h->doc_set_number(in, "healthCheckGracePeriodSeconds", GRACE_SECONDS);
        shc_line_diff(h, c->f.ctx, line, SH_CHANGE_UPDATE, "health check grace period",
                      shc_text(h, c->f.ctx, "%s s", grace), shc_text(h, c->f.ctx, "%d s", GRACE_SECONDS));
        update = 1;
    }
    if (h->doc_get(c->service, "deploymentConfiguration") && !same_at(c, want, "deploymentConfiguration")) {
        deployment(c, in);
        shc_line_diff(h, c->f.ctx, line, SH_CHANGE_UPDATE, "deployment", deployment_text(c, c->service),
                      deployment_text(c, want));
        update = 1;
    }
    const char *propagate = h->doc_string(c->service, "propagateTags");
    if (propagate && strcmp(propagate, "SERVICE")) {
        h->doc_set_string(in, "propagateTags", "SERVICE");
        shc_line_diff(h, c->f.ctx, line, SH_CHANGE_UPDATE, "propagate tags", propagate, "SERVICE");
        update = 1;
    }
    /* A failed rollout is not retried by ECS: the circuit breaker stopped
     * launching tasks, and nothing in the definition differs once the cause
     * (an image not pushed yet, a secret, a crash) is fixed. A new
     * deployment starts it again. */
    const sh_doc *primary = primary_deployment(c, c->service);
    const char *rollout = primary ? h->doc_string(primary, "rolloutState") : NULL;
    if (rollout && !strcmp(rollout, "FAILED")) {
        const char *why = h->doc_string(primary, "rolloutStateReason");
        h->doc_set_bool(in, "forceNewDeployment", 1);
        shc_line_note(line, SH_CHANGE_UPDATE,
                      shc_text(h, c->f.ctx, "a new deployment: the last rollout failed (%s)", why ? why : "no reason given"));
        update = 1;
    }
    /* deploy --restart: new tasks of the same definition, on request */
    if (SH_HOST_HAS(h, restart) && h->restart(c->f.ctx)) {
        h->doc_set_bool(in, "forceNewDeployment", 1);
        shc_line_note(line, SH_CHANGE_UPDATE, "a new deployment: deploy --restart");
        update = 1;
    }
    /* A task reads its secrets when it starts: a value the secrets plugin
     * changed in this run reaches the running service only through a new
     * deployment (AWS: "the container will not receive the updated value
     * automatically"). The value itself is never named. */
    const char *const *changed;
    size_t nchanged = h->input_list(c->f.ctx, "secrets", "changed_parameter_arns", &changed);
    for (size_t i = 0; i < nchanged; i++) {
        const char *name = strrchr(changed[i], '/');
        h->doc_set_bool(in, "forceNewDeployment", 1);
        shc_line_note(line, SH_CHANGE_UPDATE,
                      shc_text(h, c->f.ctx, "a new deployment: parameter %s changed, read when a task starts",
                               name ? name + 1 : changed[i]));
        update = 1;
    }
    const char *managed = h->doc_string(c->service, "enableECSManagedTags");
    if (managed && strcmp(managed, "true")) {
        h->doc_set_bool(in, "enableECSManagedTags", 1);
        shc_line_diff(h, c->f.ctx, line, SH_CHANGE_UPDATE, "ecs managed tags", managed, "true");
        update = 1;
    }
    /* Once a scalable target exists, Application Auto Scaling owns the
     * count (the scaling plugin's contract): never sent after creation. */
    const char *count = h->doc_string(c->service, "desiredCount");
    if (!c->scaled && (!count || atoll(count) != c->cfg.desired_count)) {
        h->doc_set_number(in, "desiredCount", c->cfg.desired_count);
        shc_line_diff(h, c->f.ctx, line, SH_CHANGE_UPDATE, "desired count", count,
                      shc_text(h, c->f.ctx, "%lld", c->cfg.desired_count));
        update = 1;
    }
    if (update)
        shc_queue_add(&c->f.q, "ecs", "UpdateService", in, NULL, line->label, NULL, NULL);
    cmp_ecs_tags_drift(c, line, c->service, c->service_arn);
}

/* ---- waiting ---- */

struct service_poll {
    struct cmp *c;
    int mode; /* WAIT_STEADY, WAIT_NO_TASKS, WAIT_INACTIVE */
    int polls; /* MISSING answers seen in WAIT_STEADY */
    const sh_doc *before; /* WAIT_STEADY: the service as the lookup found it (its deployments are not this run's) */
};

enum { WAIT_STEADY, WAIT_NO_TASKS, WAIT_INACTIVE };

static int seen(struct cmp *c, const char *id)
{
    for (size_t i = 0; i < c->nseen; i++)
        if (!strcmp(c->seen[i], id))
            return 1;
    return 0;
}

static int remember(struct cmp *c, const char *id)
{
    if (c->nseen == c->seen_alloc) {
        size_t alloc = c->seen_alloc ? c->seen_alloc * 2 : 32;
        char **more = realloc(c->seen, alloc * sizeof(*more));
        if (!more)
            return -1;
        c->seen = more;
        c->seen_alloc = alloc;
    }
    size_t n = strlen(id) + 1;
    char *copy = malloc(n);
    if (!copy)
        return -1;
    memcpy(copy, id, n);
    c->seen[c->nseen++] = copy;
    return 0;
}

/* The service's events not shown yet, oldest first (AWS lists the newest
 * first); with `show` 0 they are only remembered (those before the deploy). */
static void events(struct cmp *c, const sh_doc *service, int show)
{
    size_t n = c->f.h->doc_count(service, "events");
    for (size_t k = n; k-- > 0;) {
        const char *id = shc_str(c->f.h, service, "events[%zu].id", k);
        const char *msg = shc_str(c->f.h, service, "events[%zu].message", k);
        if (!id || seen(c, id))
            continue;
        if (remember(c, id))
            return;
        if (show && msg)
            c->f.h->log(c->f.ctx, SH_LOG_INFO, "%s: %s", c->svc_l.label, msg);
    }
}

/* Whether deployment id was listed on the service before this run changed it. */
static int deployed_before(struct cmp *c, const sh_doc *before, const char *id)
{
    size_t n = before ? c->f.h->doc_count(before, "deployments") : 0;
    for (size_t i = 0; id && i < n; i++) {
        const char *old = shc_str(c->f.h, before, "deployments[%zu].id", i);
        if (old && !strcmp(old, id))
            return 1;
    }
    return 0;
}

/* ": stopped tasks: <reason>; <reason>: <what to do>" from the service's
 * stopped tasks (ListTasks, DescribeTasks), those of deployment `id` only
 * when given (ECS starts a deployment's tasks with startedBy = its id);
 * context-owned; "" when none can be read. */
static const char *stopped_reasons(struct cmp *c, const char *id)
{
    const sh_host *h = c->f.h;
    sh_doc *in = shc_json(&c->f, "{'cluster': '%s', 'serviceName': '%s', 'desiredStatus': 'STOPPED'}",
                          c->cluster_name, c->service_name);
    const sh_doc *list = NULL, *tasks = NULL;
    char reasons[1024] = "";
    if (h->aws_call(c->f.ctx, "ecs", "ListTasks", in, &list) != SH_OK || !h->doc_count(list, "taskArns"))
        return "";
    sh_doc *d = shc_json(&c->f, "{'cluster': '%s'}", c->cluster_name);
    size_t n = h->doc_count(list, "taskArns");
    for (size_t i = 0; i < n && i < 10; i++)
        shc_set(&c->f, d, shc_str(h, list, "taskArns[%zu]", i), "tasks[%zu]", i);
    if (h->aws_call(c->f.ctx, "ecs", "DescribeTasks", d, &tasks) != SH_OK)
        return "";
    int pull = 0;
    for (size_t i = 0; i < h->doc_count(tasks, "tasks"); i++) {
        const char *why = shc_str(h, tasks, "tasks[%zu].stoppedReason", i);
        const char *by = shc_str(h, tasks, "tasks[%zu].startedBy", i);
        if (!why || strstr(reasons, why) || (id && by && strcmp(by, id)))
            continue;
        pull |= strstr(why, "CannotPullContainerError") != NULL;
        size_t used = strlen(reasons);
        snprintf(reasons + used, sizeof(reasons) - used, "%s%s", used ? "; " : "", why);
    }
    if (!reasons[0])
        return "";
    return shc_text(h, c->f.ctx, ": stopped tasks: %s: %s", reasons,
                    pull ? shc_text(h, c->f.ctx, "push the image %s (docker push %s), then run deploy again: a new "
                                    "deployment starts", c->image, c->image)
                         : shc_text(h, c->f.ctx, "fix the cause (the service's events above, the log group %s), then "
                                    "run deploy again: a new deployment starts", c->log_name));
}

/* How many targets of the service's target group are healthy; -1 when
 * it cannot say (no answer), -2 after recording an error. */
static long long healthy_targets(struct cmp *c)
{
    const sh_host *h = c->f.h;
    sh_doc *in = shc_json(&c->f, "{'TargetGroupArn': '%s'}", c->tg_arn);
    const sh_doc *out;
    if (h->aws_call(c->f.ctx, "elbv2", "DescribeTargetHealth", in, &out) != SH_OK) {
        h->fail(c->f.ctx, SH_ERR_AWS, "waiting for %s: %s", c->svc_l.label, h->aws_error_text(c->f.ctx));
        return -2;
    }
    long long healthy = 0;
    size_t n = h->doc_count(out, "TargetHealthDescriptions.member");
    for (size_t i = 0; i < n; i++) {
        const char *state =
            shc_str(h, out, "TargetHealthDescriptions.member[%zu].TargetHealth.State", i);
        healthy += state && !strcmp(state, "healthy");
    }
    return healthy;
}

static int poll_service(void *arg, char *progress, size_t len)
{
    struct service_poll *p = arg;
    struct cmp *c = p->c;
    const sh_host *h = c->f.h;
    sh_doc *in = shc_json(&c->f, "{'cluster': '%s', 'services': ['%s']}", c->cluster_name, c->service_name);
    const sh_doc *out;
    if (h->aws_call(c->f.ctx, "ecs", "DescribeServices", in, &out) != SH_OK) {
        const sh_aws_error *e = h->aws_error(c->f.ctx);
        if (p->mode != WAIT_STEADY && e && !strcmp(e->code, "ClusterNotFoundException"))
            return 1; /* the cluster and its services are gone */
        h->fail(c->f.ctx, SH_ERR_AWS, "waiting for %s: %s", c->svc_l.label, h->aws_error_text(c->f.ctx));
        return -1;
    }
    const sh_doc *s = h->doc_count(out, "services") ? h->doc_get(out, "services[0]") : NULL;
    const char *status = s ? h->doc_string(s, "status") : "MISSING";
    status = status ? status : "";
    if (p->mode == WAIT_INACTIVE) {
        snprintf(progress, len, "%s", status);
        return !strcmp(status, "INACTIVE") || !strcmp(status, "MISSING");
    }
    const char *running = h->doc_string(s, "runningCount"), *pending = h->doc_string(s, "pendingCount");
    const char *desired = h->doc_string(s, "desiredCount");
    long long run = running ? atoll(running) : 0, pend = pending ? atoll(pending) : 0;
    if (p->mode == WAIT_NO_TASKS) {
        snprintf(progress, len, "%lld running, %lld pending", run, pend);
        return strcmp(status, "ACTIVE") || (run == 0 && pend == 0);
    }
    if (!strcmp(status, "MISSING") && p->polls++ < 20) {
        /* a service made a moment ago can be unknown to DescribeServices for a while */
        snprintf(progress, len, "not visible yet");
        return 0;
    }
    if (strcmp(status, "ACTIVE")) {
        h->fail(c->f.ctx, SH_ERR_AWS, "%s is %s while waiting for it to run", c->svc_l.label, status);
        return -1;
    }
    events(c, s, 1);
    size_t deployments = h->doc_count(s, "deployments");
    /* A rollback puts a new PRIMARY deployment of the previous revision
     * first and leaves the failed one after it: a FAILED one started by
     * this run counts wherever it is listed. */
    for (size_t i = 0; i < deployments; i++) {
        const sh_doc *d = shc_node(h, s, "deployments[%zu]", i);
        const char *rollout = h->doc_string(d, "rolloutState"), *state = h->doc_string(d, "status");
        const char *id = h->doc_string(d, "id");
        int primary = state && !strcmp(state, "PRIMARY");
        if (rollout && !strcmp(rollout, "FAILED") && (primary || !deployed_before(c, p->before, id))) {
            const char *why = h->doc_string(d, "rolloutStateReason");
            h->fail(c->f.ctx, SH_ERR_AWS, "%s: the rollout failed (%s)%s", c->svc_l.label,
                    why ? why : "no reason given", stopped_reasons(c, id));
            return -1;
        }
    }
    const sh_doc *primary = primary_deployment(c, s);
    const char *td = primary ? h->doc_string(primary, "taskDefinition") : NULL;
    if (td && c->td_arn[0] && strcmp(td, c->td_arn)) {
        h->fail(c->f.ctx, SH_ERR_AWS, "%s runs %s, not %s: the deployment was rolled back or replaced%s",
                c->svc_l.label, td, c->td_arn, stopped_reasons(c, NULL));
        return -1;
    }
    /* ECS's word when it gives one (the circuit breaker's rollout state),
     * else the waiter's: one deployment, every desired task running */
    const char *rollout = primary ? h->doc_string(primary, "rolloutState") : NULL;
    long long want = desired ? atoll(desired) : -1;
    int tasks_done = rollout ? !strcmp(rollout, "COMPLETED") && run == want : deployments == 1 && run == want;
    long long healthy = -1;
    if (tasks_done && c->tg_arn && c->tg_arn[0]) {
        healthy = healthy_targets(c);
        if (healthy < -1)
            return -1;
    }
    snprintf(progress, len, "rollout %s: %lld of %s tasks running, %lld pending%s%s", rollout ? rollout : "(no state)",
             run, desired ? desired : "?", pend, healthy >= 0 ? ", " : "",
             healthy >= 0 ? shc_text(h, c->f.ctx, "%lld of %lld targets healthy", healthy, want) : "");
    return tasks_done && (healthy < 0 || healthy >= want);
}

int cmp_service_wait(struct cmp *c, int inactive)
{
    struct service_poll p = {.c = c, .mode = inactive ? WAIT_INACTIVE : WAIT_NO_TASKS};
    const char *what = shc_text(c->f.h, c->f.ctx, inactive ? "%s to be inactive" : "the tasks of %s to stop",
                                c->svc_l.label);
    return shc_wait(&c->f, what, SHC_UNTIL_DEADLINE, poll_service, &p);
}

/* The service as the lookup found it, when this run sent it nothing: one
 * deployment, its rollout completed (ECS counts the load balancer's
 * health checks in it), every desired task running. */
static int steady_as_found(struct cmp *c)
{
    const sh_host *h = c->f.h;
    if (!c->service || c->svc_l.change != SH_CHANGE_NONE || h->doc_count(c->service, "deployments") != 1)
        return 0;
    const sh_doc *primary = primary_deployment(c, c->service);
    const char *rollout = primary ? h->doc_string(primary, "rolloutState") : NULL;
    const char *running = h->doc_string(c->service, "runningCount"), *desired = h->doc_string(c->service, "desiredCount");
    return rollout && !strcmp(rollout, "COMPLETED") && running && desired && !strcmp(running, desired);
}

/* --wait: one deployment, every desired task running; its events shown
 * as progress. Without --wait, deploy returns once the service is
 * created or updated. */
int cmp_service_wait_steady(struct cmp *c)
{
    int seconds = c->f.h->wait_ready(c->f.ctx);
    if (c->f.mode != SH_MODE_DEPLOY || seconds <= 0)
        return 0;
    if (steady_as_found(c)) { /* the lookup's answer says so: no poll */
        c->f.h->log(c->f.ctx, SH_LOG_INFO, "%s runs at a steady state: the rollout completed, every task running "
                    "(as the lookup found it; nothing sent to it)", c->svc_l.label);
        return 0;
    }
    if (c->service)
        events(c, c->service, 0); /* what happened before this deploy */
    struct service_poll p = {.c = c, .mode = WAIT_STEADY, .before = c->service};
    const char *what = shc_text(c->f.h, c->f.ctx, "the rollout of %s", c->svc_l.label);
    sh_status st = c->f.h->wait(c->f.ctx, what, seconds, poll_service, &p);
    if (st == SH_ERR_TIMEOUT) {
        const char *why = stopped_reasons(c, NULL);
        c->f.h->fail(c->f.ctx, SH_ERR_TIMEOUT, "%s: the rollout did not complete in %ds%s", c->svc_l.label, seconds,
                   why[0] ? why : ": see the service's events above; run deploy --wait again to keep waiting");
    }
    if (st != SH_OK) {
        c->f.failed = 1;
        return -1;
    }
    c->f.h->log(c->f.ctx, SH_LOG_INFO, "%s runs at a steady state: the rollout completed, its targets healthy",
              c->svc_l.label);
    return 0;
}
