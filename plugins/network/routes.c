/* network: route tables, their default route and subnet associations. */
#include <stdio.h>
#include <string.h>

#include "net.h"

static const char letters[] = "abcdef";

/* Finds or creates the table; fills id ("" in a plan when to be made). */
static int table(struct net *n, const char *name, const char *label, char *id, const sh_doc **item)
{
    int rc = net_find_in_vpc(n, "DescribeRouteTables", "routeTableSet.item", "route table", name, NULL, item);
    if (rc < 0)
        return -1;
    if (rc) {
        net_copy(id, NET_ID, n->h->doc_string(*item, "routeTableId"));
        return 0;
    }
    if (!n->plan) {
        sh_doc *in = net_req(n);
        const sh_doc *out;
        net_set(n, in, n->vpc, "VpcId");
        net_tag_spec(n, in, "route-table", name);
        if (net_call(n, "CreateRouteTable", in, &out, label))
            return -1;
        net_copy(id, NET_ID, n->h->doc_string(out, "routeTable.routeTableId"));
    }
    net_report(n, SH_CHANGE_CREATE, label, NULL);
    return 0;
}

/* 0.0.0.0/0 through the target (an igw-... or a nat-... id). */
static int default_route(struct net *n, const sh_doc *item, const char *id, const char *target, int via_nat,
                         const char *label, int *changed)
{
    const char *have = NULL;
    size_t count = item ? n->h->doc_count(item, "routeSet.item") : 0;
    int present = 0;
    char path[96];
    for (size_t i = 0; i < count; i++) {
        snprintf(path, sizeof(path), "routeSet.item[%zu].destinationCidrBlock", i);
        const char *dest = n->h->doc_string(item, path);
        if (!dest || strcmp(dest, "0.0.0.0/0"))
            continue;
        present = 1;
        snprintf(path, sizeof(path), "routeSet.item[%zu].%s", i, via_nat ? "natGatewayId" : "gatewayId");
        have = n->h->doc_string(item, path);
    }
    if (present && have && target[0] && !strcmp(have, target))
        return 0;
    if (!item && !n->plan && !id[0])
        return 0;
    if (!n->plan) {
        sh_doc *in = net_req(n);
        const sh_doc *out;
        net_set(n, in, id, "RouteTableId");
        net_set(n, in, "0.0.0.0/0", "DestinationCidrBlock");
        net_set(n, in, target, via_nat ? "NatGatewayId" : "GatewayId");
        if (net_call(n, present ? "ReplaceRoute" : "CreateRoute", in, &out, label))
            return -1;
    }
    char detail[128];
    snprintf(detail, sizeof(detail), "route 0.0.0.0/0 via %s%s", target[0] ? target : (via_nat ? "the nat gateway" : "the internet gateway"),
             present ? " (was another target)" : "");
    if (item)
        net_report(n, SH_CHANGE_UPDATE, label, detail);
    *changed = 1;
    return 0;
}

/* The subnet is associated with this table, moving it from another one. */
static int associate(struct net *n, const sh_doc *item, const char *id, const char *subnet, const char *label,
                     int *changed)
{
    size_t count = item ? n->h->doc_count(item, "associationSet.item") : 0;
    char path[160];
    for (size_t i = 0; i < count; i++) {
        snprintf(path, sizeof(path), "associationSet.item[%zu].subnetId", i);
        const char *s = n->h->doc_string(item, path);
        if (s && subnet[0] && !strcmp(s, subnet))
            return 0;
    }
    const char *existing = NULL;
    if (subnet[0]) {
        sh_doc *in = net_req(n);
        const sh_doc *out;
        net_set(n, in, "association.subnet-id", "Filter[0].Name");
        net_set(n, in, subnet, "Filter[0].Value[0]");
        if (net_call(n, "DescribeRouteTables", in, &out, label))
            return -1;
        size_t tables = n->h->doc_count(out, "routeTableSet.item");
        for (size_t t = 0; t < tables && !existing; t++) {
            size_t assocs;
            snprintf(path, sizeof(path), "routeTableSet.item[%zu].associationSet.item", t);
            assocs = n->h->doc_count(out, path);
            for (size_t a = 0; a < assocs; a++) {
                snprintf(path, sizeof(path), "routeTableSet.item[%zu].associationSet.item[%zu].subnetId", t, a);
                const char *s = n->h->doc_string(out, path);
                if (s && !strcmp(s, subnet)) {
                    snprintf(path, sizeof(path), "routeTableSet.item[%zu].associationSet.item[%zu].routeTableAssociationId", t, a);
                    existing = n->h->doc_string(out, path);
                    break;
                }
            }
        }
    }
    if (!n->plan) {
        sh_doc *in = net_req(n);
        const sh_doc *out;
        net_set(n, in, id, "RouteTableId");
        if (existing) {
            net_set(n, in, existing, "AssociationId");
            if (net_call(n, "ReplaceRouteTableAssociation", in, &out, label))
                return -1;
        } else {
            net_set(n, in, subnet, "SubnetId");
            if (net_call(n, "AssociateRouteTable", in, &out, label))
                return -1;
        }
    }
    char detail[128];
    snprintf(detail, sizeof(detail), "associate %s%s", subnet[0] ? subnet : "its subnet",
             existing ? " (moved from another table)" : "");
    if (item)
        net_report(n, SH_CHANGE_UPDATE, label, detail);
    *changed = 1;
    return 0;
}

static int converge(struct net *n, const char *name, char *id, const char *target, int via_nat,
                    const char *const *subnets, int nsubnets)
{
    char label[160];
    snprintf(label, sizeof(label), "route table %s", name);
    const sh_doc *item;
    if (table(n, name, label, id, &item))
        return -1;
    int changed = 0;
    if (default_route(n, item, id, target, via_nat, label, &changed))
        return -1;
    for (int i = 0; i < nsubnets; i++)
        if (associate(n, item, id, subnets[i], label, &changed))
            return -1;
    return item ? net_settle(n, item, id, label, name, changed) : 0;
}

int net_routes(struct net *n)
{
    const char *pub[NET_MAX_AZ];
    for (int i = 0; i < n->azs; i++)
        pub[i] = n->sub_pub[i];
    if (converge(n, net_name(n, "rtb", "public"), n->rtb_pub, n->igw, 0, pub, n->azs))
        return -1;
    for (int i = 0; i < n->azs; i++) {
        char purpose[32];
        snprintf(purpose, sizeof(purpose), "private-%c", letters[i]);
        const char *priv[1] = {n->sub_priv[i]};
        /* Each private subnet leaves through the NAT of its own zone, or the shared one. */
        if (converge(n, net_name(n, "rtb", purpose), n->rtb_priv[i], n->nat[n->nats == n->azs ? i : 0], 1, priv, 1))
            return -1;
    }
    return 0;
}
