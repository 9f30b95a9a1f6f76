/* network: finding what the stack has, then the VPC, internet gateway,
 * elastic IPs and subnets: created when missing, brought back when they
 * drifted. In a plan only the reads are sent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net.h"

/* 10.0.0.0/16 -> 10.0.<third>.0/24 */
static void derive_cidr(const char *vpc, int third, char *out, size_t size)
{
    unsigned a = 0, b = 0;
    sscanf(vpc, "%u.%u.", &a, &b);
    snprintf(out, size, "%u.%u.%d.0/24", a, b, third);
}

/* The answers EC2 gives while something propagates (aws-api.md section 13). */
const shc_not_yet net_not_yet[] = {
    /* An id made or listed a moment ago can be unknown to the next request
     * (EC2's guidance: retry with backoff). On a delete NotFound is "gone". */
    {NULL, "*NotFound", NULL, 120, NULL},
    /* What used it is still going away: an ALB's or a task's network
     * interfaces linger for minutes after they are deleted, even once
     * DescribeNetworkInterfaces lists none; an internet gateway's detach
     * waits for the VPC's public addresses to be unmapped. Up to the
     * destroy's deadline. */
    {"DeleteSecurityGroup|DeleteSubnet|DetachInternetGateway|DeleteInternetGateway|DeleteVpc|DeleteRouteTable|"
     "ReleaseAddress|RevokeSecurityGroupIngress|RevokeSecurityGroupEgress",
     "DependencyViolation", NULL, SHC_UNTIL_DEADLINE,
     "something outside this stack may still use it (an instance, an endpoint, a network interface): "
     "remove it, or raise STACKHOST_DESTROY_TIMEOUT, and run destroy again"},
    /* a deleted NAT gateway's address still counted as associated for a moment */
    {"ReleaseAddress", "InvalidIPAddress.InUse", NULL, 120, NULL},
    SHC_NOT_YET_END};

int net_load(shc_frame *f, int destroy)
{
    struct net *n = (struct net *)f;
    (void)destroy;
    n->run_id = (long)time(NULL);
    n->stack = f->h->stack_name(f->ctx);
    f->h->config_read(f->ctx, &n->cfg);
    net_cidr_canonical(n->cfg.cidr, n->vpc_cidr, sizeof(n->vpc_cidr));
    if (n->cfg.database_cidr)
        net_cidr_canonical(n->cfg.database_cidr, n->db_cidr, sizeof(n->db_cidr));
    else
        net_copy(n->db_cidr, sizeof(n->db_cidr), n->vpc_cidr);
    n->azs = (int)n->cfg.az_count;
    n->nats = n->cfg.nat_per_az ? n->azs : 1;
    for (int i = 0; i < n->azs; i++) {
        if ((size_t)i < n->cfg.public_subnets.n)
            net_cidr_canonical(n->cfg.public_subnets.items[i], n->pub_cidr[i], sizeof(n->pub_cidr[i]));
        else
            derive_cidr(n->vpc_cidr, i, n->pub_cidr[i], sizeof(n->pub_cidr[i]));
        if ((size_t)i < n->cfg.private_subnets.n)
            net_cidr_canonical(n->cfg.private_subnets.items[i], n->priv_cidr[i], sizeof(n->priv_cidr[i]));
        else
            derive_cidr(n->vpc_cidr, 10 + i, n->priv_cidr[i], sizeof(n->priv_cidr[i]));
    }
    n->vpc_l.label = net_label(n, "vpc", net_name(n, "vpc", NULL));
    n->igw_l.label = net_label(n, "internet gateway", net_name(n, "igw", NULL));
    n->rtb_pub_l.label = net_label(n, "route table", net_name(n, "rtb", "public"));
    n->sg_alb_l.label = net_label(n, "security group", net_name(n, "sg", "alb"));
    n->sg_tasks_l.label = net_label(n, "security group", net_name(n, "sg", "tasks"));
    n->rules_alb_l.label = net_label(n, "rules of security group", net_name(n, "sg", "alb"));
    n->rules_tasks_l.label = net_label(n, "rules of security group", net_name(n, "sg", "tasks"));
    n->default_l.label = net_label(n, "default security group of", net_name(n, "vpc", NULL));
    for (int i = 0; i < NET_MAX_AZ; i++) {
        n->sub_pub_l[i].label = net_label(n, "subnet", net_zone_name(n, "subnet", "public", i));
        n->sub_priv_l[i].label = net_label(n, "subnet", net_zone_name(n, "subnet", "private", i));
        n->rtb_priv_l[i].label = net_label(n, "route table", net_zone_name(n, "rtb", "private", i));
        n->eip_l[i].label = net_label(n, "elastic ip", net_zone_name(n, "eip", "nat", i));
        n->nat_l[i].label = net_label(n, "nat gateway", net_zone_name(n, "nat", "", i));
    }
    return 0;
}

