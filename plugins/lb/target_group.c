/* lb: the target group the service registers its tasks in: made (its
 * deregistration delay in a second call: CreateTargetGroup takes no
 * attributes), its health check, attributes and tags put back. Protocol,
 * port, vpc and target type cannot change in place: a replacement. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lb.h"

#define DEREGISTRATION "deregistration_delay.timeout_seconds"
#define DEREGISTRATION_SECONDS "30"

/* The health check of catalog-stack.md: field of the answer (and of the
 * request), the value wanted. */
struct check {
    const char *field, *want, *what;
};

static size_t health_check(struct lb *l, struct check *c)
{
    size_t n = 0;
    c[n++] = (struct check){"HealthCheckProtocol", "HTTP", "protocol"};
    c[n++] = (struct check){"HealthCheckPort", "traffic-port", "port"};
    c[n++] = (struct check){"HealthCheckPath", l->cfg.health_path, "path"};
    c[n++] = (struct check){"HealthCheckEnabled", "true", "enabled"};
    c[n++] = (struct check){"HealthCheckIntervalSeconds", "15", "interval"};
    c[n++] = (struct check){"HealthCheckTimeoutSeconds", "5", "timeout"};
    c[n++] = (struct check){"HealthyThresholdCount", "2", "healthy threshold"};
    c[n++] = (struct check){"UnhealthyThresholdCount", "3", "unhealthy threshold"};
    c[n++] = (struct check){"Matcher.HttpCode", "200", "matcher"};
    return n;
}

static void put_health_check(struct lb *l, sh_doc *in)
{
    struct check c[16];
    size_t n = health_check(l, c);
    for (size_t i = 0; i < n; i++)
        shc_set(&l->f, in, c[i].want, "%s", c[i].field);
}

static sh_doc *on_tg(struct lb *l)
{
    return shc_json(&l->f, "{'TargetGroupArn': '%s'}", l->tg_arn);
}

int lb_tg_replace_check(struct lb *l)
{
    if (!l->tg)
        return 0;
    char *why = l->tg_replace;
    size_t len = sizeof(l->tg_replace);
    const char *port = shc_text(l->f.h, l->f.ctx, "%lld", l->port);
    const char *fields[][3] = {{"Protocol", "protocol", "HTTP"},
                               {"Port", "port", port},
                               {"TargetType", "target type", "ip"},
                               {"VpcId", "vpc", l->vpc}};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const char *is = l->f.h->doc_string(l->tg, fields[i][0]), *want = fields[i][2];
        if (!want || (is && !strcmp(is, want)))
            continue; /* the vpc is unknown in a plan before network's first deploy */
        size_t used = strlen(why);
        snprintf(why + used, len - used, "%s%s", used ? ", " : "",
                 shc_line_diff(l->f.h, l->f.ctx, NULL, SH_CHANGE_REPLACE, fields[i][1], is, want));
    }
    if (!why[0])
        return 0;
    shc_line_note(&l->tg_l, SH_CHANGE_REPLACE, why);
    if (l->f.h->allow_replace(l->f.ctx)) {
        if (l->f.plan)
            l->tg_arn[0] = '\0'; /* the listeners will forward to the new one */
        return 0;
    }
    return shc_fail(&l->f, SH_ERR_CONFLICT,
                    "%s: %s, which cannot change in place: deploy with --allow-replace to delete the target group "
                    "(its targets deregistered) and create it again", l->tg_l.label, why);
}

/* Listeners of the kept load balancer that forward to it go first:
 * DeleteTargetGroup refuses while one does. */
int lb_tg_delete_for_replace(struct lb *l)
{
    const sh_doc *ls = l->alb && !l->alb_replace[0] ? l->alb->listeners : NULL;
    size_t count = ls ? l->f.h->doc_count(ls, "Listeners.member") : 0;
    for (size_t i = 0; i < count; i++) {
        const sh_doc *it = shc_node(l->f.h, ls, "Listeners.member[%zu]", i);
        if (!strstr(l->f.h->doc_json(l->f.ctx, l->f.h->doc_get(it, "DefaultActions")), l->tg_arn))
            continue;
        sh_doc *in = shc_json(&l->f, "{'ListenerArn': '%s'}", l->f.h->doc_string(it, "ListenerArn"));
        const char *label = shc_text(l->f.h, l->f.ctx, "listener %s:%s", l->alb_name, l->f.h->doc_string(it, "Port"));
        shc_delete(&l->f.q, label, "it forwards to the target group replaced", "elbv2", "DeleteListener", in,
                   "ListenerNotFound");
    }
    if (shc_wave(&l->f))
        return -1;
    /* a listener's deletion takes a moment to count: lb_not_yet waits it out */
    shc_delete(&l->f.q, l->tg_l.label, shc_text(l->f.h, l->f.ctx, "to replace it: %s", l->tg_replace), "elbv2",
               "DeleteTargetGroup", on_tg(l), "TargetGroupNotFound");
    return shc_wave(&l->f);
}

