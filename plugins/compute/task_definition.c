/* compute: the task definition. Revisions are immutable: a new one is
 * registered only when the definition stackhost wants differs from the
 * family's latest ACTIVE revision, compared as documents (AWS fills
 * defaults into what it answers, so what it adds is no difference) and
 * never by revision number or text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute.h"

/* Every field stackhost manages, so that a setting taken away is still a
 * difference; with `tags`, the RegisterTaskDefinition request. */
static sh_doc *definition(struct cmp *c, int tags)
{
    const sh_host *h = c->h;
    sh_doc *d = cmp_req(c);
    char path[128];
    h->doc_set_string(d, "family", c->family);
    h->doc_set_string(d, "taskRoleArn", c->task.arn);
    h->doc_set_string(d, "executionRoleArn", c->exec.arn);
    h->doc_set_string(d, "networkMode", "awsvpc");
    h->doc_set_string(d, "requiresCompatibilities[0]", "FARGATE");
    /* task-level cpu and memory are strings in the API */
    h->doc_set_string(d, "cpu", shc_text(h, c->ctx, "%lld", c->cpu));
    h->doc_set_string(d, "memory", shc_text(h, c->ctx, "%lld", c->memory));
    h->doc_set_string(d, "runtimePlatform.operatingSystemFamily", "LINUX");
    h->doc_set_string(d, "runtimePlatform.cpuArchitecture", "X86_64");
    const char *k = "containerDefinitions[0]";
    h->doc_set_string(d, shc_path(path, sizeof(path), "%s.name", k), c->container);
    h->doc_set_string(d, shc_path(path, sizeof(path), "%s.image", k), c->image);
    h->doc_set_bool(d, shc_path(path, sizeof(path), "%s.essential", k), 1);
    h->doc_set_number(d, shc_path(path, sizeof(path), "%s.portMappings[0].containerPort", k), c->port);
    h->doc_set_string(d, shc_path(path, sizeof(path), "%s.portMappings[0].protocol", k), "tcp");
    h->doc_set_string(d, shc_path(path, sizeof(path), "%s.logConfiguration.logDriver", k), "awslogs");
    h->doc_set_string(d, shc_path(path, sizeof(path), "%s.logConfiguration.options.awslogs-group", k), c->log_name);
    h->doc_set_string(d, shc_path(path, sizeof(path), "%s.logConfiguration.options.awslogs-region", k),
                      h->region(c->ctx));
    h->doc_set_string(d, shc_path(path, sizeof(path), "%s.logConfiguration.options.awslogs-stream-prefix", k),
                      c->stack);
    for (size_t i = 0; i < c->nsecrets; i++) {
        h->doc_set_string(d, shc_path(path, sizeof(path), "%s.secrets[%zu].name", k, i), c->secrets[i].name);
        h->doc_set_string(d, shc_path(path, sizeof(path), "%s.secrets[%zu].valueFrom", k, i),
                          c->secrets[i].value_from);
    }
    h->doc_set_string(d, shc_path(path, sizeof(path), "%s.environment[0].name", k), "PORT");
    h->doc_set_string(d, shc_path(path, sizeof(path), "%s.environment[0].value", k),
                      shc_text(h, c->ctx, "%lld", c->port));
    h->doc_set_bool(d, shc_path(path, sizeof(path), "%s.readonlyRootFilesystem", k), 1);
    /* With the root read-only, most runtimes still need a writable /tmp:
     * a task volume (on Fargate, the task's ephemeral storage) mounted there. */
    h->doc_set_string(d, "volumes[0].name", "tmp");
    h->doc_set_string(d, shc_path(path, sizeof(path), "%s.mountPoints[0].sourceVolume", k), "tmp");
    h->doc_set_string(d, shc_path(path, sizeof(path), "%s.mountPoints[0].containerPath", k), "/tmp");
    h->doc_set_bool(d, shc_path(path, sizeof(path), "%s.mountPoints[0].readOnly", k), 0);
    if (tags)
        shc_put_tags(h, c->ctx, d, &shc_tags_ecs, NULL);
    return d;
}

/* What the plan line names when a revision differs. */
static const struct {
    const char *what, *path;
} fields[] = {
    {"image", "containerDefinitions[0].image"},
    {"cpu", "cpu"},
    {"memory", "memory"},
    {"execution role", "executionRoleArn"},
    {"task role", "taskRoleArn"},
    {"secrets", "containerDefinitions[0].secrets"},
    {"environment", "containerDefinitions[0].environment"},
    {"port", "containerDefinitions[0].portMappings"},
    {"logs", "containerDefinitions[0].logConfiguration"},
    {"read-only root filesystem", "containerDefinitions[0].readonlyRootFilesystem"},
    {"writable /tmp", "containerDefinitions[0].mountPoints"},
    {"volumes", "volumes"},
    {"essential", "containerDefinitions[0].essential"},
    {"container name", "containerDefinitions[0].name"},
    {"platform", "runtimePlatform"},
    {"network mode", "networkMode"},
    {"compatibilities", "requiresCompatibilities"},
};

