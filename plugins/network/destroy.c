/* network: removing everything this stack owns, in the order AWS needs
 * (aws-api.md section 11): NAT gateways (waited until deleted), elastic
 * IPs, route tables, security groups (their cross references first, then
 * once no network interface uses them), subnets, the internet gateway,
 * the VPC. What is found is what carries the ownership tags, so a second
 * destroy finds nothing and succeeds. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "net.h"

#define DELETE_TIMEOUT (20 * 60)

/* Every owned item of a Describe (tag filters, re-checked here). */
static int owned_items(struct net *n, const char *op, const char *items, const char *vpc_filter, const sh_doc **out)
{
    sh_doc *in = net_req(n);
    size_t f = 0;
    if (vpc_filter && n->vpc[0]) {
        net_set(n, in, vpc_filter, "Filter[%zu].Name", f);
        net_set(n, in, n->vpc, "Filter[%zu].Value[0]", f++);
    }
    net_set(n, in, "tag:Project", "Filter[%zu].Name", f);
    net_set(n, in, n->stack, "Filter[%zu].Value[0]", f++);
    net_set(n, in, "tag:Environment", "Filter[%zu].Name", f);
    net_set(n, in, n->h->environment(n->ctx), "Filter[%zu].Value[0]", f++);
    if (n->h->aws_call_all(n->ctx, "ec2", op, in, items, out) != SH_OK) {
        n->h->fail(n->ctx, SH_ERR_AWS, "listing what the stack owns: %s", n->h->aws_error_text(n->ctx));
        return -1;
    }
    return 0;
}

static const char *item_field(struct net *n, const sh_doc *out, const char *items, size_t i, const char *field)
{
    char path[160];
    snprintf(path, sizeof(path), "%s[%zu].%s", items, i, field);
    return n->h->doc_string(out, path);
}

static const sh_doc *item_at(struct net *n, const sh_doc *out, const char *items, size_t i)
{
    char path[160];
    snprintf(path, sizeof(path), "%s[%zu]", items, i);
    return n->h->doc_get(out, path);
}

static void label_of(struct net *n, const sh_doc *item, const char *kind, const char *id, char *label, size_t len)
{
    const char *name = net_tag(n, item, "Name");
    snprintf(label, len, "%s %s", kind, name ? name : id);
}

/* Calls a delete, waiting out DependencyViolation (what used the
 * resource is still going away) and treating "not found" as done. */
static int delete_retrying(struct net *n, const char *op, const char *param, const char *id, const char *label)
{
    time_t start = time(NULL);
    int delay = 2;
    for (;;) {
        sh_doc *in = net_req(n);
        const sh_doc *out;
        net_set(n, in, id, "%s", param);
        if (n->h->aws_call(n->ctx, "ec2", op, in, &out) == SH_OK)
            return 0;
        const sh_aws_error *e = n->h->aws_error(n->ctx);
        if (e && strstr(e->code, "NotFound"))
            return 0;
        if (!e || strcmp(e->code, "DependencyViolation") || time(NULL) - start > DELETE_TIMEOUT ||
            n->h->cancelled(n->ctx)) {
            n->h->fail(n->ctx, SH_ERR_AWS, "deleting %s: %s", label, n->h->aws_error_text(n->ctx));
            return -1;
        }
        n->h->log(n->ctx, SH_LOG_INFO, "waiting to delete %s: still in use (%lds)", label, (long)(time(NULL) - start));
        net_sleep(n, delay);
        delay = delay * 2 > 15 ? 15 : delay * 2;
    }
}

static int nats_deleted(struct net *n, void *arg, char *progress, size_t len)
{
    const sh_doc *ids = arg;
    size_t k = n->h->doc_count(ids, "NatGatewayId");
    const sh_doc *out;
    if (n->h->aws_call(n->ctx, "ec2", "DescribeNatGateways", ids, &out) != SH_OK) {
        const sh_aws_error *e = n->h->aws_error(n->ctx);
        if (e && !strcmp(e->code, "NatGatewayNotFound"))
            return 1;
        n->h->fail(n->ctx, SH_ERR_AWS, "waiting for nat gateways to go: %s", n->h->aws_error_text(n->ctx));
        return -1;
    }
    size_t count = n->h->doc_count(out, "natGatewaySet.item"), gone = k - (count < k ? count : k);
    for (size_t i = 0; i < count; i++) {
        const char *state = item_field(n, out, "natGatewaySet.item", i, "state");
        gone += state && !strcmp(state, "deleted");
    }
    snprintf(progress, len, "%zu of %zu deleted", gone, k);
    return gone >= k;
}

