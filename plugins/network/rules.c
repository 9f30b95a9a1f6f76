/* network: the ALB and task security groups, with exactly the rules the
 * catalog lists: missing ones authorised first, then any other revoked
 * (the default allow-all egress included), so a failure never leaves a
 * group with fewer rules than it needs. The VPC's default group is
 * emptied. */
#include <stdio.h>
#include <string.h>

#include "net.h"

struct rule {
    int egress;
    char port[8];
    const char *cidr;  /* or */
    const char *group; /* a security group id ("" in a plan: to be created) */
    int seen;
};

#define MAX_RULES 40

static void group(struct net *n, const char *purpose, const sh_doc *item, char *id, shc_line *line)
{
    const char *tag = net_name(n, "sg", purpose);
    if (item) {
        net_tags(n, item, id, line, tag);
        return;
    }
    /* GroupName may not start with "sg-": it is S-purpose-E, the Name tag sg-S-purpose-E. */
    char gname[128], desc[160];
    snprintf(gname, sizeof(gname), "%s-%s-%s", n->stack, purpose, n->f.h->environment(n->f.ctx));
    snprintf(desc, sizeof(desc), "stackhost %s %s of %s", purpose, n->f.h->environment(n->f.ctx), n->stack);
    sh_doc *in = shc_json(&n->f, "{'GroupName': '%s', 'GroupDescription': '%s', 'VpcId': '%s'}", gname, desc, n->vpc);
    net_tag_spec(n, in, "security-group", tag);
    net_queue_id(n, "CreateSecurityGroup", in, line->label, "groupId", id);
    shc_line_note(line, SH_CHANGE_CREATE, NULL);
}

void net_wave_groups(struct net *n)
{
    group(n, "alb", n->sg_alb_item, n->sg_alb, &n->sg_alb_l);
    group(n, "tasks", n->sg_tasks_item, n->sg_tasks, &n->sg_tasks_l);
}

static sh_doc *default_group_query(struct net *n)
{
    return shc_json(&n->f, "{'Filter': [{'Name': 'vpc-id', 'Value': ['%s']}, {'Name': 'group-name', "
                           "'Value': ['default']}]}",
                    n->vpc);
}

void net_queue_default_group(struct net *n)
{
    net_queue_read(n, "DescribeSecurityGroups", default_group_query(n), NULL, n->default_l.label, &n->default_sg_out);
}

static int default_group_listed(void *arg, char *progress, size_t len)
{
    struct net *n = arg;
    const sh_doc *out;
    if (n->f.h->aws_call(n->f.ctx, "ec2", "DescribeSecurityGroups", default_group_query(n), &out) != SH_OK) {
        return shc_fail(&n->f, SH_ERR_AWS, "finding the vpc's default security group: %s", n->f.h->aws_error_text(n->f.ctx));
    }
    n->default_sg_out = out;
    snprintf(progress, len, "not listed yet");
    return n->f.h->doc_string(out, "securityGroupInfo.item[0].groupId") != NULL;
}

/* Every VPC has a default group; a new VPC's may be missing from the
 * list for a moment (eventual consistency): wait for it rather than
 * leave its rules in place. */
int net_default_group(struct net *n)
{
    if (!n->vpc[0] || n->f.h->doc_string(n->default_sg_out, "securityGroupInfo.item[0].groupId"))
        return 0;
    /* a list catching up, not a change of the pass: a plan waits for it too,
     * or it would not see the rules deploy revokes */
    if (n->f.h->wait(n->f.ctx, "the vpc's default security group", 120, default_group_listed, n) == SH_OK)
        return 0;
    n->f.failed = 1;
    return -1;
}

/* The rules of the groups that existed before this run, and of the
 * default group, in one read. A group made now has AWS's allow-all
 * egress rule only: known, not read (a read right after the create can
 * miss it). */