void net_begin(shc_frame *f)
{
    struct net *n = (struct net *)f;
    memset(n->az, 0, sizeof(*n) - offsetof(struct net, az));
}

struct zone {
    char name[32], id[32];
    int usable; /* available, and no opt-in needed */
};

static int by_id(const void *a, const void *b)
{
    return strcmp(((const struct zone *)a)->id, ((const struct zone *)b)->id);
}

static int taken(const struct net *n, int upto, const char *name)
{
    for (int k = 0; k < upto; k++)
        if (!strcmp(n->az[k], name))
            return 1;
    return 0;
}

/* Zone i is the one `zones` names; else the one its existing subnets
 * are in (a zone is never moved by a later run); else the usable zone
 * with the lowest zone id not yet used (names map to different physical
 * zones in each account; ids do not). */
int net_zones(struct net *n)
{
    const sh_doc *out = n->zones_out;
    size_t count = n->f.h->doc_count(out, "availabilityZoneInfo.item");
    struct zone *zones = calloc(count + 1, sizeof(*zones));
    for (size_t i = 0; i < count; i++) {
#define FIELD(k) shc_str(n->f.h, out, "availabilityZoneInfo.item[%zu]." k, i)
        const char *state = FIELD("zoneState"), *opt = FIELD("optInStatus"), *type = FIELD("zoneType");
        net_copy(zones[i].name, sizeof(zones[i].name), FIELD("zoneName"));
        net_copy(zones[i].id, sizeof(zones[i].id), FIELD("zoneId") ? FIELD("zoneId") : FIELD("zoneName"));
#undef FIELD
        zones[i].usable = (!state || !strcmp(state, "available")) && (!opt || !strcmp(opt, "opt-in-not-required")) &&
                          (!type || !strcmp(type, "availability-zone"));
    }
    qsort(zones, count, sizeof(*zones), by_id);
    int named = n->cfg.zones.n > 0, rc = 0;
    for (int i = 0; i < n->azs; i++) {
        const sh_doc *sub = n->sub_pub_item[i] ? n->sub_pub_item[i] : n->sub_priv_item[i];
        const char *want = named ? n->cfg.zones.items[i] : (sub ? n->f.h->doc_string(sub, "availabilityZone") : NULL);
        if (want && !taken(n, i, want)) {
            size_t z = 0;
            while (z < count && strcmp(zones[z].name, want))
                z++;
            if (named && (z == count || !zones[z].usable)) {
                shc_fail(&n->f, SH_ERR_CONFIG, "zone %s (zones[%d]) is not an available zone of %s: name others", want, i,
                         n->f.h->region(n->f.ctx));
                rc = -1;
                break;
            }
            net_copy(n->az[i], sizeof(n->az[i]), want);
        }
    }
    for (int i = 0; !rc && i < n->azs; i++) {
        if (n->az[i][0])
            continue;
        for (size_t z = 0; z < count && !n->az[i][0]; z++)
            if (zones[z].usable && !taken(n, n->azs, zones[z].name))
                net_copy(n->az[i], sizeof(n->az[i]), zones[z].name);
        if (!n->az[i][0]) {
            shc_fail(&n->f, SH_ERR_CONFIG, "region %s has too few available zones for az_count %d: lower az_count",
                     n->f.h->region(n->f.ctx), n->azs);
            rc = -1;
        }
    }
    free(zones);
    return rc;
}