static int destroy_nats(struct net *n)
{
    const sh_doc *out;
    if (owned_items(n, "DescribeNatGateways", "natGatewaySet.item", "vpc-id", &out))
        return -1;
    sh_doc *ids = net_req(n);
    size_t k = 0, count = n->h->doc_count(out, "natGatewaySet.item");
    for (size_t i = 0; i < count; i++) {
        const sh_doc *it = item_at(n, out, "natGatewaySet.item", i);
        const char *state = n->h->doc_string(it, "state"), *id = n->h->doc_string(it, "natGatewayId");
        /* moto ignores tag filters on NAT gateways: the tags are checked here. */
        if (!net_owned(n, it) || !state || !strcmp(state, "deleted") || !strcmp(state, "failed"))
            continue;
        char label[160];
        label_of(n, it, "nat gateway", id, label, sizeof(label));
        if (!n->plan && strcmp(state, "deleting") && delete_retrying(n, "DeleteNatGateway", "NatGatewayId", id, label))
            return -1;
        net_set(n, ids, id, "NatGatewayId[%zu]", k++);
        net_report(n, SH_CHANGE_DELETE, label, NULL);
    }
    if (!k || n->plan)
        return 0;
    return net_wait(n, "nat gateways to be deleted", DELETE_TIMEOUT, nats_deleted, ids);
}

static int destroy_route_tables(struct net *n)
{
    const sh_doc *out;
    if (owned_items(n, "DescribeRouteTables", "routeTableSet.item", "vpc-id", &out))
        return -1;
    size_t count = n->h->doc_count(out, "routeTableSet.item");
    for (size_t i = 0; i < count; i++) {
        const sh_doc *it = item_at(n, out, "routeTableSet.item", i);
        const char *id = n->h->doc_string(it, "routeTableId");
        if (!net_owned(n, it) || !id)
            continue;
        char label[160], path[96];
        label_of(n, it, "route table", id, label, sizeof(label));
        size_t assocs = n->h->doc_count(it, "associationSet.item");
        for (size_t a = 0; a < assocs && !n->plan; a++) {
            snprintf(path, sizeof(path), "associationSet.item[%zu].main", a);
            const char *main_assoc = n->h->doc_string(it, path);
            snprintf(path, sizeof(path), "associationSet.item[%zu].routeTableAssociationId", a);
            const char *assoc = n->h->doc_string(it, path);
            if (assoc && !(main_assoc && !strcmp(main_assoc, "true")) &&
                delete_retrying(n, "DisassociateRouteTable", "AssociationId", assoc, label))
                return -1;
        }
        if (!n->plan && delete_retrying(n, "DeleteRouteTable", "RouteTableId", id, label))
            return -1;
        net_report(n, SH_CHANGE_DELETE, label, NULL);
    }
    return 0;
}

static int enis_gone(struct net *n, void *arg, char *progress, size_t len)
{
    sh_doc *in = net_req(n);
    net_set(n, in, "group-id", "Filter[0].Name");
    net_set(n, in, arg, "Filter[0].Value[0]");
    const sh_doc *out;
    if (n->h->aws_call_all(n->ctx, "ec2", "DescribeNetworkInterfaces", in, "networkInterfaceSet.item", &out) != SH_OK) {
        n->h->fail(n->ctx, SH_ERR_AWS, "waiting for network interfaces: %s", n->h->aws_error_text(n->ctx));
        return -1;
    }
    size_t count = n->h->doc_count(out, "networkInterfaceSet.item");
    snprintf(progress, len, "%zu network interfaces still use %s", count, (const char *)arg);
    return count == 0;
}

