/* lb: the desired state, network's outputs, and the helpers of every
 * step: requests, waves, tags, attributes, arn suffixes, outputs. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lb.h"



static void want_listener(struct lb *l, int port, const char *protocol, int redirect)
{
    struct lb_listener *w = &l->want[l->nwant++];
    w->port = port;
    w->protocol = protocol;
    w->redirect = redirect;
    w->line.label = shc_text(l->f.h, l->f.ctx, "listener %s:%d", l->alb_name, port);
}

/* The answers ELBv2 gives while something propagates (aws-api.md section 13). */
const shc_not_yet lb_not_yet[] = {
    /* a new load balancer's or target group's arn, unknown for a moment */
    {"Create*|Modify*|Add*|Set*|Register*", "LoadBalancerNotFound|TargetGroupNotFound", NULL, 120, NULL},
    /* a certificate just issued (or imported) is not yet known to ELBv2 */
    {"CreateListener|ModifyListener", "CertificateNotFound", NULL, 300,
     "check that lb.certificate_arn names an issued certificate of this region and account"},
    /* a listener's deletion takes a moment to count (Terraform: 2 minutes, this message) */
    {"DeleteTargetGroup", "ResourceInUse", "currently in use by a listener or a rule", 120,
     "something outside this stack (a listener rule, another load balancer) still forwards to it"},
    SHC_NOT_YET_END};

/* What a pass starts from: the desired state, made again from the
 * configuration and the inputs (recorded once, by lb_load, when one is
 * missing). */
int lb_load(shc_frame *f, int destroy)
{
    struct lb *l = (struct lb *)f;
    const sh_host *h = f->h;
    sh_ctx *ctx = f->ctx;
    (void)destroy;
    const char *stack = h->stack_name(ctx);
    l->alb_name = h->resource_name(ctx, "alb", stack);
    l->tg_name = h->resource_name(ctx, "tg", stack);
    h->config_read(ctx, &l->cfg);
    if (l->cfg.cert && !*l->cfg.cert)
        l->cfg.cert = NULL;
    l->port = shc_task_port(h, ctx);
    l->alb_l.label = shc_text(h, ctx, "load balancer %s", l->alb_name);
    l->tg_l.label = shc_text(h, ctx, "target group %s", l->tg_name);
    if (l->cfg.cert) {
        want_listener(l, 443, "HTTPS", 0);
        want_listener(l, 80, "HTTP", 1);
    } else {
        want_listener(l, 80, "HTTP", 0);
    }
    return 0;
}

void lb_begin(shc_frame *f)
{
    struct lb *l = (struct lb *)f;
    memset(&l->vpc, 0, sizeof(*l) - offsetof(struct lb, vpc));
    for (size_t i = 0; i < l->nwant; i++) {
        l->want[i].have = NULL;
        l->want[i].arn = NULL;
    }
}

int lb_inputs(struct lb *l)
{
    /* a plan before network's first deploy goes on without them */
    l->vpc = shc_input(&l->f, "network", "vpc_id", l->tg_l.label);
    l->sg = shc_input(&l->f, "network", "alb_security_group_id", l->alb_l.label);
    l->nsubnets = shc_input_list(&l->f, "network", "public_subnet_ids", l->alb_l.label, &l->subnets);
    return l->f.failed ? -1 : 0;
}

/* An arn gone since it was listed fails its whole DescribeTags call:
 * nothing is known of the others' tags, so the pass looks again rather
 * than take the stack's own resources for foreign ones. */
static int tags_read(void *arg, const sh_doc *out)
{
    struct lb_tag_read *r = arg;
    *r->out = out;
    if (!out)
        r->l->f.again = 1;
    return 0;
}

