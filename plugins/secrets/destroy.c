/* secrets: removing the parameters this stack owns: those under
 * /{stack}/{env}/ carrying its ownership tags (found by SSM's tag
 * filters, so one removed from the configuration goes too), deleted 10 a
 * request, all together. A name already gone is gone; destroy ends with
 * a lookup, and looks again until nothing owned is listed. */
#include <stdio.h>

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

/* Deletes what the lookup listed; *found gets how many. */
int sec_destroy_pass(shc_frame *f, size_t *found)
{
    struct sec *s = (struct sec *)f;
    const sh_doc *out;
    if (lookup_owned(s, &out))
        return -1;
    size_t count = s->f.h->doc_count(out, "Parameters");
    *found = count;
    /* deleted, or listed as InvalidParameters: gone either way (the final lookup tells) */
    for (size_t k = 0; k < count; k += SEC_PER_REQUEST) {
        sh_doc *in = shc_doc(f);
        const char *labels[SEC_PER_REQUEST];
        size_t n = 0;
        for (size_t i = k; i < count && i < k + SEC_PER_REQUEST; i++) {
            const char *name = shc_str(s->f.h, out, "Parameters[%zu].Name", i);
            shc_set(f, in, name, "Names[%zu]", n);
            labels[n++] = sec_label(s, name);
        }
        shc_delete_each(&f->q, "the stack's parameters", labels, n, "ssm", "DeleteParameters", in, "ParameterNotFound");
    }
    return shc_wave(f);
}
