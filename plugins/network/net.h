/* network plugin internals: the desired state, what the stack's lookups
 * found, and the EC2 helpers every step uses. One `struct net` lives for
 * one callback.
 *
 * Deploy runs in waves: each wave queues every request whose inputs are
 * known (shc_queue, sent together) and runs them; the next wave uses
 * their answers. Only the real dependencies order the waves:
 *   lookups (one Describe per kind, for the whole stack); zones; quotas
 *   -> vpc, internet gateway, elastic ips; drifted tags and settings;
 *      duplicates deleted (detached first)
 *   -> subnets, security groups, route tables, gateway attachment
 *   -> nat gateways, associations, the public route, rule reads
 *   -> rules added -> rules revoked -> nat gateways available -> private routes.
 * A wave that loses an answer (a create that may have happened) ends the
 * pass: the lifecycle starts again from the lookups, which find it. */
#ifndef PLUGINS_NETWORK_NET_H
#define PLUGINS_NETWORK_NET_H

#include <stddef.h>

#include <stackhost/lifecycle.h>
#include <stackhost/stackhost.h>

#define NET_MAX_AZ 6
#define NET_ID 48 /* an EC2 id, an allocation id, a rule id */

struct net {
    shc_frame f; /* first: the lifecycle's (lifecycle.h) */
    long run_id; /* the callback's start (epoch s): idempotency tokens stay the same across passes */
    const char *stack;
    struct net_config { /* the keys, filled by host->config_read (network_bind) */
        const char *cidr, *database_cidr;
        long long az_count, task_port, nat_gb;
        int nat_per_az;
        sh_string_list zones, public_subnets, private_subnets;
        sh_int_list egress_ports, alb_ports;
    } cfg;
    /* desired */
    char vpc_cidr[20], db_cidr[20];
    int azs, nats;
    char pub_cidr[NET_MAX_AZ][20], priv_cidr[NET_MAX_AZ][20];
    /* each resource's line, labelled by net_load, noted as its changes are
     * queued and reported once a pass converged (those of what exists or
     * changes). A pass after a lost answer adds to them: a create whose
     * answer was lost is reported as made, not as found unchanged. */
    shc_line vpc_l, igw_l, rtb_pub_l, sg_alb_l, sg_tasks_l, rules_alb_l, rules_tasks_l, default_l;
    shc_line sub_pub_l[NET_MAX_AZ], sub_priv_l[NET_MAX_AZ], rtb_priv_l[NET_MAX_AZ], eip_l[NET_MAX_AZ],
        nat_l[NET_MAX_AZ];
    /* per pass, from here on (net_begin clears it): the zones used */
    char az[NET_MAX_AZ][32];
    /* the lookups' answers (one per kind, for the whole stack) */
    const sh_doc *zones_out, *vpcs_out, *subnets_out, *igws_out, *eips_out, *nats_out, *rtbs_out, *sgs_out;
    /* found (NULL: absent) */
    const sh_doc *vpc_item, *igw_item, *sg_alb_item, *sg_tasks_item, *rtb_pub_item;
    const sh_doc *sub_pub_item[NET_MAX_AZ], *sub_priv_item[NET_MAX_AZ], *rtb_priv_item[NET_MAX_AZ];
    const sh_doc *eip_item[NET_MAX_AZ], *nat_item[NET_MAX_AZ];
    /* ids, found or created; "" when absent (in a plan: to be created) */
    char vpc[NET_ID], igw[NET_ID], sg_alb[NET_ID], sg_tasks[NET_ID], sg_default[NET_ID], rtb_pub[NET_ID];
    char sub_pub[NET_MAX_AZ][NET_ID], sub_priv[NET_MAX_AZ][NET_ID];
    char eip[NET_MAX_AZ][NET_ID], nat[NET_MAX_AZ][NET_ID], rtb_priv[NET_MAX_AZ][NET_ID];
    /* made by this run, so their settings are known without reading */
    int vpc_new, igw_new;
    int sub_pub_new[NET_MAX_AZ], sub_priv_new[NET_MAX_AZ];
    int nat_waiting; /* a nat gateway was created or found not yet available */
    /* the first look at them, sent with the rules' first wave */
    const sh_doc *nat_look_out;
    size_t nat_look_count;
    int private_routes_queued;
    int rules_read; /* the groups' rules read with the wave in the vpc (the default group was known) */
    /* answers of the later reads */
    const sh_doc *dns_support, *dns_hostnames, *default_sg_out, *rules_out, *assoc_out;
    /* owned duplicates found by the lookups (a create whose answer was
     * lost): deleted, the one in use (else the oldest) kept */
    struct net_extra {
        const char *op, *param, *id, *label;
        const char *first_op, *first_param, *first_id; /* a detach or disassociate before it, or NULL */
        const char *vpc; /* the vpc a gateway is attached to */
    } extras[32];
    size_t nextras;
    int hostnames_later; /* dns hostnames wait for dns support (aws's rule) */
    int nat_recreate[NET_MAX_AZ];
    /* subnets to replace: what uses them is read first (wave two) */
    int sub_replace[NET_MAX_AZ][2];
    const sh_doc *sub_enis[NET_MAX_AZ][2];
};

/* ---- ec2.c: requests, names, tags, lookups ---- */

/* "{type}-{stack}-{purpose}-{env}" (purpose may be NULL). */
const char *net_name(struct net *n, const char *type, const char *purpose);
/* The name of zone i's resource: ("subnet", "public", 1) ->
 * "subnet-catalog-public-b-dev", ("nat", "", 0) -> "nat-catalog-a-dev". */
