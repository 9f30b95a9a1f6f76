/* network: the multi-AZ VPC, subnets, gateways, routes and security
 * groups of catalog-stack.md: the descriptor, the keys and their checks,
 * and the callbacks that run the steps (create.c, routes.c, rules.c,
 * destroy.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stackhost/stackhost.h>

#include "net.h"

static const char *const no_requirements[] = {NULL};

static const sh_config_key network_keys[] = {
    {.name = "cidr", .type = SH_CONFIG_STRING, .default_value = "\"10.0.0.0/16\"", .format = SH_FORMAT_CIDR,
     .help = "the VPC's IPv4 CIDR block, /16 to /24"},
    {.name = "az_count", .type = SH_CONFIG_INT, .default_value = "3", .min = 2, .max = 6,
     .help = "availability zones used (an ALB needs 2): those of the existing subnets, then the region's available "
             "zones in zone-id order, or the ones `zones` names"},
    {.name = "zones", .type = SH_CONFIG_STRING_LIST,
     .help = "availability zone names to use, one per az_count (e.g. [\"us-east-1a\", \"us-east-1b\"]); "
             "default: picked by zone id"},
    {.name = "nat_per_az", .type = SH_CONFIG_BOOL, .default_value = "true",
     .help = "one NAT gateway per AZ; false shares one NAT gateway (cheaper, not AZ-redundant)"},
    {.name = "public_subnets", .type = SH_CONFIG_STRING_LIST, .format = SH_FORMAT_CIDR,
     .help = "public subnet CIDRs, one per AZ; default 10.x.0.0/24, 10.x.1.0/24, ... inside cidr"},
    {.name = "private_subnets", .type = SH_CONFIG_STRING_LIST, .format = SH_FORMAT_CIDR,
     .help = "private subnet CIDRs, one per AZ; default 10.x.10.0/24, 10.x.11.0/24, ... inside cidr"},
    {.name = "egress_ports", .type = SH_CONFIG_INT_LIST, .default_value = "[5432]", .min = 1, .max = 65535,
     .help = "TCP ports the tasks may reach at database_cidr (the database)"},
    {.name = "database_cidr", .type = SH_CONFIG_STRING, .format = SH_FORMAT_CIDR,
     .help = "where the database lives; default the VPC's cidr"},
    {.name = "alb_ports", .type = SH_CONFIG_INT_LIST, .default_value = "[80]", .min = 1, .max = 65535,
     .help = "TCP ports the load balancer accepts from anywhere (add 443 with a certificate in lb)"},
    {.name = "task_port", .type = SH_CONFIG_INT, .default_value = "8080", .min = 1, .max = 65535,
     .help = "port the tasks listen on: the load balancer may reach only this, only from its group"},
    {.name = "nat_gb_per_month", .type = SH_CONFIG_INT, .default_value = "100", .min = 0, .max = 10000000,
     .help = "cost estimate only: GB a month through the NAT gateways (pulls, calls out); changes nothing deployed"},
    SH_CONFIG_END};

#define NET_BIND(key) SH_BIND(struct net_config, key, #key)
static const sh_config_bind network_bind[] = {
    NET_BIND(cidr), NET_BIND(az_count), NET_BIND(zones), NET_BIND(nat_per_az), NET_BIND(public_subnets),
    NET_BIND(private_subnets), NET_BIND(egress_ports), NET_BIND(database_cidr), NET_BIND(alb_ports),
    NET_BIND(task_port), SH_BIND(struct net_config, nat_gb, "nat_gb_per_month"), SH_BIND_END};

struct cidr {
    unsigned long addr;
    unsigned prefix;
};

/* The host checked the format; this only converts. */
static struct cidr cidr_parse(const char *s)
{
    unsigned a, b, c, d, p;
    struct cidr r = {0, 0};
    if (sscanf(s, "%u.%u.%u.%u/%u", &a, &b, &c, &d, &p) == 5) {
        r.addr = ((unsigned long)a << 24) | (b << 16) | (c << 8) | d;
        r.prefix = p;
    }
    return r;
}

void net_cidr_canonical(const char *text, char *out, size_t size)
{
    struct cidr c = cidr_parse(text ? text : "");
    snprintf(out, size, "%lu.%lu.%lu.%lu/%u", (c.addr >> 24) & 255, (c.addr >> 16) & 255, (c.addr >> 8) & 255,
             c.addr & 255, c.prefix);
}

static unsigned long cidr_last(struct cidr c)
{
    return c.addr + (c.prefix ? (1UL << (32 - c.prefix)) - 1 : 0xffffffffUL);
}