void cmp_td_compare(struct cmp *c)
{
    const sh_host *h = c->h;
    c->td_register = 1;
    c->td_detail[0] = '\0';
    if (!c->td)
        return;
    const sh_doc *want = definition(c, 0);
    /* subset: a revision may hold members stackhost does not set; but
     * when no secrets are wanted, a revision holding some differs */
    int no_extra_secrets = c->nsecrets || !h->doc_count(c->td, "containerDefinitions[0].secrets");
    if (h->doc_count(c->td, "containerDefinitions") == 1 && h->doc_equal(want, c->td, 1) && no_extra_secrets) {
        const char *arn = h->doc_string(c->td, "taskDefinitionArn");
        snprintf(c->td_arn, sizeof(c->td_arn), "%s", arn ? arn : "");
        c->td_register = 0;
        return;
    }
    size_t used = 0;
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const sh_doc *w = h->doc_get(want, fields[i].path), *is = h->doc_get(c->td, fields[i].path);
        int same = w ? h->doc_equal(w, is, 1) : !is;
        if (!same && used < sizeof(c->td_detail) && !strstr(c->td_detail, fields[i].what))
            used += (size_t)snprintf(c->td_detail + used, sizeof(c->td_detail) - used, "%s%s", used ? ", " : "",
                                     !strcmp(fields[i].what, "image") ? shc_text(h, c->ctx, "image %s", c->image)
                                                                        : fields[i].what);
    }
    if (!used)
        snprintf(c->td_detail, sizeof(c->td_detail), "containers");
}

static int registered(void *arg, const sh_doc *out)
{
    struct cmp *c = arg;
    const char *arn = out ? c->h->doc_string(out, "taskDefinition.taskDefinitionArn") : NULL;
    if (!arn) {
        c->h->fail(c->ctx, SH_ERR_AWS, "%s: the registration answered no revision arn", c->run->td_l.label);
        return -1;
    }
    snprintf(c->td_arn, sizeof(c->td_arn), "%s", arn);
    return 0;
}

void cmp_td_wave(struct cmp *c)
{
    shc_line *line = &c->run->td_l;
    if (!c->td_register) {
        cmp_ecs_tags_drift(c, line, c->td_out, c->td_arn);
        return;
    }
    shc_change(&c->q, line, c->td ? SH_CHANGE_UPDATE : SH_CHANGE_CREATE,
               c->td ? shc_text(c->h, c->ctx, "a new revision: %s", c->td_detail) : NULL, "ecs",
               "RegisterTaskDefinition", definition(c, 1), NULL, registered, c);
}

/* The revision number of a task definition ARN (…:task-definition/family:N), 0 when none. */
static long long revision_of(const char *arn)
{
    const char *colon = arn ? strrchr(arn, ':') : NULL;
    return colon ? atoll(colon + 1) : 0;
}

static int newest_first(const void *a, const void *b)
{
    long long ra = revision_of(*(const char *const *)a), rb = revision_of(*(const char *const *)b);
    return ra < rb ? 1 : ra > rb ? -1 : 0;
}

/* Whether the service as the lookup found it runs (or drains) arn. */
static int in_use(struct cmp *c, const char *arn)
{
    char path[64];
    size_t n = c->service ? c->h->doc_count(c->service, "deployments") : 0;
    for (size_t i = 0; i < n; i++) {
        const char *td = c->h->doc_string(c->service, shc_path(path, sizeof(path), "deployments[%zu].taskDefinition", i));
        if (td && !strcmp(td, arn))
            return 1;
    }
    return !strcmp(arn, c->td_arn);
}

void cmp_list_revisions(struct cmp *c, const char *status, const sh_doc **out)
{
    sh_doc *in = cmp_req(c);
    c->h->doc_set_string(in, "familyPrefix", c->family);
    c->h->doc_set_string(in, "status", status);
    cmp_read(c, "ecs", "ListTaskDefinitions", in, "taskDefinitionArns", c->run->td_l.label, NULL, out);
}

size_t cmp_family_arns(struct cmp *c, const sh_doc *list, const char **out, size_t max)
{
    char path[64];
    const char *want = shc_text(c->h, c->ctx, ":task-definition/%s:", c->family);
    size_t k = 0;
    for (size_t i = 0; list && i < c->h->doc_count(list, "taskDefinitionArns") && k < max; i++) {
        const char *arn = c->h->doc_string(list, shc_path(path, sizeof(path), "taskDefinitionArns[%zu]", i));
        if (arn && strstr(arn, want))
            out[k++] = arn;
    }
    return k;
}

#define PRUNE_MAX 256

int cmp_td_prune(struct cmp *c)
{
    const sh_host *h = c->h;
    /* only after a new revision (in a plan: the one a deploy would register) */
    if (!c->td_register)
        return 0;
    int planned = c->plan && c->td;
    long long newest = planned ? revision_of(h->doc_string(c->td, "taskDefinitionArn")) + 1 : revision_of(c->td_arn);
    if (newest <= c->keep_revisions)
        return 0; /* never more than keep revisions were registered: nothing to list */
    const sh_doc *list = NULL;
    cmp_list_revisions(c, "ACTIVE", &list);
    if (cmp_run(c))
        return -1;
    const char *arns[PRUNE_MAX], *gone[PRUNE_MAX];
    size_t n = cmp_family_arns(c, list, arns, PRUNE_MAX), ngone = 0;
    qsort(arns, n, sizeof(arns[0]), newest_first);
    /* in a plan the new revision is not listed yet: it takes one of the places kept */
    for (size_t i = (size_t)c->keep_revisions - (planned ? 1 : 0); i < n; i++)
        if (!in_use(c, arns[i]))
            gone[ngone++] = arns[i];
    const char *what = shc_text(h, c->ctx, "%zu older revision%s deregistered, keeping %lld", ngone,
                                ngone == 1 ? "" : "s", c->keep_revisions);
    for (size_t i = 0; i < ngone; i++) {
        sh_doc *d = cmp_req(c);
        h->doc_set_string(d, "taskDefinition", gone[i]);
        shc_change(&c->q, &c->run->td_l, SH_CHANGE_UPDATE, what, "ecs", "DeregisterTaskDefinition", d,
                   "ClientException(inactive)", NULL, NULL);
    }
    return cmp_run(c);
}
