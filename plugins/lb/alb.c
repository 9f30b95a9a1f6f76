/* lb: the application load balancer: the region's quota before it is
 * made, made (attributes in a second call: CreateLoadBalancer takes none),
 * its security group, subnets, attributes and tags put back, duplicates
 * removed, waited for until active; and deleted (protection off first,
 * then waited for until aws no longer knows it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lb.h"

#define DROP_INVALID "routing.http.drop_invalid_header_fields.enabled"
#define PROTECTION "deletion_protection.enabled"
#define ACTIVE_TIMEOUT 600 /* aws's LoadBalancerAvailable waiter: 15 s x 40 */

/* ---- quota ---- */

void lb_alb_quota_read(struct lb *l)
{
    if (l->f.h->mode(l->f.ctx) == SH_MODE_OUTPUTS)
        return;
    /* application load balancers per region */
    shc_quota_read(&l->f.q, "elasticloadbalancing", "L-53DA6B97", "the region's load balancer quota", &l->quota_out);
}

int lb_alb_quota(struct lb *l)
{
    if (l->alb || l->ncand || l->f.h->mode(l->f.ctx) == SH_MODE_OUTPUTS)
        return 0;
    int used = 0;
    size_t count = l->albs_out ? l->f.h->doc_count(l->albs_out, "LoadBalancers.member") : 0;
    for (size_t i = 0; i < count; i++) {
        const char *type =
            shc_str(l->f.h, l->albs_out, "LoadBalancers.member[%zu].Type", i);
        used += type && !strcmp(type, "application");
    }
    int limit = (int)shc_quota_value(l->f.h, l->quota_out, "Quota.Value", LB_QUOTA_DEFAULT);
    if (used + 1 <= limit)
        return 0;
    return shc_fail(&l->f, SH_ERR_CONFIG,
                    "this deploy needs a new application load balancer (%s), and region %s already has %d of its %d "
                    "(service quotas L-53DA6B97): delete unused load balancers or raise the quota, then deploy again",
                    l->alb_name, l->f.h->region(l->f.ctx), used, limit);
}

/* ---- what cannot change in place ---- */

static void differs(struct lb *l, char *why, size_t len, const char *what, const char *is, const char *want)
{
    if (is && want && !strcmp(is, want))
        return;
    size_t used = strlen(why);
    snprintf(why + used, len - used, "%s%s", used ? ", " : "",
             shc_line_diff(l->f.h, l->f.ctx, NULL, SH_CHANGE_REPLACE, what, is, want));
}

int lb_alb_replace_check(struct lb *l)
{
    if (!l->alb)
        return 0;
    const sh_doc *it = l->alb->item;
    char *why = l->alb_replace;
    size_t len = sizeof(l->alb_replace);
    differs(l, why, len, "scheme", l->f.h->doc_string(it, "Scheme"), "internet-facing");
    differs(l, why, len, "type", l->f.h->doc_string(it, "Type"), "application");
    if (l->vpc)
        differs(l, why, len, "vpc", l->f.h->doc_string(it, "VpcId"), l->vpc);
    const char *state = l->f.h->doc_string(it, "State.Code");
    if (state && !strcmp(state, "failed"))
        differs(l, why, len, "state", state, "active");
    if (!why[0])
        return 0;
    shc_line_note(&l->alb_l, SH_CHANGE_REPLACE, why);
    if (l->f.h->allow_replace(l->f.ctx))
        return 0;
    return shc_fail(&l->f, SH_ERR_CONFLICT,
                    "%s: %s, which cannot change in place: deploy with --allow-replace to delete the load balancer "
                    "(and its listeners) and create it again", l->alb_l.label, why);
}

/* ---- create, or put back ---- */

static int created(void *arg, const sh_doc *out)
{
    struct lb *l = arg;
    if (!out) { /* it exists, though the listing did not show it: look again */
        l->f.again = 1;
        return 0;
    }
    const char *arn = l->f.h->doc_string(out, "LoadBalancers.member[0].LoadBalancerArn");
    const char *dns = l->f.h->doc_string(out, "LoadBalancers.member[0].DNSName");
    if (!arn) {
        l->f.h->fail(l->f.ctx, SH_ERR_AWS, "%s: CreateLoadBalancer answered without an arn", l->alb_l.label);
        return -1;
    }
    snprintf(l->alb_arn, sizeof(l->alb_arn), "%s", arn);
    snprintf(l->alb_dns, sizeof(l->alb_dns), "%s", dns ? dns : "");
    l->alb_new = l->alb_waiting = 1;
    return 0;
}

