#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *check(void *p)
{
    if (!p) {
        fputs("stackhost: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

void *xmalloc(size_t n) { return check(malloc(n ? n : 1)); }
void *xcalloc(size_t count, size_t size) { return check(calloc(count ? count : 1, size ? size : 1)); }
void *xrealloc(void *p, size_t n) { return check(realloc(p, n ? n : 1)); }
char *xstrdup(const char *s) { return check(strdup(s)); }
char *xstrndup(const char *s, size_t n) { return check(strndup(s, n)); }

void xgrow(void **items, size_t *alloc, size_t need, size_t size)
{
    if (need <= *alloc)
        return;
    size_t n = *alloc ? *alloc * 2 : 8;
    while (n < need)
        n *= 2;
    *items = xrealloc(*items, n * size);
    *alloc = n;
}
