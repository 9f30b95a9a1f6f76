/* lb plugin internals: the desired state of the application load
 * balancer, its target group and listeners, what the lookups found, and
 * the helpers every step uses. One `struct lb` lives for one pass of a
 * callback.
 *
 * Deploy runs in waves (shc_queue, each sent together):
 *   lookups: DescribeLoadBalancers (every one of the region: names are
 *     unique on AWS, but a lost create by another tool, or moto, can leave
 *     two, and the count is the quota's usage), DescribeTargetGroups
 *   -> reads: DescribeTags of the candidates and the target group (one call
 *      per 20 arns), each candidate's attributes and listeners, the target
 *      group's attributes; the quota when a load balancer is to be made
 *   -> ownership checked; replacements (only with --allow-replace)
 *   -> the load balancer and target group made, or their settings and tags
 *      put back; duplicates' deletion protection off; listeners' tags read
 *   -> new resources' attributes; duplicates deleted; listeners that
 *      forward made or put back
 *   -> the redirect (80 -> 443) and listeners no longer wanted deleted,
 *      after what they point to exists
 *   -> the load balancer waited for until active.
 * A wave that loses an answer (or hears "duplicate") ends the pass: lb_create
 * starts again from the lookups, which find what the request made. */
#ifndef PLUGINS_LB_LB_H
#define PLUGINS_LB_LB_H

#include <stddef.h>
#include <time.h>

#include <stackhost/lifecycle.h>
#include <stackhost/stackhost.h>

#define LB_TEXT 512
#define LB_CANDIDATES 16  /* load balancers with the stack's name (1 unless duplicated) */
#define LB_LISTENERS 50   /* listeners on a load balancer: aws's limit */
#define LB_TAG_CALLS 4    /* DescribeTags calls of one wave (20 arns each) */
#define LB_DESCRIBE_TAGS_MAX 20
#define LB_QUOTA_DEFAULT 50 /* application load balancers per region, aws's default */

/* A load balancer named alb-S-E that the listing returned. */
struct lb_alb {
    const sh_doc *item;      /* LoadBalancers.member[i] */
    const char *arn;
    const sh_doc *tags;      /* its TagDescription, NULL: no tags */
    const sh_doc *attrs;     /* DescribeLoadBalancerAttributes answer (NULL: gone) */
    const sh_doc *listeners; /* DescribeListeners answer (NULL: gone) */
    int protection_on;      /* deletion protection is on */
};

/* A listener this stack wants: HTTP 80 forwarding, or with a certificate
 * HTTPS 443 forwarding and HTTP 80 redirecting to it. */
struct lb_listener {
    int port;
    const char *protocol; /* HTTP, HTTPS */
    int redirect;         /* 1: redirect to HTTPS 443; 0: forward to the target group */
    const sh_doc *have;   /* the listener on this port, NULL: none */
    const char *arn;
    shc_line line;
};

/* A listener on the load balancer on a port this stack does not want. */
struct lb_unwanted {
    const char *arn;
    const char *port;
    shc_line line;
};

struct lb {
    shc_frame f; /* first: the lifecycle's (lifecycle.h) */
    /* the run's, set by lb_load. desired: the keys but target_port
     * (refused) by host->config_read, cert NULL when empty; the port */
    struct lb_config { const char *cert, *health_path; int protection; long long lcu; } cfg;
    const char *alb_name, *tg_name;
    long long port;
    /* the lines: a pass after a lost answer adds to them */
    shc_line alb_l, tg_l;
    struct lb_listener want[2]; /* have and arn: the pass's */
    size_t nwant;
    int interfaces_gone; /* destroy saw its interfaces gone: a later pass does not wait again */
    /* per pass, from here on (lb_begin clears it) */
    /* from network; NULL / 0 in a plan before network's first deploy */
    const char *vpc, *sg;
    const char *const *subnets;
    size_t nsubnets;
    /* the lookups' answers */
    const sh_doc *albs_out, *tg_out, *tg_attrs, *quota_out;
    const sh_doc *tag_out[LB_TAG_CALLS], *listener_tag_out[LB_TAG_CALLS];
    /* the DescribeTags calls queued: a NotFound for one arn fails the
     * whole call, so its answer means "look again", never "untagged" */
    struct lb_tag_read {
        struct lb *l;
        const sh_doc **out;
    } tag_reads[2 * LB_TAG_CALLS];
    size_t ntag_reads;
    struct lb_alb cand[LB_CANDIDATES];
    size_t ncand;
    /* found: the load balancer kept, owned duplicates to delete, the target group */
    struct lb_alb *alb;
    struct lb_alb *extras[LB_CANDIDATES];
    size_t nextras;
    int foreign_alb; /* a load balancer with the name lacks the ownership tags */
    const sh_doc *tg, *tg_tags;
    /* ids, found or made ("" when absent: in a plan, to be made) */
    char alb_arn[LB_TEXT], alb_dns[LB_TEXT], tg_arn[LB_TEXT];
    int alb_new, tg_new, alb_waiting;
    struct lb_unwanted unwanted[LB_LISTENERS];
    size_t nunwanted;
    /* what cannot change in place, "" when nothing */
    char alb_replace[SHC_DETAIL / 2], tg_replace[SHC_DETAIL / 2];
};

