/* EC2 helpers of the network plugin: requests, names and tags, the
 * stack's lookups. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "net.h"

static const shc_tag_shape tag_request = {"Tag", "Key", "Value"};
static const shc_tag_shape tag_spec = {"TagSpecification[0].Tag", "Key", "Value"};



void net_copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

const char *net_name(struct net *n, const char *type, const char *purpose)
{
    char p[128];
    if (purpose)
        snprintf(p, sizeof(p), "%s-%s", n->stack, purpose);
    else
        snprintf(p, sizeof(p), "%s", n->stack);
    return n->f.h->resource_name(n->f.ctx, type, p);
}

const char *net_zone_name(struct net *n, const char *type, const char *what, int zone)
{
    char purpose[64];
    snprintf(purpose, sizeof(purpose), "%s%s%c", what, *what ? "-" : "", "abcdef"[zone]);
    return net_name(n, type, purpose);
}

const char *net_label(struct net *n, const char *kind, const char *name)
{
    return shc_text(n->f.h, n->f.ctx, "%s %s", kind, name);
}

void net_tag_spec(struct net *n, sh_doc *d, const char *resource_type, const char *name)
{
    shc_set(&n->f, d, resource_type, "TagSpecification[0].ResourceType");
    shc_put_tags(n->f.h, n->f.ctx, d, &tag_spec, name);
}

const char *net_tag(struct net *n, const sh_doc *item, const char *key)
{
    return shc_tag(n->f.h, item, &shc_tags_ec2, key);
}

int net_owned(struct net *n, const sh_doc *item)
{
    return shc_owned(n->f.h, n->f.ctx, item, &shc_tags_ec2);
}

void net_queue(struct net *n, const char *op, const sh_doc *in, const char *label, shc_done_fn done, void *arg)
{
    shc_queue_add(&n->f.q, "ec2", op, in, NULL, label, done, arg);
}

void net_queue_ok(struct net *n, const char *op, const sh_doc *in, const char *label, const char *codes)
{
    shc_queue_add_accepting(&n->f.q, "ec2", op, in, label, codes, NULL, NULL);
}

void net_queue_id(struct net *n, const char *op, const sh_doc *in, const char *label, const char *path, char *id)
{
    net_queue(n, op, in, label, NULL, NULL);
    shc_keep(&n->f.q, path, id, NET_ID);
}

void net_tags(struct net *n, const sh_doc *item, const char *id, shc_line *line, const char *name)
{
    sh_doc *in = shc_doc(&n->f);
    char detail[256];
    if (!shc_tags_drift(n->f.h, n->f.ctx, item, &shc_tags_ec2, name, in, &tag_request, detail, sizeof(detail)))
        return;
    shc_set(&n->f, in, id, "ResourceId[0]");
    net_queue(n, "CreateTags", in, line->label, NULL, NULL);
    shc_line_note(line, SH_CHANGE_UPDATE, detail);
}

/* Filter[0] tag:Name with every name of one kind. */
static sh_doc *by_names(struct net *n, const char *type, const char *const *what, size_t nwhat, int zones)
{
    sh_doc *in = shc_doc(&n->f);
    size_t k = 0;
    shc_set(&n->f, in, "tag:Name", "Filter[0].Name");
    for (size_t w = 0; w < nwhat; w++) {
        if (!zones) {
            shc_set(&n->f, in, net_name(n, type, what[w]), "Filter[0].Value[%zu]", k++);
            continue;
        }
        for (int z = 0; z < NET_MAX_AZ; z++)
            shc_set(&n->f, in, net_zone_name(n, type, what[w] ? what[w] : "", z), "Filter[0].Value[%zu]", k++);
    }
    return in;
}

int net_lookup(struct net *n)
{
    static const char *const none[] = {NULL}, *const subnets[] = {"public", "private"}, *const nats[] = {""},
                             *const eips[] = {"nat"}, *const groups[] = {"alb", "tasks"}, *const priv[] = {"private"};
    sh_doc *zones = shc_doc(&n->f); /* every zone: states and opt-in are read, and the existing subnets' kept */
    sh_doc *tables = by_names(n, "rtb", priv, 1, 1);
    shc_set(&n->f, tables, net_name(n, "rtb", "public"), "Filter[0].Value[%d]", NET_MAX_AZ);
    sh_doc *addresses = by_names(n, "eip", eips, 1, 1);
    shc_set(&n->f, addresses, "domain", "Filter[1].Name");
    shc_set(&n->f, addresses, "vpc", "Filter[1].Value[0]");
    const char *ops[] = {"DescribeAvailabilityZones", "DescribeVpcs", "DescribeSubnets", "DescribeInternetGateways",
                         "DescribeAddresses", "DescribeNatGateways", "DescribeRouteTables", "DescribeSecurityGroups"};
    const char *items[] = {NULL, "vpcSet.item", "subnetSet.item", "internetGatewaySet.item", "addressesSet.item",
                           "natGatewaySet.item", "routeTableSet.item", "securityGroupInfo.item"};
    const sh_doc *ins[] = {zones, by_names(n, "vpc", none, 1, 0), by_names(n, "subnet", subnets, 2, 1),
                           by_names(n, "igw", none, 1, 0), addresses, by_names(n, "nat", nats, 1, 1), tables,
                           by_names(n, "sg", groups, 2, 0)};
    const sh_doc **outs[] = {&n->zones_out, &n->vpcs_out, &n->subnets_out, &n->igws_out,
                             &n->eips_out, &n->nats_out, &n->rtbs_out, &n->sgs_out};
    for (size_t i = 0; i < 8; i++)
        net_queue_read(n, ops[i], ins[i], items[i], "looking up the stack's network", outs[i]);
    return shc_wave(&n->f);
}

void net_queue_read(struct net *n, const char *op, const sh_doc *in, const char *items, const char *label,
                    const sh_doc **out)
{
    shc_read_all(&n->f.q, "ec2", op, in, items, label, out);
}

void net_interfaces_text(struct net *n, const sh_doc *answer, char *out, size_t len)
{
    size_t count = n->f.h->doc_count(answer, "networkInterfaceSet.item");
    snprintf(out, len, "%zu network interface%s in the way", count, count == 1 ? "" : "s");
    for (size_t i = 0; i < count && i < 3; i++) {
        const char *id = shc_str(n->f.h, answer, "networkInterfaceSet.item[%zu].networkInterfaceId", i);
        const char *what = shc_str(n->f.h, answer, "networkInterfaceSet.item[%zu].description", i);
        size_t used = strlen(out);
        if (used < len)
            snprintf(out + used, len - used, "%s%s (%s)", i ? ", " : ": ", id ? id : "?", what && *what ? what : "no description");
    }
    if (count > 3) {
        size_t used = strlen(out);
        if (used < len)
            snprintf(out + used, len - used, ", ...");
    }
}

void net_token(struct net *n, const char *name, char *out, size_t size)
{
    /* FNV-1a of the whole name: a cut name could be another's (…-private-a, …-private-b). */
    unsigned long long h = 1469598103934665603ULL;
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    snprintf(out, size, "%ld-%016llx-%.28s", n->run_id, h, name);
}