const char *net_zone_name(struct net *n, const char *type, const char *what, int zone);
/* "{kind} {name}", owned by the context. */
const char *net_label(struct net *n, const char *kind, const char *name);
/* Adds TagSpecification[0] for resource_type with Name and the stack's tags. */
void net_tag_spec(struct net *n, sh_doc *d, const char *resource_type, const char *name);
const char *net_tag(struct net *n, const sh_doc *item, const char *key);
int net_owned(struct net *n, const sh_doc *item);
/* Queues an EC2 call; done receives the answer. */
void net_queue(struct net *n, const char *op, const sh_doc *in, const char *label, shc_done_fn done, void *arg);
/* As net_queue; the codes (answers meaning the desired state holds) count as success. */
void net_queue_ok(struct net *n, const char *op, const sh_doc *in, const char *label, const char *codes);
/* The lookups of every kind the stack has, by name, in one wave. */
int net_lookup(struct net *n);
/* Queues CreateTags for the tags of item that drifted, noted on its line. */
void net_tags(struct net *n, const sh_doc *item, const char *id, shc_line *line, const char *name);
/* Queues op; once answered, the text at `path` of the answer (the new
 * resource's id) is copied into id (NET_ID bytes). */
void net_queue_id(struct net *n, const char *op, const sh_doc *in, const char *label, const char *path, char *id);
/* Queues a read whose answer lands in *out. */
void net_queue_read(struct net *n, const char *op, const sh_doc *in, const char *items, const char *label,
                    const sh_doc **out);
void net_copy(char *dst, size_t size, const char *src);
/* "2 network interfaces in the way: eni-1 (Interface for NAT Gateway
 * nat-1), eni-2 (...)" from a DescribeNetworkInterfaces answer. */
void net_interfaces_text(struct net *n, const sh_doc *answer, char *out, size_t len);
/* An idempotency token for creating `name` (at most 64 characters): one
 * per resource and run, the same on every pass after a lost answer. */
void net_token(struct net *n, const char *name, char *out, size_t size);

/* "010.0.0.0/16" -> "10.0.0.0/16": AWS answers canonical text (network.c). */
void net_cidr_canonical(const char *text, char *out, size_t size);

/* ---- the steps ---- */
/* The answers that mean "not yet" (create.c), for every queue of the plugin. */
extern const shc_not_yet net_not_yet[];
int net_load(shc_frame *f, int destroy);
void net_begin(shc_frame *f);
int net_zones(struct net *n);
/* create.c */
int net_found(struct net *n);
int net_quotas(struct net *n);
void net_wave_vpc(struct net *n);      /* vpc, igw, eips, drift of what exists */
void net_wave_extras(struct net *n, int second); /* duplicates: detach/disassociate, then delete */
void net_wave_in_vpc(struct net *n);   /* subnets, attachment, dns, default sg read */
void net_wave_dns(struct net *n, int second);
int net_replace_subnets(struct net *n); /* deletes them when nothing uses them */
/* routes.c */
void net_wave_tables(struct net *n);
void net_wave_association_reads(struct net *n);
void net_wave_associations(struct net *n);
void net_wave_routes(struct net *n, int private_routes);
/* nat.c */
void net_wave_nats(struct net *n);
int net_recreate_nats(struct net *n);
int net_wait_nats(struct net *n);
/* Queues the first look at the gateways being made (with another wave:
 * they are often available at once); after that wave, net_nats_looked
 * clears nat_waiting when they all are (-1, recorded, for a failed one). */
void net_queue_nat_look(struct net *n);
int net_nats_looked(struct net *n);
/* In a DescribeNatGateways answer (NULL: NatGatewayNotFound), the count
 * gateways asked for: 1 when all are available (deleting: deleted), 0
 * while some are not yet, -1 (recorded) for one that failed. */
int net_nats_in(struct net *n, const sh_doc *out, size_t count, int deleting);
int net_wait_nats_deleted(struct net *n, sh_doc *ids, size_t count, const char *what, int timeout);
int net_remove_extra_nats(struct net *n);
/* rules.c */
void net_wave_groups(struct net *n);
void net_queue_default_group(struct net *n);
int net_default_group(struct net *n); /* waits until a new vpc's default group is listed */
void net_wave_rule_reads(struct net *n);
/* The rules put right in two waves, authorizations before revocations;
 * also (may be NULL) queues what goes with them (wave 0, 1), -1 when it
 * failed (recorded). */
int net_rules(struct net *n, int (*also)(struct net *n, int wave));
/* destroy.c */
int net_destroy_pass(shc_frame *f, size_t *found);
/* Queues the delete of each id (param=id), sent together (shc_delete),
 * waiting out DependencyViolation; as net_delete_each without the wave. */
void net_queue_deletes(struct net *n, const char *op, const char *param, const char *const *ids,
                       const char *const *labels, size_t count, const char *detail);
/* Deletes each id (param=id) together (shc_delete), waiting out
 * DependencyViolation (what used it is still going away) up to the
 * queue's deadline; NotFound is gone (destroy looks again at the end).
 * Reports each delete (detail may be NULL). In a plan: reports only. */
int net_delete_each(struct net *n, const char *op, const char *param, const char *const *ids,
                    const char *const *labels, size_t count, const char *detail);

/* ---- cost.c ---- */
/* The descriptor's cost callback: the NAT gateways and their addresses. */
sh_status net_cost(const sh_host *h, sh_ctx *ctx);

#endif
