/* Document paths made with printf: a path cut to fit never names
 * another place. */
#include <stdarg.h>
#include <stdio.h>

#include <stackhost/lifecycle.h>

#define PATH_MAX_LEN 512

static int vpath(char *buf, size_t len, const char *fmt, va_list ap)
{
    int n = vsnprintf(buf, len, fmt, ap);
    if (n < 0 || (size_t)n >= len) {
        buf[0] = '\0';
        return -1;
    }
    return 0;
}

const char *shc_path(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vpath(buf, len, fmt, ap);
    va_end(ap);
    return buf;
}

/* path: fmt made with the caller's arguments; ok: it fit */
#define PATH_OF(fmt, path, ok)                                                                                         \
    char path[PATH_MAX_LEN];                                                                                           \
    va_list ap;                                                                                                        \
    va_start(ap, fmt);                                                                                                 \
    int ok = !vpath(path, sizeof(path), fmt, ap);                                                                      \
    va_end(ap)

const char *shc_str(const sh_host *h, const sh_doc *doc, const char *fmt, ...)
{
    PATH_OF(fmt, path, ok);
    return ok ? h->doc_string(doc, path) : NULL;
}

const sh_doc *shc_node(const sh_host *h, const sh_doc *doc, const char *fmt, ...)
{
    PATH_OF(fmt, path, ok);
    return ok ? h->doc_get(doc, path) : NULL;
}

size_t shc_count(const sh_host *h, const sh_doc *doc, const char *fmt, ...)
{
    PATH_OF(fmt, path, ok);
    return ok ? h->doc_count(doc, path) : 0;
}

void shc_set(const shc_frame *f, sh_doc *d, const char *value, const char *path_fmt, ...)
{
    PATH_OF(path_fmt, path, ok);
    if (ok && value)
        f->h->doc_set_string(d, path, value);
}