static int created(void *arg, const sh_doc *out)
{
    struct lb *l = arg;
    if (!out) { /* DuplicateTargetGroupName: made by an answer that was lost, look again */
        l->f.again = 1;
        return 0;
    }
    const char *arn = l->f.h->doc_string(out, "TargetGroups.member[0].TargetGroupArn");
    if (!arn) {
        l->f.h->fail(l->f.ctx, SH_ERR_AWS, "%s: CreateTargetGroup answered without an arn", l->tg_l.label);
        return -1;
    }
    snprintf(l->tg_arn, sizeof(l->tg_arn), "%s", arn);
    l->tg_new = 1;
    return 0;
}

static void create(struct lb *l)
{
    sh_doc *in = shc_json(&l->f, "{'Name': '%s', 'Protocol': 'HTTP', 'Port': %lld, 'VpcId': '%s', 'TargetType': 'ip'}",
                          l->tg_name, l->port, l->vpc);
    put_health_check(l, in);
    shc_put_tags(l->f.h, l->f.ctx, in, &shc_tags_query_put, NULL);
    shc_change(&l->f.q, &l->tg_l, SH_CHANGE_CREATE,
               shc_text(l->f.h, l->f.ctx, "http %lld, health check %s", l->port, l->cfg.health_path), "elbv2",
               "CreateTargetGroup", in, "DuplicateTargetGroupName", created, l);
}

static void deregistration(struct lb *l, const sh_doc *have)
{
    const char *is = lb_attribute(l, have, DEREGISTRATION);
    if (is && !strcmp(is, DEREGISTRATION_SECONDS))
        return;
    sh_doc *in = on_tg(l);
    shc_set(&l->f, in, DEREGISTRATION, "Attributes[0].Key");
    shc_set(&l->f, in, DEREGISTRATION_SECONDS, "Attributes[0].Value");
    if (have)
        shc_line_diff(l->f.h, l->f.ctx, &l->tg_l, SH_CHANGE_UPDATE, "deregistration delay",
                      is ? shc_text(l->f.h, l->f.ctx, "%s s", is) : NULL, DEREGISTRATION_SECONDS " s");
    shc_change(&l->f.q, &l->tg_l, have ? SH_CHANGE_UPDATE : SH_CHANGE_CREATE, NULL, "elbv2",
               "ModifyTargetGroupAttributes", in, NULL, NULL, NULL);
}

void lb_tg_wave(struct lb *l)
{
    if (!l->tg || l->tg_replace[0]) {
        if (!l->tg)
            create(l);
        return;
    }
    struct check c[16];
    size_t n = health_check(l, c);
    int differs = 0;
    for (size_t i = 0; i < n; i++) {
        const char *is = l->f.h->doc_string(l->tg, c[i].field);
        if (is && !strcmp(is, c[i].want))
            continue;
        shc_line_diff(l->f.h, l->f.ctx, &l->tg_l, SH_CHANGE_UPDATE, shc_text(l->f.h, l->f.ctx, "health check %s", c[i].what),
                      is, c[i].want);
        differs = 1;
    }
    if (differs) {
        /* Every field, not only those that differ: one call puts the whole check back. */
        sh_doc *in = on_tg(l);
        put_health_check(l, in);
        shc_change(&l->f.q, &l->tg_l, SH_CHANGE_UPDATE, NULL, "elbv2", "ModifyTargetGroup", in, NULL, NULL, NULL);
    }
    deregistration(l, l->tg_attrs);
    lb_put_tags(l, &l->tg_l, l->tg_tags, l->tg_arn);
}

void lb_tg_new_wave(struct lb *l)
{
    if (l->tg_new)
        deregistration(l, NULL);
}