/* Whether a duplicate is in use, per kind (keeping it over the others). */
static int vpc_in_use(void *arg, const sh_doc *item)
{
    struct net *n = arg;
    const char *id = n->f.h->doc_string(item, "vpcId");
    for (size_t i = 0; id && i < n->f.h->doc_count(n->subnets_out, "subnetSet.item"); i++) {
        const char *v = shc_str(n->f.h, n->subnets_out, "subnetSet.item[%zu].vpcId", i);
        if (v && !strcmp(v, id))
            return 1;
    }
    return 0;
}

static int attached_in_use(void *arg, const sh_doc *item)
{
    struct net *n = arg;
    return n->f.h->doc_string(item, "attachmentSet.item[0].vpcId") != NULL ||
           n->f.h->doc_string(item, "associationId") != NULL || n->f.h->doc_count(item, "associationSet.item") > 0;
}

static int nat_in_use(void *arg, const sh_doc *item)
{
    struct net *n = arg;
    const char *state = n->f.h->doc_string(item, "state");
    return state && !strcmp(state, "available");
}

static int subnet_in_use(void *arg, const sh_doc *item)
{
    struct net *n = arg;
    const char *id = n->f.h->doc_string(item, "subnetId");
    for (size_t i = 0; id && i < n->f.h->doc_count(n->nats_out, "natGatewaySet.item"); i++) {
        const char *s = shc_str(n->f.h, n->nats_out, "natGatewaySet.item[%zu].subnetId", i);
        if (s && !strcmp(s, id))
            return 1;
    }
    size_t tables = n->f.h->doc_count(n->rtbs_out, "routeTableSet.item");
    for (size_t t = 0; id && t < tables; t++) {
        size_t assocs = shc_count(n->f.h, n->rtbs_out, "routeTableSet.item[%zu].associationSet.item", t);
        for (size_t a = 0; a < assocs; a++) {
            const char *s = shc_str(n->f.h, n->rtbs_out, "routeTableSet.item[%zu].associationSet.item[%zu].subnetId", t, a);
            if (s && !strcmp(s, id))
                return 1;
        }
    }
    return 0;
}

struct kind {
    const char *items, *noun, *id_field, *skip, *created;
    int (*in_use)(void *arg, const sh_doc *item);
    const char *del, *param;
};

static const struct kind vpc_kind = {"vpcSet.item", "vpc", "vpcId", NULL, NULL, vpc_in_use, "DeleteVpc", "VpcId"};
static const struct kind igw_kind = {"internetGatewaySet.item", "internet gateway", "internetGatewayId", NULL,
                                     NULL, attached_in_use, "DeleteInternetGateway", "InternetGatewayId"};
static const struct kind sg_kind = {"securityGroupInfo.item", "security group", "groupId", NULL, NULL, NULL,
                                    "DeleteSecurityGroup", "GroupId"};
static const struct kind rtb_kind = {"routeTableSet.item", "route table", "routeTableId", NULL, NULL,
                                     attached_in_use, "DeleteRouteTable", "RouteTableId"};
static const struct kind eip_kind = {"addressesSet.item", "elastic ip", "allocationId", NULL, NULL,
                                     attached_in_use, "ReleaseAddress", "AllocationId"};
static const struct kind nat_kind = {"natGatewaySet.item", "nat gateway", "natGatewayId", "deleted|deleting|failed",
                                     "createTime", nat_in_use, "DeleteNatGateway", "NatGatewayId"};
static const struct kind subnet_kind = {"subnetSet.item", "subnet", "subnetId", NULL, NULL, subnet_in_use,
                                        "DeleteSubnet", "SubnetId"};

/* Finds name among the answer; sets the item and copies its id; owned
 * duplicates go to n->extras. -1 on a conflict (recorded). */
