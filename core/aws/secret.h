/* Wiping secrets before their memory goes back to the allocator, so a
 * later allocation, a core dump or a swapped page does not hand them on.
 * Buffers, strings and documents need nothing of their own: strbuf_release,
 * doc_free and xfree_wiped zero what they free. Each function accepts NULL. */
#ifndef CORE_AWS_SECRET_H
#define CORE_AWS_SECRET_H

#include <jansson.h>
#include <stddef.h>

#include "strbuf.h"

/* Zeroes n bytes in a way the compiler cannot drop. */
void secret_wipe(void *p, size_t n);
/* Wipes every string value in the tree, then drops the reference. */
void secret_json_decref(json_t *j);
/* Reads the whole file at path into sb, wiping the read buffer. Returns 1,
 * 0 when there is no such file, -1 with "cannot read PATH: why" in err. */
int secret_read_file(const char *path, struct strbuf *sb, struct strbuf *err);
/* Zeroes the stack below the caller (SECRET_STACK_BYTES of it), where
 * the frames of what it called held headers and bodies: called last by
 * each thread that sent requests, whose stack outlives it (glibc keeps
 * thread stacks for reuse). */
#define SECRET_STACK_BYTES (256 * 1024)
void secret_burn_stack(void);

#endif
