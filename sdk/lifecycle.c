/* A plugin's lifecycle: the passes of deploy and destroy, lost answers,
 * publishing and the destroy-until-gone loop, written once for every
 * plugin (lifecycle.h), and the small steps each pass repeats. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <stackhost/lifecycle.h>

#define LOST_ANSWER_PASSES 10
#define DESTROY_PASSES 10

sh_doc *shc_doc(const shc_frame *f)
{
    return f->h->doc_new(f->ctx);
}

int shc_update_if(shc_frame *f, shc_line *line, const char *what, const char *have, const char *want,
                  const char *service, const char *operation, const sh_doc *in)
{
    if (!shc_text_differs(f->h, f->ctx, line, what, have, want))
        return 0;
    shc_change(&f->q, line, SH_CHANGE_UPDATE, NULL, service, operation, in, NULL, NULL, NULL);
    return 1;
}

int shc_wave(shc_frame *f)
{
    if (f->failed) {
        shc_queue_clear(&f->q);
        return -1;
    }
    if (shc_queue_run(&f->q)) {
        f->failed = !f->q.lost;
        return -1;
    }
    return 0;
}

int shc_wait(shc_frame *f, const char *what, int seconds, sh_poll_fn poll, void *arg)
{
    if (f->plan)
        return 0;
    if (seconds == SHC_UNTIL_DEADLINE) {
        long left = f->deadline ? f->deadline - (long)time(NULL) : shc_destroy_timeout();
        seconds = left > 0 ? (int)left : 1;
    }
    if (f->h->wait(f->ctx, what, seconds, poll, arg) == SH_OK)
        return 0;
    f->failed = 1;
    return -1;
}

int shc_ensure_owned(shc_frame *f, const sh_doc *tags, const shc_tag_shape *shape, const char *kind,
                     const char *name)
{
    if (shc_owned(f->h, f->ctx, tags, shape))
        return 0;
    f->failed = 1;
    return shc_refuse_foreign(f->h, f->ctx, kind, name);
}

void shc_tags_change(shc_frame *f, shc_line *line, const sh_doc *tags, const shc_tag_shape *have,
                     const shc_tag_shape *put, const char *service, const char *operation, sh_doc *in)
{
    char detail[SHC_DETAIL];
    if (shc_tags_drift(f->h, f->ctx, tags, have, NULL, in, put, detail, sizeof(detail)))
        shc_change(&f->q, line, SH_CHANGE_UPDATE, detail, service, operation, in, NULL, NULL, NULL);
}

int shc_created(void *frame, const sh_doc *answer)
{
    shc_frame *f = frame;
    if (!answer)
        f->again = 1;
    return 0;
}

void shc_report_lines(const shc_frame *f, shc_line *const *lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        shc_line_report(f->h, f->ctx, lines[i]);
}

int shc_fail(shc_frame *f, sh_status status, const char *fmt, ...)
{
    char text[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    f->h->fail(f->ctx, status, "%s", text);
    f->failed = 1;
    return -1;
}

int shc_left_alone(const shc_frame *f, const char *label)
{
    f->h->log(f->ctx, SH_LOG_WARN, "%s is not this stack's (no ownership tags): left alone", label);
    return 0;
}

static void input_missing(shc_frame *f, const char *plugin, const char *key, const char *needed_by)
{
    if (f->h->mode(f->ctx) == SH_MODE_DEPLOY)
        shc_fail(f, SH_ERR_CONFIG, "%s needs %s's output %s, which %s did not publish: deploy %s first, or with it",
                 needed_by, plugin, key, plugin, plugin);
}

const char *shc_input(shc_frame *f, const char *plugin, const char *key, const char *needed_by)
{
    const char *v = f->h->input_string(f->ctx, plugin, key);
    if (v && *v)
        return v;
    input_missing(f, plugin, key, needed_by);
    return NULL;
}

size_t shc_input_list(shc_frame *f, const char *plugin, const char *key, const char *needed_by,
                      const char *const **items)
{
    size_t n = f->h->input_list(f->ctx, plugin, key, items);
    if (n)
        return n;
    *items = NULL;
    input_missing(f, plugin, key, needed_by);
    return 0;
}

int shc_ours(const shc_frame *f, int found, const sh_doc *tags, const shc_tag_shape *shape, const char *label)
{
    return found && (shc_owned(f->h, f->ctx, tags, shape) || shc_left_alone(f, label));
}

int shc_await_destroyed(shc_frame *f, const char *plugin)
{
    int rc = SH_HOST_HAS(f->h, await_destroyed) ? f->h->await_destroyed(f->ctx, plugin) : 0;
    if (rc < 0)
        f->failed = 1;
    return rc;
}

void shc_destroy_released(const shc_frame *f)
{
    if (SH_HOST_HAS(f->h, destroy_released))
        f->h->destroy_released(f->ctx);
}

/* ---- the runner ---- */

