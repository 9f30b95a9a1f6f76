/* lb: the listeners. Without a certificate, HTTP 80 forwards to the
 * target group; with one, HTTPS 443 forwards (the TLS 1.3 policy, the
 * certificate) and HTTP 80 redirects to it. A listener that differs is
 * modified in place; one on a port this stack does not want is deleted.
 * Order: the listeners that forward first, then the redirect and the
 * deletions, so that 80 never redirects to a 443 that is not there yet,
 * and removing the certificate makes 80 forward before 443 goes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lb.h"

#define SSL_POLICY "ELBSecurityPolicy-TLS13-1-2-2021-06"

/* The redirect's parts: aws fills the ones not sent with these, so they
 * are sent and compared. */
static const char *const redirect[][2] = {
    {"Protocol", "HTTPS"}, {"Port", "443"}, {"Host", "#{host}"},
    {"Path", "/#{path}"},  {"Query", "#{query}"}, {"StatusCode", "HTTP_301"},
};
#define REDIRECT_PARTS (sizeof(redirect) / sizeof(redirect[0]))

void lb_listeners_plan(struct lb *l)
{
    /* A load balancer being replaced takes its listeners with it. */
    const sh_doc *ls = l->alb && !l->alb_replace[0] ? l->alb->listeners : NULL;
    size_t count = ls ? l->f.h->doc_count(ls, "Listeners.member") : 0;
    /* A listener forwarding to a target group being replaced goes first
     * (DeleteTargetGroup refuses while one does) and is made again: the
     * plan says so as deploy will do it. */
    const char *old_tg = l->f.plan && l->tg_replace[0] && l->tg ? l->f.h->doc_string(l->tg, "TargetGroupArn") : NULL;
    for (size_t i = 0; i < count; i++) {
        const sh_doc *it = shc_node(l->f.h, ls, "Listeners.member[%zu]", i);
        const char *port = l->f.h->doc_string(it, "Port"), *arn = l->f.h->doc_string(it, "ListenerArn");
        if (!port || !arn)
            continue;
        struct lb_listener *w = NULL;
        for (size_t k = 0; k < l->nwant && !w; k++)
            if (l->want[k].port == atoi(port))
                w = &l->want[k];
        if (w && old_tg && strstr(l->f.h->doc_json(l->f.ctx, l->f.h->doc_get(it, "DefaultActions")), old_tg)) {
            shc_line_note(&w->line, SH_CHANGE_REPLACE, "it forwards to the target group replaced");
        } else if (w) {
            w->have = it;
            w->arn = arn;
        } else if (l->nunwanted < LB_LISTENERS) {
            struct lb_unwanted *u = &l->unwanted[l->nunwanted++];
            u->arn = arn;
            u->port = port;
            u->line.label = shc_text(l->f.h, l->f.ctx, "listener %s:%s", l->alb_name, port);
        }
    }
}

void lb_listener_tag_reads(struct lb *l)
{
    const char *arns[2];
    size_t n = 0;
    for (size_t k = 0; k < l->nwant; k++)
        if (l->want[k].arn)
            arns[n++] = l->want[k].arn;
    if (n)
        lb_read_tags(l, arns, n, l->listener_tag_out);
}

static const char *field(struct lb *l, const sh_doc *it, const char *path)
{
    return it ? l->f.h->doc_string(it, path) : NULL;
}

static int same(const char *is, const char *want)
{
    return is && want && !strcmp(is, want);
}

/* Does the listener's one default action do what w wants? */
static int action_ok(struct lb *l, const struct lb_listener *w, const sh_doc *it)
{
    if (l->f.h->doc_count(it, "DefaultActions.member") != 1)
        return 0;
    const char *type = field(l, it, "DefaultActions.member[0].Type");
    if (w->redirect) {
        if (!same(type, "redirect"))
            return 0;
        for (size_t i = 0; i < REDIRECT_PARTS; i++) {
            char path[96];
            const char *is = field(l, it, shc_path(path, sizeof(path), "DefaultActions.member[0].RedirectConfig.%s",
                                                   redirect[i][0]));
            if (!same(is, redirect[i][1]))
                return 0;
        }
        return 1;
    }
    if (!same(type, "forward"))
        return 0;
    const char *tg = field(l, it, "DefaultActions.member[0].TargetGroupArn");
    if (tg) /* aws answers it beside ForwardConfig when there is one group */
        return same(tg, l->tg_arn);
    const char *groups = "DefaultActions.member[0].ForwardConfig.TargetGroups.member";
    char path[128];
    return l->f.h->doc_count(it, groups) == 1 &&
           same(field(l, it, shc_path(path, sizeof(path), "%s[0].TargetGroupArn", groups)), l->tg_arn);
}