void lb_read_tags(struct lb *l, const char *const *arns, size_t n, const sh_doc **out)
{
    for (size_t k = 0; k < LB_TAG_CALLS; k++)
        out[k] = NULL;
    for (size_t k = 0; k * LB_DESCRIBE_TAGS_MAX < n && k < LB_TAG_CALLS; k++) {
        sh_doc *in = shc_doc(&l->f);
        for (size_t i = k * LB_DESCRIBE_TAGS_MAX; i < n && i < (k + 1) * LB_DESCRIBE_TAGS_MAX; i++)
            shc_set(&l->f, in, arns[i], "ResourceArns[%zu]", i - k * LB_DESCRIBE_TAGS_MAX);
        if (l->ntag_reads == sizeof(l->tag_reads) / sizeof(l->tag_reads[0])) {
            shc_fail(&l->f, SH_ERR, "reading the tags of %s: more calls than a pass makes", l->alb_name);
            return;
        }
        struct lb_tag_read *r = &l->tag_reads[l->ntag_reads++];
        *r = (struct lb_tag_read){l, &out[k]};
        shc_queue_add_accepting(&l->f.q, "elbv2", "DescribeTags", in,
                                shc_text(l->f.h, l->f.ctx, "the tags of %s", l->alb_name),
                                "LoadBalancerNotFound|TargetGroupNotFound|ListenerNotFound", tags_read, r);
    }
}

const sh_doc *lb_tags_of(struct lb *l, const sh_doc *const *answers, const char *arn)
{
    for (size_t k = 0; arn && k < LB_TAG_CALLS; k++) {
        size_t count = answers[k] ? l->f.h->doc_count(answers[k], "TagDescriptions.member") : 0;
        for (size_t i = 0; i < count; i++) {
            const sh_doc *d = shc_node(l->f.h, answers[k], "TagDescriptions.member[%zu]", i);
            const char *is = l->f.h->doc_string(d, "ResourceArn");
            if (is && !strcmp(is, arn))
                return d;
        }
    }
    return NULL;
}

int lb_owned(struct lb *l, const sh_doc *tags)
{
    return tags && shc_owned(l->f.h, l->f.ctx, tags, &shc_tags_query);
}

void lb_put_tags(struct lb *l, shc_line *line, const sh_doc *tags, const char *arn)
{
    sh_doc *in = shc_json(&l->f, "{'ResourceArns': ['%s']}", arn);
    /* ELBv2 has no Name tag: the name is the resource's own. */
    shc_tags_change(&l->f, line, tags, &shc_tags_query, &shc_tags_query_put, "elbv2", "AddTags", in);
}

const char *lb_attribute(struct lb *l, const sh_doc *attrs, const char *key)
{
    size_t count = attrs ? l->f.h->doc_count(attrs, "Attributes.member") : 0;
    for (size_t i = 0; i < count; i++) {
        const char *k = shc_str(l->f.h, attrs, "Attributes.member[%zu].Key", i);
        if (k && !strcmp(k, key))
            return shc_str(l->f.h, attrs, "Attributes.member[%zu].Value", i);
    }
    return NULL;
}

const char *lb_arn_suffix(const char *arn, const char *after)
{
    if (!arn)
        return "";
    if (!after) {
        const char *colon = strrchr(arn, ':');
        return colon ? colon + 1 : "";
    }
    const char *at = strstr(arn, after);
    return at ? at + strlen(after) : "";
}

/* ---- the lookups ---- */

static const char *alb_field(struct lb *l, const sh_doc *item, const char *field)
{
    return item ? l->f.h->doc_string(item, field) : NULL;
}

/* The candidates: every load balancer the listing gave with the name. */
static void collect(struct lb *l)
{
    size_t count = l->albs_out ? l->f.h->doc_count(l->albs_out, "LoadBalancers.member") : 0;
    l->ncand = 0;
    for (size_t i = 0; i < count; i++) {
        const sh_doc *it = shc_node(l->f.h, l->albs_out, "LoadBalancers.member[%zu]", i);
        const char *name = alb_field(l, it, "LoadBalancerName"), *arn = alb_field(l, it, "LoadBalancerArn");
        if (!name || !arn || strcmp(name, l->alb_name))
            continue;
        if (l->ncand == LB_CANDIDATES) {
            l->f.h->log(l->f.ctx, SH_LOG_WARN, "more than %d load balancers are named %s: only %d looked at",
                      LB_CANDIDATES, l->alb_name, LB_CANDIDATES);
            break;
        }
        l->cand[l->ncand++] = (struct lb_alb){.item = it, .arn = arn};
    }
    const char *tg_name = l->tg_out ? l->f.h->doc_string(l->tg_out, "TargetGroups.member[0].TargetGroupName") : NULL;
    l->tg = tg_name && !strcmp(tg_name, l->tg_name) ? l->f.h->doc_get(l->tg_out, "TargetGroups.member[0]") : NULL;
}