struct run {
    const shc_lifecycle *lc;
    shc_frame *f;
    sh_status published; /* what the last publish answered */
};

static shc_frame *frame_new(const shc_lifecycle *lc, const sh_host *h, sh_ctx *ctx)
{
    shc_frame *f = calloc(1, lc->size < sizeof(*f) ? sizeof(*f) : lc->size);
    if (!f) {
        h->fail(ctx, SH_ERR_NOMEM, "out of memory");
        return NULL;
    }
    f->h = h;
    f->ctx = ctx;
    f->mode = h->mode(ctx);
    f->plan = f->mode != SH_MODE_DEPLOY && f->mode != SH_MODE_DESTROY;
    shc_queue_init(&f->q, h, ctx);
    f->q.not_yet = lc->not_yet;
    return f;
}

static void frame_free(const shc_lifecycle *lc, shc_frame *f)
{
    if (!f)
        return;
    if (lc->free)
        lc->free(f);
    shc_queue_clear(&f->q);
    free(f);
}

/* What a pass keeps from the last: nothing of the frame's own. */
static void frame_begin(const shc_lifecycle *lc, shc_frame *f)
{
    shc_queue_clear(&f->q);
    f->q.lost = 0;
    f->q.lost_text[0] = '\0';
    f->failed = f->again = 0;
    f->again_why = NULL;
    if (lc->begin)
        lc->begin(f);
}

static int deploy_pass(void *arg, char *why, size_t len)
{
    struct run *r = arg;
    shc_frame *f = r->f;
    frame_begin(r->lc, f);
    int rc = r->lc->converge(f);
    shc_queue_clear(&f->q);
    if (!rc) {
        r->published = r->lc->publish ? r->lc->publish(f) : SH_OK;
        return r->published == SH_OK ? SHC_DONE : SHC_FAILED;
    }
    if (f->failed || !(f->q.lost || f->again))
        return SHC_FAILED;
    if (f->q.lost)
        snprintf(why, len, "an answer was lost (%s)", f->q.lost_text);
    else
        snprintf(why, len, "%s", f->again_why ? f->again_why : "a create found its resource already there");
    return SHC_AGAIN;
}

sh_status shc_lifecycle_create(const shc_lifecycle *lc, const sh_host *h, sh_ctx *ctx)
{
    shc_frame *f = frame_new(lc, h, ctx);
    if (!f)
        return SH_ERR_NOMEM;
    struct run r = {lc, f, SH_OK};
    sh_status st = lc->load && lc->load(f, 0) ? SH_ERR : shc_converge(h, ctx, lc->passes ? lc->passes : LOST_ANSWER_PASSES, deploy_pass, &r);
    frame_free(lc, f);
    return st != SH_OK && r.published != SH_OK ? r.published : st;
}

sh_status shc_lifecycle_outputs(const shc_lifecycle *lc, const sh_host *h, sh_ctx *ctx)
{
    if (!lc->outputs)
        return shc_lifecycle_create(lc, h, ctx);
    shc_frame *f = frame_new(lc, h, ctx);
    if (!f)
        return SH_ERR_NOMEM;
    int rc = lc->load && lc->load(f, 0);
    if (!rc) {
        frame_begin(lc, f);
        rc = lc->outputs(f);
        if (rc && !f->failed && f->q.lost)
            shc_queue_give_up(&f->q);
    }
    sh_status st = rc ? SH_ERR : lc->publish ? lc->publish(f) : SH_OK;
    frame_free(lc, f);
    return st;
}

/* A lost answer proves nothing: the pass counts as having found something,
 * so the next one looks again. */
static int destroy_pass(void *arg, size_t *found)
{
    struct run *r = arg;
    shc_frame *f = r->f;
    frame_begin(r->lc, f);
    *found = 0;
    int rc = r->lc->destroy(f, found);
    shc_queue_clear(&f->q);
    if (rc && !f->failed && f->q.lost) {
        if (!*found)
            *found = 1;
        return 0;
    }
    return rc ? -1 : 0;
}

sh_status shc_lifecycle_destroy(const shc_lifecycle *lc, const sh_host *h, sh_ctx *ctx)
{
    shc_frame *f = frame_new(lc, h, ctx);
    if (!f)
        return SH_ERR_NOMEM;
    struct run r = {lc, f, SH_OK};
    /* one deadline for all of destroy's waiting, not one per resource */
    f->deadline = (long)time(NULL) + shc_destroy_timeout();
    f->q.deadline = f->deadline;
    int rc = lc->load && lc->load(f, 1);
    if (!rc) {
        rc = shc_destroy_until_gone(h, ctx, lc->destroy_what ? lc->destroy_what : "the plugin's resources",
                                    lc->destroy_passes ? lc->destroy_passes : DESTROY_PASSES, f->deadline,
                                    destroy_pass, &r);
        if (rc && f->q.lost)
            shc_queue_give_up(&f->q);
    }
    frame_free(lc, f);
    return rc ? SH_ERR : SH_OK;
}