static int destroy_security_groups(struct net *n)
{
    const sh_doc *out;
    if (owned_items(n, "DescribeSecurityGroups", "securityGroupInfo.item", "vpc-id", &out))
        return -1;
    size_t count = n->h->doc_count(out, "securityGroupInfo.item");
    /* First every rule that refers to another group, so none blocks a delete. */
    for (size_t i = 0; i < count && !n->plan; i++) {
        const sh_doc *it = item_at(n, out, "securityGroupInfo.item", i);
        const char *id = n->h->doc_string(it, "groupId");
        if (!net_owned(n, it) || !id)
            continue;
        sh_doc *in = net_req(n);
        net_set(n, in, "group-id", "Filter[0].Name");
        net_set(n, in, id, "Filter[0].Value[0]");
        const sh_doc *rules;
        if (n->h->aws_call_all(n->ctx, "ec2", "DescribeSecurityGroupRules", in, "securityGroupRuleSet.item", &rules) != SH_OK) {
            n->h->fail(n->ctx, SH_ERR_AWS, "listing the rules of %s: %s", id, n->h->aws_error_text(n->ctx));
            return -1;
        }
        size_t nr = n->h->doc_count(rules, "securityGroupRuleSet.item");
        for (size_t r = 0; r < nr; r++) {
            if (!item_field(n, rules, "securityGroupRuleSet.item", r, "referencedGroupInfo.groupId"))
                continue;
            const char *eg = item_field(n, rules, "securityGroupRuleSet.item", r, "isEgress");
            sh_doc *rv = net_req(n);
            const sh_doc *ignored;
            net_set(n, rv, id, "GroupId");
            net_set(n, rv, item_field(n, rules, "securityGroupRuleSet.item", r, "securityGroupRuleId"), "SecurityGroupRuleId[0]");
            if (n->h->aws_call(n->ctx, "ec2", eg && !strcmp(eg, "true") ? "RevokeSecurityGroupEgress" : "RevokeSecurityGroupIngress",
                               rv, &ignored) != SH_OK) {
                n->h->fail(n->ctx, SH_ERR_AWS, "revoking a rule of %s: %s", id, n->h->aws_error_text(n->ctx));
                return -1;
            }
        }
    }
    for (size_t i = 0; i < count; i++) {
        const sh_doc *it = item_at(n, out, "securityGroupInfo.item", i);
        const char *id = n->h->doc_string(it, "groupId");
        if (!net_owned(n, it) || !id)
            continue;
        char label[160];
        label_of(n, it, "security group", id, label, sizeof(label));
        if (!n->plan) {
            /* The ALB's and the tasks' interfaces linger after they go. */
            char what[200];
            snprintf(what, sizeof(what), "the network interfaces of %s to go", label);
            if (net_wait(n, what, DELETE_TIMEOUT, enis_gone, (void *)id) ||
                delete_retrying(n, "DeleteSecurityGroup", "GroupId", id, label))
                return -1;
        }
        net_report(n, SH_CHANGE_DELETE, label, NULL);
    }
    return 0;
}

static int destroy_simple(struct net *n, const char *describe, const char *items, const char *vpc_filter,
                          const char *id_field, const char *kind, const char *del, const char *param)
{
    const sh_doc *out;
    if (owned_items(n, describe, items, vpc_filter, &out))
        return -1;
    size_t count = n->h->doc_count(out, items);
    for (size_t i = 0; i < count; i++) {
        const sh_doc *it = item_at(n, out, items, i);
        const char *id = n->h->doc_string(it, id_field);
        if (!net_owned(n, it) || !id)
            continue;
        char label[160];
        label_of(n, it, kind, id, label, sizeof(label));
        size_t attachments = n->h->doc_count(it, "attachmentSet.item");
        for (size_t a = 0; a < attachments && !n->plan; a++) {
            char path[96];
            snprintf(path, sizeof(path), "attachmentSet.item[%zu].vpcId", a);
            sh_doc *in = net_req(n);
            const sh_doc *ignored;
            net_set(n, in, id, "InternetGatewayId");
            net_set(n, in, n->h->doc_string(it, path), "VpcId");
            if (n->h->aws_call(n->ctx, "ec2", "DetachInternetGateway", in, &ignored) != SH_OK &&
                strcmp(n->h->aws_error(n->ctx)->code, "Gateway.NotAttached")) {
                n->h->fail(n->ctx, SH_ERR_AWS, "detaching %s: %s", label, n->h->aws_error_text(n->ctx));
                return -1;
            }
        }
        if (!n->plan && delete_retrying(n, del, param, id, label))
            return -1;
        net_report(n, SH_CHANGE_DELETE, label, NULL);
    }
    return 0;
}

