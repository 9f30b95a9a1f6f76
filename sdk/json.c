/* Request documents written as JSON templates (shc_json): the document a
 * call sends reads as the document, not as one setter a member. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stackhost/lifecycle.h>

#define DEPTH 32

struct out {
    char *buf;
    size_t len, alloc;
    int nomem;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->nomem)
        return;
    if (o->len + n + 1 > o->alloc) {
        size_t alloc = (o->len + n + 1) * 2;
        char *b = realloc(o->buf, alloc);
        if (!b) {
            o->nomem = 1;
            return;
        }
        o->buf = b;
        o->alloc = alloc;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

/* Text inside a JSON string: quotes, backslashes and control characters
 * escaped. */
static void put_escaped(struct out *o, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            put(o, esc, 2);
        } else if (c < 0x20) {
            snprintf(esc, sizeof(esc), "\\u%04x", c);
            put(o, esc, 6);
        } else {
            put(o, (const char *)&c, 1);
        }
    }
}

/* One printf conversion at *p (after its '%'): *value is its text (a
 * plain %s: the argument itself; else text, or *heap when a %s with a
 * width or precision needs more), *null set for a NULL %s. Returns -1 for
 * a conversion it does not know. */
static int convert(const char **p, va_list *ap, char *text, size_t len, const char **value, char **heap, int *null)
{
    char spec[32] = "%";
    size_t k = 1;
    const char *s = *p;
    while (*s && strchr("-+ #0123456789.", *s) && k < 20)
        spec[k++] = *s++;
    char length[3] = "";
    if ((s[0] == 'l' && s[1] == 'l') || (s[0] == 'h' && s[1] == 'h'))
        memcpy(length, s, 2), s += 2;
    else if (*s && strchr("lzjt", *s))
        length[0] = *s++;
    memcpy(spec + k, length, strlen(length));
    k += strlen(length);
    char conv = *s++;
    spec[k++] = conv;
    spec[k] = '\0';
    *p = s;
    *null = 0;
    *value = text;
    if (conv == 's') {
        const char *v = va_arg(*ap, const char *);
        *null = !v;
        *value = v ? v : "";
        if (k == 2) /* "%s": any length, as it is */
            return 0;
        int n = snprintf(NULL, 0, spec, *value);
        *heap = n >= 0 ? malloc((size_t)n + 1) : NULL;
        if (!*heap)
            return -1;
        snprintf(*heap, (size_t)n + 1, spec, *value);
        *value = *heap;
    } else if (conv && strchr("di", conv)) {
        if (!strcmp(length, "ll"))
            snprintf(text, len, spec, va_arg(*ap, long long));
        else if (!strcmp(length, "l"))
            snprintf(text, len, spec, va_arg(*ap, long));
        else if (!strcmp(length, "z") || !strcmp(length, "t") || !strcmp(length, "j"))
            snprintf(text, len, spec, va_arg(*ap, long long));
        else
            snprintf(text, len, spec, va_arg(*ap, int));
    } else if (conv && strchr("uxX", conv)) {
        if (!strcmp(length, "z"))
            snprintf(text, len, spec, va_arg(*ap, size_t));
        else if (!strcmp(length, "ll") || !strcmp(length, "j"))
            snprintf(text, len, spec, va_arg(*ap, unsigned long long));
        else if (!strcmp(length, "l"))
            snprintf(text, len, spec, va_arg(*ap, unsigned long));
        else
            snprintf(text, len, spec, va_arg(*ap, unsigned));
    } else if (conv && strchr("fge", conv)) {
        snprintf(text, len, spec, va_arg(*ap, double));
    } else {
        return -1;
    }
    return 0;
}

/* Drops the member (or item) being written, whose whole value was a NULL
 * %s: the output goes back to where it began, the template on to the
 * next ',' or the container's end (a first member's comma goes too). */
static void drop_member(struct out *o, size_t start, const char **p)
{
    o->len = start;
    if (o->buf)
        o->buf[start] = '\0';
    const char *s = *p;
    while (*s == ' ')
        s++;
    int first = start > 0 && (o->buf[start - 1] == '{' || o->buf[start - 1] == '[');
    if (*s == ',' && first)
        s++;
    *p = s;
}

