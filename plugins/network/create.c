/* network: converging the VPC, subnets, gateways and routes. Each step
 * finds its resource by name among those this stack owns, creates what is
 * missing, brings back what drifted, and reports; in a plan it only looks
 * and reports. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net.h"

static const char letters[] = "abcdef";

static int cmp_str(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* 10.0.0.0/16 -> 10.0.<third>.0/24 */
static void derive_cidr(const char *vpc, int third, char *out, size_t size)
{
    unsigned a = 0, b = 0;
    sscanf(vpc, "%u.%u.", &a, &b);
    snprintf(out, size, "%u.%u.%d.0/24", a, b, third);
}

int net_load(struct net *n, const sh_host *h, sh_ctx *ctx)
{
    memset(n, 0, sizeof(*n));
    n->h = h;
    n->ctx = ctx;
    n->plan = h->mode(ctx) != SH_MODE_DEPLOY && h->mode(ctx) != SH_MODE_DESTROY;
    n->stack = h->stack_name(ctx);
    n->vpc_cidr = h->config_string(ctx, "cidr");
    n->db_cidr = h->config_string(ctx, "database_cidr") ? h->config_string(ctx, "database_cidr") : n->vpc_cidr;
    n->azs = (int)h->config_int(ctx, "az_count");
    n->nats = h->config_bool(ctx, "nat_per_az") ? n->azs : 1;
    const sh_value *pub = h->config(ctx, "public_subnets"), *priv = h->config(ctx, "private_subnets");
    for (int i = 0; i < n->azs; i++) {
        if (pub)
            net_copy(n->pub_cidr[i], sizeof(n->pub_cidr[i]), h->value_string(h->value_at(pub, (size_t)i)));
        else
            derive_cidr(n->vpc_cidr, i, n->pub_cidr[i], sizeof(n->pub_cidr[i]));
        if (priv)
            net_copy(n->priv_cidr[i], sizeof(n->priv_cidr[i]), h->value_string(h->value_at(priv, (size_t)i)));
        else
            derive_cidr(n->vpc_cidr, 10 + i, n->priv_cidr[i], sizeof(n->priv_cidr[i]));
    }
    return 0;
}

int net_zones(struct net *n)
{
    sh_doc *in = net_req(n);
    net_set(n, in, "state", "Filter[0].Name");
    net_set(n, in, "available", "Filter[0].Value[0]");
    net_set(n, in, "zone-type", "Filter[1].Name");
    net_set(n, in, "availability-zone", "Filter[1].Value[0]");
    const sh_doc *out;
    if (net_call(n, "DescribeAvailabilityZones", in, &out, "listing the region's availability zones"))
        return -1;
    size_t count = n->h->doc_count(out, "availabilityZoneInfo.item");
    char (*names)[32] = calloc(count + 1, sizeof(*names));
    char path[64];
    for (size_t i = 0; i < count; i++) {
        snprintf(path, sizeof(path), "availabilityZoneInfo.item[%zu].zoneName", i);
        net_copy(names[i], sizeof(names[i]), n->h->doc_string(out, path));
    }
    qsort(names, count, sizeof(*names), cmp_str);
    int rc = 0;
    if ((int)count < n->azs) {
        n->h->fail(n->ctx, SH_ERR_CONFIG, "region %s has %zu available zones, but az_count is %d: lower az_count",
                   n->h->region(n->ctx), count, n->azs);
        rc = -1;
    }
    for (int i = 0; !rc && i < n->azs; i++)
        net_copy(n->az[i], sizeof(n->az[i]), names[i]);
    free(names);
    return rc;
}

/* Turns a DNS attribute on when it is off; quiet when part of a create. */
static int vpc_attribute(struct net *n, const char *attr, const char *label, int *changed, int quiet)
{
    sh_doc *in = net_req(n);
    net_set(n, in, n->vpc, "VpcId");
    net_set(n, in, attr, "Attribute");
    const sh_doc *out;
    if (net_call(n, "DescribeVpcAttribute", in, &out, label))
        return -1;
    char path[64];
    snprintf(path, sizeof(path), "%s.value", attr);
    const char *v = n->h->doc_string(out, path);
    if (v && !strcmp(v, "true"))
        return 0;
    if (!n->plan) {
        /* One attribute per call, support before hostnames (AWS's rule). */
        in = net_req(n);
        net_set(n, in, n->vpc, "VpcId");
        net_set(n, in, "true", "%c%s.Value", attr[0] - 'a' + 'A', attr + 1);
        if (net_call(n, "ModifyVpcAttribute", in, &out, label))
            return -1;
    }
    char detail[64];
    snprintf(detail, sizeof(detail), "%s on", attr);
    if (!quiet)
        net_report(n, SH_CHANGE_UPDATE, label, detail);
    *changed = 1;
    return 0;
}

