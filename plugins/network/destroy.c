/* network: removing everything this stack owns, in the order AWS needs
 * (aws-api.md section 11), a wave per step, while the load balancer's and
 * the service's destroys run (destroy_alongside): the NAT gateways, the
 * route tables' associations and the rules between the groups at once;
 * the route tables, the gateways waited for until deleted. Then, once
 * those destroys ended (their interfaces gone), the security groups, the
 * subnets, the elastic IPs and the internet gateway's attachment; the
 * gateway and the VPC. What is found is what carries the ownership tags, so a second
 * destroy finds nothing. */
#include <stdio.h>
#include <string.h>

#include "net.h"

#define MAX_ITEMS 64

struct owned {
    const sh_doc *out;
    const char *items, *id_field;
    const char *ids[MAX_ITEMS], *labels[MAX_ITEMS];
    const sh_doc *item[MAX_ITEMS];
    size_t n;
};

void net_queue_deletes(struct net *n, const char *op, const char *param, const char *const *ids,
                       const char *const *labels, size_t count, const char *detail)
{
    for (size_t i = 0; i < count; i++) {
        sh_doc *in = shc_doc(&n->f);
        n->f.h->doc_set_string(in, param, ids[i]);
        /* Gone already, or not visible yet: the final lookup tells. */
        shc_delete(&n->f.q, labels[i], detail, "ec2", op, in, "*NotFound");
    }
}

int net_delete_each(struct net *n, const char *op, const char *param, const char *const *ids,
                    const char *const *labels, size_t count, const char *detail)
{
    net_queue_deletes(n, op, param, ids, labels, count, detail);
    return shc_wave(&n->f);
}

static sh_doc *owned_filter(struct net *n)
{
    return shc_json(&n->f, "{'Filter': [{'Name': 'tag:Project', 'Value': ['%s']}, "
                           "{'Name': 'tag:Environment', 'Value': ['%s']}]}",
                    n->stack, n->f.h->environment(n->f.ctx));
}

/* Keeps the owned items of a lookup (tag filters are re-checked: moto
 * ignores them on NAT gateways), skipping states in skip. */
static void collect(struct net *n, struct owned *o, const char *kind, const char *skip)
{
    size_t count = n->f.h->doc_count(o->out, o->items);
    o->n = 0;
    for (size_t i = 0; i < count && o->n < MAX_ITEMS; i++) {
        const sh_doc *it = shc_node(n->f.h, o->out, "%s[%zu]", o->items, i);
        const char *id = n->f.h->doc_string(it, o->id_field), *state = n->f.h->doc_string(it, "state");
        if (!net_owned(n, it) || !id || (skip && shc_code_in(state, skip)))
            continue;
        const char *name = net_tag(n, it, "Name");
        o->item[o->n] = it;
        o->ids[o->n] = id;
        o->labels[o->n++] = net_label(n, kind, name ? name : id);
    }
}

struct group_poll {
    struct net *n;
    const struct owned *groups;
};

static int enis_gone(void *arg, char *progress, size_t len)
{
    struct group_poll *p = arg;
    struct net *n = p->n;
    sh_doc *in = shc_json(&n->f, "{'Filter': [{'Name': 'group-id'}]}");
    for (size_t i = 0; i < p->groups->n; i++)
        shc_set(&n->f, in, p->groups->ids[i], "Filter[0].Value[%zu]", i);
    const sh_doc *out;
    if (n->f.h->aws_call_all(n->f.ctx, "ec2", "DescribeNetworkInterfaces", in, "networkInterfaceSet.item", &out) != SH_OK) {
        return shc_fail(&n->f, SH_ERR_AWS, "waiting for network interfaces: %s", n->f.h->aws_error_text(n->f.ctx));
    }
    size_t count = n->f.h->doc_count(out, "networkInterfaceSet.item");
    net_interfaces_text(n, out, progress, len);
    return count == 0;
}

/* Rules that refer to another group block its delete: revoked first
 * (rules: the groups' DescribeSecurityGroupRules answer). */