static int found(struct net *n, const sh_doc *answer, const struct kind *k, const char *name, const sh_doc **item,
                 char *id)
{
    shc_lookup l = {.answer = answer, .items = k->items, .tags = &shc_tags_ec2, .state = k->skip ? "state" : NULL,
                    .skip_states = k->skip, .in_use = k->in_use, .in_use_arg = n, .created = k->created};
    const sh_doc *extra[8];
    size_t nextra = 0;
    int rc = shc_find_keep(n->f.h, n->f.ctx, &l, k->noun, name, item, extra, 8, &nextra);
    if (rc > 0)
        net_copy(id, NET_ID, n->f.h->doc_string(*item, k->id_field));
    for (size_t i = 0; i < nextra && n->nextras < sizeof(n->extras) / sizeof(n->extras[0]); i++) {
        struct net_extra *x = &n->extras[n->nextras++];
        memset(x, 0, sizeof(*x));
        x->op = k->del;
        x->param = k->param;
        x->id = n->f.h->doc_string(extra[i], k->id_field);
        x->label = net_label(n, k->noun, name);
        if (k == &igw_kind && (x->vpc = n->f.h->doc_string(extra[i], "attachmentSet.item[0].vpcId"))) {
            x->first_op = "DetachInternetGateway";
            x->first_param = "InternetGatewayId";
            x->first_id = x->id;
        } else if (k == &rtb_kind && n->f.h->doc_string(extra[i], "associationSet.item[0].routeTableAssociationId")) {
            x->first_op = "DisassociateRouteTable";
            x->first_param = "AssociationId";
            x->first_id = n->f.h->doc_string(extra[i], "associationSet.item[0].routeTableAssociationId");
        }
    }
    return rc < 0 ? -1 : 0;
}

/* Deletes the duplicates: a gateway's detach or a table's disassociation
 * first (wave one), then the deletes (wave one, or two after a first step). */
void net_wave_extras(struct net *n, int second)
{
    for (size_t i = 0; i < n->nextras; i++) {
        const struct net_extra *x = &n->extras[i];
        if (!second && x->first_op) {
            sh_doc *in = shc_doc(&n->f);
            n->f.h->doc_set_string(in, x->first_param, x->first_id);
            if (x->vpc)
                n->f.h->doc_set_string(in, "VpcId", x->vpc);
            net_queue_ok(n, x->first_op, in, x->label, "*NotFound|Gateway.NotAttached");
            continue;
        }
        if (second != (x->first_op != NULL))
            continue;
        sh_doc *in = shc_doc(&n->f);
        n->f.h->doc_set_string(in, x->param, x->id);
        char detail[96];
        snprintf(detail, sizeof(detail), "a duplicate (%s): the one in use is kept", x->id);
        shc_delete(&n->f.q, x->label, detail, "ec2", x->op, in, "*NotFound");
    }
}

int net_found(struct net *n)
{
    int bad = 0;
    bad |= found(n, n->vpcs_out, &vpc_kind, net_name(n, "vpc", NULL), &n->vpc_item, n->vpc);
    bad |= found(n, n->igws_out, &igw_kind, net_name(n, "igw", NULL), &n->igw_item, n->igw);
    bad |= found(n, n->sgs_out, &sg_kind, net_name(n, "sg", "alb"), &n->sg_alb_item, n->sg_alb);
    bad |= found(n, n->sgs_out, &sg_kind, net_name(n, "sg", "tasks"), &n->sg_tasks_item, n->sg_tasks);
    bad |= found(n, n->rtbs_out, &rtb_kind, net_name(n, "rtb", "public"), &n->rtb_pub_item, n->rtb_pub);
    for (int i = 0; i < NET_MAX_AZ; i++) {
        /* Every letter, configured or not: extra gateways are found to go. */
        bad |= found(n, n->eips_out, &eip_kind, net_zone_name(n, "eip", "nat", i), &n->eip_item[i], n->eip[i]);
        bad |= found(n, n->nats_out, &nat_kind, net_zone_name(n, "nat", "", i), &n->nat_item[i], n->nat[i]);
        if (i >= n->azs)
            continue;
        bad |= found(n, n->subnets_out, &subnet_kind, net_zone_name(n, "subnet", "public", i), &n->sub_pub_item[i],
                     n->sub_pub[i]);
        bad |= found(n, n->subnets_out, &subnet_kind, net_zone_name(n, "subnet", "private", i), &n->sub_priv_item[i],
                     n->sub_priv[i]);
        bad |= found(n, n->rtbs_out, &rtb_kind, net_zone_name(n, "rtb", "private", i), &n->rtb_priv_item[i],
                     n->rtb_priv[i]);
    }
    return bad ? -1 : 0;
}