int net_vpc(struct net *n)
{
    const char *name = net_name(n, "vpc", NULL);
    char label[128];
    snprintf(label, sizeof(label), "vpc %s", name);
    const sh_doc *item;
    int rc = net_find(n, "DescribeVpcs", "vpcSet.item", NULL, "vpc", name, NULL, &item);
    if (rc < 0)
        return -1;
    if (!rc) {
        if (!n->plan) {
            sh_doc *in = net_req(n);
            net_set(n, in, n->vpc_cidr, "CidrBlock");
            net_tag_spec(n, in, "vpc", name);
            const sh_doc *out;
            if (net_call(n, "CreateVpc", in, &out, label))
                return -1;
            net_copy(n->vpc, sizeof(n->vpc), n->h->doc_string(out, "vpc.vpcId"));
        }
        int changed = 0;
        if (!n->plan && (vpc_attribute(n, "enableDnsSupport", label, &changed, 1) ||
                         vpc_attribute(n, "enableDnsHostnames", label, &changed, 1)))
            return -1;
        char detail[96];
        snprintf(detail, sizeof(detail), "%s, dns support and hostnames on", n->vpc_cidr);
        net_report(n, SH_CHANGE_CREATE, label, detail);
        return 0;
    }
    net_copy(n->vpc, sizeof(n->vpc), n->h->doc_string(item, "vpcId"));
    const char *cidr = n->h->doc_string(item, "cidrBlock");
    if (cidr && strcmp(cidr, n->vpc_cidr)) {
        char detail[96];
        snprintf(detail, sizeof(detail), "cidr %s -> %s", cidr, n->vpc_cidr);
        net_report(n, SH_CHANGE_REPLACE, label, detail);
        if (!n->plan) {
            n->h->fail(n->ctx, SH_ERR_CONFIG,
                       "%s has cidr %s, the configuration says %s: a VPC's cidr cannot change; put it back, "
                       "or destroy the stack and deploy it again", label, cidr, n->vpc_cidr);
            return -1;
        }
        return 0;
    }
    int changed = 0;
    if (vpc_attribute(n, "enableDnsSupport", label, &changed, 0) ||
        vpc_attribute(n, "enableDnsHostnames", label, &changed, 0))
        return -1;
    return net_settle(n, item, n->vpc, label, name, changed);
}

int net_default_sg(struct net *n)
{
    char label[128];
    snprintf(label, sizeof(label), "default security group of %s", net_name(n, "vpc", NULL));
    if (!n->vpc[0]) {
        net_report(n, SH_CHANGE_UPDATE, label, "remove every rule");
        return 0;
    }
    sh_doc *in = net_req(n);
    net_set(n, in, "vpc-id", "Filter[0].Name");
    net_set(n, in, n->vpc, "Filter[0].Value[0]");
    net_set(n, in, "group-name", "Filter[1].Name");
    net_set(n, in, "default", "Filter[1].Value[0]");
    const sh_doc *out;
    if (net_call(n, "DescribeSecurityGroups", in, &out, label))
        return -1;
    const char *sg = n->h->doc_string(out, "securityGroupInfo.item[0].groupId");
    if (!sg)
        return 0;
    in = net_req(n);
    net_set(n, in, "group-id", "Filter[0].Name");
    net_set(n, in, sg, "Filter[0].Value[0]");
    if (n->h->aws_call_all(n->ctx, "ec2", "DescribeSecurityGroupRules", in, "securityGroupRuleSet.item", &out) != SH_OK) {
        n->h->fail(n->ctx, SH_ERR_AWS, "%s: %s", label, n->h->aws_error_text(n->ctx));
        return -1;
    }
    size_t count = n->h->doc_count(out, "securityGroupRuleSet.item");
    sh_doc *ingress = net_req(n), *egress = net_req(n);
    size_t ni = 0, ne = 0;
    char path[96];
    for (size_t i = 0; i < count; i++) {
        snprintf(path, sizeof(path), "securityGroupRuleSet.item[%zu].isEgress", i);
        int is_egress = !strcmp(n->h->doc_string(out, path) ? n->h->doc_string(out, path) : "", "true");
        snprintf(path, sizeof(path), "securityGroupRuleSet.item[%zu].securityGroupRuleId", i);
        net_set(n, is_egress ? egress : ingress, n->h->doc_string(out, path), "SecurityGroupRuleId[%zu]",
                is_egress ? ne++ : ni++);
    }
    if (!ni && !ne) {
        net_report(n, SH_CHANGE_NONE, label, NULL);
        return 0;
    }
    if (!n->plan) {
        if (ni) {
            net_set(n, ingress, sg, "GroupId");
            if (net_call(n, "RevokeSecurityGroupIngress", ingress, &out, label))
                return -1;
        }
        if (ne) {
            net_set(n, egress, sg, "GroupId");
            if (net_call(n, "RevokeSecurityGroupEgress", egress, &out, label))
                return -1;
        }
    }
    char detail[64];
    snprintf(detail, sizeof(detail), "remove %zu rule%s", ni + ne, ni + ne == 1 ? "" : "s");
    net_report(n, SH_CHANGE_UPDATE, label, detail);
    return 0;
}

