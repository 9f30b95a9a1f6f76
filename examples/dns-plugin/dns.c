/* dns: a name for the stack in a Route 53 zone. An alias A record for the
 * load balancer lb made, at `record` in the public hosted zone `zone`, and
 * a TXT record beside it naming the stack and environment. The TXT record
 * is what makes the pair ours (as ExternalDNS's registry does): a record
 * this plugin did not make is never changed or deleted.
 *
 * Route 53 is not a service the host knows: the plugin declares it
 * (sh_service_decl, rest-xml) with the HTTP binding of the operations it
 * calls; the host signs, sends, retries and parses them as its own.
 *
 * The SDK's lifecycle (lifecycle.h) runs the passes: a change whose answer
 * was lost is never sent again blindly, the next pass reads the zone and
 * finds it done, or does it; destroy ends when a pass finds nothing ours.
 *
 * Built against the installed SDK only (Makefile or CMakeLists.txt). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <stackhost/lifecycle.h>
#include <stackhost/stackhost.h>

/* ---- the service: the operations called, from Route 53's API reference ---- */

static const sh_rest_op route53_ops[] = {
    {"ListHostedZonesByName", "GET", "/2013-04-01/hostedzonesbyname?dnsname={DNSName}", NULL},
    {"ListResourceRecordSets", "GET",
     "/2013-04-01/hostedzone/{Id}/rrset?name={StartRecordName}&type={StartRecordType}", NULL},
    {"ChangeResourceRecordSets", "POST", "/2013-04-01/hostedzone/{Id}/rrset/", "ChangeResourceRecordSetsRequest"},
    {"GetChange", "GET", "/2013-04-01/change/{Id}", NULL},
    {NULL, NULL, NULL, NULL}};

static const sh_service_decl dns_services[] = {
    {.name = "route53", .env_id = "ROUTE_53", .signing_name = "route53", .endpoint_prefix = "route53",
     .protocol = SH_PROTOCOL_REST_XML, .api_version = "https://route53.amazonaws.com/doc/2013-04-01/",
     .global = 1, .ops = route53_ops},
    {.name = NULL}};

/* ---- the schema ---- */

static const sh_config_key dns_keys[] = {
    {.name = "zone", .type = SH_CONFIG_STRING, .required = 1,
     .help = "an existing public hosted zone (example.com); dns never creates or deletes it"},
    {.name = "record", .type = SH_CONFIG_STRING, .required = 1,
     .help = "the name to point at the load balancer, in the zone (shop.example.com)"},
    SH_CONFIG_END};

/* ---- one run ---- */

#define SETS "ResourceRecordSets.ResourceRecordSet"
#define MAX_PAGES 64
#define MAX_OWNED 8
#define WAIT_SECONDS 300

struct dns {
    shc_frame f;                 /* first: the lifecycle's */
    char zone[256], record[256]; /* fully qualified, as Route 53 answers */
    char owner[200];             /* the TXT value that makes a pair ours, quoted */
    /* the record's line ("dns record shop.example.com."): noted as its
     * change is queued, reported once the pass converged; the run's, so a
     * pass after a lost answer adds to it */
    shc_line line;
    /* per pass */
    const char *zone_id; /* NULL: no such public zone */
    const sh_doc *pages[MAX_PAGES];
    size_t npages;
    char change_id[64];
};

static int load(shc_frame *f, int destroy)
{
    struct dns *d = (struct dns *)f;
    const sh_host *h = f->h;
    (void)destroy;
    const char *zone = h->config_string(f->ctx, "zone"), *record = h->config_string(f->ctx, "record");
    snprintf(d->zone, sizeof(d->zone), "%s%s", zone, zone[strlen(zone) - 1] == '.' ? "" : ".");
    snprintf(d->record, sizeof(d->record), "%s%s", record, record[strlen(record) - 1] == '.' ? "" : ".");
    snprintf(d->owner, sizeof(d->owner), "\"heritage=stackhost,stackhost/stack=%s,stackhost/environment=%s\"",
             h->stack_name(f->ctx), h->environment(f->ctx));
    d->line.label = shc_text(h, f->ctx, "dns record %s", d->record);
    return 0;
}

static void begin(shc_frame *f)
{
    struct dns *d = (struct dns *)f;
    d->zone_id = NULL;
    d->npages = 0;
    d->change_id[0] = '\0';
}

/* ---- reading: the zone and every record set in it ---- */

