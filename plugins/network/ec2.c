#define _POSIX_C_SOURCE 200809L /* nanosleep */
/* EC2 helpers of the network plugin: requests, names and tags, and
 * finding a resource by its name among those this stack owns. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "net.h"

sh_doc *net_req(struct net *n)
{
    return n->h->doc_new(n->ctx);
}

void net_set(struct net *n, sh_doc *d, const char *value, const char *path_fmt, ...)
{
    char path[256];
    va_list ap;
    va_start(ap, path_fmt);
    vsnprintf(path, sizeof(path), path_fmt, ap);
    va_end(ap);
    n->h->doc_set_string(d, path, value);
}

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
    return n->h->resource_name(n->ctx, type, p);
}

void net_tag_spec(struct net *n, sh_doc *d, const char *resource_type, const char *name)
{
    const char *const *keys, *const *values;
    size_t count = n->h->tags(n->ctx, &keys, &values);
    net_set(n, d, resource_type, "TagSpecification[0].ResourceType");
    net_set(n, d, "Name", "TagSpecification[0].Tag[0].Key");
    net_set(n, d, name, "TagSpecification[0].Tag[0].Value");
    for (size_t i = 0; i < count; i++) {
        net_set(n, d, keys[i], "TagSpecification[0].Tag[%zu].Key", i + 1);
        net_set(n, d, values[i], "TagSpecification[0].Tag[%zu].Value", i + 1);
    }
}

const char *net_tag(struct net *n, const sh_doc *item, const char *key)
{
    size_t count = n->h->doc_count(item, "tagSet.item");
    char path[64];
    for (size_t i = 0; i < count; i++) {
        snprintf(path, sizeof(path), "tagSet.item[%zu].key", i);
        const char *k = n->h->doc_string(item, path);
        if (k && !strcmp(k, key)) {
            snprintf(path, sizeof(path), "tagSet.item[%zu].value", i);
            return n->h->doc_string(item, path);
        }
    }
    return NULL;
}

int net_owned(struct net *n, const sh_doc *item)
{
    const char *project = net_tag(n, item, "Project"), *env = net_tag(n, item, "Environment"),
               *by = net_tag(n, item, "ManagedBy");
    return project && env && by && !strcmp(project, n->stack) && !strcmp(env, n->h->environment(n->ctx)) &&
           !strcmp(by, "stackhost");
}

int net_call(struct net *n, const char *op, const sh_doc *in, const sh_doc **out, const char *what)
{
    if (n->h->aws_call(n->ctx, "ec2", op, in, out) == SH_OK)
        return 0;
    n->h->fail(n->ctx, SH_ERR_AWS, "%s: %s", what, n->h->aws_error_text(n->ctx));
    return -1;
}

static int state_skipped(const char *state, const char *skip)
{
    if (!state || !skip)
        return 0;
    size_t len = strlen(state);
    for (const char *p = skip; *p;) {
        size_t l = strcspn(p, "|");
        if (l == len && !strncmp(p, state, len))
            return 1;
        p += l + (p[l] == '|');
    }
    return 0;
}

int net_find(struct net *n, const char *op, const char *items_path, sh_doc *in, const char *kind, const char *name,
             const char *skip_states, const sh_doc **item)
{
    if (!in)
        in = net_req(n);
    /* Filters are a dict by name in moto: one Filter per name. */
    size_t f = n->h->doc_count(in, "Filter");
    net_set(n, in, "tag:Name", "Filter[%zu].Name", f);
    net_set(n, in, name, "Filter[%zu].Value[0]", f);
    const sh_doc *out;
    if (n->h->aws_call_all(n->ctx, "ec2", op, in, items_path, &out) != SH_OK) {
        n->h->fail(n->ctx, SH_ERR_AWS, "finding %s %s: %s", kind, name, n->h->aws_error_text(n->ctx));
        return -1;
    }
    size_t count = n->h->doc_count(out, items_path);
    const sh_doc *mine = NULL, *foreign = NULL;
    int owned = 0;
    char path[128];
    for (size_t i = 0; i < count; i++) {
        snprintf(path, sizeof(path), "%s[%zu]", items_path, i);
        const sh_doc *it = n->h->doc_get(out, path);
        const char *nm = net_tag(n, it, "Name");
        /* Re-check the name: some filters are ignored (moto's NAT gateways). */
        if (!nm || strcmp(nm, name) || state_skipped(n->h->doc_string(it, "state"), skip_states))
            continue;
        if (net_owned(n, it)) {
            mine = it;
            owned++;
        } else {
            foreign = it;
        }
    }
    if (owned > 1) {
        n->h->fail(n->ctx, SH_ERR_CONFLICT,
                   "%d %ss are named %s and carry this stack's tags: delete the extra ones (a retried create can "
                   "leave one), then deploy again", owned, kind, name);
        return -1;
    }
    if (!mine && foreign) {
        n->h->fail(n->ctx, SH_ERR_CONFLICT,
                   "a %s named %s exists without this stack's ownership tags (Project=%s, Environment=%s, "
                   "ManagedBy=stackhost): stackhost did not make it and will not touch it; rename or delete it, "
                   "or add the tags to adopt it",
                   kind, name, n->stack, n->h->environment(n->ctx));
        return -1;
    }
    *item = mine;
    return mine ? 1 : 0;
}