static char *render(const char *tmpl, va_list *ap, const char **why)
{
    struct out o = {NULL, 0, 0, 0};
    /* each open container: where its current member began in the output,
     * and whether a member of it was left out */
    size_t start[DEPTH] = {0};
    int dropped[DEPTH] = {0};
    int depth = 0, quoted = 0;
    put(&o, "", 0);
    for (const char *p = tmpl; *p;) {
        char c = *p++;
        if (c == '\'') {
            quoted = !quoted;
            put(&o, "\"", 1);
        } else if (c == '\\' && quoted && *p == '\'') {
            put(&o, p++, 1);
        } else if (c == '"') {
            put(&o, quoted ? "\\\"" : "\"", quoted ? 2 : 1);
        } else if (c == '%' && *p == '%') {
            put(&o, p++, 1);
        } else if (c == '%') {
            char text[128], *heap = NULL;
            const char *value;
            int null;
            int whole = quoted ? p >= tmpl + 2 && p[-2] == '\'' : 1;
            if (convert(&p, ap, text, sizeof(text), &value, &heap, &null)) {
                *why = "a conversion other than s, d, i, u, x, f, g, e";
                free(o.buf);
                return NULL;
            }
            whole = whole && (!quoted || *p == '\'');
            if (null && whole && depth > 0) {
                if (quoted) {
                    p++;
                    quoted = 0;
                }
                drop_member(&o, start[depth - 1], &p);
                dropped[depth - 1] = 1;
            } else if (quoted) {
                put_escaped(&o, value);
            } else {
                put(&o, null ? "null" : value, strlen(null ? "null" : value));
            }
            free(heap);
        } else {
            if (!quoted && (c == '{' || c == '[')) {
                if (depth == DEPTH) {
                    *why = "nesting deeper than 32";
                    free(o.buf);
                    return NULL;
                }
                put(&o, &c, 1);
                dropped[depth] = 0;
                start[depth++] = o.len;
                continue;
            }
            if (!quoted && (c == '}' || c == ']') && depth > 0) {
                depth--;
                /* a container emptied by what was left out goes too:
                 * absent, as its members were */
                if (dropped[depth] && depth > 0 && (o.buf[o.len - 1] == '{' || o.buf[o.len - 1] == '[')) {
                    drop_member(&o, start[depth - 1], &p);
                    dropped[depth - 1] = 1;
                    continue;
                }
            }
            if (!quoted && c == ',' && depth > 0)
                start[depth - 1] = o.len;
            put(&o, &c, 1);
        }
    }
    if (o.nomem) {
        *why = "no memory";
        free(o.buf);
        return NULL;
    }
    return o.buf;
}

sh_doc *shc_docv(const sh_host *h, sh_ctx *ctx, const char *tmpl, va_list args)
{
    va_list ap;
    va_copy(ap, args);
    const char *why = "it is not JSON once filled in";
    char *text = render(tmpl, &ap, &why);
    va_end(ap);
    sh_doc *d = text && SH_HOST_HAS(h, doc_parse) ? h->doc_parse(ctx, text) : NULL;
    free(text);
    if (d)
        return d;
    /* the values are not named: they may be secrets */
    h->fail(ctx, SH_ERR, "plugin bug: the request template %s: %s", tmpl, why);
    return h->doc_new(ctx);
}

sh_doc *shc_docf(const sh_host *h, sh_ctx *ctx, const char *tmpl, ...)
{
    va_list ap;
    va_start(ap, tmpl);
    sh_doc *d = shc_docv(h, ctx, tmpl, ap);
    va_end(ap);
    return d;
}

sh_doc *shc_json(const shc_frame *f, const char *tmpl, ...)
{
    va_list ap;
    va_start(ap, tmpl);
    sh_doc *d = shc_docv(f->h, f->ctx, tmpl, ap);
    va_end(ap);
    return d;
}
