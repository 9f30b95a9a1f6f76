/* compute: the task definition. Revisions are immutable: a new one is
 * registered only when the definition stackhost wants differs from the
 * family's latest ACTIVE revision, compared as documents (AWS fills
 * defaults into what it answers, so what it adds is no difference) and
 * never by revision number or text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute.h"

#define CONTAINER "containerDefinitions[0]"

/* Every field stackhost manages, so that a setting taken away is still a
 * difference; with `tags`, the RegisterTaskDefinition request. */
static sh_doc *definition(struct cmp *c, int tags)
{
    /* Task-level cpu and memory are strings in the API. With the root
     * read-only, most runtimes still need a writable /tmp: a task volume
     * (on Fargate, the task's ephemeral storage) mounted there. */
    sh_doc *d = shc_json(&c->f, "{'family': '%s', 'taskRoleArn': '%s', 'executionRoleArn': '%s', "
                                "'networkMode': 'awsvpc', 'requiresCompatibilities': ['FARGATE'], "
                                "'cpu': '%lld', 'memory': '%lld', "
                                "'runtimePlatform': {'operatingSystemFamily': 'LINUX', 'cpuArchitecture': 'X86_64'}, "
                                "'containerDefinitions': [{'name': '%s', 'image': '%s', 'essential': true, "
                                "'portMappings': [{'containerPort': %lld, 'protocol': 'tcp'}], "
                                "'logConfiguration': {'logDriver': 'awslogs', 'options': {'awslogs-group': '%s', "
                                "'awslogs-region': '%s', 'awslogs-stream-prefix': '%s'}}, "
                                "'environment': [{'name': 'PORT', 'value': '%lld'}], 'readonlyRootFilesystem': true, "
                                "'mountPoints': [{'sourceVolume': 'tmp', 'containerPath': '/tmp', 'readOnly': false}]}], "
                                "'volumes': [{'name': 'tmp'}]}",
                         c->family, c->task.arn, c->exec.arn, c->cfg.cpu, c->cfg.memory, c->container, c->image,
                         c->port, c->log_name, c->f.h->region(c->f.ctx), c->stack, c->port);
    for (size_t i = 0; i < c->nsecrets; i++) {
        shc_set(&c->f, d, c->secrets[i].name, CONTAINER ".secrets[%zu].name", i);
        shc_set(&c->f, d, c->secrets[i].value_from, CONTAINER ".secrets[%zu].valueFrom", i);
    }
    if (tags)
        shc_put_tags(c->f.h, c->f.ctx, d, &shc_tags_ecs, NULL);
    return d;
}

/* ---- what differs, as the plan line says it ---- */

/* A field's text in a definition (the wanted one or a revision), NULL
 * when absent: what "before -> after" shows of it. */
typedef const char *(*td_text_fn)(struct cmp *c, const sh_doc *def, const char *path);

/* A scalar as it is; anything else as compact JSON. */
static const char *scalar_text(struct cmp *c, const sh_doc *def, const char *path)
{
    const sh_doc *node = c->f.h->doc_get(def, path);
    const char *text = c->f.h->doc_string(def, path);
    return text || !node ? text : c->f.h->doc_json(c->f.ctx, node);
}

/* Member `name` of the first item of the list at path ("?" when absent). */
static const char *first(struct cmp *c, const sh_doc *def, const char *path, const char *name)
{
    const char *text = shc_str(c->f.h, def, "%s[0].%s", path, name);
    return text ? text : "?";
}

/* "8080", "8080/udp": the container port of the one mapping (and its
 * protocol when not tcp); several as JSON. */
static const char *port_text(struct cmp *c, const sh_doc *def, const char *path)
{
    if (c->f.h->doc_count(def, path) != 1)
        return scalar_text(c, def, path);
    const char *port = first(c, def, path, "containerPort"), *protocol = first(c, def, path, "protocol");
    return strcmp(protocol, "tcp") && strcmp(protocol, "?") ? shc_text(c->f.h, c->f.ctx, "%s/%s", port, protocol)
                                                            : port;
}