static void vpc(struct net *n)
{
    const char *name = net_name(n, "vpc", NULL), *label = n->vpc_l.label;
    if (!n->vpc_item) {
        sh_doc *in = shc_json(&n->f, "{'CidrBlock': '%s'}", n->vpc_cidr);
        net_tag_spec(n, in, "vpc", name);
        net_queue_id(n, "CreateVpc", in, label, "vpc.vpcId", n->vpc);
        n->vpc_new = 1;
        shc_line_note(&n->vpc_l, SH_CHANGE_CREATE,
                      shc_text(n->f.h, n->f.ctx, "%s, dns support and hostnames on", n->vpc_cidr));
        return;
    }
    const char *cidr = n->f.h->doc_string(n->vpc_item, "cidrBlock");
    if (cidr && strcmp(cidr, n->vpc_cidr)) {
        /* refused by plan and deploy alike, --allow-replace or not: the
         * whole stack lives in it */
        shc_fail(&n->f, SH_ERR_CONFIG,
                 "%s has cidr %s, the configuration says %s: a VPC's cidr cannot change, and replacing it "
                 "means replacing everything in it; put network.cidr back, or destroy the stack and deploy it "
                 "again", label, cidr, n->vpc_cidr);
        return;
    }
    const char *attrs[] = {"enableDnsSupport", "enableDnsHostnames"};
    const sh_doc **outs[] = {&n->dns_support, &n->dns_hostnames};
    for (int i = 0; i < 2; i++) {
        sh_doc *in = shc_json(&n->f, "{'VpcId': '%s', 'Attribute': '%s'}", n->vpc, attrs[i]);
        net_queue_read(n, "DescribeVpcAttribute", in, NULL, label, outs[i]);
    }
    /* with them, so that the rules of every group are read in the next wave */
    net_queue_default_group(n);
    net_tags(n, n->vpc_item, n->vpc, &n->vpc_l, name);
}

static void igw(struct net *n)
{
    const char *name = net_name(n, "igw", NULL), *label = n->igw_l.label;
    if (!n->igw_item) {
        sh_doc *in = shc_doc(&n->f);
        net_tag_spec(n, in, "internet-gateway", name);
        net_queue_id(n, "CreateInternetGateway", in, label, "internetGateway.internetGatewayId", n->igw);
        shc_line_note(&n->igw_l, SH_CHANGE_CREATE, NULL); /* a pass after a lost answer still says it was made */
        n->igw_new = 1;
        return;
    }
    const char *attached = n->f.h->doc_string(n->igw_item, "attachmentSet.item[0].vpcId");
    if (attached && n->vpc[0] && strcmp(attached, n->vpc))
        shc_fail(&n->f, SH_ERR_CONFLICT, "%s is attached to %s, not to this stack's vpc %s: detach it by hand",
                 label, attached, n->vpc);
    net_tags(n, n->igw_item, n->igw, &n->igw_l, name);
}

static void eip(struct net *n, int i)
{
    const char *name = net_zone_name(n, "eip", "nat", i);
    if (n->eip_item[i]) {
        net_tags(n, n->eip_item[i], n->eip[i], &n->eip_l[i], name);
        return;
    }
    sh_doc *in = shc_json(&n->f, "{'Domain': 'vpc'}");
    net_tag_spec(n, in, "elastic-ip", name);
    net_queue_id(n, "AllocateAddress", in, n->eip_l[i].label, "allocationId", n->eip[i]);
    shc_line_note(&n->eip_l[i], SH_CHANGE_CREATE, NULL);
}