static int find_zone(struct dns *d)
{
    const sh_host *h = d->f.h;
    const sh_doc *out;
    if (h->aws_call(d->f.ctx, "route53", "ListHostedZonesByName", shc_json(&d->f, "{'DNSName': '%s'}", d->zone), &out))
        return shc_fail(&d->f, SH_ERR_AWS, "looking for hosted zone %s: %s", d->zone, h->aws_error_text(d->f.ctx));
    for (size_t i = 0; i < h->doc_count(out, "HostedZones.HostedZone"); i++) {
        const char *name = shc_str(d->f.h, out, "HostedZones.HostedZone[%zu].Name", i);
        const char *id = shc_str(d->f.h, out, "HostedZones.HostedZone[%zu].Id", i);
        const char *private_zone = shc_str(d->f.h, out, "HostedZones.HostedZone[%zu].Config.PrivateZone", i);
        if (name && id && !strcasecmp(name, d->zone) && !(private_zone && !strcmp(private_zone, "true"))) {
            d->zone_id = strrchr(id, '/') ? strrchr(id, '/') + 1 : id;
            return 0;
        }
    }
    return 0;
}

/* Route 53 pages record sets by name and type. */
static int list_zone(struct dns *d)
{
    const sh_host *h = d->f.h;
    sh_doc *in = shc_json(&d->f, "{'Id': '%s'}", d->zone_id);
    for (d->npages = 0; d->npages < MAX_PAGES;) {
        const sh_doc *out;
        if (h->aws_call(d->f.ctx, "route53", "ListResourceRecordSets", in, &out))
            return shc_fail(&d->f, SH_ERR_AWS, "listing zone %s: %s", d->zone, h->aws_error_text(d->f.ctx));
        d->pages[d->npages++] = out;
        const char *more = h->doc_string(out, "IsTruncated");
        if (!more || strcmp(more, "true"))
            break;
        in = shc_json(&d->f, "{'Id': '%s', 'StartRecordName': '%s', 'StartRecordType': '%s'}", d->zone_id,
                      h->doc_string(out, "NextRecordName"), h->doc_string(out, "NextRecordType"));
    }
    return 0;
}

/* Calls fn on every record set of the zone until it returns non-zero. */
static const sh_doc *each_set(struct dns *d, int (*fn)(struct dns *, const sh_doc *, void *), void *arg)
{
    char path[96];
    for (size_t p = 0; p < d->npages; p++)
        for (size_t i = 0; i < d->f.h->doc_count(d->pages[p], SETS); i++) {
            snprintf(path, sizeof(path), SETS "[%zu]", i);
            const sh_doc *s = d->f.h->doc_get(d->pages[p], path);
            if (fn(d, s, arg))
                return s;
        }
    return NULL;
}

struct key {
    const char *name, *type;
};

static int is_key(struct dns *d, const sh_doc *s, void *arg)
{
    const struct key *k = arg;
    const char *name = d->f.h->doc_string(s, "Name"), *type = d->f.h->doc_string(s, "Type");
    return name && type && !strcasecmp(name, k->name) && !strcmp(type, k->type);
}

static const sh_doc *find_set(struct dns *d, const char *name, const char *type)
{
    struct key k = {name, type};
    return each_set(d, is_key, &k);
}

/* A TXT record set holding our owner value. */
static int is_ours(struct dns *d, const sh_doc *s, void *arg)
{
    (void)arg;
    const char *type = d->f.h->doc_string(s, "Type");
    for (size_t i = 0; type && !strcmp(type, "TXT") && i < d->f.h->doc_count(s, "ResourceRecords.ResourceRecord"); i++) {
        const char *v = shc_str(d->f.h, s, "ResourceRecords.ResourceRecord[%zu].Value", i);
        if (v && !strcmp(v, d->owner))
            return 1;
    }
    return 0;
}

struct owned {
    const sh_doc *txt[MAX_OWNED];
    size_t n;
};

static int collect_ours(struct dns *d, const sh_doc *s, void *arg)
{
    struct owned *o = arg;
    if (is_ours(d, s, NULL) && o->n < MAX_OWNED)
        o->txt[o->n++] = s;
    return 0;
}

/* ---- changing: one atomic batch, then its propagation ---- */

struct batch {
    sh_doc *in;
    size_t n;
};

/* A member of the batch's last change (NULL: not set). */
static void field(struct dns *d, struct batch *b, const char *name, const char *value)
{
    shc_set(&d->f, b->in, value, "ChangeBatch.Changes.Change[%zu].%s", b->n - 1, name);
}

static void add_change(struct dns *d, struct batch *b, const char *action, const char *name, const char *type)
{
    b->n++;
    field(d, b, "Action", action);
    field(d, b, "ResourceRecordSet.Name", name);
    field(d, b, "ResourceRecordSet.Type", type);
}

