/* network: route tables, their default route and subnet associations. */
#include <stdio.h>
#include <string.h>

#include "net.h"

static void table(struct net *n, const char *name, const sh_doc *item, char *id, shc_line *line)
{
    if (item) {
        net_tags(n, item, id, line, name);
        return;
    }
    char token[64];
    net_token(n, name, token, sizeof(token));
    sh_doc *in = shc_json(&n->f, "{'VpcId': '%s', 'ClientToken': '%s'}", n->vpc, token);
    net_tag_spec(n, in, "route-table", name);
    net_queue_id(n, "CreateRouteTable", in, line->label, "routeTable.routeTableId", id);
    shc_line_note(line, SH_CHANGE_CREATE, NULL);
}

void net_wave_tables(struct net *n)
{
    table(n, net_name(n, "rtb", "public"), n->rtb_pub_item, n->rtb_pub, &n->rtb_pub_l);
    for (int i = 0; i < n->azs; i++)
        table(n, net_zone_name(n, "rtb", "private", i), n->rtb_priv_item[i], n->rtb_priv[i], &n->rtb_priv_l[i]);
}

/* What a route sends its traffic to (its gateway, nat gateway, ...). */
static const char *route_target(struct net *n, const sh_doc *item, size_t i)
{
    static const char *const kinds[] = {"gatewayId", "natGatewayId", "transitGatewayId", "networkInterfaceId",
                                        "instanceId", "vpcPeeringConnectionId"};
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        const char *t = shc_str(n->f.h, item, "routeSet.item[%zu].%s", i, kinds[k]);
        if (t)
            return t;
    }
    return "another target";
}

/* 0.0.0.0/0 through the target (an igw-... or a nat-... id). */
static void default_route(struct net *n, const sh_doc *item, const char *id, const char *target, int via_nat,
                          shc_line *line)
{
    const char *have = NULL, *was = NULL;
    size_t count = item ? n->f.h->doc_count(item, "routeSet.item") : 0;
    int present = 0;
    for (size_t i = 0; i < count; i++) {
        const char *dest = shc_str(n->f.h, item, "routeSet.item[%zu].destinationCidrBlock", i);
        if (!dest || strcmp(dest, "0.0.0.0/0"))
            continue;
        present = 1;
        have = shc_str(n->f.h, item, "routeSet.item[%zu].%s", i, via_nat ? "natGatewayId" : "gatewayId");
        was = route_target(n, item, i);
    }
    if (present && have && target[0] && !strcmp(have, target))
        return;
    sh_doc *in = shc_json(&n->f, "{'RouteTableId': '%s', 'DestinationCidrBlock': '0.0.0.0/0'}", id);
    shc_set(&n->f, in, target, via_nat ? "NatGatewayId" : "GatewayId");
    net_queue_ok(n, present ? "ReplaceRoute" : "CreateRoute", in, line->label, present ? NULL : "RouteAlreadyExists");
    if (item)
        shc_line_diff(n->f.h, n->f.ctx, line, SH_CHANGE_UPDATE, "route 0.0.0.0/0", was,
                      target[0] ? target : via_nat ? "the nat gateway" : "the internet gateway");
}

void net_wave_routes(struct net *n, int private_routes)
{
    if (!private_routes) {
        default_route(n, n->rtb_pub_item, n->rtb_pub, n->igw, 0, &n->rtb_pub_l);
        return;
    }
    for (int i = 0; i < n->azs; i++)
        /* Each private subnet leaves through the NAT of its own zone, or the shared one. */
        default_route(n, n->rtb_priv_item[i], n->rtb_priv[i], n->nat[n->nats == n->azs ? i : 0], 1,
                      &n->rtb_priv_l[i]);
}

/* The association of subnet with any table in answer (items at items),
 * or NULL; *table (may be NULL) is that table's id. */
