/* Request documents written as JSON templates (shc_json): the document a
 * call sends reads as the document, not as one setter a member. The text
 * may hold a secret (a parameter's value): every buffer is wiped before
 * it is freed, as the host wipes its own. */
#define _DEFAULT_SOURCE /* explicit_bzero */
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

static void wipe_free(char *buf, size_t len)
{
    if (buf)
        explicit_bzero(buf, len);
    free(buf);
}

static void put(struct out *o, const char *s, size_t n)
{
    if (o->nomem)
        return;
    if (o->len + n + 1 > o->alloc) {
        size_t alloc = (o->len + n + 1) * 2;
        char *b = malloc(alloc); /* not realloc: the old block is wiped */
        if (!b) {
            o->nomem = 1;
            return;
        }
        if (o->buf)
            memcpy(b, o->buf, o->len + 1);
        wipe_free(o->buf, o->alloc);
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
static int convert(const char **p, va_list *ap, char *text, size_t len, const char **value, char **heap,
                   size_t *heap_len, int *null)
{
    char spec[32] = "%";
    size_t k = 1;
    const char *s = *p;
    while (*s && strchr("-+ #0123456789.", *s) && k < 20)
        spec[k++] = *s++;
    char length[3] = "";
    if (s[0] == 'l' && s[1] == 'l')
        memcpy(length, s, 2), s += 2;
    else if (*s && strchr("lz", *s))
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
        *heap_len = (size_t)n + 1;
        snprintf(*heap, (size_t)n + 1, spec, *value);
        *value = *heap;
    } else if (conv && strchr("di", conv) && strcmp(length, "z")) {
        if (!strcmp(length, "ll"))
            snprintf(text, len, spec, va_arg(*ap, long long));
        else if (!strcmp(length, "l"))
            snprintf(text, len, spec, va_arg(*ap, long));
        else
            snprintf(text, len, spec, va_arg(*ap, int));
    } else if (conv && strchr("uxX", conv)) {
        if (!strcmp(length, "z"))
            snprintf(text, len, spec, va_arg(*ap, size_t));
        else if (!strcmp(length, "ll"))
            snprintf(text, len, spec, va_arg(*ap, unsigned long long));
        else if (!strcmp(length, "l"))
            snprintf(text, len, spec, va_arg(*ap, unsigned long));
        else
            snprintf(text, len, spec, va_arg(*ap, unsigned));
    } else if (conv && strchr("fge", conv) && !length[0]) {
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

/* The template filled in, as JSON text (heap; wiped and freed by the
 * caller), or NULL with why. */
static char *render(const char *tmpl, va_list *ap, size_t *alloc, const char **why)
{
    struct out o = {NULL, 0, 0, 0};
    /* each open container: where its current member began in the output,
     * and whether a member of it was left out */
    size_t start[DEPTH] = {0};
    int dropped[DEPTH] = {0};
    int depth = 0, quoted = 0;
    put(&o, "", 0);
    for (const char *p = tmpl; *p && !*why;) {
        char c = *p++;
        if (c == '\'') {
            quoted = !quoted;
            put(&o, "\"", 1);
        } else if (c == '\\' && quoted && *p == '\'') {
            put(&o, p++, 1);
        } else if (c == '\\' && quoted && *p) { /* a JSON escape: \\, \n, \u0041 */
            put(&o, p - 1, 2);
            p++;
        } else if (c == '"') {
            if (!quoted)
                *why = "a double quote outside a string: strings are written in single quotes";
            put(&o, "\\\"", 2);
        } else if (c == '%' && *p == '%') {
            put(&o, p++, 1);
        } else if (c == '%') {
            char text[128], *heap = NULL;
            size_t heap_len = 0;
            const char *value;
            int null;
            int whole = quoted ? p >= tmpl + 2 && p[-2] == '\'' && (p < tmpl + 3 || p[-3] != '\\') : 1;
            if (convert(&p, ap, text, sizeof(text), &value, &heap, &heap_len, &null)) {
                *why = "a conversion other than s, d, i, u, x, f, g, e (lengths l, ll, z)";
                break;
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
            wipe_free(heap, heap_len);
        } else if (!quoted && (c == '{' || c == '[')) {
            if (depth == DEPTH) {
                *why = "nesting deeper than 32";
                break;
            }
            put(&o, &c, 1);
            dropped[depth] = 0;
            start[depth++] = o.len;
        } else {
            if (!quoted && (c == '}' || c == ']') && depth > 0) {
                depth--;
                /* a container emptied by what was left out goes too:
                 * absent, as its members were */
                if (dropped[depth] && depth > 0 && o.len && (o.buf[o.len - 1] == '{' || o.buf[o.len - 1] == '[')) {
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
    if (o.nomem && !*why)
        *why = "no memory";
    if (*why) {
        wipe_free(o.buf, o.alloc);
        return NULL;
    }
    *alloc = o.alloc;
    return o.buf;
}

/* The document, or NULL after recording why (never naming a value: it
 * may be a secret). */
static sh_doc *fill(const sh_host *h, sh_ctx *ctx, const char *tmpl, va_list args)
{
    va_list ap;
    va_copy(ap, args);
    const char *why = NULL;
    size_t alloc = 0;
    char *text = render(tmpl, &ap, &alloc, &why);
    va_end(ap);
    sh_doc *d = text && SH_HOST_HAS(h, doc_parse) ? h->doc_parse(ctx, text) : NULL;
    wipe_free(text, alloc);
    if (!d)
        h->fail(ctx, SH_ERR, "plugin bug: the request template %s: %s", tmpl,
                why ? why : "it is not JSON once filled in (a value that is not UTF-8?)");
    return d;
}

sh_doc *shc_docf(const sh_host *h, sh_ctx *ctx, const char *tmpl, ...)
{
    va_list ap;
    va_start(ap, tmpl);
    sh_doc *d = fill(h, ctx, tmpl, ap);
    va_end(ap);
    return d ? d : h->doc_new(ctx);
}

sh_doc *shc_json(shc_frame *f, const char *tmpl, ...)
{
    va_list ap;
    va_start(ap, tmpl);
    sh_doc *d = fill(f->h, f->ctx, tmpl, ap);
    va_end(ap);
    if (d)
        return d;
    f->failed = 1; /* recorded: the wave sends nothing */
    return f->h->doc_new(f->ctx);
}