/* "tmp:/tmp", "tmp:/tmp:ro": the one mount point as docker writes it; several as JSON. */
static const char *mount_text(struct cmp *c, const sh_doc *def, const char *path)
{
    if (c->f.h->doc_count(def, path) != 1)
        return scalar_text(c, def, path);
    return shc_text(c->f.h, c->f.ctx, "%s:%s%s", first(c, def, path, "sourceVolume"),
                    first(c, def, path, "containerPath"), strcmp(first(c, def, path, "readOnly"), "true") ? "" : ":ro");
}

/* "tmp", "FARGATE EC2": a list's items (of objects, their names), space separated. */
static const char *words_text(struct cmp *c, const sh_doc *def, const char *path)
{
    const sh_host *h = c->f.h;
    char words[256] = "";
    size_t n = h->doc_count(def, path), used = 0;
    if (!n)
        return NULL;
    for (size_t i = 0; i < n && used < sizeof(words); i++) {
        const char *w = shc_str(h, def, "%s[%zu]", path, i);
        if (!w)
            w = shc_str(h, def, "%s[%zu].name", path, i);
        used += (size_t)snprintf(words + used, sizeof(words) - used, "%s%s", i ? " " : "", w ? w : "?");
    }
    return shc_text(h, c->f.ctx, "%s", words);
}

/* "LINUX/X86_64" */
static const char *platform_text(struct cmp *c, const sh_doc *def, const char *path)
{
    if (!c->f.h->doc_get(def, path))
        return NULL;
    const char *os = shc_str(c->f.h, def, "%s.operatingSystemFamily", path);
    const char *cpu = shc_str(c->f.h, def, "%s.cpuArchitecture", path);
    return shc_text(c->f.h, c->f.ctx, "%s/%s", os ? os : "?", cpu ? cpu : "?");
}

#define LOGS CONTAINER ".logConfiguration"

/* Every field stackhost sets, as the plan line names it; lists of named
 * items (text NULL) say which names were added, removed or changed,
 * never their values. */
static const struct {
    const char *what, *path;
    td_text_fn text;
} fields[] = {
    {"image", CONTAINER ".image", scalar_text},
    {"cpu", "cpu", scalar_text},
    {"memory", "memory", scalar_text},
    {"execution role", "executionRoleArn", scalar_text},
    {"task role", "taskRoleArn", scalar_text},
    {"secrets", CONTAINER ".secrets", NULL},
    {"environment", CONTAINER ".environment", NULL},
    {"port", CONTAINER ".portMappings", port_text},
    {"log driver", LOGS ".logDriver", scalar_text},
    {"log group", LOGS ".options.awslogs-group", scalar_text},
    {"log region", LOGS ".options.awslogs-region", scalar_text},
    {"log stream prefix", LOGS ".options.awslogs-stream-prefix", scalar_text},
    {"read-only root filesystem", CONTAINER ".readonlyRootFilesystem", scalar_text},
    {"writable /tmp", CONTAINER ".mountPoints", mount_text},
    {"volumes", "volumes", words_text},
    {"essential", CONTAINER ".essential", scalar_text},
    {"container name", CONTAINER ".name", scalar_text},
    {"platform", "runtimePlatform", platform_text},
    {"network mode", "networkMode", scalar_text},
    {"compatibilities", "requiresCompatibilities", words_text},
};

/* The item of list `path` in def whose name is `name`, or NULL. */
static const sh_doc *named(struct cmp *c, const sh_doc *def, const char *path, const char *name)
{
    for (size_t i = 0; name && i < c->f.h->doc_count(def, path); i++) {
        const char *is = shc_str(c->f.h, def, "%s[%zu].name", path, i);
        if (is && !strcmp(is, name))
            return shc_node(c->f.h, def, "%s[%zu]", path, i);
    }
    return NULL;
}

/* Notes the names of a list of {name, value...} that were added, removed
 * or changed ("environment LOG_LEVEL added"): values may be secret, or
 * long, and are never shown. */
