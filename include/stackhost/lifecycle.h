/*
 * stackhost SDK: a plugin's lifecycle, run by the converge layer
 * (libstackhost_converge.a). A plugin says what one pass does (look,
 * compare, change), what it publishes and what one destroy pass deletes;
 * the lifecycle runs the rest one way for every plugin:
 *
 *   deploy, plan  passes until one converges: a pass that lost an answer,
 *                 or whose create found its resource already there, is
 *                 followed by one that looks first (nothing is made
 *                 twice); then the outputs are published
 *   outputs       a plan's pass (nothing is sent that changes), or the
 *                 plugin's own lookups
 *   destroy       passes until a lookup finds nothing owned, within one
 *                 deadline; a lost answer never ends it
 *
 * The plugin's state is one struct whose first member is its shc_frame;
 * the lifecycle allocates it zeroed, once a callback, and frees it:
 *
 *   struct reg { shc_frame f; ... };
 *   static const shc_lifecycle registry_lifecycle = {
 *       .size = sizeof(struct reg), .not_yet = reg_not_yet, .load = reg_load,
 *       .begin = reg_begin, .converge = converge, .publish = publish,
 *       .destroy = reg_destroy_pass, .destroy_what = "the registry's resources"};
 *   SHC_LIFECYCLE(registry, registry_lifecycle)
 *   SH_PLUGIN_EXPORT = {..., SHC_CALLBACKS(registry)};
 */
#ifndef STACKHOST_LIFECYCLE_H
#define STACKHOST_LIFECYCLE_H

#include <stddef.h>

#include "converge.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What every pass of a plugin keeps: the first member of its struct. */
typedef struct shc_frame {
    const sh_host *h;
    sh_ctx *ctx;
    sh_mode mode;
    int plan; /* not deploy or destroy: look and report only */
    shc_queue q;
    /* An error was recorded: no further wave is sent (shc_wave). */
    int failed;
    /* Look again: a create found its resource already there (shc_created),
     * or something was replaced. why (may stay NULL) says it. */
    int again;
    const char *again_why;
    /* destroy: the time(NULL) by which everything must be gone (one
     * deadline for all of a destroy's waiting; the queue's too). */
    long deadline;
} shc_frame;

/* A new request document (owned by the context). */
sh_doc *shc_doc(const shc_frame *f);
/* shc_docf on the frame's host and context: a request document from a
 * JSON template ('%s' an escaped string, %lld a number, NULL members
 * left out). A template that is not JSON once filled in sets failed:
 * the next shc_wave sends nothing. */
sh_doc *shc_json(shc_frame *f, const char *tmpl, ...) SHC_PRINTF(2, 3);
/* Sets value (NULL: nothing) at the path printf makes of path_fmt; a path
 * cut to fit is never set (never a wrong path). */
void shc_set(const shc_frame *f, sh_doc *d, const char *value, const char *path_fmt, ...) SHC_PRINTF(4, 5);

/* Runs the queued wave. Returns 0, or -1 when a call or a completion
 * failed (failed is set: recorded) or an answer was lost (failed stays 0:
 * the pass ends and the next looks again). After a failure it sends
 * nothing: the queue is cleared. */
int shc_wave(shc_frame *f);

/* Waits for what the pass asked of AWS (host->wait: polls, progress,
 * --trace, Ctrl-C) for at most `seconds`; SHC_UNTIL_DEADLINE: what is
 * left of the frame's deadline (a destroy's one deadline for all its
 * waiting), else shc_destroy_timeout(). A plan sent nothing and waits for
 * nothing: 0 at once. Returns 0, or -1 with failed set (the host recorded
 * the timeout, the cancel or the poll's error). A list catching up with
 * what already exists is read by a plan too: that wait is host->wait. */
int shc_wait(shc_frame *f, const char *what, int seconds, sh_poll_fn poll, void *arg);

/* 0 when the tags answer carries this stack's ownership tags; else
 * records that the `kind` named `name` is in the way (shc_refuse_foreign),
 * sets failed and returns -1. */
int shc_ensure_owned(shc_frame *f, const sh_doc *tags, const shc_tag_shape *shape, const char *kind,
                     const char *name);

/* Queues service:operation with `in` (the resource's id already set) and
 * the tags that drifted from the item's tags (read at `have`), written at
 * `put`, noted on the line; nothing when no tag drifted. */
void shc_tags_change(shc_frame *f, shc_line *line, const sh_doc *tags, const shc_tag_shape *have,
                     const shc_tag_shape *put, const char *service, const char *operation, sh_doc *in);

/* When the resource's `what` is `have` rather than `want` (texts; NULL
 * differs from any), notes "what have -> want" on the line and queues
 * service:operation with `in`, the update that puts it right (in a plan
 * only the note). Returns 1 then, else 0 (in is not sent). */
int shc_update_if(shc_frame *f, shc_line *line, const char *what, const char *have, const char *want,
                  const char *service, const char *operation, const sh_doc *in);

/* A create's completion (arg: the frame): an accepted "already exists"
 * (answer NULL) means the lookups missed it, so the pass ends and the next
 * looks again. */
int shc_created(void *frame, const sh_doc *answer);

