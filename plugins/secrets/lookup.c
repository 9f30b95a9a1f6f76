/* secrets: the lookups of one pass, every name in one wave (GetParameters:
 * it lists the missing ones as InvalidParameters), then the tags of the
 * ones that exist in one more; and the ownership rule. Only the values a
 * run compares are asked decrypted (those whose variable is set): a
 * generated one is never compared, so a plan role needs no kms:Decrypt
 * for it, and its value never enters the process. */
#include <stdlib.h>
#include <string.h>

#include "sec.h"


struct answers {
    struct sec *s;
    const sh_doc *out;
};

/* Registers every value of a GetParameters answer before anything else
 * can see it, and keeps the answer. */
static int read_values(void *arg, const sh_doc *out)
{
    struct answers *a = arg;
    size_t count = a->s->f.h->doc_count(out, "Parameters");
    for (size_t i = 0; i < count; i++) {
        const char *value = shc_str(a->s->f.h, out, "Parameters[%zu].Value", i);
        if (value && *value)
            a->s->f.h->redact(a->s->f.ctx, value);
    }
    a->out = out;
    return 0;
}

static int store_tags(void *arg, const sh_doc *out)
{
    struct sec_param *p = arg;
    p->tags = out;
    return 0;
}

static void find(struct sec *s, const struct answers *a, size_t nanswers)
{
    for (size_t k = 0; k < nanswers; k++) {
        size_t count = s->f.h->doc_count(a[k].out, "Parameters");
        for (size_t i = 0; i < count; i++) {
            const sh_doc *item = shc_node(s->f.h, a[k].out, "Parameters[%zu]", i);
            const char *name = s->f.h->doc_string(item, "Name");
            for (size_t j = 0; name && j < s->n; j++)
                if (!strcmp(name, s->p[j].path))
                    s->p[j].found = item;
        }
    }
}

/* Queues GetParameters of the parameters whose value is compared (their
 * variable is set) when decrypt, else of the others, SEC_PER_REQUEST names
 * a request; answers land in a[*k], a[*k + 1], ... */
static void queue_reads(struct sec *s, int decrypt, struct answers *a, size_t *k)
{
    sh_doc *in = NULL;
    size_t names = 0;
    for (size_t i = 0; i <= s->n; i++) {
        if (in && (i == s->n || names == SEC_PER_REQUEST)) {
            a[*k].s = s;
            shc_queue_add(&s->f.q, "ssm", "GetParameters", in, NULL, "the stack's parameters", read_values, &a[*k]);
            ++*k;
            in = NULL;
        }
        if (i == s->n || (s->p[i].env_value != NULL) != decrypt)
            continue;
        if (!in) {
            in = shc_json(&s->f, "{'WithDecryption': %s}", decrypt ? "true" : "false");
            names = 0;
        }
        shc_set(&s->f, in, s->p[i].path, "Names[%zu]", names++);
    }
}

int sec_lookup(struct sec *s)
{
    /* two groups, each in requests of SEC_PER_REQUEST names */
    struct answers *a = calloc(s->n / SEC_PER_REQUEST + 2, sizeof(*a));
    if (!a) {
        s->f.h->fail(s->f.ctx, SH_ERR, "out of memory");
        return -1;
    }
    size_t nanswers = 0;
    queue_reads(s, 1, a, &nanswers);
    queue_reads(s, 0, a, &nanswers);
    int rc = shc_wave(&s->f);
    if (!rc)
        find(s, a, nanswers);
    free(a);
    if (rc)
        return -1;
    for (size_t i = 0; i < s->n; i++) {
        if (!s->p[i].found)
            continue;
        sh_doc *in = shc_json(&s->f, "{'ResourceType': 'Parameter', 'ResourceId': '%s'}", s->p[i].path);
        shc_queue_add(&s->f.q, "ssm", "ListTagsForResource", in, NULL, s->p[i].path, store_tags, &s->p[i]);
    }
    return shc_wave(&s->f);
}

const char *sec_stored(const struct sec *s, const struct sec_param *p)
{
    return p->found ? s->f.h->doc_string(p->found, "Value") : NULL;
}

int sec_owned(const struct sec *s, const struct sec_param *p)
{
    return p->tags && shc_owned(s->f.h, s->f.ctx, p->tags, &shc_tags_ssm);
}

