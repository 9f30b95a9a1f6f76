#define _GNU_SOURCE /* explicit_bzero */
#include "xalloc.h"

#include <malloc.h>
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
void xfree_wiped(void *p)
{
    if (!p)
        return;
    explicit_bzero(p, malloc_usable_size(p));
    free(p);
}

void *xrealloc(void *p, size_t n)
{
    size_t have = p ? malloc_usable_size(p) : 0;
    if (p && n <= have)
        return p;
    void *q = check(malloc(n ? n : 1));
    if (p) {
        memcpy(q, p, have);
        xfree_wiped(p);
    }
    return q;
}
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
