/* The plan's reads, kept for the apply that follows it.
 *
 * deploy and destroy plan first (every plugin looks before any changes
 * anything); the apply then asks much the same reads again. While the
 * cache records, every read's answer (or AWS's error answer) is kept;
 * while it replays, the first identical read (same service, operation,
 * pagination path and input) takes the kept answer instead of going to
 * the wire, once. A mutating request of a service forgets that service's
 * kept answers: what the apply changed is read afresh. Thread-safe. */
#ifndef CORE_AWS_READ_CACHE_H
#define CORE_AWS_READ_CACHE_H

#include "aws/doc.h"

struct aws_error;
struct read_cache;

/* A cache that records; freed with read_cache_free (NULL is fine). */
struct read_cache *read_cache_new(void);
void read_cache_free(struct read_cache *rc);
/* From now on kept answers are handed out, none recorded. */
void read_cache_replay(struct read_cache *rc);

/* Recording: keeps a copy of the answer of a read (out when rc_status is
 * 0, else err: only answers AWS gave, never a network failure). */
void read_cache_keep(struct read_cache *rc, const char *service, const char *operation, const char *items_path,
                     const struct sh_doc *input, int rc_status, const struct sh_doc *out,
                     const struct aws_error *err);
/* Replaying: 1 with a copy of the kept answer (*out, or *err and
 * *rc_status -1) and the entry used up; 0 when none is kept. */
int read_cache_take(struct read_cache *rc, const char *service, const char *operation, const char *items_path,
                    const struct sh_doc *input, int *rc_status, struct sh_doc **out, struct aws_error *err);
/* Replaying: a mutating request to service; its kept answers are dropped. */
void read_cache_forget(struct read_cache *rc, const char *service);
/* How many answers were handed out (for --trace and the bench). */
size_t read_cache_hits(const struct read_cache *rc);

#endif