static sh_doc *on_alb(struct lb *l)
{
    return shc_json(&l->f, "{'LoadBalancerArn': '%s'}", l->alb_arn);
}

static void put_subnets(struct lb *l, sh_doc *in)
{
    for (size_t i = 0; i < l->nsubnets; i++)
        shc_set(&l->f, in, l->subnets[i], "Subnets[%zu]", i);
}

static void create(struct lb *l)
{
    sh_doc *in = shc_json(&l->f, "{'Name': '%s', 'SecurityGroups': ['%s'], 'Scheme': 'internet-facing', "
                                 "'Type': 'application', 'IpAddressType': 'ipv4'}", l->alb_name, l->sg);
    put_subnets(l, in);
    shc_put_tags(l->f.h, l->f.ctx, in, &shc_tags_query_put, NULL);
    const char *what = l->cfg.protection ? "internet-facing, drop invalid header fields, deletion protection on"
                                         : "internet-facing, drop invalid header fields";
    /* DuplicateLoadBalancerName: aws's answer when one with other settings has the name */
    shc_change(&l->f.q, &l->alb_l, SH_CHANGE_CREATE, what, "elbv2", "CreateLoadBalancer", in,
               "DuplicateLoadBalancerName", created, l);
}

/* "on" / "off" for an attribute's "true" / "false" (NULL: not set). */
static const char *on_off(const char *value)
{
    return !value ? NULL : !strcmp(value, "true") ? "on" : "off";
}

/* The attributes that differ, in one ModifyLoadBalancerAttributes; a
 * new load balancer's line says them already (note 0). */
static void attributes(struct lb *l, const sh_doc *have, int note)
{
    const char *drop = lb_attribute(l, have, DROP_INVALID), *prot = lb_attribute(l, have, PROTECTION);
    const char *want_prot = l->cfg.protection ? "true" : "false";
    sh_doc *in = on_alb(l);
    size_t n = 0;
    if (!drop || strcmp(drop, "true")) {
        shc_set(&l->f, in, DROP_INVALID, "Attributes[%zu].Key", n);
        shc_set(&l->f, in, "true", "Attributes[%zu].Value", n++);
        if (note)
            shc_line_diff(l->f.h, l->f.ctx, &l->alb_l, SH_CHANGE_UPDATE, "drop invalid header fields", on_off(drop), "on");
    }
    if (!prot || strcmp(prot, want_prot)) {
        shc_set(&l->f, in, PROTECTION, "Attributes[%zu].Key", n);
        shc_set(&l->f, in, want_prot, "Attributes[%zu].Value", n++);
        if (note)
            shc_line_diff(l->f.h, l->f.ctx, &l->alb_l, SH_CHANGE_UPDATE, "deletion protection", on_off(prot),
                          on_off(want_prot));
    }
    if (n)
        shc_queue_add(&l->f.q, "elbv2", "ModifyLoadBalancerAttributes", in, NULL, l->alb_l.label, NULL, NULL);
}

void lb_alb_wave(struct lb *l)
{
    if (!l->alb) {
        create(l);
        return;
    }
    if (l->alb_replace[0]) /* a plan: what replaces it is made as configured */
        return;
    const sh_doc *it = l->alb->item;
    const char *state = l->f.h->doc_string(it, "State.Code");
    if (state && !strcmp(state, "provisioning"))
        l->alb_waiting = 1; /* a rerun waits for what it finds still provisioning */
    if (l->sg && shc_set_differs(l->f.h, l->f.ctx, &l->alb_l, "security groups", it, "SecurityGroups.member", &l->sg, 1)) {
        sh_doc *in = on_alb(l);
        shc_set(&l->f, in, l->sg, "SecurityGroups[0]");
        shc_change(&l->f.q, &l->alb_l, SH_CHANGE_UPDATE, NULL, "elbv2", "SetSecurityGroups", in, NULL, NULL, NULL);
    }
    if (l->subnets && shc_set_differs(l->f.h, l->f.ctx, &l->alb_l, "subnets", it, "AvailabilityZones.member|SubnetId",
                                      l->subnets, l->nsubnets)) {
        sh_doc *in = on_alb(l);
        put_subnets(l, in);
        shc_change(&l->f.q, &l->alb_l, SH_CHANGE_UPDATE, NULL, "elbv2", "SetSubnets", in, NULL, NULL, NULL);
    }
    const char *ip = l->f.h->doc_string(it, "IpAddressType");
    shc_update_if(&l->f, &l->alb_l, "ip address type", ip, "ipv4", "elbv2", "SetIpAddressType",
                  shc_json(&l->f, "{'LoadBalancerArn': '%s', 'IpAddressType': 'ipv4'}", l->alb_arn));
    attributes(l, l->alb->attrs, 1);
    lb_put_tags(l, &l->alb_l, l->alb->tags, l->alb_arn);
}