int lb_lookup(struct lb *l, int reads)
{
    /* One page is up to 400; the host follows NextMarker beyond. */
    shc_read_all(&l->f.q, "elbv2", "DescribeLoadBalancers", shc_json(&l->f, "{'PageSize': 400}"), "LoadBalancers.member",
                 shc_text(l->f.h, l->f.ctx, "the region's load balancers (looking for %s)", l->alb_name), &l->albs_out);
    shc_read(&l->f.q, "elbv2", "DescribeTargetGroups", shc_json(&l->f, "{'Names': ['%s']}", l->tg_name), l->tg_l.label,
             "TargetGroupNotFound", &l->tg_out);
    if (shc_wave(&l->f))
        return -1;
    collect(l);
    const char *arns[LB_CANDIDATES + 1];
    size_t n = 0;
    for (size_t i = 0; i < l->ncand; i++)
        arns[n++] = l->cand[i].arn;
    const char *tg_arn = l->tg ? l->f.h->doc_string(l->tg, "TargetGroupArn") : NULL;
    if (!tg_arn)
        l->tg = NULL;
    else
        arns[n++] = tg_arn;
    if (n)
        lb_read_tags(l, arns, n, l->tag_out);
    for (size_t i = 0; reads && i < l->ncand; i++) {
        sh_doc *in = shc_json(&l->f, "{'LoadBalancerArn': '%s'}", l->cand[i].arn);
        shc_read(&l->f.q, "elbv2", "DescribeLoadBalancerAttributes", in, l->alb_l.label, "LoadBalancerNotFound",
                 &l->cand[i].attrs);
        if (reads < LB_READ_ALL)
            continue;
        /* A load balancer has at most 50 listeners: one page of 400 holds them all. */
        sh_doc *ls = shc_json(&l->f, "{'LoadBalancerArn': '%s', 'PageSize': 400}", l->cand[i].arn);
        shc_read(&l->f.q, "elbv2", "DescribeListeners", ls, l->alb_l.label, "LoadBalancerNotFound",
                 &l->cand[i].listeners);
    }
    if (reads >= LB_READ_ALL && l->tg) {
        sh_doc *in = shc_json(&l->f, "{'TargetGroupArn': '%s'}", l->f.h->doc_string(l->tg, "TargetGroupArn"));
        shc_read(&l->f.q, "elbv2", "DescribeTargetGroupAttributes", in, l->tg_l.label, "TargetGroupNotFound",
                 &l->tg_attrs);
    }
    if (reads >= LB_READ_ALL && !l->ncand) /* a load balancer to make: the quota first */
        lb_alb_quota_read(l);
    if (shc_wave(&l->f))
        return -1;
    size_t kept = 0;
    for (size_t i = 0; i < l->ncand; i++) {
        struct lb_alb c = l->cand[i];
        if (reads && !c.attrs)
            continue; /* deleted since the listing */
        c.tags = lb_tags_of(l, l->tag_out, c.arn);
        const char *on = lb_attribute(l, c.attrs, "deletion_protection.enabled");
        c.protection_on = on && !strcmp(on, "true");
        l->cand[kept++] = c;
    }
    l->ncand = kept;
    l->tg_tags = l->tg ? lb_tags_of(l, l->tag_out, l->f.h->doc_string(l->tg, "TargetGroupArn")) : NULL;
    if (reads >= LB_READ_ALL && l->tg && !l->tg_attrs)
        l->tg = l->tg_tags = NULL; /* deleted since the listing */
    return 0;
}

/* ---- which ones are the stack's ---- */

static int has_listeners(void *arg, const sh_doc *item)
{
    struct lb *l = arg;
    const char *n = l->f.h->doc_string(item, "Listeners");
    return n && atoi(n) > 0;
}

