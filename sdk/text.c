/* Text the context owns, and JSON documents compared as documents. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stackhost/converge.h>

/* A document owns the copy until the callback returns. */
static const char *own(const sh_host *h, sh_ctx *ctx, const char *text)
{
    sh_doc *d = h->doc_new(ctx);
    h->doc_set_string(d, "s", text);
    return h->doc_string(d, "s");
}

const char *shc_text(const sh_host *h, sh_ctx *ctx, const char *fmt, ...)
{
    char text[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(text))
        text[0] = '\0';
    return own(h, ctx, text);
}

int shc_json_same(const sh_host *h, sh_ctx *ctx, const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    if (!SH_HOST_HAS(h, doc_equal))
        return !strcmp(a, b);
    const sh_doc *x = h->doc_parse(ctx, a), *y = h->doc_parse(ctx, b);
    return x && y && h->doc_equal(x, y, 0);
}

const char *shc_url_decode(const sh_host *h, sh_ctx *ctx, const char *text)
{
    if (!text || text[0] != '%')
        return text;
    size_t len = strlen(text), k = 0;
    char *buf = malloc(len + 1);
    if (!buf)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '%' && isxdigit((unsigned char)text[i + 1]) && isxdigit((unsigned char)text[i + 2])) {
            char hex[3] = {text[i + 1], text[i + 2], 0};
            buf[k++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            buf[k++] = text[i];
        }
    }
    buf[k] = '\0';
    const char *out = own(h, ctx, buf);
    free(buf);
    return out;
}