/* An existing subnet: replaced when its cidr or zone differs (then made
 * in the next wave), its public-ip setting and tags put back. */
static void subnet_drift(struct net *n, int i, int public)
{
    const sh_doc *item = public ? n->sub_pub_item[i] : n->sub_priv_item[i];
    char *id = public ? n->sub_pub[i] : n->sub_priv[i];
    int *made = public ? &n->sub_pub_new[i] : &n->sub_priv_new[i];
    const char *name = net_zone_name(n, "subnet", public ? "public" : "private", i);
    shc_line *line = public ? &n->sub_pub_l[i] : &n->sub_priv_l[i];
    const char *label = line->label, *cidr = public ? n->pub_cidr[i] : n->priv_cidr[i];
    if (!item)
        return;
    const char *have_cidr = n->f.h->doc_string(item, "cidrBlock"), *have_az = n->f.h->doc_string(item, "availabilityZone");
    int new_cidr = strcmp(have_cidr ? have_cidr : "", cidr), new_az = strcmp(have_az ? have_az : "", n->az[i]);
    if (new_cidr || new_az) {
        char why[320];
        snprintf(why, sizeof(why), "%s%s%s (cidr and zone cannot change in place)",
                 new_cidr ? shc_line_diff(n->f.h, n->f.ctx, NULL, SH_CHANGE_REPLACE, "cidr", have_cidr, cidr) : "",
                 new_cidr && new_az ? ", " : "",
                 new_az ? shc_line_diff(n->f.h, n->f.ctx, NULL, SH_CHANGE_REPLACE, "zone", have_az, n->az[i]) : "");
        shc_line_note(line, SH_CHANGE_REPLACE, why);
        if (!n->f.h->allow_replace(n->f.ctx)) {
            shc_fail(&n->f, SH_ERR_CONFIG, "%s needs replacement: %s; deploy with --allow-replace to delete and "
                     "recreate it (what uses it must let go first)", label, why);
            return;
        }
        /* What is in it (a NAT gateway's, a load balancer's, a task's
         * interface) must go first: read now, deleted in the next wave (a
         * plan reads it too: what deploy would refuse, the plan refuses). */
        sh_doc *in = shc_json(&n->f, "{'Filter': [{'Name': 'subnet-id', 'Value': ['%s']}]}", id);
        net_queue_read(n, "DescribeNetworkInterfaces", in, "networkInterfaceSet.item", label,
                       &n->sub_enis[i][public]);
        n->sub_replace[i][public] = 1;
        if (!n->f.plan)
            *made = 1; /* created again in wave three; the replace line stands for it */
        return;
    }
    const char *map = n->f.h->doc_string(item, "mapPublicIpOnLaunch");
    if (map && !strcmp(map, "true")) {
        sh_doc *in = shc_json(&n->f, "{'SubnetId': '%s', 'MapPublicIpOnLaunch': {'Value': 'false'}}", id);
        net_queue(n, "ModifySubnetAttribute", in, label, NULL, NULL);
        shc_line_diff(n->f.h, n->f.ctx, line, SH_CHANGE_UPDATE, "public ip on launch", map, "false");
    }
    net_tags(n, item, id, line, name);
}

static void subnet_create(struct net *n, int i, int public)
{
    const sh_doc *item = public ? n->sub_pub_item[i] : n->sub_priv_item[i];
    char *id = public ? n->sub_pub[i] : n->sub_priv[i];
    if (item)
        return;
    const char *name = net_zone_name(n, "subnet", public ? "public" : "private", i);
    shc_line *line = public ? &n->sub_pub_l[i] : &n->sub_priv_l[i];
    const char *cidr = public ? n->pub_cidr[i] : n->priv_cidr[i];
    if (public ? !n->sub_pub_new[i] : !n->sub_priv_new[i]) /* a replacement noted its own line */
        shc_line_note(line, SH_CHANGE_CREATE, shc_text(n->f.h, n->f.ctx, "%s in %s", cidr, n->az[i]));
    if (public)
        n->sub_pub_new[i] = 1;
    else
        n->sub_priv_new[i] = 1;
    sh_doc *in = shc_json(&n->f, "{'VpcId': '%s', 'CidrBlock': '%s', 'AvailabilityZone': '%s'}",
                          n->vpc, cidr, n->az[i]);
    net_tag_spec(n, in, "subnet", name);
    net_queue_id(n, "CreateSubnet", in, line->label, "subnet.subnetId", id);
}