static int create_subnet(struct net *n, const char *name, const char *cidr, const char *az, char *id, const char *label)
{
    if (n->plan)
        return 0;
    sh_doc *in = net_req(n);
    net_set(n, in, n->vpc, "VpcId");
    net_set(n, in, cidr, "CidrBlock");
    net_set(n, in, az, "AvailabilityZone");
    net_tag_spec(n, in, "subnet", name);
    const sh_doc *out;
    if (net_call(n, "CreateSubnet", in, &out, label))
        return -1;
    net_copy(id, NET_ID, n->h->doc_string(out, "subnet.subnetId"));
    return 0;
}

static int subnet(struct net *n, int i, int public)
{
    char purpose[64], label[160], detail[128];
    snprintf(purpose, sizeof(purpose), "%s-%c", public ? "public" : "private", letters[i]);
    const char *name = net_name(n, "subnet", purpose);
    const char *cidr = public ? n->pub_cidr[i] : n->priv_cidr[i];
    char *id = public ? n->sub_pub[i] : n->sub_priv[i];
    snprintf(label, sizeof(label), "subnet %s", name);
    snprintf(detail, sizeof(detail), "%s in %s", cidr, n->az[i]);
    const sh_doc *item;
    int rc = net_find_in_vpc(n, "DescribeSubnets", "subnetSet.item", "subnet", name, NULL, &item);
    if (rc < 0)
        return -1;
    if (!rc) {
        if (create_subnet(n, name, cidr, n->az[i], id, label))
            return -1;
        net_report(n, SH_CHANGE_CREATE, label, detail);
        return 0;
    }
    net_copy(id, NET_ID, n->h->doc_string(item, "subnetId"));
    const char *have_cidr = n->h->doc_string(item, "cidrBlock"), *have_az = n->h->doc_string(item, "availabilityZone");
    if (strcmp(have_cidr ? have_cidr : "", cidr) || strcmp(have_az ? have_az : "", n->az[i])) {
        char why[320];
        snprintf(why, sizeof(why), "%s in %s -> %s (cidr and zone cannot change in place)", have_cidr, have_az, detail);
        net_report(n, SH_CHANGE_REPLACE, label, why);
        if (n->plan)
            return 0;
        if (!n->h->allow_replace(n->ctx)) {
            n->h->fail(n->ctx, SH_ERR_CONFIG, "%s needs replacement: %s; deploy with --allow-replace to delete and "
                       "recreate it (what uses it must let go first)", label, why);
            return -1;
        }
        sh_doc *in = net_req(n);
        const sh_doc *out;
        net_set(n, in, id, "SubnetId");
        if (net_call(n, "DeleteSubnet", in, &out, label))
            return -1;
        return create_subnet(n, name, cidr, n->az[i], id, label);
    }
    int changed = 0;
    const char *map = n->h->doc_string(item, "mapPublicIpOnLaunch");
    if (map && !strcmp(map, "true")) {
        if (!n->plan) {
            sh_doc *in = net_req(n);
            const sh_doc *out;
            net_set(n, in, id, "SubnetId");
            net_set(n, in, "false", "MapPublicIpOnLaunch.Value");
            if (net_call(n, "ModifySubnetAttribute", in, &out, label))
                return -1;
        }
        net_report(n, SH_CHANGE_UPDATE, label, "no public ip on launch");
        changed = 1;
    }
    return net_settle(n, item, id, label, name, changed);
}