static int cidr_inside(struct cidr inner, struct cidr outer)
{
    return inner.prefix >= outer.prefix && inner.addr >= outer.addr && cidr_last(inner) <= cidr_last(outer);
}

static int cidr_overlap(struct cidr x, struct cidr y)
{
    return x.addr <= cidr_last(y) && y.addr <= cidr_last(x);
}

/* The ports of key with no port twice (AWS refuses a duplicate rule);
 * `taken` (may be NULL) is a port another rule already covers. */
static sh_status distinct_ports(const sh_host *host, sh_ctx *ctx, const char *key, sh_int_list ports, const char *taken)
{
    const sh_value *list = host->config(ctx, key); /* its items name their lines */
    sh_status rc = SH_OK;
    /* one bit a port: linear in the list, each repeat said once */
    unsigned char seen[65536 / 8] = {0};
    for (size_t i = 0; i < ports.n; i++) {
        long long port = ports.items[i];
        if (taken && port == atoll(taken))
            rc = host->config_error(ctx, host->value_at(list, i),
                                    "port %lld is already allowed to 0.0.0.0/0 (https for the tasks): remove it", port);
        if (port < 0 || port > 65535)
            continue; /* refused by the key's bounds */
        if (seen[port / 8] & (1u << (port % 8)))
            rc = host->config_error(ctx, host->value_at(list, i), "port %lld is listed twice", port);
        seen[port / 8] |= (unsigned char)(1u << (port % 8));
    }
    return rc;
}

/* Subnet lists: one per AZ, inside the VPC, no two overlapping. */
static sh_status network_validate(const sh_host *host, sh_ctx *ctx)
{
    sh_status rc = SH_OK;
    struct net_config cfg;
    host->config_read(ctx, &cfg);
    struct cidr vpc = cidr_parse(cfg.cidr);
    long long azs = cfg.az_count;
    /* The lists as written (NULL: unset, even an empty one is set), to name their lines. */
    const sh_value *lists[] = {host->config(ctx, "public_subnets"), host->config(ctx, "private_subnets")};
    const sh_value *zones = host->config(ctx, "zones");
    if (vpc.prefix < 16 || vpc.prefix > 24)
        rc = host->config_error(ctx, host->config(ctx, "cidr"),
                                "a VPC's cidr must be /16 to /24 (aws's limits, and room for the subnets)");
    else if (vpc.prefix != 16 && (!lists[0] || !lists[1]))
        /* The default subnets are the /24s at .0-.5 and .10-.15 of a /16. */
        rc = host->config_error(ctx, host->config(ctx, "cidr"),
                                "subnet cidrs are derived only from a /16; with a /%u set public_subnets and "
                                "private_subnets", vpc.prefix);
    const sh_string_list subnets[] = {cfg.public_subnets, cfg.private_subnets};
    const char *seen[32];
    size_t nseen = 0;
    for (size_t l = 0; l < 2; l++) {
        if (!lists[l])
            continue;
        size_t n = subnets[l].n;
        if ((long long)n != azs)
            rc = host->config_error(ctx, lists[l], "has %zu subnets, but az_count is %lld: give one per AZ", n, azs);
        for (size_t i = 0; i < n; i++) {
            const sh_value *item = host->value_at(lists[l], i);
            const char *text = subnets[l].items[i];
            struct cidr s = cidr_parse(text);
            if (s.prefix > 28)
                rc = host->config_error(ctx, item, "%s is smaller than aws's smallest subnet, a /28", text);
            else if (l == 0 && s.prefix > 27)
                rc = host->config_error(ctx, item, "%s is smaller than a /27: a load balancer needs at least a /27 "
                                        "with 8 free addresses in each public subnet", text);
            if (!cidr_inside(s, vpc))
                rc = host->config_error(ctx, item, "%s is not inside the VPC's cidr %s", text, cfg.cidr);
            for (size_t k = 0; k < nseen; k++) {
                if (cidr_overlap(s, cidr_parse(seen[k])))
                    rc = host->config_error(ctx, item, "%s overlaps %s", text, seen[k]);
            }
            if (nseen < sizeof(seen) / sizeof(seen[0]))
                seen[nseen++] = text;
        }
    }
    if (zones && (long long)cfg.zones.n != azs)
        rc = host->config_error(ctx, zones, "names %zu zones, but az_count is %lld: give one per AZ", cfg.zones.n, azs);
    /* az_count is at most a handful: the zones list is checked against it first */
    for (size_t i = 0; (long long)cfg.zones.n == azs && i < cfg.zones.n; i++)
        for (size_t k = 0; k < i; k++)
            if (!strcmp(cfg.zones.items[i], cfg.zones.items[k])) {
                rc = host->config_error(ctx, host->value_at(zones, i), "zone %s is named twice", cfg.zones.items[i]);
                break;
            }
    rc = distinct_ports(host, ctx, "alb_ports", cfg.alb_ports, NULL) == SH_OK ? rc : SH_ERR_CONFIG;
    /* The tasks always reach 443 anywhere: the same rule again would be a duplicate. */
    const char *taken = cfg.database_cidr && cidr_parse(cfg.database_cidr).prefix == 0 ? "443" : NULL;
    rc = distinct_ports(host, ctx, "egress_ports", cfg.egress_ports, taken) == SH_OK ? rc : SH_ERR_CONFIG;
    return rc;
}