/* DELETE names the record set exactly as it is. */
static void delete_set(struct dns *d, struct batch *b, const sh_doc *s)
{
    const sh_host *h = d->f.h;
    static const char *const alias[] = {"HostedZoneId", "DNSName", "EvaluateTargetHealth"};
    add_change(d, b, "DELETE", h->doc_string(s, "Name"), h->doc_string(s, "Type"));
    field(d, b, "ResourceRecordSet.TTL", h->doc_string(s, "TTL"));
    for (size_t i = 0; i < h->doc_count(s, "ResourceRecords.ResourceRecord"); i++)
        field(d, b, shc_text(h, d->f.ctx, "ResourceRecordSet.ResourceRecords.ResourceRecord[%zu].Value", i),
              shc_str(h, s, "ResourceRecords.ResourceRecord[%zu].Value", i));
    for (size_t i = 0; i < 3; i++)
        field(d, b, shc_text(h, d->f.ctx, "ResourceRecordSet.AliasTarget.%s", alias[i]),
              shc_str(h, s, "AliasTarget.%s", alias[i]));
}

static int in_sync(void *arg, char *progress, size_t len)
{
    struct dns *d = arg;
    const sh_doc *out;
    if (d->f.h->aws_call(d->f.ctx, "route53", "GetChange", shc_json(&d->f, "{'Id': '%s'}", d->change_id), &out)) {
        d->f.h->fail(d->f.ctx, SH_ERR_AWS, "%s", d->f.h->aws_error_text(d->f.ctx));
        return -1;
    }
    const char *status = d->f.h->doc_string(out, "ChangeInfo.Status");
    snprintf(progress, len, "%s", status ? status : "no status");
    return status && !strcmp(status, "INSYNC");
}

static int sent(void *arg, const sh_doc *out)
{
    struct dns *d = arg;
    const char *id = d->f.h->doc_string(out, "ChangeInfo.Id");
    snprintf(d->change_id, sizeof(d->change_id), "%s", id && strrchr(id, '/') ? strrchr(id, '/') + 1 : id ? id : "");
    return 0;
}

/* Sends the batch and waits until every Route 53 server has it. In a plan
 * (and outputs) the queue sends nothing and nothing is awaited: the lines
 * say what a deploy would do. A lost answer ends the pass (the frame's
 * queue says lost): the lifecycle starts the next from the reads. */
static int apply(struct dns *d, struct batch *b)
{
    shc_queue_add(&d->f.q, "route53", "ChangeResourceRecordSets", b->in, NULL,
                  shc_text(d->f.h, d->f.ctx, "changing zone %s", d->zone), sent, d);
    if (shc_wave(&d->f))
        return -1;
    if (!d->change_id[0])
        return 0;
    return shc_wait(&d->f, "the change of zone to be in sync", WAIT_SECONDS, in_sync, d);
}

/* ---- the callbacks ---- */

/* The zone, read whole; -1 after recording that it is not there. */
static int read_zone(struct dns *d)
{
    if (find_zone(d))
        return -1;
    if (!d->zone_id)
        return shc_fail(&d->f, SH_ERR_CONFIG, "no public hosted zone %s in account %s: create it (dns keeps "
                        "records in it, never the zone itself) or set dns.zone", d->zone, d->f.h->account_id(d->f.ctx));
    return list_zone(d);
}

/* Deletes the pair whose TXT record is txt (and its A record, if any). */
static void delete_pair(struct dns *d, struct batch *b, const sh_doc *txt)
{
    const sh_doc *a = find_set(d, d->f.h->doc_string(txt, "Name"), "A");
    if (a)
        delete_set(d, b, a);
    delete_set(d, b, txt);
}

static void report_deleted(struct dns *d, const sh_doc *txt, const char *why)
{
    d->f.h->report(d->f.ctx, SH_CHANGE_DELETE, shc_text(d->f.h, d->f.ctx, "dns record %s", d->f.h->doc_string(txt, "Name")),
                   why);
}

