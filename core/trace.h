/* --trace FILE: a run as Chrome trace-event JSON (the "JSON Object
 * Format" that Perfetto and chrome://tracing open). One track per plugin
 * (its callbacks and waits) and one per request slot (every HTTP attempt,
 * with plugin, resource, service, operation, attempt, status, code and
 * request id). No request or answer body is recorded, and the text is
 * redacted when written: nothing secret reaches the file.
 *
 * Thread-safe: plugins and request workers add events at the same time. */
#ifndef CORE_TRACE_H
#define CORE_TRACE_H

#include <time.h>

#include "aws/client.h"
#include "strbuf.h"

struct trace;

struct trace *trace_new(void);
void trace_free(struct trace *t);

/* An aws_observer: records one HTTP attempt on its slot's track. */
void trace_attempt(void *trace, const struct aws_attempt *a);
/* Records a span on the track of `track` (a plugin's name): a callback
 * ("deploy"), a wait ("wait: nat gateways"). detail may be NULL. */
void trace_span(struct trace *t, const char *track, const char *name, const char *category,
                const struct timespec *start, const struct timespec *end, const char *detail);
/* Writes the events to path. Returns 0, or -1 with why in err. */
int trace_write(struct trace *t, const char *path, struct strbuf *err);

#endif
