/* network: NAT gateways (created together, then waited for together),
 * and the removal of those no longer configured. */
#include <stdio.h>
#include <string.h>

#include "net.h"


static void nat_create(struct net *n, int i, const char *name, const char *label)
{
    /* The same when a pass after a lost answer creates it again: AWS
     * answers with the first gateway. */
    char token[64];
    net_token(n, name, token, sizeof(token));
    sh_doc *in = shc_json(&n->f, "{'SubnetId': '%s', 'AllocationId': '%s', 'ConnectivityType': 'public', "
                                 "'ClientToken': '%s'}", n->sub_pub[i], n->eip[i], token);
    net_tag_spec(n, in, "natgateway", name);
    net_queue_id(n, "CreateNatGateway", in, label, "natGateway.natGatewayId", n->nat[i]);
    n->nat_waiting = 1;
}

/* Owned gateways of this name that are not in use: a `failed` one is
 * deleted (it stays listed for an hour), and one still `deleting` that
 * holds the address the new one needs is waited for. */
static int clear_way(struct net *n, int i, const char *name, const char *label)
{
    sh_doc *holding = shc_doc(&n->f);
    size_t nholding = 0, count = n->f.h->doc_count(n->nats_out, "natGatewaySet.item");
    for (size_t k = 0; k < count; k++) {
        const sh_doc *it = shc_node(n->f.h, n->nats_out, "natGatewaySet.item[%zu]", k);
        const char *nm = net_tag(n, it, "Name"), *state = n->f.h->doc_string(it, "state");
        const char *id = n->f.h->doc_string(it, "natGatewayId");
        if (!nm || strcmp(nm, name) || !net_owned(n, it) || !state || !id)
            continue;
        if (!strcmp(state, "failed")) {
            const char *why = n->f.h->doc_string(it, "failureMessage");
            sh_doc *in = shc_json(&n->f, "{'NatGatewayId': '%s'}", id);
            char detail[256];
            snprintf(detail, sizeof(detail), "%s failed (%s): made again", id, why ? why : "no reason given");
            shc_delete(&n->f.q, label, detail, "ec2", "DeleteNatGateway", in, "*NotFound");
        } else if (!strcmp(state, "deleting")) {
            const char *alloc = n->f.h->doc_string(it, "natGatewayAddressSet.item[0].allocationId");
            if (!n->eip[i][0] || (alloc && !strcmp(alloc, n->eip[i])))
                shc_set(&n->f, holding, id, "NatGatewayId[%zu]", nholding++);
        }
    }
    if (!nholding)
        return 0;
    return net_wait_nats_deleted(n, holding, nholding, "a deleting nat gateway to free its elastic ip", 20 * 60);
}

void net_wave_nats(struct net *n)
{
    for (int i = 0; i < n->nats; i++) {
        const char *name = net_zone_name(n, "nat", "", i), *label = n->nat_l[i].label;
        const sh_doc *item = n->nat_item[i];
        if (!item && clear_way(n, i, name, label)) {
            n->f.failed = 1;
            return;
        }
        if (n->nat_recreate[i]) { /* the replaced gateway was deleted in the previous wave */
            nat_create(n, i, name, label);
            continue;
        }
        if (!item) {
            nat_create(n, i, name, label);
            shc_line_note(&n->nat_l[i], SH_CHANGE_CREATE, NULL);
            continue;
        }
        const char *sub = n->f.h->doc_string(item, "subnetId");
        const char *alloc = n->f.h->doc_string(item, "natGatewayAddressSet.item[0].allocationId");
        int new_sub = n->sub_pub[i][0] && sub && strcmp(sub, n->sub_pub[i]);
        int new_eip = n->eip[i][0] && alloc && strcmp(alloc, n->eip[i]);
        if (new_sub || new_eip) {
            char why[320];
            snprintf(why, sizeof(why), "%s%s%s",
                     new_sub ? shc_line_diff(n->f.h, n->f.ctx, NULL, SH_CHANGE_REPLACE, "subnet", sub, n->sub_pub[i]) : "",
                     new_sub && new_eip ? ", " : "",
                     new_eip ? shc_line_diff(n->f.h, n->f.ctx, NULL, SH_CHANGE_REPLACE, "elastic ip", alloc, n->eip[i])
                             : "");
            shc_line_note(&n->nat_l[i], SH_CHANGE_REPLACE,
                          shc_text(n->f.h, n->f.ctx, "%s (subnet and elastic ip cannot change in place)", why));
            if (!n->f.h->allow_replace(n->f.ctx)) {
                shc_fail(&n->f, SH_ERR_CONFIG, "%s needs replacement (%s); deploy with --allow-replace", label, why);
                continue;
            }
            if (n->f.plan)
                continue;
            sh_doc *in = shc_json(&n->f, "{'NatGatewayId': '%s'}", n->nat[i]);
            net_queue(n, "DeleteNatGateway", in, label, NULL, NULL);
            n->nat_recreate[i] = 1;
            continue;
        }
        const char *state = n->f.h->doc_string(item, "state");
        if (state && strcmp(state, "available"))
            n->nat_waiting = 1; /* a rerun after a stop waits for what it finds pending */
        net_tags(n, item, n->nat[i], &n->nat_l[i], name);
    }
}

/* Runs the wave of gateways being replaced, if any. */
int net_recreate_nats(struct net *n)
{
    for (int i = 0; i < n->nats; i++)
        if (n->nat_recreate[i])
            nat_create(n, i, net_zone_name(n, "nat", "", i), n->nat_l[i].label);
    return shc_wave(&n->f);
}

struct nat_poll {
    struct net *n;
    sh_doc *ids;
    size_t count;
    int deleting; /* wait for "deleted" rather than "available" */
};