/* host->report of every line (n of them). */
void shc_report_lines(const shc_frame *f, shc_line *const *lines, size_t n);

/* Records the error (host->fail: status, and the message as printf makes
 * it, cut at 4 KiB) and marks the frame failed, so nothing more is sent
 * and the pass ends; returns -1. */
int shc_fail(shc_frame *f, sh_status status, const char *fmt, ...) SHC_PRINTF(3, 4);

/* An output of a required plugin (host->input_string), or NULL when it has
 * none (an empty text is none). In a deploy a missing one is an error,
 * recorded naming the output, its plugin and `needed_by` (a resource's
 * label), and the frame is marked failed; in a plan or a destroy it is
 * not: before that plugin's first deploy its outputs do not exist yet. */
const char *shc_input(shc_frame *f, const char *plugin, const char *key, const char *needed_by);
/* The same for a list output (host->input_list): its count, *items NULL
 * when it has none. */
size_t shc_input_list(shc_frame *f, const char *plugin, const char *key, const char *needed_by,
                      const char *const **items);

/* Logs that the item named by label carries no ownership tags and is left
 * alone (destroy deletes only what this stack made); returns 0. */
int shc_left_alone(const shc_frame *f, const char *label);
/* Whether destroy deletes what the lookups found: 1 when found and its
 * tags (read with shape) carry this stack's ownership tags; found without
 * them is left alone (shc_left_alone); 0 either way. */
int shc_ours(const shc_frame *f, int found, const sh_doc *tags, const shc_tag_shape *shape, const char *label);

/* In a destroy of a plugin that declares destroy_alongside: waits until
 * the destroy of `plugin` (NULL: of every plugin requiring this one) has
 * ended (host->await_destroyed; a host older than ABI 1.7 ran them first).
 * 1 when it did, 0 when none is destroyed in this run, -1 when one did not
 * complete (failed is set; nothing recorded: the run reports that failure
 * and cuts this destroy short). */
int shc_await_destroyed(shc_frame *f, const char *plugin);

/* In a destroy: nothing this plugin still deletes uses what its
 * requirements made (host->destroy_released; nothing on an older host). */
void shc_destroy_released(const shc_frame *f);

typedef struct shc_lifecycle {
    size_t size; /* of the plugin's struct; its first member is its shc_frame */
    const shc_not_yet *not_yet; /* the queue's "not yet" answers (may be NULL) */
    /* Once a callback, before anything: the configuration, the names, the
     * desired documents. destroy says which callback. 0, or -1 after
     * recording an error. May be NULL. */
    int (*load)(shc_frame *f, int destroy);
    /* Before each pass (deploy and destroy): forget what the last one
     * found. May be NULL. */
    void (*begin)(shc_frame *f);
    /* One pass of deploy, plan or outputs: the lookups, then the waves.
     * 0 when converged; -1 when failed (recorded) or when the next pass must
     * look again (an answer lost, frame.again). */
    int (*converge)(shc_frame *f);
    int passes; /* the most a deploy makes (0: 10) */
    /* After a converged pass: the outputs. May be NULL. A status other
     * than SH_OK is what create answers (SH_ERR_INCOMPLETE: the rest of
     * the stack goes on). */
    sh_status (*publish)(shc_frame *f);
    /* outputs: the plugin's own lookups, then publish; NULL: a plan's pass. */
    int (*outputs)(shc_frame *f);
    /* One destroy pass: deletes what the lookups list and sets *found to
     * how many owned resources they listed. 0, or -1 after recording. */
    int (*destroy)(shc_frame *f, size_t *found);
    const char *destroy_what; /* "the registry's resources", for the errors */
    int destroy_passes;       /* 0: 10 */
    /* Frees what load and the passes allocated (may be NULL); the struct
     * itself is the lifecycle's. */
    void (*free)(shc_frame *f);
} shc_lifecycle;

/* The callbacks. */
sh_status shc_lifecycle_create(const shc_lifecycle *lc, const sh_host *h, sh_ctx *ctx);
sh_status shc_lifecycle_destroy(const shc_lifecycle *lc, const sh_host *h, sh_ctx *ctx);
sh_status shc_lifecycle_outputs(const shc_lifecycle *lc, const sh_host *h, sh_ctx *ctx);

/* Defines NAME_create, NAME_destroy and NAME_outputs, the descriptor's
 * callbacks, running lifecycle lc. */
#define SHC_LIFECYCLE(name, lc)                                                                                        \
    static sh_status name##_create(const sh_host *h, sh_ctx *ctx) { return shc_lifecycle_create(&(lc), h, ctx); }    \
    static sh_status name##_destroy(const sh_host *h, sh_ctx *ctx) { return shc_lifecycle_destroy(&(lc), h, ctx); }  \
    static sh_status name##_outputs(const sh_host *h, sh_ctx *ctx) { return shc_lifecycle_outputs(&(lc), h, ctx); }

/* In the descriptor: the callbacks SHC_LIFECYCLE(name, ...) defined. */
#define SHC_CALLBACKS(name) .create = name##_create, .destroy = name##_destroy, .outputs = name##_outputs

#ifdef __cplusplus
}
#endif

#endif
