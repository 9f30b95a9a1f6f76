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
    if (dl->n >= DIAG_MAX_ITEMS) {
        dl->dropped++;
        return;
    }
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

size_t diag_count(const struct diag_list *dl)
{
    return dl->n + dl->dropped;
}

void diag_log(const struct diag_list *dl)
{
    for (size_t i = 0; i < dl->n; i++) {
        const struct diag *d = &dl->items[i];
        json_errors_add(d->file, d->line, d->path, d->msg);
        char *s = diag_format(d);
        log_msg_uncaptured(SH_LOG_ERROR, "%s", s);
        free(s);
    }
    if (dl->dropped)
        log_msg(SH_LOG_ERROR, NULL, "... and %zu more problems (the first %zu are shown)", dl->dropped, dl->n);
}

void diag_move(struct diag_list *dst, struct diag_list *src)
{
    size_t room = dst->n < DIAG_MAX_ITEMS ? DIAG_MAX_ITEMS - dst->n : 0, take = src->n < room ? src->n : room;
    dst->dropped += src->dropped + (src->n - take);
    if (take) {
        XGROW(dst->items, dst->alloc, dst->n + take);
        memcpy(dst->items + dst->n, src->items, take * sizeof(*src->items));
        dst->n += take;
    }
    for (size_t i = take; i < src->n; i++) {
        free(src->items[i].file);
        free(src->items[i].path);
        free(src->items[i].msg);
    }
    free(src->items);
    src->items = NULL;
    src->n = src->alloc = src->dropped = 0;
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
    dl->n = dl->alloc = dl->dropped = 0;
}
