/* network: the ALB and task security groups, with exactly the rules the
 * catalog lists: missing ones authorised, any other revoked (the default
 * allow-all egress included). */
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

static int group(struct net *n, const char *purpose, char *id, const sh_doc **item, const char *label)
{
    const char *tag = net_name(n, "sg", purpose);
    int rc = net_find_in_vpc(n, "DescribeSecurityGroups", "securityGroupInfo.item", "security group", tag, NULL, item);
    if (rc < 0)
        return -1;
    if (rc) {
        net_copy(id, NET_ID, n->h->doc_string(*item, "groupId"));
        return 0;
    }
    if (!n->plan) {
        /* GroupName may not start with "sg-": it is S-purpose-E, the Name tag sg-S-purpose-E. */
        char gname[128], desc[160];
        snprintf(gname, sizeof(gname), "%s-%s-%s", n->stack, purpose, n->h->environment(n->ctx));
        snprintf(desc, sizeof(desc), "stackhost %s %s of %s", purpose, n->h->environment(n->ctx), n->stack);
        sh_doc *in = net_req(n);
        const sh_doc *out;
        net_set(n, in, gname, "GroupName");
        net_set(n, in, desc, "GroupDescription");
        net_set(n, in, n->vpc, "VpcId");
        net_tag_spec(n, in, "security-group", tag);
        if (net_call(n, "CreateSecurityGroup", in, &out, label))
            return -1;
        net_copy(id, NET_ID, n->h->doc_string(out, "groupId"));
    }
    net_report(n, SH_CHANGE_CREATE, label, NULL);
    return 0;
}

static void add(struct rule *r, size_t *k, int egress, long long port, const char *cidr, const char *group)
{
    if (*k >= MAX_RULES)
        return;
    r[*k].egress = egress;
    snprintf(r[*k].port, sizeof(r[*k].port), "%lld", port);
    r[*k].cidr = cidr;
    r[*k].group = group;
    r[*k].seen = 0;
    (*k)++;
}

static void describe(const struct rule *r, char *buf, size_t len)
{
    snprintf(buf, len, "%s tcp %s %s %s", r->egress ? "egress" : "ingress", r->port, r->egress ? "to" : "from",
             r->cidr ? r->cidr : (r->group[0] ? r->group : "the other group"));
}

static void append(char *detail, size_t size, const char *sign, const char *what)
{
    size_t used = strlen(detail);
    snprintf(detail + used, size - used, "%s%s%s", used ? ", " : "", sign, what);
}

/* Authorises the missing rules of one direction. */
static int authorize(struct net *n, const char *id, struct rule *want, size_t nwant, int egress, const char *label)
{
    sh_doc *in = net_req(n);
    size_t k = 0;
    for (size_t i = 0; i < nwant; i++) {
        if (want[i].seen || want[i].egress != egress)
            continue;
        net_set(n, in, "tcp", "IpPermissions[%zu].IpProtocol", k);
        net_set(n, in, want[i].port, "IpPermissions[%zu].FromPort", k);
        net_set(n, in, want[i].port, "IpPermissions[%zu].ToPort", k);
        if (want[i].cidr)
            net_set(n, in, want[i].cidr, "IpPermissions[%zu].IpRanges[0].CidrIp", k);
        else
            net_set(n, in, want[i].group, "IpPermissions[%zu].Groups[0].GroupId", k);
        k++;
    }
    if (!k || n->plan)
        return 0;
    net_set(n, in, id, "GroupId");
    const sh_doc *out;
    return net_call(n, egress ? "AuthorizeSecurityGroupEgress" : "AuthorizeSecurityGroupIngress", in, &out, label);
}