/* Dependents start while network still runs and read these as they come
 * (dataflow). The VPC, public subnets and groups go out as soon as they
 * exist, so lb makes the load balancer while the NAT gateways provision;
 * the private subnets only with `all`, once their default routes through
 * the NAT gateways exist: a task placed there before could not pull its
 * image, and the service's circuit breaker would roll back. */
static sh_status publish(struct net *n, int all)
{
    const sh_host *h = n->f.h;
    const char *pub[NET_MAX_AZ] = {0}, *priv[NET_MAX_AZ] = {0}, *zones[NET_MAX_AZ] = {0};
    int known = n->vpc[0] && n->sg_alb[0] && n->sg_tasks[0];
    for (int i = 0; i < n->azs; i++) {
        pub[i] = n->sub_pub[i];
        priv[i] = n->sub_priv[i];
        zones[i] = n->az[i];
        known = known && pub[i][0] && priv[i][0];
    }
    h->output_list(n->f.ctx, "availability_zones", zones, (size_t)n->azs);
    if (!known) /* a plan before the first deploy: the ids do not exist yet */
        return SH_OK;
    h->output_string(n->f.ctx, "vpc_id", n->vpc);
    h->output_list(n->f.ctx, "public_subnet_ids", pub, (size_t)n->azs);
    h->output_string(n->f.ctx, "alb_security_group_id", n->sg_alb);
    sh_status rc = h->output_string(n->f.ctx, "task_security_group_id", n->sg_tasks);
    return all ? h->output_list(n->f.ctx, "private_subnet_ids", priv, (size_t)n->azs) : rc;
}

/* The line of each resource that exists or changes. */
static void report_line(struct net *n, const shc_line *line, const sh_doc *item)
{
    if (item || line->change != SH_CHANGE_NONE)
        shc_line_report(n->f.h, n->f.ctx, line);
}

static void report(struct net *n)
{
    const shc_line *lines[] = {&n->vpc_l,     &n->igw_l,         &n->rtb_pub_l,     &n->sg_alb_l,
                               &n->sg_tasks_l, &n->rules_alb_l, &n->rules_tasks_l, &n->default_l};
    const sh_doc *items[] = {n->vpc_item,      n->igw_item,      n->rtb_pub_item,   n->sg_alb_item,
                             n->sg_tasks_item, n->sg_alb_item,   n->sg_tasks_item,  n->vpc_item};
    for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++)
        report_line(n, lines[i], items[i]);
    for (int i = 0; i < n->azs; i++) {
        report_line(n, &n->sub_pub_l[i], n->sub_pub_item[i]);
        report_line(n, &n->sub_priv_l[i], n->sub_priv_item[i]);
        report_line(n, &n->rtb_priv_l[i], n->rtb_priv_item[i]);
    }
    for (int i = 0; i < n->nats; i++) {
        report_line(n, &n->eip_l[i], n->eip_item[i]);
        report_line(n, &n->nat_l[i], n->nat_item[i]);
    }
}

static sh_status publish_all(shc_frame *f)
{
    return publish((struct net *)f, 1);
}

/* The waves of net.h, each sent together. A wave that fails stops the
 * run: what it made is found by name on the next. */
/* With the rules' waves: the first look at new NAT gateways, then the
 * private routes through them once they are available: the rules are
 * off the path to the gateways. */
static int nat_path(struct net *n, int wave)
{
    if (!wave) {
        net_queue_nat_look(n);
        return 0;
    }
    if (net_nats_looked(n))
        return -1;
    if (!n->nat_waiting || n->f.plan) {
        net_wave_routes(n, 1);
        n->private_routes_queued = 1;
    }
    return 0;
}