/* What a listener should be, written into a request. */
static void put_listener(struct lb *l, const struct lb_listener *w, sh_doc *in)
{
    shc_set(&l->f, in, w->protocol, "Protocol");
    if (!strcmp(w->protocol, "HTTPS")) {
        shc_set(&l->f, in, SSL_POLICY, "SslPolicy");
        shc_set(&l->f, in, l->cfg.cert, "Certificates[0].CertificateArn");
    }
    if (w->redirect) {
        shc_set(&l->f, in, "redirect", "DefaultActions[0].Type");
        for (size_t i = 0; i < REDIRECT_PARTS; i++)
            shc_set(&l->f, in, redirect[i][1], "DefaultActions[0].RedirectConfig.%s", redirect[i][0]);
    } else {
        shc_set(&l->f, in, "forward", "DefaultActions[0].Type");
        shc_set(&l->f, in, l->tg_arn, "DefaultActions[0].TargetGroupArn");
    }
}

/* What w's action does, as a plan line says it. */
static const char *action_want(struct lb *l, const struct lb_listener *w)
{
    return w->redirect ? "redirect to https 443 with 301" : shc_text(l->f.h, l->f.ctx, "forward to %s", l->tg_name);
}

/* A new listener's action and, for https, its policy and certificate. */
static const char *action_text(struct lb *l, const struct lb_listener *w)
{
    return shc_text(l->f.h, l->f.ctx, "%s%s", action_want(l, w),
                    strcmp(w->protocol, "HTTPS") ? "" : ", policy " SSL_POLICY ", the certificate");
}

/* "redirect to https 443 with 301" of a listener found, and the parts
 * that differ from the redirect's: "path /x", "without host query". */
static const char *redirect_have(struct lb *l, const sh_doc *it)
{
    char path[96], protocol[16] = "?", extra[256] = "", unset[64] = "";
    const char *v[REDIRECT_PARTS];
    for (size_t i = 0; i < REDIRECT_PARTS; i++)
        v[i] = field(l, it, shc_path(path, sizeof(path), "DefaultActions.member[0].RedirectConfig.%s", redirect[i][0]));
    for (size_t i = 0; v[0] && v[0][i] && i + 1 < sizeof(protocol); i++) {
        protocol[i] = (char)(v[0][i] | 0x20); /* HTTPS -> https */
        protocol[i + 1] = '\0';
    }
    for (size_t i = 2; i < 5; i++) { /* host, path, query */
        char *to = v[i] ? extra : unset;
        size_t size = v[i] ? sizeof(extra) : sizeof(unset), used = strlen(to);
        if (!same(v[i], redirect[i][1]))
            snprintf(to + used, size - used, "%s%c%s%s%s", used || v[i] ? " " : "", redirect[i][0][0] | 0x20,
                     redirect[i][0] + 1, v[i] ? " " : "", v[i] ? v[i] : "");
    }
    if (unset[0]) {
        size_t used = strlen(extra);
        snprintf(extra + used, sizeof(extra) - used, " without %s", unset);
    }
    const char *code = v[5] && !strncmp(v[5], "HTTP_", 5) ? v[5] + 5 : v[5];
    return shc_text(l->f.h, l->f.ctx, "redirect to %s %s with %s%s", protocol, v[1] ? v[1] : "?", code ? code : "?",
                    extra);
}

/* What the action of a listener found does: "forward to tg-catalog-dev",
 * a redirect; NULL when it has none. */