void net_wave_rule_reads(struct net *n)
{
    net_copy(n->sg_default, NET_ID, n->f.h->doc_string(n->default_sg_out, "securityGroupInfo.item[0].groupId"));
    const char *ids[] = {n->sg_alb_item ? n->sg_alb : "", n->sg_tasks_item ? n->sg_tasks : "", n->sg_default};
    sh_doc *in = shc_doc(&n->f);
    size_t k = 0;
    for (int i = 0; i < 3; i++)
        if (ids[i][0])
            shc_set(&n->f, in, ids[i], "Filter[0].Value[%zu]", k++);
    if (!k)
        return;
    shc_set(&n->f, in, "group-id", "Filter[0].Name");
    net_queue_read(n, "DescribeSecurityGroupRules", in, "securityGroupRuleSet.item", "security group rules",
                   &n->rules_out);
}

static void add(struct rule *r, size_t *k, int egress, long long port, const char *cidr, const char *group_id)
{
    if (*k >= MAX_RULES)
        return;
    r[*k].egress = egress;
    snprintf(r[*k].port, sizeof(r[*k].port), "%lld", port);
    r[*k].cidr = cidr;
    r[*k].group = group_id;
    r[*k].seen = 0;
    (*k)++;
}

/* What one group has and must lose: revokes queued into revoke[0/1]. */
struct group_rules {
    const char *id;
    shc_line *line; /* each rule added (+) or revoked (-) noted on it */
    int is_new;
    struct rule want[MAX_RULES];
    size_t nwant;
    sh_doc *revoke[2];
    size_t nrevoke[2];
};

static void note(struct net *n, const struct group_rules *g, const char *sign, const char *what)
{
    shc_line_note(g->line, g->is_new ? SH_CHANGE_CREATE : SH_CHANGE_UPDATE, shc_text(n->f.h, n->f.ctx, "%s%s", sign, what));
}

/* Matches the group's current rules (from the read, or the known shape of
 * a new group) against what it must have. */
static void compare(struct net *n, struct group_rules *g)
{
    char what[160];
    g->revoke[0] = shc_doc(&n->f);
    g->revoke[1] = shc_doc(&n->f);
    if (g->is_new) {
        /* AWS gives a new group one rule: all egress to 0.0.0.0/0. Revoked by shape. */
        shc_set(&n->f, g->revoke[1], "-1", "IpPermissions[0].IpProtocol");
        shc_set(&n->f, g->revoke[1], "0.0.0.0/0", "IpPermissions[0].IpRanges[0].CidrIp");
        g->nrevoke[1] = 1;
        note(n, g, "-", "egress all all to 0.0.0.0/0");
    }
    size_t count = g->is_new ? 0 : n->f.h->doc_count(n->rules_out, "securityGroupRuleSet.item");
    for (size_t i = 0; i < count; i++) {
#define FIELD(k) shc_str(n->f.h, n->rules_out, "securityGroupRuleSet.item[%zu]." k, i)
        const char *gid = FIELD("groupId");
        if (!gid || strcmp(gid, g->id))
            continue;
        const char *eg = FIELD("isEgress"), *proto = FIELD("ipProtocol"), *from = FIELD("fromPort"),
                   *to = FIELD("toPort"), *cidr = FIELD("cidrIpv4"), *ref = FIELD("referencedGroupInfo.groupId"),
                   *rid = FIELD("securityGroupRuleId");
#undef FIELD
        int egress = eg && !strcmp(eg, "true");
        int matched = 0;
        for (size_t w = 0; w < g->nwant && !matched; w++) {
            struct rule *r = &g->want[w];
            if (r->seen || r->egress != egress || !proto || strcmp(proto, "tcp") || !from || !to ||
                strcmp(from, r->port) || strcmp(to, r->port))
                continue;
            if ((r->cidr && cidr && !strcmp(cidr, r->cidr)) || (r->group && ref && !strcmp(ref, r->group)))
                matched = r->seen = 1;
        }
        if (matched || !rid)
            continue;
        shc_set(&n->f, g->revoke[egress], rid, "SecurityGroupRuleId[%zu]", g->nrevoke[egress]++);
        char ports[32];
        if (from && to && strcmp(from, to))
            snprintf(ports, sizeof(ports), "%s-%s", from, to);
        else
            snprintf(ports, sizeof(ports), "%s", from && strcmp(from, "-1") ? from : "all");
        snprintf(what, sizeof(what), "%s %s %s %s %s", egress ? "egress" : "ingress",
                 proto && strcmp(proto, "-1") ? proto : "all", ports, egress ? "to" : "from",
                 cidr ? cidr : (ref ? ref : "?"));
        note(n, g, "-", what);
    }
    for (size_t w = 0; w < g->nwant; w++) {
        const struct rule *r = &g->want[w];
        if (r->seen)
            continue;
        snprintf(what, sizeof(what), "%s tcp %s %s %s", r->egress ? "egress" : "ingress", r->port,
                 r->egress ? "to" : "from", r->cidr ? r->cidr : (r->group[0] ? r->group : "the other group"));
        note(n, g, "+", what);
    }
}