static const char *association_in(struct net *n, const sh_doc *answer, const char *items, const char *subnet,
                                  const char **table)
{
    size_t tables = answer ? n->f.h->doc_count(answer, items) : 0;
    for (size_t t = 0; t < tables; t++) {
        size_t assocs = shc_count(n->f.h, answer, "%s[%zu].associationSet.item", items, t);
        for (size_t a = 0; a < assocs; a++) {
            const char *s = shc_str(n->f.h, answer, "%s[%zu].associationSet.item[%zu].subnetId", items, t, a);
            if (s && !strcmp(s, subnet) && table)
                *table = shc_str(n->f.h, answer, "%s[%zu].routeTableId", items, t);
            if (s && !strcmp(s, subnet))
                return shc_str(n->f.h, answer, "%s[%zu].associationSet.item[%zu].routeTableAssociationId", items, t, a);
        }
    }
    return NULL;
}

/* Whether the subnet is associated with the table item. */
static int associated(struct net *n, const sh_doc *item, const char *subnet)
{
    size_t count = item ? n->f.h->doc_count(item, "associationSet.item") : 0;
    for (size_t i = 0; i < count; i++) {
        const char *s = shc_str(n->f.h, item, "associationSet.item[%zu].subnetId", i);
        if (s && subnet[0] && !strcmp(s, subnet))
            return 1;
    }
    return 0;
}

/* Existing subnets that none of the stack's tables holds may sit in
 * another table (the main one does not list them): one read for all. */
void net_wave_association_reads(struct net *n)
{
    sh_doc *in = shc_doc(&n->f);
    size_t k = 0;
    for (int i = 0; i < n->azs; i++) {
        const char *subs[2] = {n->sub_pub_new[i] ? "" : n->sub_pub[i], n->sub_priv_new[i] ? "" : n->sub_priv[i]};
        for (int s = 0; s < 2; s++)
            if (subs[s][0] && !association_in(n, n->rtbs_out, "routeTableSet.item", subs[s], NULL))
                shc_set(&n->f, in, subs[s], "Filter[0].Value[%zu]", k++);
    }
    if (!k)
        return;
    shc_set(&n->f, in, "association.subnet-id", "Filter[0].Name");
    net_queue_read(n, "DescribeRouteTables", in, "routeTableSet.item", "route table associations", &n->assoc_out);
}

/* name: the subnet's, said while its id is not known (a plan) */
static void associate(struct net *n, const sh_doc *item, const char *id, const char *subnet, const char *name,
                      shc_line *line)
{
    if (associated(n, item, subnet))
        return;
    const char *existing = NULL, *was = NULL;
    if (subnet[0]) {
        existing = association_in(n, n->rtbs_out, "routeTableSet.item", subnet, &was);
        if (!existing)
            existing = association_in(n, n->assoc_out, "routeTableSet.item", subnet, &was);
    }
    sh_doc *in = shc_json(&n->f, "{'RouteTableId': '%s'}", id);
    if (existing) {
        shc_set(&n->f, in, existing, "AssociationId");
        net_queue(n, "ReplaceRouteTableAssociation", in, line->label, NULL, NULL);
    } else {
        shc_set(&n->f, in, subnet, "SubnetId");
        net_queue_ok(n, "AssociateRouteTable", in, line->label, "Resource.AlreadyAssociated");
    }
    /* "subnet subnet-1 table rtb-other -> rtb-this": it moves, or joins (none) */
    if (item)
        shc_line_diff(n->f.h, n->f.ctx, line, SH_CHANGE_UPDATE,
                      shc_text(n->f.h, n->f.ctx, "subnet %s table", subnet[0] ? subnet : name),
                      existing ? (was ? was : "another") : NULL, id[0] ? id : "this one");
}

void net_wave_associations(struct net *n)
{
    for (int i = 0; i < n->azs; i++) {
        associate(n, n->rtb_pub_item, n->rtb_pub, n->sub_pub[i], net_zone_name(n, "subnet", "public", i),
                  &n->rtb_pub_l);
        associate(n, n->rtb_priv_item[i], n->rtb_priv[i], n->sub_priv[i], net_zone_name(n, "subnet", "private", i),
                  &n->rtb_priv_l[i]);
    }
}