static int waves(struct net *n)
{
    if (net_lookup(n) || net_found(n) || net_zones(n))
        return -1;
    /* A plan changes nothing: what the lookups found is what dependents
     * plan against, at once rather than after the reads by id. */
    if (n->f.plan)
        publish(n, 1);
    if (net_quotas(n))
        return -1;
    net_wave_vpc(n);
    net_wave_extras(n, 0);
    if (shc_wave(&n->f) || net_replace_subnets(n))
        return -1;
    net_wave_extras(n, 1);
    net_wave_in_vpc(n);
    net_wave_groups(n);
    net_wave_tables(n);
    net_wave_association_reads(n);
    /* an existing vpc: its default group was read with its attributes */
    if (n->f.h->doc_string(n->default_sg_out, "securityGroupInfo.item[0].groupId")) {
        net_wave_rule_reads(n);
        n->rules_read = 1;
    }
    if (shc_wave(&n->f) || net_default_group(n))
        return -1;
    publish(n, 0);
    net_wave_dns(n, 1);
    net_wave_nats(n);
    net_wave_associations(n);
    net_wave_routes(n, 0);
    if (!n->rules_read)
        net_wave_rule_reads(n);
    if (shc_wave(&n->f) || net_recreate_nats(n) || net_rules(n, nat_path) || net_wait_nats(n))
        return -1;
    if (!n->private_routes_queued)
        net_wave_routes(n, 1);
    if (shc_wave(&n->f) || net_remove_extra_nats(n))
        return -1;
    report(n);
    return 0;
}

/* One pass of the lifecycle. After a lost answer the next pass finds what
 * the request made (every step looks before it creates) rather than send
 * it again. */
static int converge(shc_frame *f)
{
    return waves((struct net *)f);
}

/* destroy: passes until a lookup finds nothing owned (a NotFound from a
 * delete can be AWS not knowing a new id yet), within the lifecycle's one
 * deadline, which detaching the gateway waits out too (DependencyViolation
 * while addresses are still mapped in the VPC). outputs: a plan's pass. */
static const shc_lifecycle network_lifecycle = {
    .size = sizeof(struct net), .not_yet = net_not_yet, .load = net_load, .begin = net_begin,
    .converge = converge, .publish = publish_all, .destroy = net_destroy_pass,
    .destroy_what = "the stack's network resources", .destroy_passes = 1000000};

SHC_LIFECYCLE(network, network_lifecycle)

static const sh_resource_decl network_resources[] = {
    {"vpc", "vpc vpc-{S}-{E}", NULL},
    {"igw", "internet gateway igw-{S}-{E}", SH_AFTER("vpc")},
    {"public_subnets", "public subnets subnet-{S}-public-{a,b,c}-{E}", SH_AFTER("vpc")},
    {"private_subnets", "private subnets subnet-{S}-private-{a,b,c}-{E}", SH_AFTER("vpc")},
    {"eips", "elastic ips eip-{S}-nat-{a,b,c}-{E}", NULL},
    {"nat", "nat gateways nat-{S}-{a,b,c}-{E} (one, or one a zone)", SH_AFTER("public_subnets", "eips", "igw")},
    {"public_routes", "route table rtb-{S}-public-{E} (0.0.0.0/0 to the gateway)", SH_AFTER("igw", "public_subnets")},
    {"private_routes", "route tables rtb-{S}-private-{a,b,c}-{E} (0.0.0.0/0 to a nat)",
     SH_AFTER("nat", "private_subnets")},
    {"sg_alb", "security group sg-{S}-alb-{E} (80, 443 in)", SH_AFTER("vpc")},
    {"sg_tasks", "security group sg-{S}-tasks-{E} (from the alb only)", SH_AFTER("vpc", "sg_alb")},
    {NULL, NULL, NULL}};

/* Private subnets last: they are published once their routes through the
 * NAT gateways exist (see publish), the rest as soon as they exist. */
static const char *const network_publishes[] = {
    "availability_zones", "vpc_id", "public_subnet_ids", "alb_security_group_id", "task_security_group_id",
    "private_subnet_ids", NULL};

SH_PLUGIN_EXPORT = {
    SH_PLUGIN_ABI,
    .name = "network",
    .version = "0.1.0",
    .description = "multi-AZ VPC: subnets, internet and NAT gateways, routes, security groups",
    .requires = no_requirements,
    .keys = network_keys,
    .validate = network_validate,
    SHC_CALLBACKS(network),
    .resources = network_resources,
    .publishes = network_publishes,
    .config_bind = network_bind,
    .cost = net_cost,
    .destroy_alongside = 1,
};