static void revoke_references(struct net *n, const sh_doc *rules)
{
    size_t nr = rules ? n->f.h->doc_count(rules, "securityGroupRuleSet.item") : 0;
    for (size_t r = 0; r < nr; r++) {
#define FIELD(k) shc_str(n->f.h, rules, "securityGroupRuleSet.item[%zu]." k, r)
        if (!FIELD("referencedGroupInfo.groupId"))
            continue;
        const char *eg = FIELD("isEgress");
        sh_doc *rv = shc_json(&n->f, "{'GroupId': '%s', 'SecurityGroupRuleId': ['%s']}",
                              FIELD("groupId"), FIELD("securityGroupRuleId"));
#undef FIELD
        net_queue_ok(n, eg && !strcmp(eg, "true") ? "RevokeSecurityGroupEgress" : "RevokeSecurityGroupIngress", rv,
                     "a rule between the stack's security groups", "*NotFound");
    }
}

static void disassociate_tables(struct net *n, const struct owned *tables)
{
    for (size_t t = 0; t < tables->n; t++) {
        size_t assocs = n->f.h->doc_count(tables->item[t], "associationSet.item");
        for (size_t a = 0; a < assocs; a++) {
            const char *main_assoc = shc_str(n->f.h, tables->item[t], "associationSet.item[%zu].main", a);
            const char *assoc = shc_str(n->f.h, tables->item[t], "associationSet.item[%zu].routeTableAssociationId", a);
            if (!assoc || (main_assoc && !strcmp(main_assoc, "true")))
                continue;
            sh_doc *in = shc_json(&n->f, "{'AssociationId': '%s'}", assoc);
            net_queue_ok(n, "DisassociateRouteTable", in, tables->labels[t], "*NotFound");
        }
    }
}

static void detach_gateways(struct net *n, const struct owned *igws)
{
    for (size_t g = 0; g < igws->n; g++) {
        size_t attachments = n->f.h->doc_count(igws->item[g], "attachmentSet.item");
        for (size_t a = 0; a < attachments; a++) {
            sh_doc *in = shc_json(&n->f, "{'InternetGatewayId': '%s', 'VpcId': '%s'}", igws->ids[g],
                                  shc_str(n->f.h, igws->item[g], "attachmentSet.item[%zu].vpcId", a));
            net_queue_ok(n, "DetachInternetGateway", in, igws->labels[g], "Gateway.NotAttached|*NotFound");
        }
    }
}

/* One pass: everything owned that the lookups list, deleted in AWS's
 * order. *found gets how many resources the lookups listed. */