void lb_alb_new_wave(struct lb *l)
{
    if (l->alb_new)
        attributes(l, NULL, 0); /* a new one has aws's defaults: both set */
}

/* ---- duplicates ---- */

void lb_alb_extras_wave(struct lb *l, int second)
{
    for (size_t i = 0; i < l->nextras; i++) {
        struct lb_alb *x = l->extras[i];
        const char *detail = shc_text(l->f.h, l->f.ctx, "a duplicate of the one kept: %s",
                                      lb_arn_suffix(x->arn, "loadbalancer/"));
        sh_doc *in = shc_json(&l->f, "{'LoadBalancerArn': '%s'}", x->arn);
        if (!second && x->protection_on) {
            shc_set(&l->f, in, PROTECTION, "Attributes[0].Key");
            shc_set(&l->f, in, "false", "Attributes[0].Value");
            shc_queue_add_accepting(&l->f.q, "elbv2", "ModifyLoadBalancerAttributes", in, l->alb_l.label,
                                    "LoadBalancerNotFound", NULL, NULL);
        } else if (second) {
            shc_delete(&l->f.q, l->alb_l.label, detail, "elbv2", "DeleteLoadBalancer", in, "LoadBalancerNotFound");
        }
    }
}

/* ---- waits ---- */

static int active(void *arg, char *progress, size_t len)
{
    struct lb *l = arg;
    sh_doc *in = shc_json(&l->f, "{'LoadBalancerArns': ['%s']}", l->alb_arn);
    const sh_doc *out;
    if (l->f.h->aws_call(l->f.ctx, "elbv2", "DescribeLoadBalancers", in, &out) != SH_OK) {
        const sh_aws_error *e = l->f.h->aws_error(l->f.ctx);
        if (e && e->code && !strcmp(e->code, "LoadBalancerNotFound")) { /* a new arn, not known everywhere yet */
            snprintf(progress, len, "not visible yet");
            return 0;
        }
        l->f.h->fail(l->f.ctx, SH_ERR_AWS, "waiting for %s: %s", l->alb_l.label, l->f.h->aws_error_text(l->f.ctx));
        return -1;
    }
    const char *state = l->f.h->doc_string(out, "LoadBalancers.member[0].State.Code");
    snprintf(progress, len, "%s", state ? state : "no state");
    if (state && (!strcmp(state, "active") || !strcmp(state, "active_impaired")))
        return 1;
    if (state && !strcmp(state, "failed")) {
        const char *why = l->f.h->doc_string(out, "LoadBalancers.member[0].State.Reason");
        l->f.h->fail(l->f.ctx, SH_ERR_AWS, "%s is failed: %s (deploy with --allow-replace makes it again)",
                   l->alb_l.label, why ? why : "no reason given");
        return -1;
    }
    return 0;
}

int lb_alb_wait(struct lb *l)
{
    if (!l->alb_waiting || !l->alb_arn[0])
        return 0;
    return shc_wait(&l->f, shc_text(l->f.h, l->f.ctx, "%s to be active", l->alb_l.label), ACTIVE_TIMEOUT, active, l);
}

/* ---- deleting ---- */

struct deleted_poll {
    struct lb *l;
    struct lb_alb *const *albs;
    size_t n;
    int interfaces; /* and its network interfaces gone, read in the same poll */
};

/* The interfaces AWS makes for the load balancer: "ELB app/<name>/<id>". */
static sh_doc *interfaces_query(struct lb *l)
{
    return shc_json(&l->f, "{'Filter': [{'Name': 'description', 'Value': ['ELB app/%s/*']}]}", l->alb_name);
}