static void authorize(struct net *n, const struct group_rules *g, int egress)
{
    sh_doc *in = shc_doc(&n->f);
    size_t k = 0;
    for (size_t i = 0; i < g->nwant; i++) {
        const struct rule *r = &g->want[i];
        if (r->seen || r->egress != egress)
            continue;
        shc_set(&n->f, in, "tcp", "IpPermissions[%zu].IpProtocol", k);
        shc_set(&n->f, in, r->port, "IpPermissions[%zu].FromPort", k);
        shc_set(&n->f, in, r->port, "IpPermissions[%zu].ToPort", k);
        if (r->cidr)
            shc_set(&n->f, in, r->cidr, "IpPermissions[%zu].IpRanges[0].CidrIp", k);
        else
            shc_set(&n->f, in, r->group, "IpPermissions[%zu].Groups[0].GroupId", k);
        k++;
    }
    if (!k)
        return;
    shc_set(&n->f, in, g->id, "GroupId");
    net_queue_ok(n, egress ? "AuthorizeSecurityGroupEgress" : "AuthorizeSecurityGroupIngress", in, g->line->label,
                 "InvalidPermission.Duplicate");
}

static void revoke(struct net *n, const struct group_rules *g)
{
    for (int e = 0; e < 2; e++) {
        if (!g->nrevoke[e])
            continue;
        n->f.h->doc_set_string(g->revoke[e], "GroupId", g->id);
        net_queue_ok(n, e ? "RevokeSecurityGroupEgress" : "RevokeSecurityGroupIngress", g->revoke[e], g->line->label,
                     "InvalidPermission.NotFound|InvalidSecurityGroupRuleId.NotFound");
    }
}

int net_rules(struct net *n, int (*also)(struct net *n, int wave))
{
    struct group_rules groups[3];
    struct group_rules *alb = &groups[0], *tasks = &groups[1], *dflt = &groups[2];
    memset(groups, 0, sizeof(groups));
    alb->id = n->sg_alb;
    alb->is_new = !n->sg_alb_item;
    alb->line = &n->rules_alb_l;
    tasks->id = n->sg_tasks;
    tasks->is_new = !n->sg_tasks_item;
    tasks->line = &n->rules_tasks_l;
    dflt->id = n->sg_default;
    dflt->is_new = 0;
    dflt->line = &n->default_l;
    for (size_t i = 0; i < n->cfg.alb_ports.n; i++)
        add(alb->want, &alb->nwant, 0, n->cfg.alb_ports.items[i], "0.0.0.0/0", NULL);
    add(alb->want, &alb->nwant, 1, n->cfg.task_port, NULL, n->sg_tasks);
    add(tasks->want, &tasks->nwant, 0, n->cfg.task_port, NULL, n->sg_alb);
    add(tasks->want, &tasks->nwant, 1, 443, "0.0.0.0/0", NULL);
    for (size_t i = 0; i < n->cfg.egress_ports.n; i++)
        add(tasks->want, &tasks->nwant, 1, n->cfg.egress_ports.items[i], n->db_cidr, NULL);
    for (int i = 0; i < 3; i++)
        compare(n, &groups[i]);
    if (!n->vpc[0]) /* a plan before the first deploy: the default group comes with the vpc */
        shc_line_note(dflt->line, SH_CHANGE_UPDATE, "remove every rule");
    for (int i = 0; i < 2; i++) {
        authorize(n, &groups[i], 0);
        authorize(n, &groups[i], 1);
    }
    if ((also && also(n, 0)) || shc_wave(&n->f))
        return -1;
    for (int i = 0; i < 3; i++)
        if (groups[i].id[0])
            revoke(n, &groups[i]);
    return (also && also(n, 1)) || shc_wave(&n->f) ? -1 : 0;
}