int net_subnets(struct net *n)
{
    for (int i = 0; i < n->azs; i++)
        if (subnet(n, i, 1) || subnet(n, i, 0))
            return -1;
    return 0;
}

int net_igw(struct net *n)
{
    const char *name = net_name(n, "igw", NULL);
    char label[128];
    snprintf(label, sizeof(label), "internet gateway %s", name);
    const sh_doc *item, *out;
    int rc = net_find(n, "DescribeInternetGateways", "internetGatewaySet.item", NULL, "internet gateway", name, NULL,
                      &item);
    if (rc < 0)
        return -1;
    if (!rc) {
        if (!n->plan) {
            sh_doc *in = net_req(n);
            net_tag_spec(n, in, "internet-gateway", name);
            if (net_call(n, "CreateInternetGateway", in, &out, label))
                return -1;
            net_copy(n->igw, sizeof(n->igw), n->h->doc_string(out, "internetGateway.internetGatewayId"));
            in = net_req(n);
            net_set(n, in, n->igw, "InternetGatewayId");
            net_set(n, in, n->vpc, "VpcId");
            if (net_call(n, "AttachInternetGateway", in, &out, label))
                return -1;
        }
        net_report(n, SH_CHANGE_CREATE, label, "attached to the vpc");
        return 0;
    }
    net_copy(n->igw, sizeof(n->igw), n->h->doc_string(item, "internetGatewayId"));
    const char *attached = n->h->doc_string(item, "attachmentSet.item[0].vpcId");
    int changed = 0;
    if (attached && n->vpc[0] && strcmp(attached, n->vpc)) {
        n->h->fail(n->ctx, SH_ERR_CONFLICT, "%s is attached to %s, not to this stack's vpc %s: detach it by hand",
                   label, attached, n->vpc);
        return -1;
    }
    if (!attached) {
        if (!n->plan) {
            sh_doc *in = net_req(n);
            net_set(n, in, n->igw, "InternetGatewayId");
            net_set(n, in, n->vpc, "VpcId");
            if (net_call(n, "AttachInternetGateway", in, &out, label))
                return -1;
        }
        net_report(n, SH_CHANGE_UPDATE, label, "attach to the vpc");
        changed = 1;
    }
    return net_settle(n, item, n->igw, label, name, changed);
}

static int eip(struct net *n, int i)
{
    char label[128];
    const char *name;
    const sh_doc *item, *out;
    int rc = net_find_eip(n, letters[i], &name, &item);
    if (rc < 0)
        return -1;
    snprintf(label, sizeof(label), "elastic ip %s", name);
    if (!rc) {
        if (!n->plan) {
            sh_doc *in = net_req(n);
            net_set(n, in, "vpc", "Domain");
            net_tag_spec(n, in, "elastic-ip", name);
            if (net_call(n, "AllocateAddress", in, &out, label))
                return -1;
            net_copy(n->eip[i], sizeof(n->eip[i]), n->h->doc_string(out, "allocationId"));
        }
        net_report(n, SH_CHANGE_CREATE, label, NULL);
        return 0;
    }
    net_copy(n->eip[i], sizeof(n->eip[i]), n->h->doc_string(item, "allocationId"));
    return net_settle(n, item, n->eip[i], label, name, 0);
}

static int create_nat(struct net *n, int i, const char *name, const char *label)
{
    if (n->plan)
        return 0;
    sh_doc *in = net_req(n);
    const sh_doc *out;
    char token[64];
    /* One token per create: a retried request is not a second gateway. */
    snprintf(token, sizeof(token), "%.40s-%ld", name, (long)time(NULL));
    net_set(n, in, n->sub_pub[i], "SubnetId");
    net_set(n, in, n->eip[i], "AllocationId");
    net_set(n, in, "public", "ConnectivityType");
    net_set(n, in, token, "ClientToken");
    net_tag_spec(n, in, "natgateway", name);
    if (net_call(n, "CreateNatGateway", in, &out, label))
        return -1;
    net_copy(n->nat[i], sizeof(n->nat[i]), n->h->doc_string(out, "natGateway.natGatewayId"));
    return 0;
}