static const char *action_have(struct lb *l, const sh_doc *it)
{
    size_t n = l->f.h->doc_count(it, "DefaultActions.member");
    const char *type = field(l, it, "DefaultActions.member[0].Type");
    if (n != 1 || !type)
        return n ? shc_text(l->f.h, l->f.ctx, "%zu actions", n) : NULL;
    if (!strcmp(type, "redirect"))
        return redirect_have(l, it);
    if (strcmp(type, "forward"))
        return type;
    const char *tg = field(l, it, "DefaultActions.member[0].TargetGroupArn");
    if (!tg)
        tg = field(l, it, "DefaultActions.member[0].ForwardConfig.TargetGroups.member[0].TargetGroupArn");
    const char *name = lb_arn_suffix(tg, "targetgroup/"); /* targetgroup/NAME/ID */
    return shc_text(l->f.h, l->f.ctx, "forward to %.*s", (int)strcspn(name, "/"), name);
}

static int again_when_duplicate(void *arg, const sh_doc *out)
{
    struct lb *l = arg;
    if (!out) /* DuplicateListener: made by an answer that was lost, look again */
        l->f.again = 1;
    return 0;
}

static void create(struct lb *l, struct lb_listener *w)
{
    sh_doc *in = shc_json(&l->f, "{'LoadBalancerArn': '%s', 'Port': %d}", l->alb_arn, w->port);
    put_listener(l, w, in);
    shc_put_tags(l->f.h, l->f.ctx, in, &shc_tags_query_put, NULL);
    const char *what = shc_text(l->f.h, l->f.ctx, "%s %d, %s", w->protocol, w->port, action_text(l, w));
    shc_change(&l->f.q, &w->line, SH_CHANGE_CREATE, what, "elbv2", "CreateListener", in, "DuplicateListener",
               again_when_duplicate, l);
}

static void put_back(struct lb *l, struct lb_listener *w)
{
    const sh_doc *it = w->have;
    const char *is[3] = {field(l, it, "Protocol"), field(l, it, "SslPolicy"),
                         field(l, it, "Certificates.member[0].CertificateArn")};
    const char *want[3] = {w->protocol, SSL_POLICY, l->cfg.cert}, *what[3] = {"protocol", "ssl policy", "certificate"};
    int differs = 0;
    /* the policy and certificate of an https listener only */
    for (size_t i = 0; i < (strcmp(w->protocol, "HTTPS") ? 1u : 3u); i++)
        if (!same(is[i], want[i])) {
            shc_line_diff(l->f.h, l->f.ctx, &w->line, SH_CHANGE_UPDATE, what[i], is[i], want[i]);
            differs = 1;
        }
    if (!action_ok(l, w, it)) {
        shc_line_diff(l->f.h, l->f.ctx, &w->line, SH_CHANGE_UPDATE, "action", action_have(l, it), action_want(l, w));
        differs = 1;
    }
    if (differs) {
        sh_doc *in = shc_json(&l->f, "{'ListenerArn': '%s'}", w->arn);
        put_listener(l, w, in);
        shc_change(&l->f.q, &w->line, SH_CHANGE_UPDATE, NULL, "elbv2", "ModifyListener", in, NULL, NULL, NULL);
    }
    lb_put_tags(l, &w->line, lb_tags_of(l, l->listener_tag_out, w->arn), w->arn);
}

void lb_listeners_wave(struct lb *l, int forward)
{
    for (size_t k = 0; k < l->nwant; k++) {
        struct lb_listener *w = &l->want[k];
        if (w->redirect == forward)
            continue;
        if (w->have)
            put_back(l, w);
        else
            create(l, w);
    }
    if (forward)
        return;
    for (size_t i = 0; i < l->nunwanted; i++) {
        struct lb_unwanted *u = &l->unwanted[i];
        sh_doc *in = shc_json(&l->f, "{'ListenerArn': '%s'}", u->arn);
        shc_change(&l->f.q, &u->line, SH_CHANGE_DELETE, "not configured", "elbv2", "DeleteListener", in,
                   "ListenerNotFound", NULL, NULL);
    }
}