int net_replace_subnets(struct net *n)
{
    for (int i = 0; i < n->azs; i++) {
        for (int public = 0; public < 2; public++) {
            if (!n->sub_replace[i][public])
                continue;
            char *id = public ? n->sub_pub[i] : n->sub_priv[i];
            const char *label = (public ? n->sub_pub_l : n->sub_priv_l)[i].label;
            if (n->f.h->doc_count(n->sub_enis[i][public], "networkInterfaceSet.item")) {
                char what[512];
                net_interfaces_text(n, n->sub_enis[i][public], what, sizeof(what));
                shc_fail(&n->f, SH_ERR_CONFLICT, "%s cannot be replaced while it is in use (%s): remove what uses it "
                         "(the stack's other plugins first), then deploy again", label, what);
                continue;
            }
            if (n->f.plan)
                continue;
            sh_doc *in = shc_json(&n->f, "{'SubnetId': '%s'}", id);
            net_queue(n, "DeleteSubnet", in, label, NULL, NULL);
            id[0] = '\0';
            if (public)
                n->sub_pub_item[i] = NULL;
            else
                n->sub_priv_item[i] = NULL;
        }
    }
    return shc_wave(&n->f);
}

void net_wave_vpc(struct net *n)
{
    vpc(n);
    igw(n);
    for (int i = 0; i < n->nats; i++)
        eip(n, i);
    for (int i = 0; i < n->azs; i++) {
        subnet_drift(n, i, 1);
        subnet_drift(n, i, 0);
    }
}


/* Turns attr on; unless quiet, reported as "enableDnsSupport false -> true"
 * (was: its value as DescribeVpcAttribute answered it, NULL: unknown). */
static void dns_attribute(struct net *n, const char *attr, int quiet, const char *was)
{
    sh_doc *in = shc_json(&n->f, "{'VpcId': '%s'}", n->vpc);
    shc_set(&n->f, in, "true", "%c%s.Value", attr[0] - 'a' + 'A', attr + 1);
    net_queue(n, "ModifyVpcAttribute", in, n->vpc_l.label, NULL, NULL);
    if (!quiet)
        shc_line_diff(n->f.h, n->f.ctx, &n->vpc_l, SH_CHANGE_UPDATE, attr, was, "true");
}

static const char *attribute_value(const struct net *n, const sh_doc *answer, const char *attr)
{
    return shc_str(n->f.h, answer, "%s.value", attr);
}

/* DNS support before hostnames: AWS refuses hostnames without support. */
void net_wave_dns(struct net *n, int second)
{
    if (!n->vpc[0] && !n->vpc_new)
        return;
    const char *support = attribute_value(n, n->dns_support, "enableDnsSupport");
    const char *hostnames = attribute_value(n, n->dns_hostnames, "enableDnsHostnames");
    if (second) {
        if (n->hostnames_later)
            dns_attribute(n, "enableDnsHostnames", 0, hostnames);
        return;
    }
    if (n->vpc_new) { /* a new VPC has support on and hostnames off */
        dns_attribute(n, "enableDnsHostnames", 1, NULL);
        return;
    }
    int support_on = support && !strcmp(support, "true"), hostnames_on = hostnames && !strcmp(hostnames, "true");
    if (!support_on)
        dns_attribute(n, "enableDnsSupport", 0, support);
    if (!hostnames_on && support_on)
        dns_attribute(n, "enableDnsHostnames", 0, hostnames);
    n->hostnames_later = !hostnames_on && !support_on;
}

