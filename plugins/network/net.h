/* network plugin internals: the desired state, what was found, and the
 * EC2 helpers every step uses. One `struct net` lives for one callback. */
#ifndef PLUGINS_NETWORK_NET_H
#define PLUGINS_NETWORK_NET_H

#include <stddef.h>

#include <stackhost/stackhost.h>

#define NET_MAX_AZ 6
#define NET_ID 48 /* an EC2 id, an allocation id, a rule id */

struct net {
    const sh_host *h;
    sh_ctx *ctx;
    int plan;  /* look and report only */
    const char *stack;
    /* desired */
    const char *vpc_cidr, *db_cidr;
    int azs, nats;
    char az[NET_MAX_AZ][32];
    char pub_cidr[NET_MAX_AZ][20], priv_cidr[NET_MAX_AZ][20];
    /* found or created; "" when absent (in a plan: to be created) */
    char vpc[NET_ID], igw[NET_ID], sg_alb[NET_ID], sg_tasks[NET_ID], rtb_pub[NET_ID];
    char sub_pub[NET_MAX_AZ][NET_ID], sub_priv[NET_MAX_AZ][NET_ID];
    char eip[NET_MAX_AZ][NET_ID], nat[NET_MAX_AZ][NET_ID], rtb_priv[NET_MAX_AZ][NET_ID];
};

/* ---- ec2.c: requests, names, tags, finding what we own ---- */

sh_doc *net_req(struct net *n);
/* Sets a string at a printf-built path. */
void net_set(struct net *n, sh_doc *d, const char *value, const char *path_fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "{type}-{stack}-{purpose}-{env}" (purpose may be NULL). */
const char *net_name(struct net *n, const char *type, const char *purpose);
/* Adds TagSpecification[0] for resource_type with Name and the stack's tags. */
void net_tag_spec(struct net *n, sh_doc *d, const char *resource_type, const char *name);
/* The value of tag `key` on an EC2 item (its tagSet), or NULL. */
const char *net_tag(struct net *n, const sh_doc *item, const char *key);
int net_owned(struct net *n, const sh_doc *item);
/* Calls an EC2 operation; on failure records "what: error" and returns -1. */
int net_call(struct net *n, const char *op, const sh_doc *in, const sh_doc **out, const char *what);
/* Finds the one item named `name` that we own among the answer of op
 * (paginated, items at items_path; `in` holds extra filters and may be
 * NULL). Returns 1 and sets *item, 0 when absent, -1 on error: a call
 * failed, two owned items share the name, or only an item we do not own
 * has it (never touched: the error says what is in the way). skip_state,
 * when set, ignores items whose `state` is one of them ("deleted|failed"). */
int net_find(struct net *n, const char *op, const char *items_path, sh_doc *in, const char *kind, const char *name,
             const char *skip_states, const sh_doc **item);
/* Brings the item's tags back to Name + the stack's tags (CreateTags with
 * what is missing or different); reports the update. Returns 0 or -1. */
int net_converge_tags(struct net *n, const sh_doc *item, const char *id, const char *label, const char *name);
/* net_find scoped to the VPC; finds nothing while the VPC does not exist
 * yet (a plan before the first deploy). */
int net_find_in_vpc(struct net *n, const char *op, const char *items_path, const char *kind, const char *name,
                    const char *skip_states, const sh_doc **item);
/* The elastic IP of NAT gateway `letter`; fills name (static per ctx). */
int net_find_eip(struct net *n, char letter, const char **name, const sh_doc **item);
/* The end of converging an existing resource: its tags, and a "no
 * change" line when neither they nor anything else (changed) moved. */
int net_settle(struct net *n, const sh_doc *item, const char *id, const char *label, const char *name, int changed);
/* Records a change: the plan line, or the progress line once done. */
void net_report(struct net *n, sh_change change, const char *label, const char *detail);
/* Polls until done() says so, with backoff from 2 s to 15 s, up to
 * timeout seconds, logging progress. done returns 1 done, 0 not yet, -1
 * error (recorded). Returns 0 or -1 (timeout recorded). */
int net_wait(struct net *n, const char *what, int timeout, int (*done)(struct net *n, void *arg, char *progress, size_t len),
             void *arg);
/* Sleeps, waking early when the run is cancelled. */
void net_sleep(struct net *n, int seconds);
void net_copy(char *dst, size_t size, const char *src);

/* ---- the steps (create.c, rules.c, destroy.c) ---- */
int net_load(struct net *n, const sh_host *h, sh_ctx *ctx);
int net_zones(struct net *n);
int net_vpc(struct net *n);
int net_default_sg(struct net *n);
int net_subnets(struct net *n);
int net_igw(struct net *n);
int net_nat(struct net *n);
int net_routes(struct net *n);
int net_security_groups(struct net *n);
int net_remove_extra_nats(struct net *n);
int net_outputs(struct net *n);
int net_destroy_all(struct net *n);

#endif