static void names_diff(struct cmp *c, shc_line *t, const char *what, const sh_doc *want, const sh_doc *have,
                       const char *path)
{
    const sh_host *h = c->f.h;
    const char *before = t->detail[0] ? shc_text(h, c->f.ctx, "%s", t->detail) : "";
    for (size_t i = 0; i < h->doc_count(want, path); i++) {
        const char *name = shc_str(h, want, "%s[%zu].name", path, i);
        const sh_doc *w = shc_node(h, want, "%s[%zu]", path, i);
        const sh_doc *is = named(c, have, path, name);
        if (!is || !h->doc_equal(w, is, 1))
            shc_line_note(t, SH_CHANGE_UPDATE, shc_text(h, c->f.ctx, "%s %s %s", what, name ? name : "?",
                                                        is ? "changed" : "added"));
    }
    for (size_t i = 0; i < h->doc_count(have, path); i++) {
        const char *name = shc_str(h, have, "%s[%zu].name", path, i);
        if (!named(c, want, path, name))
            shc_line_note(t, SH_CHANGE_UPDATE, shc_text(h, c->f.ctx, "%s %s removed", what, name ? name : "?"));
    }
    if (!strcmp(before, t->detail)) /* the same items, in another order */
        shc_line_note(t, SH_CHANGE_UPDATE, shc_text(h, c->f.ctx, "%s reordered", what));
}

/* What differs between the wanted definition and the latest revision,
 * field by field, as "before -> after" into c->td_detail. */
static void td_diff(struct cmp *c, const sh_doc *want)
{
    const sh_host *h = c->f.h;
    shc_line t = {0};
    size_t containers = h->doc_count(c->td, "containerDefinitions");
    if (containers != 1)
        shc_line_diff(h, c->f.ctx, &t, SH_CHANGE_UPDATE, "containers", shc_text(h, c->f.ctx, "%zu", containers), "1");
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const sh_doc *w = h->doc_get(want, fields[i].path), *is = h->doc_get(c->td, fields[i].path);
        if (w ? h->doc_equal(w, is, 1) : !is)
            continue;
        if (fields[i].text)
            shc_line_diff(h, c->f.ctx, &t, SH_CHANGE_UPDATE, fields[i].what, fields[i].text(c, c->td, fields[i].path),
                          fields[i].text(c, want, fields[i].path));
        else
            names_diff(c, &t, fields[i].what, want, c->td, fields[i].path);
    }
    snprintf(c->td_detail, sizeof(c->td_detail), "%s", t.detail[0] ? t.detail : "containers");
}

void cmp_td_compare(struct cmp *c)
{
    const sh_host *h = c->f.h;
    c->td_register = 1;
    c->td_detail[0] = '\0';
    if (!c->td)
        return;
    const sh_doc *want = definition(c, 0);
    /* subset: a revision may hold members stackhost does not set; but
     * when no secrets are wanted, a revision holding some differs */
    int no_extra_secrets = c->nsecrets || !h->doc_count(c->td, CONTAINER ".secrets");
    if (h->doc_count(c->td, "containerDefinitions") == 1 && h->doc_equal(want, c->td, 1) && no_extra_secrets) {
        const char *arn = h->doc_string(c->td, "taskDefinitionArn");
        snprintf(c->td_arn, sizeof(c->td_arn), "%s", arn ? arn : "");
        c->td_register = 0;
        return;
    }
    td_diff(c, want);
}

static int registered(void *arg, const sh_doc *out)
{
    struct cmp *c = arg;
    const char *arn = out ? c->f.h->doc_string(out, "taskDefinition.taskDefinitionArn") : NULL;
    if (!arn) {
        c->f.h->fail(c->f.ctx, SH_ERR_AWS, "%s: the registration answered no revision arn", c->td_l.label);
        return -1;
    }
    snprintf(c->td_arn, sizeof(c->td_arn), "%s", arn);
    return 0;
}

void cmp_td_wave(struct cmp *c)
{
    shc_line *line = &c->td_l;
    if (!c->td_register) {
        cmp_ecs_tags_drift(c, line, c->td_out, c->td_arn);
        return;
    }
    shc_change(&c->f.q, line, c->td ? SH_CHANGE_UPDATE : SH_CHANGE_CREATE,
               c->td ? shc_text(c->f.h, c->f.ctx, "a new revision: %s", c->td_detail) : NULL, "ecs",
               "RegisterTaskDefinition", definition(c, 1), NULL, registered, c);
}