static int converge(shc_frame *f)
{
    struct dns *d = (struct dns *)f;
    const sh_host *h = f->h;
    sh_ctx *ctx = f->ctx;
    /* in a plan before lb's first deploy none (not an error); in a deploy lb published them */
    const char *alb_dns = shc_input(f, "lb", "alb_dns_name", d->line.label);
    const char *alb_arn = shc_input(f, "lb", "alb_arn", d->line.label);
    if (f->failed || read_zone(d))
        return -1;
    const sh_doc *a = find_set(d, d->record, "A"), *txt = find_set(d, d->record, "TXT");
    if ((a || txt) && !is_ours(d, txt, NULL))
        return shc_fail(f, SH_ERR_CONFIG, "%s already has %s record that is not this stack's (no TXT record %s "
                        "beside it): choose another dns.record, or remove that record", d->record,
                        a ? "an A" : "a TXT", d->owner);
    if (!alb_dns || !alb_arn) { /* a plan of a stack not deployed yet */
        shc_line_note(&d->line, SH_CHANGE_CREATE, "alias to the load balancer lb makes, and its owner TXT");
        shc_line_report(h, ctx, &d->line);
        return 0;
    }
    /* the alias names the load balancer's own hosted zone */
    sh_doc *in = shc_json(f, "{'LoadBalancerArns': ['%s']}", alb_arn);
    const sh_doc *lbs;
    if (h->aws_call(ctx, "elbv2", "DescribeLoadBalancers", in, &lbs))
        return shc_fail(f, SH_ERR_AWS, "reading the load balancer: %s", h->aws_error_text(ctx));
    const char *alb_zone = h->doc_string(lbs, "LoadBalancers.member[0].CanonicalHostedZoneId");
    const char *want = shc_text(h, ctx, "%s%s", alb_dns, alb_dns[strlen(alb_dns) - 1] == '.' ? "" : ".");
    const char *have = a ? h->doc_string(a, "AliasTarget.DNSName") : NULL;
    struct owned moved = {{NULL}, 0};
    each_set(d, collect_ours, &moved);
    struct batch b = {h->doc_new(ctx), 0};
    for (size_t i = 0; i < moved.n; i++) { /* a record moved: the old pair goes */
        if (!strcasecmp(h->doc_string(moved.txt[i], "Name"), d->record))
            moved.txt[i] = NULL;
        else
            delete_pair(d, &b, moved.txt[i]);
    }
    int same = have && !strcasecmp(have, want) && txt;
    if (!same) {
        add_change(d, &b, "UPSERT", d->record, "A");
        field(d, &b, "ResourceRecordSet.AliasTarget.HostedZoneId", alb_zone ? alb_zone : "");
        field(d, &b, "ResourceRecordSet.AliasTarget.DNSName", want);
        field(d, &b, "ResourceRecordSet.AliasTarget.EvaluateTargetHealth", "false");
        add_change(d, &b, "UPSERT", d->record, "TXT");
        field(d, &b, "ResourceRecordSet.TTL", "300");
        field(d, &b, "ResourceRecordSet.ResourceRecords.ResourceRecord[0].Value", d->owner);
    }
    h->doc_set_string(b.in, "Id", d->zone_id);
    if (b.n && apply(d, &b))
        return -1;
    for (size_t i = 0; i < moved.n; i++)
        if (moved.txt[i])
            report_deleted(d, moved.txt[i], "dns.record moved");
    if (!same)
        shc_line_diff(h, ctx, &d->line, a ? SH_CHANGE_UPDATE : SH_CHANGE_CREATE, "alias", have, want);
    shc_line_report(h, ctx, &d->line);
    return 0;
}

static sh_status publish(shc_frame *f)
{
    struct dns *d = (struct dns *)f;
    return f->h->output_string(f->ctx, "url", shc_text(f->h, f->ctx, "http://%.*s", (int)strlen(d->record) - 1,
                                                       d->record));
}

/* Every pair of ours in the zone, deleted together; nothing else. A zone
 * that is gone holds nothing of ours. */
static int remove_ours(shc_frame *f, size_t *found)
{
    struct dns *d = (struct dns *)f;
    if (find_zone(d) || (d->zone_id && list_zone(d)))
        return -1;
    struct owned ours = {{NULL}, 0};
    each_set(d, collect_ours, &ours);
    struct batch b = {f->h->doc_new(f->ctx), 0};
    f->h->doc_set_string(b.in, "Id", d->zone_id ? d->zone_id : "");
    for (size_t i = 0; i < ours.n; i++)
        delete_pair(d, &b, ours.txt[i]);
    *found = ours.n;
    if (b.n && apply(d, &b))
        return -1;
    for (size_t i = 0; i < ours.n; i++)
        report_deleted(d, ours.txt[i], NULL);
    return 0;
}

static const shc_lifecycle dns_lifecycle = {
    .size = sizeof(struct dns), .load = load, .begin = begin, .converge = converge, .publish = publish,
    .destroy = remove_ours, .destroy_what = "the stack's dns records"};

SHC_LIFECYCLE(dns, dns_lifecycle)

static const char *const dns_requires[] = {"lb", NULL};
static const char *const dns_publishes[] = {"url", NULL};
static const sh_resource_decl dns_resources[] = {
    {"record", "dns record (alias A and owner TXT) in zone", SH_AFTER("lb.alb")},
    {NULL, NULL, NULL}};

SH_PLUGIN_EXPORT = {
    SH_PLUGIN_ABI,
    .name = "dns",
    .version = "1.0.0",
    .description = "a Route 53 alias record for the load balancer, in an existing zone",
    .requires = dns_requires,
    .keys = dns_keys,
    SHC_CALLBACKS(dns),
    .resources = dns_resources,
    .publishes = dns_publishes,
    .services = dns_services,
};