/* The gateways' states in a DescribeNatGateways answer: 1 when all are
 * available (deleted), 0 while some are not yet, -1 (recorded) for one
 * that failed. */
static int nats_state(const struct nat_poll *p, const sh_doc *out, char *progress, size_t len)
{
    struct net *n = p->n;
    size_t count = n->f.h->doc_count(out, "natGatewaySet.item"), ready = p->deleting ? p->count - count : 0;
    char pending[160] = "";
    for (size_t i = 0; i < count; i++) {
        const char *state = shc_str(n->f.h, out, "natGatewaySet.item[%zu].state", i);
        const char *id = shc_str(n->f.h, out, "natGatewaySet.item[%zu].natGatewayId", i);
        const char *want = p->deleting ? "deleted" : "available";
        if (state && !strcmp(state, want)) {
            ready++;
        } else if (!p->deleting && state && (!strcmp(state, "failed") || !strcmp(state, "deleted") || !strcmp(state, "deleting"))) {
            const char *why = shc_str(n->f.h, out, "natGatewaySet.item[%zu].failureMessage", i);
            return shc_fail(&n->f, SH_ERR_AWS, "nat gateway %s is %s: %s", id ? id : "?", state, why ? why : "no reason given");
        } else {
            size_t used = strlen(pending);
            snprintf(pending + used, sizeof(pending) - used, "%s%s %s", used ? ", " : "", id ? id : "?",
                     state ? state : "not visible yet");
        }
    }
    snprintf(progress, len, "%zu of %zu %s%s%s", ready, p->count, p->deleting ? "deleted" : "available",
             pending[0] ? "; " : "", pending);
    return ready >= p->count;
}

static int nats_poll(void *arg, char *progress, size_t len)
{
    struct nat_poll *p = arg;
    struct net *n = p->n;
    const sh_doc *out;
    if (n->f.h->aws_call(n->f.ctx, "ec2", "DescribeNatGateways", p->ids, &out) != SH_OK) {
        const sh_aws_error *e = n->f.h->aws_error(n->f.ctx);
        if (e && !strcmp(e->code, "NatGatewayNotFound")) /* not visible yet, or gone */
            return p->deleting ? 1 : 0;
        return shc_fail(&n->f, SH_ERR_AWS, "waiting for nat gateways: %s", n->f.h->aws_error_text(n->f.ctx));
    }
    return nats_state(p, out, progress, len);
}

/* The configured gateways' ids (NatGatewayId[i]); *count of them. */
static sh_doc *nat_ids(struct net *n, size_t *count)
{
    sh_doc *ids = shc_doc(&n->f);
    *count = 0;
    for (int i = 0; i < n->nats; i++)
        if (n->nat[i][0])
            shc_set(&n->f, ids, n->nat[i], "NatGatewayId[%zu]", (*count)++);
    return ids;
}

void net_queue_nat_look(struct net *n)
{
    if (n->f.plan || !n->nat_waiting)
        return;
    sh_doc *ids = nat_ids(n, &n->nat_look_count);
    if (n->nat_look_count)
        shc_read(&n->f.q, "ec2", "DescribeNatGateways", ids, "nat gateways", "NatGatewayNotFound", &n->nat_look_out);
}

int net_nats_in(struct net *n, const sh_doc *out, size_t count, int deleting)
{
    struct nat_poll p = {n, NULL, count, deleting};
    char progress[256];
    /* none listed: not visible yet, or gone */
    return out ? nats_state(&p, out, progress, sizeof(progress)) : deleting;
}

int net_nats_looked(struct net *n)
{
    if (n->f.plan || !n->nat_waiting || !n->nat_look_out)
        return 0;
    int rc = net_nats_in(n, n->nat_look_out, n->nat_look_count, 0);
    if (rc > 0)
        n->nat_waiting = 0;
    return rc < 0 ? -1 : 0;
}

int net_wait_nats(struct net *n)
{
    if (!n->nat_waiting)
        return 0;
    struct nat_poll p = {n, NULL, 0, 0};
    p.ids = nat_ids(n, &p.count);
    if (!p.count)
        return 0;
    return shc_wait(&n->f, "nat gateways", 20 * 60, nats_poll, &p);
}

int net_wait_nats_deleted(struct net *n, sh_doc *ids, size_t count, const char *what, int timeout)
{
    struct nat_poll p = {n, ids, count, 1};
    return shc_wait(&n->f, what, timeout, nats_poll, &p);
}

/* NAT gateways (and their elastic IPs) beyond those configured, e.g.
 * after nat_per_az went from true to false: removed once the routes no
 * longer use them. */
int net_remove_extra_nats(struct net *n)
{
    const char *ids[NET_MAX_AZ], *labels[NET_MAX_AZ];
    size_t k = 0;
    sh_doc *wait_ids = shc_doc(&n->f);
    for (int i = n->nats; i < NET_MAX_AZ; i++) {
        if (!n->nat_item[i])
            continue;
        labels[k] = n->nat_l[i].label;
        shc_set(&n->f, wait_ids, n->nat[i], "NatGatewayId[%zu]", k);
        ids[k++] = n->nat[i];
    }
    if (k && (net_delete_each(n, "DeleteNatGateway", "NatGatewayId", ids, labels, k, "no longer configured") ||
              net_wait_nats_deleted(n, wait_ids, k, "unneeded nat gateways to be deleted", 20 * 60)))
        return -1;
    size_t e = 0;
    for (int i = n->nats; i < NET_MAX_AZ; i++) {
        if (!n->eip_item[i])
            continue;
        labels[e] = n->eip_l[i].label;
        ids[e++] = n->eip[i];
    }
    if (e && net_delete_each(n, "ReleaseAddress", "AllocationId", ids, labels, e, "no longer configured"))
        return -1;
    return 0;
}