/* The revision number of a task definition ARN (…:task-definition/family:N), 0 when none. */
static long long revision_of(const char *arn)
{
    const char *colon = arn ? strrchr(arn, ':') : NULL;
    return colon ? atoll(colon + 1) : 0;
}

const char *cmp_td_revision(struct cmp *c)
{
    if (c->f.plan && c->td_register) /* ECS numbers a family's revisions in order */
        return c->td ? shc_text(c->f.h, c->f.ctx, "%s:%lld", c->family,
                                revision_of(c->f.h->doc_string(c->td, "taskDefinitionArn")) + 1)
                     : NULL;
    const char *slash = strrchr(c->td_arn, '/');
    return slash ? slash + 1 : NULL;
}

static int newest_first(const void *a, const void *b)
{
    long long ra = revision_of(*(const char *const *)a), rb = revision_of(*(const char *const *)b);
    return ra < rb ? 1 : ra > rb ? -1 : 0;
}

/* Whether the service as the lookup found it runs (or drains) arn. */
static int in_use(struct cmp *c, const char *arn)
{
    size_t n = c->service ? c->f.h->doc_count(c->service, "deployments") : 0;
    for (size_t i = 0; i < n; i++) {
        const char *td = shc_str(c->f.h, c->service, "deployments[%zu].taskDefinition", i);
        if (td && !strcmp(td, arn))
            return 1;
    }
    return !strcmp(arn, c->td_arn);
}

void cmp_list_revisions(struct cmp *c, const char *status, const sh_doc **out)
{
    sh_doc *in = shc_json(&c->f, "{'familyPrefix': '%s', 'status': '%s'}", c->family, status);
    cmp_read(c, "ecs", "ListTaskDefinitions", in, "taskDefinitionArns", c->td_l.label, NULL, out);
}

size_t cmp_family_arns(struct cmp *c, const sh_doc *list, const char **out, size_t max)
{
    const char *want = shc_text(c->f.h, c->f.ctx, ":task-definition/%s:", c->family);
    size_t k = 0;
    for (size_t i = 0; list && i < c->f.h->doc_count(list, "taskDefinitionArns") && k < max; i++) {
        const char *arn = shc_str(c->f.h, list, "taskDefinitionArns[%zu]", i);
        if (arn && strstr(arn, want))
            out[k++] = arn;
    }
    return k;
}

#define PRUNE_MAX 256

int cmp_td_prune(struct cmp *c)
{
    const sh_host *h = c->f.h;
    /* only after a new revision (in a plan: the one a deploy would register) */
    if (!c->td_register)
        return 0;
    int planned = c->f.plan && c->td;
    long long newest = planned ? revision_of(h->doc_string(c->td, "taskDefinitionArn")) + 1 : revision_of(c->td_arn);
    if (newest <= c->cfg.keep_revisions)
        return 0; /* never more than keep revisions were registered: nothing to list */
    const sh_doc *list = NULL;
    cmp_list_revisions(c, "ACTIVE", &list);
    if (shc_wave(&c->f))
        return -1;
    const char *arns[PRUNE_MAX], *gone[PRUNE_MAX];
    size_t n = cmp_family_arns(c, list, arns, PRUNE_MAX), ngone = 0;
    qsort(arns, n, sizeof(arns[0]), newest_first);
    /* in a plan the new revision is not listed yet: it takes one of the places kept */
    for (size_t i = (size_t)c->cfg.keep_revisions - (planned ? 1 : 0); i < n; i++)
        if (!in_use(c, arns[i]))
            gone[ngone++] = arns[i];
    const char *what = shc_text(h, c->f.ctx, "%zu older revision%s deregistered, keeping %lld", ngone,
                                ngone == 1 ? "" : "s", c->cfg.keep_revisions);
    for (size_t i = 0; i < ngone; i++) {
        sh_doc *d = shc_json(&c->f, "{'taskDefinition': '%s'}", gone[i]);
        shc_change(&c->f.q, &c->td_l, SH_CHANGE_UPDATE, what, "ecs", "DeregisterTaskDefinition", d,
                   "ClientException(inactive)", NULL, NULL);
    }
    return shc_wave(&c->f);
}