static int converge_rules(struct net *n, const char *id, const sh_doc *item, struct rule *want, size_t nwant,
                          const char *label)
{
    char detail[1024] = "", what[160], path[128];
    sh_doc *revoke[2] = {net_req(n), net_req(n)};
    size_t nrevoke[2] = {0, 0};
    /* A group just made has AWS's allow-all egress rule: read it back too. */
    if (id[0]) {
        sh_doc *in = net_req(n);
        net_set(n, in, "group-id", "Filter[0].Name");
        net_set(n, in, id, "Filter[0].Value[0]");
        const sh_doc *out;
        if (n->h->aws_call_all(n->ctx, "ec2", "DescribeSecurityGroupRules", in, "securityGroupRuleSet.item", &out) != SH_OK) {
            n->h->fail(n->ctx, SH_ERR_AWS, "%s: %s", label, n->h->aws_error_text(n->ctx));
            return -1;
        }
        size_t count = n->h->doc_count(out, "securityGroupRuleSet.item");
        for (size_t i = 0; i < count; i++) {
#define FIELD(f) (snprintf(path, sizeof(path), "securityGroupRuleSet.item[%zu]." f, i), n->h->doc_string(out, path))
            const char *eg = FIELD("isEgress"), *proto = FIELD("ipProtocol"), *from = FIELD("fromPort"),
                       *to = FIELD("toPort"), *cidr = FIELD("cidrIpv4"), *ref = FIELD("referencedGroupInfo.groupId"),
                       *rid = FIELD("securityGroupRuleId");
#undef FIELD
            int egress = eg && !strcmp(eg, "true");
            int matched = 0;
            for (size_t w = 0; w < nwant && !matched; w++) {
                struct rule *r = &want[w];
                if (r->seen || r->egress != egress || !proto || strcmp(proto, "tcp") || !from || !to ||
                    strcmp(from, r->port) || strcmp(to, r->port))
                    continue;
                if ((r->cidr && cidr && !strcmp(cidr, r->cidr)) || (r->group && ref && !strcmp(ref, r->group)))
                    matched = r->seen = 1;
            }
            if (matched || !rid)
                continue;
            net_set(n, revoke[egress], rid, "SecurityGroupRuleId[%zu]", nrevoke[egress]++);
            char ports[32];
            if (from && to && strcmp(from, to))
                snprintf(ports, sizeof(ports), "%s-%s", from, to);
            else
                snprintf(ports, sizeof(ports), "%s", from && strcmp(from, "-1") ? from : "all");
            snprintf(what, sizeof(what), "%s %s %s %s %s", egress ? "egress" : "ingress",
                     proto && strcmp(proto, "-1") ? proto : "all", ports, egress ? "to" : "from",
                     cidr ? cidr : (ref ? ref : "?"));
            append(detail, sizeof(detail), "-", what);
        }
    }
    for (size_t w = 0; w < nwant; w++) {
        if (!want[w].seen) {
            describe(&want[w], what, sizeof(what));
            append(detail, sizeof(detail), "+", what);
        }
    }
    if (!detail[0]) {
        net_report(n, SH_CHANGE_NONE, label, NULL);
        return 0;
    }
    if (!n->plan) {
        const sh_doc *out;
        for (int e = 0; e < 2; e++) {
            if (!nrevoke[e])
                continue;
            net_set(n, revoke[e], id, "GroupId");
            if (net_call(n, e ? "RevokeSecurityGroupEgress" : "RevokeSecurityGroupIngress", revoke[e], &out, label))
                return -1;
        }
        if (authorize(n, id, want, nwant, 0, label) || authorize(n, id, want, nwant, 1, label))
            return -1;
    }
    net_report(n, item ? SH_CHANGE_UPDATE : SH_CHANGE_CREATE, label, detail);
    return 0;
}

int net_security_groups(struct net *n)
{
    char alb_label[128], tasks_label[128], alb_rules[140], tasks_rules[140];
    snprintf(alb_label, sizeof(alb_label), "security group %s", net_name(n, "sg", "alb"));
    snprintf(tasks_label, sizeof(tasks_label), "security group %s", net_name(n, "sg", "tasks"));
    snprintf(alb_rules, sizeof(alb_rules), "rules of %s", alb_label);
    snprintf(tasks_rules, sizeof(tasks_rules), "rules of %s", tasks_label);
    const sh_doc *alb_item, *tasks_item;
    /* Both groups exist before either refers to the other. */
    if (group(n, "alb", n->sg_alb, &alb_item, alb_label) || group(n, "tasks", n->sg_tasks, &tasks_item, tasks_label))
        return -1;
    long long task_port = n->h->config_int(n->ctx, "task_port");
    struct rule alb[MAX_RULES], tasks[MAX_RULES];
    size_t na = 0, nt = 0;
    const sh_value *ports = n->h->config(n->ctx, "alb_ports");
    for (size_t i = 0; i < n->h->value_count(ports); i++)
        add(alb, &na, 0, n->h->value_int(n->h->value_at(ports, i)), "0.0.0.0/0", NULL);
    add(alb, &na, 1, task_port, NULL, n->sg_tasks);
    add(tasks, &nt, 0, task_port, NULL, n->sg_alb);
    add(tasks, &nt, 1, 443, "0.0.0.0/0", NULL);
    const sh_value *egress = n->h->config(n->ctx, "egress_ports");
    for (size_t i = 0; i < n->h->value_count(egress); i++)
        add(tasks, &nt, 1, n->h->value_int(n->h->value_at(egress, i)), n->db_cidr, NULL);
    if (converge_rules(n, n->sg_alb, alb_item, alb, na, alb_rules) ||
        converge_rules(n, n->sg_tasks, tasks_item, tasks, nt, tasks_rules))
        return -1;
    int t = alb_item ? net_converge_tags(n, alb_item, n->sg_alb, alb_label, net_name(n, "sg", "alb")) : 0;
    if (t >= 0 && tasks_item)
        t = net_converge_tags(n, tasks_item, n->sg_tasks, tasks_label, net_name(n, "sg", "tasks"));
    return t < 0 ? -1 : 0;
}
