/* Allocation that cannot fail: on exhaustion the process reports and
 * exits, so callers hold no out-of-memory paths (a CLI can do nothing
 * better). */
#ifndef CORE_XALLOC_H
#define CORE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
/* Moving a block wipes the old one: a buffer that held a secret (a
 * request body, a decrypted answer) leaves no copy in freed memory. */
void *xrealloc(void *p, size_t n);
/* Zeroes the whole block (malloc_usable_size), then frees it; NULL is fine. */
void xfree_wiped(void *p);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Grows *items (of *alloc elements of `size` bytes) to hold at least `need`. */
void xgrow(void **items, size_t *alloc, size_t need, size_t size);
#define XGROW(arr, alloc, need) xgrow((void **)&(arr), &(alloc), (need), sizeof(*(arr)))

#endif