/* How much lb_lookup reads beyond the listing and the tags. */
#define LB_READ_TAGS 0  /* outputs */
#define LB_READ_ATTRS 1 /* destroy: the candidates' attributes (deletion protection) */
#define LB_READ_ALL 2   /* plan, deploy: attributes, listeners, the target group's attributes, the quota */

/* ---- common.c: desired state, requests, reads, tags, lines ---- */
/* Reads the configuration and makes the names. */
int lb_load(shc_frame *f, int destroy);
void lb_begin(shc_frame *f);
/* The network's outputs it builds on (vpc, group, subnets), read once its lookups
 * are sent: -1 (recorded) when deploy lacks one. */
int lb_inputs(struct lb *l);
/* The answers ELBv2 gives while something propagates. */
extern const shc_not_yet lb_not_yet[];
/* Queues DescribeTags for arns (20 a call) into out[0..LB_TAG_CALLS). */
void lb_read_tags(struct lb *l, const char *const *arns, size_t n, const sh_doc **out);
/* The TagDescription of arn among DescribeTags answers, or NULL. */
const sh_doc *lb_tags_of(struct lb *l, const sh_doc *const *answers, const char *arn);
/* Non-zero when the TagDescription carries the ownership tags. */
int lb_owned(struct lb *l, const sh_doc *tags);
/* Queues AddTags for the tags of `tags` (a TagDescription) that drifted,
 * noted on line. */
void lb_put_tags(struct lb *l, shc_line *line, const sh_doc *tags, const char *arn);
/* The value of attribute key in a Describe*Attributes answer, or NULL. */
const char *lb_attribute(struct lb *l, const sh_doc *attrs, const char *key);
/* The part of an arn after `after` ("loadbalancer/" -> "app/..."), or after
 * its last ':' when after is NULL; "" when absent. */
const char *lb_arn_suffix(const char *arn, const char *after);
/* The lookups shared by deploy, outputs and destroy: every load balancer,
 * the target group, then their tags and, per `reads`, what else is read. */
int lb_lookup(struct lb *l, int reads);
/* Which candidate is the stack's (shc_find_keep: the one in use, else the
 * oldest) and which are duplicates; the target group's ownership. -1
 * (recorded) when only a foreign resource has a name. */
int lb_find(struct lb *l);
/* Publishes the outputs known (a plan before the first deploy has none). */
sh_status lb_publish(shc_frame *f);

/* ---- alb.c ---- */
void lb_alb_quota_read(struct lb *l); /* queues GetServiceQuota */
int lb_alb_quota(struct lb *l);      /* -1: this deploy would pass the region's quota */
/* Scheme, type, vpc or a failed state: noted; -1 (recorded) when deploy may not replace. */
int lb_alb_replace_check(struct lb *l);
void lb_alb_wave(struct lb *l);      /* create, or settings and tags put back */
void lb_alb_new_wave(struct lb *l);  /* a new load balancer's attributes */
void lb_alb_extras_wave(struct lb *l, int second); /* duplicates: protection off, then deleted */
int lb_alb_wait(struct lb *l);       /* until active */
/* Deletes the load balancers (protection off first where on) and waits
 * until they are gone (until l->f.deadline when set), with `interfaces`
 * their network interfaces too (read in the same poll; with no load
 * balancer, those left by one deleted before); a line for each saying
 * why (may be NULL). In a plan only the lines. */
int lb_alb_delete(struct lb *l, struct lb_alb *const *albs, size_t n, const char *why, int interfaces);


/* ---- target_group.c ---- */
/* Protocol, port, vpc or target type: noted; -1 (recorded) when deploy may not replace. */
int lb_tg_replace_check(struct lb *l);
/* Deletes the target group being replaced (the listeners forwarding to it
 * first); the next pass makes it again. */
int lb_tg_delete_for_replace(struct lb *l);
void lb_tg_wave(struct lb *l);       /* create, or health check, attributes and tags */
void lb_tg_new_wave(struct lb *l);   /* a new target group's attributes */

/* ---- listeners.c ---- */
void lb_listeners_plan(struct lb *l); /* matches the wanted listeners to those found */
void lb_listener_tag_reads(struct lb *l);
/* forward: the listeners that forward to the target group; else the
 * redirect and the deletion of listeners no longer wanted. */
void lb_listeners_wave(struct lb *l, int forward);

/* ---- destroy.c ---- */
int lb_destroy_pass(shc_frame *f, size_t *found);

/* ---- cost.c ---- */
/* The descriptor's cost callback: the load balancer's hours, its capacity
 * units (an assumption) and its public addresses, one per zone. */
sh_status lb_cost(const sh_host *h, sh_ctx *ctx);

#endif
