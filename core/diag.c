#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "strbuf.h"
#include "xalloc.h"

void diag_add(struct diag_list *dl, const char *file, int line, const char *path,
              const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    redact_apply(&sb);
    XGROW(dl->items, dl->alloc, dl->n + 1);
    struct diag *d = &dl->items[dl->n++];
    d->file = file ? xstrdup(file) : NULL;
    d->line = line;
    d->path = path ? xstrdup(path) : NULL;
    d->msg = strbuf_detach(&sb);
}

char *diag_format(const struct diag *d)
{
    struct strbuf sb = STRBUF_INIT;
    if (d->file) {
        strbuf_addstr(&sb, d->file);
        if (d->line > 0)
            strbuf_addf(&sb, ":%d", d->line);
        strbuf_addstr(&sb, ": ");
    }
    if (d->path)
        strbuf_addf(&sb, "%s: ", d->path);
    strbuf_addstr(&sb, d->msg);
    return strbuf_detach(&sb);
}

void diag_log(const struct diag_list *dl)
{
    for (size_t i = 0; i < dl->n; i++) {
        char *s = diag_format(&dl->items[i]);
        log_msg(SH_LOG_ERROR, NULL, "%s", s);
        free(s);
    }
}

void diag_move(struct diag_list *dst, struct diag_list *src)
{
    if (!src->n)
        return;
    XGROW(dst->items, dst->alloc, dst->n + src->n);
    memcpy(dst->items + dst->n, src->items, src->n * sizeof(*src->items));
    dst->n += src->n;
    free(src->items);
    src->items = NULL;
    src->n = src->alloc = 0;
}

int diag_contains(const struct diag_list *dl, const char *needle)
{
    for (size_t i = 0; i < dl->n; i++) {
        char *s = diag_format(&dl->items[i]);
        int hit = strstr(s, needle) != NULL;
        free(s);
        if (hit)
            return 1;
    }
    return 0;
}

void diag_clear(struct diag_list *dl)
{
    for (size_t i = 0; i < dl->n; i++) {
        free(dl->items[i].file);
        free(dl->items[i].path);
        free(dl->items[i].msg);
    }
    free(dl->items);
    dl->items = NULL;
    dl->n = dl->alloc = 0;
}
