/* lb: removing the load balancer (its listeners go with it) and the
 * target group, in the order aws needs: deletion protection off where
 * on, DeleteLoadBalancer, waited for until aws no longer knows it and its
 * network interfaces, which aws keeps for minutes and which hold the
 * network plugin's security group, are gone (one poll reads both); then
 * the target group, refused while a listener still forwards to it. Only what carries the ownership tags
 * is touched; destroy ends when a lookup finds nothing owned. */
#include <stdio.h>
#include <string.h>

#include "lb.h"


/* A target group a load balancer of someone else's forwards to cannot go:
 * say so now rather than retry ResourceInUse until the deadline. */
static int used_elsewhere(struct lb *l)
{
    size_t n = l->f.h->doc_count(l->tg, "LoadBalancerArns.member");
    for (size_t i = 0; i < n; i++) {
        const char *arn = shc_str(l->f.h, l->tg, "LoadBalancerArns.member[%zu]", i);
        int ours = 0, listed = 0;
        for (size_t k = 0; arn && k < l->ncand; k++)
            ours |= !strcmp(arn, l->cand[k].arn) && lb_owned(l, l->cand[k].tags);
        size_t all = l->f.h->doc_count(l->albs_out, "LoadBalancers.member");
        for (size_t k = 0; arn && !ours && k < all; k++) {
            const char *a = shc_str(l->f.h, l->albs_out, "LoadBalancers.member[%zu].LoadBalancerArn", k);
            listed |= a && !strcmp(a, arn);
        }
        if (listed) {
            shc_fail(&l->f, SH_ERR_CONFLICT,
                     "%s cannot be deleted: load balancer %s, which this stack does not own, forwards to it; "
                     "remove that listener or rule, then destroy again", l->tg_l.label, arn);
            return 1;
        }
    }
    return 0;
}

/* Deletion protection is there to stop a destroy: one on in aws or in the
 * configuration refuses it before anything is changed (the plan that
 * destroy runs first refuses it), as aws and terraform intend. Turning it
 * off is a deploy with the setting false, a decision of its own. */
static int refuse_protected(struct lb *l, struct lb_alb *const *owned, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!owned[i]->protection_on && !l->cfg.protection)
            continue;
        const char *where = owned[i]->protection_on && l->cfg.protection ? "in aws and in the configuration"
                            : owned[i]->protection_on                    ? "in aws"
                                                                         : "in the configuration";
        shc_fail(&l->f, SH_ERR_CONFLICT,
                 "%s has deletion protection on (%s): destroy will not delete it; set lb.deletion_protection "
                 "= false for this environment, run deploy (which turns it off), then destroy", l->alb_l.label,
                 where);
        return 1;
    }
    return 0;
}

int lb_destroy_pass(shc_frame *f, size_t *found)
{
    struct lb *l = (struct lb *)f;
    *found = 1; /* a resource went while its tags were read: look again */
    if (lb_lookup(l, LB_READ_ATTRS) || f->again)
        return f->again ? 0 : -1;
    struct lb_alb *owned[LB_CANDIDATES];
    size_t n = 0;
    for (size_t i = 0; i < l->ncand; i++) {
        if (lb_owned(l, l->cand[i].tags)) {
            owned[n++] = &l->cand[i];
        } else {
            l->foreign_alb = 1;
            shc_left_alone(f, shc_text(f->h, f->ctx, "%s (%s)", l->alb_l.label,
                                       lb_arn_suffix(l->cand[i].arn, "loadbalancer/")));
        }
    }
    int tg = shc_ours(f, l->tg != NULL, l->tg_tags, &shc_tags_query, l->tg_l.label);
    *found = n + (size_t)tg;
    if (refuse_protected(l, owned, n))
        return -1;
    /* In a plan what follows only reports, and refuses what destroy would.
     * Someone else's load balancer of this name keeps its interfaces: they
     * are not waited for. Ours are read with the load balancer's deletion;
     * after an earlier run deleted it, alone (once a run). */
    if (lb_alb_delete(l, owned, n, n > 1 ? "with its listeners; duplicates too" : "with its listeners",
                      !l->foreign_alb && (n || !l->interfaces_gone)))
        return -1;
    /* its interfaces gone, nothing left of it is in the network's subnets */
    shc_destroy_released(f);
    if (!tg)
        return 0;
    /* the service registers its tasks in the target group until it is
     * inactive (and the alarms watch it): they go first (in a destroy) */
    if (shc_await_destroyed(f, NULL) < 0)
        return -1;
    if (used_elsewhere(l))
        return -1;
    /* A listener's deletion takes a moment to count: ResourceInUse is "not yet" (lb_not_yet). */
    sh_doc *in = shc_json(&l->f, "{'TargetGroupArn': '%s'}", l->f.h->doc_string(l->tg, "TargetGroupArn"));
    shc_delete(&l->f.q, l->tg_l.label, NULL, "elbv2", "DeleteTargetGroup", in, "TargetGroupNotFound");
    return shc_wave(f);
}