int lb_find(struct lb *l)
{
    /* shc_find_keep matches a Name tag: ELBv2 keeps the name outside the
     * tags, so each candidate is written as an item with Name first. */
    sh_doc *items = shc_doc(&l->f);
    char path[96];
    for (size_t i = 0; i < l->ncand; i++) {
        const struct lb_alb *c = &l->cand[i];
        size_t k = 0, ntags = c->tags ? l->f.h->doc_count(c->tags, "Tags.member") : 0;
        l->f.h->doc_set_number(items, shc_path(path, sizeof(path), "items[%zu].Index", i), (long long)i);
        shc_set(&l->f, items, alb_field(l, c->item, "CreatedTime"), "items[%zu].CreatedTime", i);
        l->f.h->doc_set_number(items, shc_path(path, sizeof(path), "items[%zu].Listeners", i),
                             c->listeners ? (long long)l->f.h->doc_count(c->listeners, "Listeners.member") : 0);
        shc_set(&l->f, items, "Name", "items[%zu].Tags[%zu].Key", i, k);
        shc_set(&l->f, items, l->alb_name, "items[%zu].Tags[%zu].Value", i, k++);
        for (size_t t = 0; t < ntags; t++, k++) {
            shc_set(&l->f, items, shc_str(l->f.h, c->tags, "Tags.member[%zu].Key", t),
                   "items[%zu].Tags[%zu].Key", i, k);
            shc_set(&l->f, items, shc_str(l->f.h, c->tags, "Tags.member[%zu].Value", t),
                   "items[%zu].Tags[%zu].Value", i, k);
        }
        l->foreign_alb |= !lb_owned(l, c->tags);
    }
    shc_lookup lookup = {.answer = l->ncand ? items : NULL, .items = "items", .tags = &shc_tags_query_put,
                         .in_use = has_listeners, .in_use_arg = l, .created = "CreatedTime"};
    const sh_doc *kept = NULL, *extras[LB_CANDIDATES];
    size_t nextras = 0;
    int rc = 0;
    if (shc_find_keep(l->f.h, l->f.ctx, &lookup, "load balancer", l->alb_name, &kept, extras, LB_CANDIDATES, &nextras) < 0)
        rc = -1;
    l->alb = kept ? &l->cand[atoi(l->f.h->doc_string(kept, "Index"))] : NULL;
    l->nextras = 0;
    for (size_t i = 0; i < nextras; i++)
        l->extras[l->nextras++] = &l->cand[atoi(l->f.h->doc_string(extras[i], "Index"))];
    if (l->tg && !lb_owned(l, l->tg_tags))
        rc = shc_refuse_foreign(l->f.h, l->f.ctx, "target group", l->tg_name);
    if (rc) {
        l->f.failed = 1;
        return -1;
    }
    if (l->alb) {
        snprintf(l->alb_arn, sizeof(l->alb_arn), "%s", l->alb->arn);
        const char *dns = alb_field(l, l->alb->item, "DNSName");
        snprintf(l->alb_dns, sizeof(l->alb_dns), "%s", dns ? dns : "");
    }
    if (l->tg)
        snprintf(l->tg_arn, sizeof(l->tg_arn), "%s", l->f.h->doc_string(l->tg, "TargetGroupArn"));
    return 0;
}

sh_status lb_publish(shc_frame *f)
{
    struct lb *l = (struct lb *)f;
    sh_status rc = SH_OK;
    if (l->alb_arn[0]) {
        l->f.h->output_string(l->f.ctx, "alb_arn", l->alb_arn);
        l->f.h->output_string(l->f.ctx, "alb_arn_suffix", lb_arn_suffix(l->alb_arn, "loadbalancer/"));
        l->f.h->output_string(l->f.ctx, "alb_dns_name", l->alb_dns);
        rc = l->f.h->output_string(l->f.ctx, "alb_url",
                                 shc_text(l->f.h, l->f.ctx, "%s://%s", l->cfg.cert ? "https" : "http", l->alb_dns));
    }
    if (l->tg_arn[0]) {
        l->f.h->output_string(l->f.ctx, "target_group_arn", l->tg_arn);
        if (l->f.h->output_string(l->f.ctx, "target_group_arn_suffix", lb_arn_suffix(l->tg_arn, NULL)) != SH_OK)
            rc = SH_ERR;
    }
    return rc;
}