int net_destroy_pass(shc_frame *f, size_t *found)
{
    struct net *n = (struct net *)f;
    struct owned vpcs = {.items = "vpcSet.item", .id_field = "vpcId"},
                 nats = {.items = "natGatewaySet.item", .id_field = "natGatewayId"},
                 eips = {.items = "addressesSet.item", .id_field = "allocationId"},
                 tables = {.items = "routeTableSet.item", .id_field = "routeTableId"},
                 groups = {.items = "securityGroupInfo.item", .id_field = "groupId"},
                 subnets = {.items = "subnetSet.item", .id_field = "subnetId"},
                 igws = {.items = "internetGatewaySet.item", .id_field = "internetGatewayId"};
    struct owned *all[] = {&vpcs, &nats, &eips, &tables, &groups, &subnets, &igws};
    const char *ops[] = {"DescribeVpcs", "DescribeNatGateways", "DescribeAddresses", "DescribeRouteTables",
                         "DescribeSecurityGroups", "DescribeSubnets", "DescribeInternetGateways"};
    for (size_t i = 0; i < 7; i++) {
        net_queue_read(n, ops[i], owned_filter(n), all[i]->items, "the stack's network lookups", &all[i]->out);
    }
    if (shc_wave(f))
        return -1;
    collect(n, &vpcs, "vpc", NULL);
    collect(n, &nats, "nat gateway", "deleted|failed");
    collect(n, &eips, "elastic ip", NULL);
    collect(n, &tables, "route table", NULL);
    collect(n, &groups, "security group", NULL);
    collect(n, &subnets, "subnet", NULL);
    collect(n, &igws, "internet gateway", NULL);
    for (size_t i = 0; i < 7; i++)
        *found += all[i]->n;
    /* At once, as nothing of another plugin's uses them: the NAT
     * gateways (those not already going), the route tables' associations,
     * the rules between the groups (read first)... */
    const char *to_delete[MAX_ITEMS], *labels[MAX_ITEMS];
    size_t k = 0;
    sh_doc *wait_ids = shc_doc(&n->f);
    for (size_t i = 0; i < nats.n; i++) {
        const char *state = n->f.h->doc_string(nats.item[i], "state");
        shc_set(&n->f, wait_ids, nats.ids[i], "NatGatewayId[%zu]", i);
        if (state && !strcmp(state, "deleting")) {
            n->f.h->report(n->f.ctx, SH_CHANGE_DELETE, nats.labels[i], NULL);
            continue;
        }
        to_delete[k] = nats.ids[i];
        labels[k++] = nats.labels[i];
    }
    net_queue_deletes(n, "DeleteNatGateway", "NatGatewayId", to_delete, labels, k, NULL);
    const sh_doc *rules = NULL;
    if (groups.n && !n->f.plan) {
        sh_doc *in = shc_json(&n->f, "{'Filter': [{'Name': 'group-id'}]}");
        for (size_t i = 0; i < groups.n; i++)
            shc_set(&n->f, in, groups.ids[i], "Filter[0].Value[%zu]", i);
        net_queue_read(n, "DescribeSecurityGroupRules", in, "securityGroupRuleSet.item",
                       "the rules of the stack's security groups", &rules);
    }
    disassociate_tables(n, &tables);
    if (shc_wave(f))
        return -1;
    /* ... then the tables and those rules, with a first look at the
     * gateways, waited for until deleted (their addresses are then
     * unmapped: released below, beside the gateway's detachment) */
    revoke_references(n, rules);
    net_queue_deletes(n, "DeleteRouteTable", "RouteTableId", tables.ids, tables.labels, tables.n, NULL);
    const sh_doc *looked = NULL;
    if (!n->f.plan && nats.n)
        shc_read(&n->f.q, "ec2", "DescribeNatGateways", wait_ids, "nat gateways", "NatGatewayNotFound", &looked);
    if (shc_wave(f))
        return -1;
    int deleted = !nats.n || net_nats_in(n, looked, nats.n, 1) > 0; /* a plan read nothing: deleted */
    if (!deleted && net_wait_nats_deleted(n, wait_ids, nats.n, "nat gateways to be deleted", SHC_UNTIL_DEADLINE))
        return -1;
    /* What the load balancer's and the tasks' network interfaces sit in
     * once their destroys ended and the interfaces are gone (they linger
     * after them; anything else in the way is named); the gateway detaches
     * once no address is mapped in the VPC (the load balancer's went with
     * its interfaces, the NAT gateways' with them). */
    if ((groups.n || subnets.n || igws.n || vpcs.n) && shc_await_destroyed(f, NULL) < 0)
        return -1;
    struct group_poll gp = {n, &groups};
    if (groups.n && shc_wait(f, "the network interfaces of the security groups to go", SHC_UNTIL_DEADLINE, enis_gone, &gp))
        return -1;
    net_queue_deletes(n, "DeleteSecurityGroup", "GroupId", groups.ids, groups.labels, groups.n, NULL);
    net_queue_deletes(n, "DeleteSubnet", "SubnetId", subnets.ids, subnets.labels, subnets.n, NULL);
    net_queue_deletes(n, "ReleaseAddress", "AllocationId", eips.ids, eips.labels, eips.n, NULL);
    detach_gateways(n, &igws);
    if (shc_wave(f))
        return -1;
    net_queue_deletes(n, "DeleteInternetGateway", "InternetGatewayId", igws.ids, igws.labels, igws.n, NULL);
    net_queue_deletes(n, "DeleteVpc", "VpcId", vpcs.ids, vpcs.labels, vpcs.n, NULL);
    return shc_wave(f);
}