static int nat_available(struct net *n, void *arg, char *progress, size_t len)
{
    (void)arg;
    sh_doc *in = net_req(n);
    size_t k = 0;
    for (int i = 0; i < n->nats; i++)
        if (n->nat[i][0])
            net_set(n, in, n->nat[i], "NatGatewayId[%zu]", k++);
    if (!k)
        return 1;
    const sh_doc *out;
    if (n->h->aws_call(n->ctx, "ec2", "DescribeNatGateways", in, &out) != SH_OK) {
        const sh_aws_error *e = n->h->aws_error(n->ctx);
        if (e && !strcmp(e->code, "NatGatewayNotFound")) /* not visible yet */
            return 0;
        n->h->fail(n->ctx, SH_ERR_AWS, "waiting for nat gateways: %s", n->h->aws_error_text(n->ctx));
        return -1;
    }
    size_t count = n->h->doc_count(out, "natGatewaySet.item"), ready = 0;
    char pending[160] = "";
    char path[96];
    for (size_t i = 0; i < count; i++) {
        snprintf(path, sizeof(path), "natGatewaySet.item[%zu].state", i);
        const char *state = n->h->doc_string(out, path);
        snprintf(path, sizeof(path), "natGatewaySet.item[%zu].natGatewayId", i);
        const char *id = n->h->doc_string(out, path);
        if (state && !strcmp(state, "available")) {
            ready++;
        } else if (state && (!strcmp(state, "failed") || !strcmp(state, "deleted") || !strcmp(state, "deleting"))) {
            snprintf(path, sizeof(path), "natGatewaySet.item[%zu].failureMessage", i);
            n->h->fail(n->ctx, SH_ERR_AWS, "nat gateway %s is %s: %s", id ? id : "?", state,
                       n->h->doc_string(out, path) ? n->h->doc_string(out, path) : "no reason given");
            return -1;
        } else {
            size_t used = strlen(pending);
            snprintf(pending + used, sizeof(pending) - used, "%s%s %s", used ? ", " : "", id ? id : "?",
                     state ? state : "not visible yet");
        }
    }
    snprintf(progress, len, "%zu of %zu available%s%s", ready, k, pending[0] ? "; " : "", pending);
    return ready == k ? 1 : 0;
}

int net_nat(struct net *n)
{
    for (int i = 0; i < n->nats; i++)
        if (eip(n, i))
            return -1;
    int created = 0;
    /* Every create is issued before waiting on any: they provision in parallel. */
    for (int i = 0; i < n->nats; i++) {
        char purpose[16], label[128];
        snprintf(purpose, sizeof(purpose), "%c", letters[i]);
        const char *name = net_name(n, "nat", purpose);
        snprintf(label, sizeof(label), "nat gateway %s", name);
        const sh_doc *item;
        int rc = net_find_in_vpc(n, "DescribeNatGateways", "natGatewaySet.item", "nat gateway", name,
                                 "deleted|deleting|failed", &item);
        if (rc < 0)
            return -1;
        if (!rc) {
            if (create_nat(n, i, name, label))
                return -1;
            net_report(n, SH_CHANGE_CREATE, label, NULL);
            created = 1;
            continue;
        }
        net_copy(n->nat[i], sizeof(n->nat[i]), n->h->doc_string(item, "natGatewayId"));
        const char *sub = n->h->doc_string(item, "subnetId");
        const char *alloc = n->h->doc_string(item, "natGatewayAddressSet.item[0].allocationId");
        if ((n->sub_pub[i][0] && sub && strcmp(sub, n->sub_pub[i])) || (n->eip[i][0] && alloc && strcmp(alloc, n->eip[i]))) {
            net_report(n, SH_CHANGE_REPLACE, label, "subnet or elastic ip differs (cannot change in place)");
            if (n->plan)
                continue;
            if (!n->h->allow_replace(n->ctx)) {
                n->h->fail(n->ctx, SH_ERR_CONFIG, "%s needs replacement (its subnet or elastic ip differs); deploy "
                           "with --allow-replace", label);
                return -1;
            }
            sh_doc *in = net_req(n);
            const sh_doc *out;
            net_set(n, in, n->nat[i], "NatGatewayId");
            if (net_call(n, "DeleteNatGateway", in, &out, label) || create_nat(n, i, name, label))
                return -1;
            created = 1;
            continue;
        }
        if (net_settle(n, item, n->nat[i], label, name, 0))
            return -1;
    }
    if (n->plan || !created)
        return 0;
    return net_wait(n, "nat gateways", 20 * 60, nat_available, NULL);
}
