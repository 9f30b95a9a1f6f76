#define _POSIX_C_SOURCE 200809L /* nanosleep */
/* secrets: removing the parameters this stack owns: those under
 * /{stack}/{env}/ carrying its ownership tags (found by SSM's tag
 * filters, so one removed from the configuration goes too), deleted 10 a
 * request, all together. A name already gone is gone; destroy ends with
 * a lookup, and looks again until nothing owned is listed. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sec.h"


static void filter(struct sec *s, sh_doc *in, size_t i, const char *key, const char *option, const char *value)
{
    shc_set(&s->f, in, key, "ParameterFilters[%zu].Key", i);
    shc_set(&s->f, in, option, "ParameterFilters[%zu].Option", i);
    shc_set(&s->f, in, value, "ParameterFilters[%zu].Values[0]", i);
}

/* DescribeParameters: metadata only, never a value. */
static int lookup_owned(struct sec *s, const sh_doc **out)
{
    char under[SEC_NAME];
    snprintf(under, sizeof(under), "/%s/%s", s->f.h->stack_name(s->f.ctx), s->f.h->environment(s->f.ctx));
    sh_doc *in = s->f.h->doc_new(s->f.ctx);
    filter(s, in, 0, "Path", "Recursive", under);
    filter(s, in, 1, "tag:Project", "Equals", s->f.h->stack_name(s->f.ctx));
    filter(s, in, 2, "tag:Environment", "Equals", s->f.h->environment(s->f.ctx));
    filter(s, in, 3, "tag:ManagedBy", "Equals", "stackhost");
    if (s->f.h->aws_call_all(s->f.ctx, "ssm", "DescribeParameters", in, "Parameters", out) != SH_OK) {
        s->f.h->fail(s->f.ctx, SH_ERR_AWS, "looking up the stack's parameters: %s", s->f.h->aws_error_text(s->f.ctx));
        return -1;
    }
    return 0;
}

struct deleted {
    struct sec *s;
    const char *names[SEC_PER_REQUEST];
    size_t n;
};

static int report_deleted(void *arg, const sh_doc *out)
{
    struct deleted *d = arg;
    (void)out; /* deleted, or listed as InvalidParameters: gone either way (the final lookup tells) */
    for (size_t i = 0; i < d->n; i++)
        d->s->f.h->report(d->s->f.ctx, SH_CHANGE_DELETE, sec_label(d->s, d->names[i]), NULL);
    return 0;
}

/* Deletes what the lookup listed; *found gets how many. */
int sec_destroy_pass(shc_frame *f, size_t *found)
{
    struct sec *s = (struct sec *)f;
    const sh_doc *out;
    if (lookup_owned(s, &out))
        return -1;
    size_t count = s->f.h->doc_count(out, "Parameters"), chunks = (count + SEC_PER_REQUEST - 1) / SEC_PER_REQUEST;
    *found = count;
    if (s->f.plan) {
        for (size_t i = 0; i < count; i++)
            s->f.h->report(s->f.ctx, SH_CHANGE_DELETE,
                         sec_label(s, shc_str(s->f.h, out, "Parameters[%zu].Name", i)),
                         NULL);
        return 0;
    }
    struct deleted *d = calloc(chunks ? chunks : 1, sizeof(*d));
    if (!d) {
        s->f.h->fail(s->f.ctx, SH_ERR, "out of memory");
        return -1;
    }
    for (size_t k = 0; k < chunks; k++) {
        sh_doc *in = s->f.h->doc_new(s->f.ctx);
        d[k].s = s;
        for (size_t i = k * SEC_PER_REQUEST; i < count && i < (k + 1) * SEC_PER_REQUEST; i++) {
            const char *name = shc_str(s->f.h, out, "Parameters[%zu].Name", i);
            shc_set(&s->f, in, name, "Names[%zu]", d[k].n);
            d[k].names[d[k].n++] = name;
        }
        shc_queue_add_accepting(&s->f.q, "ssm", "DeleteParameters", in, "the stack's parameters", "ParameterNotFound",
                                report_deleted, &d[k]);
    }
    int rc = shc_wave(f);
    free(d);
    return rc;
}
