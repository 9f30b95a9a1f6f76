#include "trace.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xalloc.h"

/* Request slots get tracks above the plugins', so a timeline shows the
 * plugins first and the wire below them. */
#define SLOT_TRACK_BASE 1000

struct trace {
    pthread_mutex_t lock;
    struct timespec origin;
    json_t *events;
    char **tracks; /* plugin track names; track id = index + 1 */
    size_t ntracks, tracks_alloc;
    unsigned char seen_slot[256];
};

struct trace *trace_new(void)
{
    struct trace *t = xcalloc(1, sizeof(*t));
    pthread_mutex_init(&t->lock, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t->origin);
    t->events = json_array();
    return t;
}

void trace_free(struct trace *t)
{
    if (!t)
        return;
    json_decref(t->events);
    for (size_t i = 0; i < t->ntracks; i++)
        free(t->tracks[i]);
    free(t->tracks);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

static json_int_t micros(const struct trace *t, const struct timespec *ts)
{
    return (json_int_t)(ts->tv_sec - t->origin.tv_sec) * 1000000 + (ts->tv_nsec - t->origin.tv_nsec) / 1000;
}

/* Locked. Names a track the first time it is used. */
static void name_track(struct trace *t, json_int_t tid, const char *name)
{
    json_array_append_new(t->events, json_pack("{s:s, s:s, s:i, s:I, s:{s:s}}", "name", "thread_name", "ph", "M",
                                               "pid", 1, "tid", tid, "args", "name", name));
    json_array_append_new(t->events, json_pack("{s:s, s:s, s:i, s:I, s:{s:I}}", "name", "thread_sort_index", "ph",
                                               "M", "pid", 1, "tid", tid, "args", "sort_index", tid));
}

/* Locked. */
static json_int_t plugin_track(struct trace *t, const char *name)
{
    for (size_t i = 0; i < t->ntracks; i++)
        if (!strcmp(t->tracks[i], name))
            return (json_int_t)i + 1;
    XGROW(t->tracks, t->tracks_alloc, t->ntracks + 1);
    t->tracks[t->ntracks++] = xstrdup(name);
    name_track(t, (json_int_t)t->ntracks, name);
    return (json_int_t)t->ntracks;
}

static void add_complete(struct trace *t, json_t *event, const struct timespec *start, const struct timespec *end)
{
    json_int_t ts = micros(t, start), dur = micros(t, end) - ts;
    json_object_set_new(event, "ph", json_string("X"));
    json_object_set_new(event, "pid", json_integer(1));
    json_object_set_new(event, "ts", json_integer(ts));
    json_object_set_new(event, "dur", json_integer(dur > 0 ? dur : 0));
    json_array_append_new(t->events, event);
}

void trace_attempt(void *arg, const struct aws_attempt *a)
{
    struct trace *t = arg;
    const struct aws_request *r = a->request;
    char name[160];
    snprintf(name, sizeof(name), "%s %s", r->service, r->operation);
    json_t *args = json_pack("{s:s, s:s, s:s, s:i, s:I, s:s, s:s}", "plugin", r->origin ? r->origin : "stackhost",
                             "service", r->service, "operation", r->operation, "attempt", a->attempt, "http_status",
                             (json_int_t)a->http_status, "error_code", a->code ? a->code : "", "request_id",
                             a->request_id ? a->request_id : "");
    if (r->resource)
        json_object_set_new(args, "resource", json_string(r->resource));
    json_t *event = json_pack("{s:s, s:s, s:o}", "name", name, "cat", "aws", "args", args);
    json_int_t tid = SLOT_TRACK_BASE + a->slot;
    pthread_mutex_lock(&t->lock);
    if (a->slot >= 0 && a->slot < 256 && !t->seen_slot[a->slot]) {
        char slot[32];
        snprintf(slot, sizeof(slot), "request slot %d", a->slot + 1);
        name_track(t, tid, slot);
        t->seen_slot[a->slot] = 1;
    }
    json_object_set_new(event, "tid", json_integer(tid));
    add_complete(t, event, &a->start, &a->end);
    pthread_mutex_unlock(&t->lock);
}

void trace_span(struct trace *t, const char *track, const char *name, const char *category,
                const struct timespec *start, const struct timespec *end, const char *detail)
{
    json_t *event = json_pack("{s:s, s:s}", "name", name, "cat", category);
    if (detail)
        json_object_set_new(event, "args", json_pack("{s:s}", "detail", detail));
    pthread_mutex_lock(&t->lock);
    json_object_set_new(event, "tid", json_integer(plugin_track(t, track)));
    add_complete(t, event, start, end);
    pthread_mutex_unlock(&t->lock);
}

int trace_write(struct trace *t, const char *path, struct strbuf *err)
{
    pthread_mutex_lock(&t->lock);
    json_t *doc = json_pack("{s:O, s:s}", "traceEvents", t->events, "displayTimeUnit", "ms");
    char *text = json_dumps(doc, JSON_COMPACT);
    pthread_mutex_unlock(&t->lock);
    json_decref(doc);
    struct strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, text ? text : "{}");
    strbuf_addch(&sb, '\n');
    free(text);
    redact_apply(&sb);
    FILE *f = fopen(path, "w");
    int rc = 0;
    if (!f || fwrite(sb.buf, 1, sb.len, f) != sb.len) {
        strbuf_addf(err, "cannot write the trace to %s: %s", path, strerror(errno));
        rc = -1;
    }
    if (f && fclose(f) && !rc) {
        strbuf_addf(err, "cannot write the trace to %s: %s", path, strerror(errno));
        rc = -1;
    }
    strbuf_release(&sb);
    return rc;
}