/* How many interfaces out lists, written into progress ("2 left: eni-1,
 * eni-2"); none sets interfaces_gone. */
static size_t interfaces_left(struct lb *l, const sh_doc *out, char *progress, size_t len)
{
    size_t count = l->f.h->doc_count(out, "networkInterfaceSet.item");
    size_t used = (size_t)snprintf(progress, len, "%zu left", count);
    for (size_t i = 0; i < count && used < len; i++) {
        const char *id = shc_str(l->f.h, out, "networkInterfaceSet.item[%zu].networkInterfaceId", i);
        used += (size_t)snprintf(progress + used, len - used, "%s%s", i ? ", " : ": ", id ? id : "?");
    }
    l->interfaces_gone = count == 0;
    return count;
}

static int deleted(void *arg, char *progress, size_t len)
{
    struct deleted_poll *p = arg;
    struct lb *l = p->l;
    const sh_doc *out[LB_CANDIDATES];
    shc_queue q;
    shc_queue_init(&q, l->f.h, l->f.ctx);
    for (size_t i = 0; i < p->n; i++) {
        sh_doc *in = shc_json(&l->f, "{'LoadBalancerArns': ['%s']}", p->albs[i]->arn);
        shc_read(&q, "elbv2", "DescribeLoadBalancers", in, l->alb_l.label, "LoadBalancerNotFound", &out[i]);
    }
    const sh_doc *enis = NULL;
    if (p->interfaces)
        shc_read_all(&q, "ec2", "DescribeNetworkInterfaces", interfaces_query(l), "networkInterfaceSet.item",
                     l->alb_l.label, &enis);
    if (shc_queue_run(&q)) {
        if (q.lost) /* a read is never "maybe applied"; should it be, it is an error */
            shc_queue_give_up(&q);
        return -1;
    }
    size_t gone = 0, used = 0;
    for (size_t i = 0; i < p->n; i++)
        gone += !out[i] || !l->f.h->doc_count(out[i], "LoadBalancers.member");
    if (p->n)
        used = (size_t)snprintf(progress, len, "%zu of %zu gone%s", gone, p->n, p->interfaces ? "; interfaces " : "");
    size_t left = p->interfaces && used < len ? interfaces_left(l, enis, progress + used, len - used) : 0;
    return gone == p->n && !left;
}

int lb_alb_delete(struct lb *l, struct lb_alb *const *albs, size_t n, const char *why, int interfaces)
{
    if (!n && !interfaces)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!albs[i]->protection_on)
            continue;
        sh_doc *in = shc_json(&l->f, "{'LoadBalancerArn': '%s', 'Attributes': [{'Key': '%s', 'Value': 'false'}]}",
                              albs[i]->arn, PROTECTION);
        shc_queue_add_accepting(&l->f.q, "elbv2", "ModifyLoadBalancerAttributes", in, l->alb_l.label,
                                "LoadBalancerNotFound", NULL, NULL);
    }
    if (shc_wave(&l->f))
        return -1;
    for (size_t i = 0; i < n; i++) {
        sh_doc *in = shc_json(&l->f, "{'LoadBalancerArn': '%s'}", albs[i]->arn);
        char detail[SHC_DETAIL];
        snprintf(detail, sizeof(detail), "%s%s%s", why ? why : "", why && albs[i]->protection_on ? ", " : "",
                 albs[i]->protection_on ? "deletion protection turned off first" : "");
        /* It goes with its listeners; gone already is gone (the wait and the final lookup tell). */
        shc_delete(&l->f.q, l->alb_l.label, detail[0] ? detail : NULL, "elbv2", "DeleteLoadBalancer", in,
                   "LoadBalancerNotFound");
    }
    if (shc_wave(&l->f))
        return -1;
    struct deleted_poll p = {l, albs, n, interfaces};
    const char *what = !n ? shc_text(l->f.h, l->f.ctx, "the network interfaces of %s to go", l->alb_l.label)
                       : shc_text(l->f.h, l->f.ctx, "%s to be deleted%s", l->alb_l.label,
                                  interfaces ? " and its network interfaces to go" : "");
    /* destroy: what is left of its deadline; a replacement: aws's waiter */
    return shc_wait(&l->f, what, l->f.deadline ? SHC_UNTIL_DEADLINE : ACTIVE_TIMEOUT, deleted, &p);
}