int net_destroy_all(struct net *n)
{
    /* The VPC first, only to scope the other lookups by vpc-id. */
    const sh_doc *vpcs;
    if (owned_items(n, "DescribeVpcs", "vpcSet.item", NULL, &vpcs))
        return -1;
    const char *vpc = n->h->doc_count(vpcs, "vpcSet.item") == 1 ? n->h->doc_string(vpcs, "vpcSet.item[0].vpcId") : NULL;
    net_copy(n->vpc, sizeof(n->vpc), vpc);
    if (destroy_nats(n) ||
        destroy_simple(n, "DescribeAddresses", "addressesSet.item", NULL, "allocationId", "elastic ip",
                       "ReleaseAddress", "AllocationId") ||
        destroy_route_tables(n) || destroy_security_groups(n) ||
        destroy_simple(n, "DescribeSubnets", "subnetSet.item", "vpc-id", "subnetId", "subnet", "DeleteSubnet", "SubnetId") ||
        destroy_simple(n, "DescribeInternetGateways", "internetGatewaySet.item", NULL, "internetGatewayId",
                       "internet gateway", "DeleteInternetGateway", "InternetGatewayId"))
        return -1;
    n->vpc[0] = '\0';
    return destroy_simple(n, "DescribeVpcs", "vpcSet.item", NULL, "vpcId", "vpc", "DeleteVpc", "VpcId");
}

/* NAT gateways (and their elastic IPs) beyond those configured, e.g.
 * after nat_per_az went from true to false: removed once the routes no
 * longer use them. */
int net_remove_extra_nats(struct net *n)
{
    static const char letters[] = "abcdef";
    sh_doc *ids = net_req(n);
    size_t k = 0;
    for (int i = n->nats; i < NET_MAX_AZ; i++) {
        char purpose[8], label[128];
        snprintf(purpose, sizeof(purpose), "%c", letters[i]);
        const char *name = net_name(n, "nat", purpose);
        snprintf(label, sizeof(label), "nat gateway %s", name);
        const sh_doc *item;
        int rc = net_find_in_vpc(n, "DescribeNatGateways", "natGatewaySet.item", "nat gateway", name, "deleted|failed",
                                 &item);
        if (rc < 0)
            return -1;
        if (!rc)
            continue;
        const char *id = n->h->doc_string(item, "natGatewayId");
        if (!n->plan && delete_retrying(n, "DeleteNatGateway", "NatGatewayId", id, label))
            return -1;
        net_set(n, ids, id, "NatGatewayId[%zu]", k++);
        net_report(n, SH_CHANGE_DELETE, label, "no longer configured");
    }
    if (k && !n->plan && net_wait(n, "unneeded nat gateways to be deleted", DELETE_TIMEOUT, nats_deleted, ids))
        return -1;
    for (int i = n->nats; i < NET_MAX_AZ; i++) {
        char label[128];
        const char *name;
        const sh_doc *item;
        int rc = net_find_eip(n, letters[i], &name, &item);
        if (rc < 0)
            return -1;
        snprintf(label, sizeof(label), "elastic ip %s", name);
        if (!rc)
            continue;
        if (!n->plan && delete_retrying(n, "ReleaseAddress", "AllocationId", n->h->doc_string(item, "allocationId"), label))
            return -1;
        net_report(n, SH_CHANGE_DELETE, label, "no longer configured");
    }
    return 0;
}