void net_wave_in_vpc(struct net *n)
{
    for (int i = 0; i < n->azs; i++) {
        subnet_create(n, i, 1);
        subnet_create(n, i, 0);
    }
    int attached = n->igw_item && n->f.h->doc_string(n->igw_item, "attachmentSet.item[0].vpcId");
    if (!attached) {
        sh_doc *in = shc_json(&n->f, "{'InternetGatewayId': '%s', 'VpcId': '%s'}", n->igw, n->vpc);
        net_queue_ok(n, "AttachInternetGateway", in, n->igw_l.label, "Resource.AlreadyAssociated");
        if (n->igw_new)
            shc_line_note(&n->igw_l, SH_CHANGE_CREATE, "attached to the vpc");
        else /* in a plan before the vpc is made, its id is not known */
            shc_line_diff(n->f.h, n->f.ctx, &n->igw_l, SH_CHANGE_UPDATE, "attached to", NULL,
                          n->vpc[0] ? n->vpc : "the stack's vpc");
    }
    net_wave_dns(n, 0);
    if (n->vpc[0] && !n->vpc_item) /* an existing vpc's was read with its attributes */
        net_queue_default_group(n);
}

struct quota_reads {
    const sh_doc *eip_limit, *addresses, *vpcs, *vpc_quota;
};

/* Elastic IPs (5 a region by default) and VPCs (5) run out first: a
 * deploy that would pass the account's quota stops before it changes
 * anything, rather than half way. Read only when something is to be made. */
int net_quotas(struct net *n)
{
    int need_eips = 0, need_vpc = !n->vpc_item;
    for (int i = 0; i < n->nats; i++)
        need_eips += !n->eip_item[i];
    if ((!need_eips && !need_vpc) || n->f.mode == SH_MODE_OUTPUTS)
        return 0;
    struct quota_reads r = {0};
    const char *label = "the account's quotas";
    if (need_eips) {
        sh_doc *in = shc_json(&n->f, "{'AttributeName': ['vpc-max-elastic-ips']}");
        net_queue_read(n, "DescribeAccountAttributes", in, "accountAttributeSet.item", label, &r.eip_limit);
        in = shc_json(&n->f, "{'Filter': [{'Name': 'domain', 'Value': ['vpc']}]}");
        net_queue_read(n, "DescribeAddresses", in, "addressesSet.item", label, &r.addresses);
    }
    if (need_vpc) {
        net_queue_read(n, "DescribeVpcs", shc_doc(&n->f), "vpcSet.item", label, &r.vpcs);
        shc_quota_read(&n->f.q, "vpc", "L-F678F1CE", label, &r.vpc_quota); /* VPCs per region */
    }
    if (shc_wave(&n->f))
        return -1;
    int rc = 0;
    if (need_eips) {
        int limit = (int)shc_quota_value(n->f.h, r.eip_limit,
                                         "accountAttributeSet.item[0].attributeValueSet.item[0].attributeValue", 5);
        int used = (int)n->f.h->doc_count(r.addresses, "addressesSet.item");
        if (used + need_eips > limit) {
            shc_fail(&n->f, SH_ERR_CONFIG, "this deploy needs %d new elastic ip%s, and region %s already has %d of its %d "
                     "(vpc-max-elastic-ips): release unused addresses or raise the quota, then deploy again",
                     need_eips, need_eips == 1 ? "" : "s", n->f.h->region(n->f.ctx), used, limit);
            rc = -1;
        }
    }
    if (need_vpc) {
        int limit = (int)shc_quota_value(n->f.h, r.vpc_quota, "Quota.Value", 5);
        int used = (int)n->f.h->doc_count(r.vpcs, "vpcSet.item");
        if (used + 1 > limit) {
            shc_fail(&n->f, SH_ERR_CONFIG, "this deploy needs a new vpc, and region %s already has %d of its %d: delete "
                     "unused vpcs or raise the quota (service quotas, L-F678F1CE), then deploy again",
                     n->f.h->region(n->f.ctx), used, limit);
            rc = -1;
        }
    }
    return rc;
}