int net_find_in_vpc(struct net *n, const char *op, const char *items_path, const char *kind, const char *name,
                    const char *skip_states, const sh_doc **item)
{
    *item = NULL;
    if (!n->vpc[0])
        return 0;
    sh_doc *in = net_req(n);
    net_set(n, in, "vpc-id", "Filter[0].Name");
    net_set(n, in, n->vpc, "Filter[0].Value[0]");
    return net_find(n, op, items_path, in, kind, name, skip_states, item);
}

int net_find_eip(struct net *n, char letter, const char **name, const sh_doc **item)
{
    char purpose[16];
    snprintf(purpose, sizeof(purpose), "nat-%c", letter);
    *name = net_name(n, "eip", purpose);
    sh_doc *in = net_req(n);
    net_set(n, in, "domain", "Filter[0].Name");
    net_set(n, in, "vpc", "Filter[0].Value[0]");
    return net_find(n, "DescribeAddresses", "addressesSet.item", in, "elastic ip", *name, NULL, item);
}

int net_settle(struct net *n, const sh_doc *item, const char *id, const char *label, const char *name, int changed)
{
    int t = net_converge_tags(n, item, id, label, name);
    if (t < 0)
        return -1;
    if (!changed && !t)
        net_report(n, SH_CHANGE_NONE, label, NULL);
    return 0;
}

int net_converge_tags(struct net *n, const sh_doc *item, const char *id, const char *label, const char *name)
{
    const char *const *keys, *const *values;
    size_t count = n->h->tags(n->ctx, &keys, &values);
    sh_doc *in = net_req(n);
    char detail[256] = "";
    size_t k = 0;
    for (size_t i = 0; i <= count; i++) {
        const char *key = i ? keys[i - 1] : "Name", *want = i ? values[i - 1] : name;
        const char *have = net_tag(n, item, key);
        if (have && !strcmp(have, want))
            continue;
        net_set(n, in, key, "Tag[%zu].Key", k);
        net_set(n, in, want, "Tag[%zu].Value", k);
        k++;
        size_t used = strlen(detail);
        snprintf(detail + used, sizeof(detail) - used, "%stag %s", used ? ", " : "", key);
    }
    if (!k)
        return 0;
    if (!n->plan) {
        net_set(n, in, id, "ResourceId[0]");
        const sh_doc *out;
        if (net_call(n, "CreateTags", in, &out, label))
            return -1;
    }
    net_report(n, SH_CHANGE_UPDATE, label, detail);
    return 0;
}

void net_report(struct net *n, sh_change change, const char *label, const char *detail)
{
    n->h->report(n->ctx, change, label, detail);
}

void net_sleep(struct net *n, int seconds)
{
    for (int i = 0; i < seconds * 10 && !n->h->cancelled(n->ctx); i++) {
        struct timespec ts = {0, 100 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

int net_wait(struct net *n, const char *what, int timeout, int (*done)(struct net *n, void *arg, char *progress, size_t len),
             void *arg)
{
    time_t start = time(NULL);
    int delay = 2;
    for (;;) {
        char progress[256] = "";
        int rc = done(n, arg, progress, sizeof(progress));
        if (rc)
            return rc > 0 ? 0 : -1;
        long waited = (long)(time(NULL) - start);
        if (waited >= timeout) {
            n->h->fail(n->ctx, SH_ERR_TIMEOUT, "waited %lds for %s (%s): giving up; run deploy again to continue",
                       waited, what, progress);
            return -1;
        }
        if (n->h->cancelled(n->ctx)) {
            n->h->fail(n->ctx, SH_ERR_CANCELLED, "stopped waiting for %s (%s)", what, progress);
            return -1;
        }
        n->h->log(n->ctx, SH_LOG_INFO, "waiting for %s: %s (%lds)", what, progress, waited);
        net_sleep(n, delay);
        delay = delay * 2 > 15 ? 15 : delay * 2;
    }
}
