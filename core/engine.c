#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "aws/secret.h"
#include "log.h"
#include "trace.h"
#include "xalloc.h"

const char *job_kind_name(enum job_kind kind)
{
    switch (kind) {
    case JOB_CREATE: return "deploy";
    case JOB_DESTROY: return "destroy";
    case JOB_OUTPUTS: return "outputs";
    }
    return "run";
}

sh_plugin_fn job_callback(const struct job *job)
{
    const sh_plugin *d = job->item->plugin->desc;
    switch (job->kind) {
    case JOB_CREATE: return d->create;
    case JOB_DESTROY: return d->destroy;
    case JOB_OUTPUTS: return d->outputs;
    }
    return NULL;
}

static void add_dep(struct job *j, size_t dep, int soft)
{
    j->deps = xrealloc(j->deps, (j->ndeps + 1) * sizeof(*j->deps));
    j->soft = xrealloc(j->soft, (j->ndeps + 1) * sizeof(*j->soft));
    j->soft[j->ndeps] = (unsigned char)soft;
    j->deps[j->ndeps++] = dep;
}

/* Jobs that publish outputs for their dependents. */
static int job_produces(const struct job *j)
{
    return j->kind == JOB_CREATE || j->kind == JOB_OUTPUTS;
}

/* Whether `j` may start while `dep`, a requirement, still runs: both
 * publish, both plugins were built for ABI 1.3 or later, and dep declares
 * what it publishes. An older dependent may rely on more than outputs
 * (the NAT routes behind a subnet id published early); an older or
 * undeclared requirement may publish a value before it is usable, or
 * again in a later pass, as nothing read it meanwhile. */
static int dataflow(const struct job *j, const struct job *dep)
{
    return job_produces(j) && job_produces(dep) && j->item->plugin->desc->abi_minor >= 3 &&
           dep->item->plugin->desc->abi_minor >= 3 && plugin_publishes(dep->item->plugin);
}

size_t engine_jobs(struct run *run, struct job **out)
{
    struct stack *st = run->stack;
    struct job *jobs = xcalloc(st->n + 1, sizeof(*jobs));
    size_t *job_of = xcalloc(st->n + 1, sizeof(*job_of)); /* item index -> job index + 1 */
    size_t n = 0;
    /* Destroys first, in reverse order: a plugin's destroy waits for the
     * destroys of the plugins that require it. A plan's destroys only
     * look (their names are published before the run): they wait for
     * nothing and nothing waits for them. */
    int looks = run->mode == SH_MODE_PLAN;
    for (size_t k = st->n; k-- > 0;) {
        size_t i = st->order[k];
        if (!st->items[i].selected)
            continue;
        int destroy = run->mode == SH_MODE_DESTROY || run->plan_destroy ||
                      ((run->mode == SH_MODE_PLAN || run->mode == SH_MODE_DEPLOY) && !st->items[i].section->enabled);
        if (!destroy)
            continue;
        jobs[n].item = &st->items[i];
        jobs[n].kind = JOB_DESTROY;
        /* one that destroys alongside its dependents starts with them and
         * waits for them itself (host->await_destroyed) */
        int alongside = plugin_destroy_alongside(st->items[i].plugin);
        for (size_t d = 0; d < st->n && !looks; d++)
            for (size_t r = 0; r < st->graph.ndeps[d]; r++)
                if (st->graph.deps[d][r] == i && job_of[d])
                    add_dep(&jobs[n], job_of[d] - 1, alongside && jobs[job_of[d] - 1].kind == JOB_DESTROY);
        job_of[i] = ++n;
    }
    if (run->mode != SH_MODE_DESTROY && !run->plan_destroy) {
        for (size_t k = 0; k < st->n; k++) {
            size_t i = st->order[k];
            if (!st->items[i].section->enabled || !st->items[i].selected)
                continue;
            jobs[n].item = &st->items[i];
            jobs[n].kind = run->mode == SH_MODE_OUTPUTS ? JOB_OUTPUTS : JOB_CREATE;
            for (size_t r = 0; r < st->graph.ndeps[i]; r++) {
                size_t dep = job_of[st->graph.deps[i][r]];
                if (dep) /* a requirement being destroyed must be gone first */
                    add_dep(&jobs[n], dep - 1, dataflow(&jobs[n], &jobs[dep - 1]));
            }
            job_of[i] = ++n;
        }
    }
    /* A plugin disabled in a deploy is destroyed after the deploys of the
     * plugins it requires: they see its resources as they were. */
    for (size_t j = 0; j < n; j++) {
        size_t i = (size_t)(jobs[j].item - st->items);
        if (jobs[j].kind != JOB_DESTROY || run->mode == SH_MODE_DESTROY || looks)
            continue;
        for (size_t r = 0; r < st->graph.ndeps[i]; r++) {
            size_t d = st->graph.deps[i][r];
            if (job_of[d] && jobs[job_of[d] - 1].kind == JOB_CREATE)
                add_dep(&jobs[j], job_of[d] - 1, 0);
        }
    }
    for (size_t j = 0; j < n; j++) {
        ctx_init(&jobs[j].ctx, run, st, jobs[j].item, run->mode);
        jobs[j].ctx.job = &jobs[j];
    }
    free(job_of);
    *out = jobs;
    return n;
}

int engine_check(const struct job *jobs, size_t n, struct diag_list *dl)
{
    size_t before = diag_count(dl);
    for (size_t i = 0; i < n; i++) {
        if (jobs[i].kind == JOB_OUTPUTS || job_callback(&jobs[i]))
            continue;
        diag_add(dl, jobs[i].item->plugin->path, 0, NULL,
                 "plugin '%s' %s cannot %s yet: it declares its configuration, but its aws work is not "
                 "implemented in this version (see README, plugin status)",
                 jobs[i].item->section->name, jobs[i].item->plugin->desc->version, job_kind_name(jobs[i].kind));
    }
    return diag_count(dl) > before ? -1 : 0;
}

static void *job_thread(void *arg)
{
    struct job *job = arg;
    struct engine *e = job->engine;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    sh_plugin_fn fn = job_callback(job);
    sh_status s = fn ? fn(host_table(), &job->ctx) : SH_OK;
    if (s != SH_OK && !job->ctx.errors.n)
        diag_add(&job->ctx.errors, NULL, 0, NULL, "%s: %s failed (%s) without saying why",
                 job->item->section->name, job_kind_name(job->kind), sh_status_name(s));
    if (s == SH_OK && job->ctx.errors.n)
        s = SH_ERR; /* an error recorded is an error, whatever was returned */
    if (s == SH_ERR_INCOMPLETE && !job->ctx.errors.n)
        s = SH_ERR; /* incomplete says why, or it is a plain failure */
    if (e->run->trace && fn) {
        struct timespec end;
        clock_gettime(CLOCK_MONOTONIC, &end);
        trace_span(e->run->trace, job->item->section->name, job_kind_name(job->kind), "plugin", &start, &end,
                   sh_status_name(s));
    }
    /* before its dependents wake to an absent output; an incomplete plugin
     * lets the others finish (its dependents are blocked all the same), and
     * so does one cut short by it (a real failure has set stop already);
     * a plan changes nothing, so every plugin that can still look does:
     * all the refusals are known at once */
    if (s != SH_OK && s != SH_ERR_INCOMPLETE && !job->ctx.starved_of[0] && e->run->mode != SH_MODE_PLAN)
        atomic_store(&e->run->stop, 1);
    if (job_produces(job))
        outputs_done(&e->run->outputs, job->item->section->name, s != SH_OK);
    pthread_mutex_lock(&e->lock);
    job->seconds = seconds_since(&start);
    job->status = s;
    job->state = s == SH_OK ? JOB_DONE : JOB_FAILED;
    if (s != SH_OK && job->ctx.starved_of[0]) {
        /* It started on its requirement's outputs (dataflow), and that
         * requirement failed before publishing one it reads, or it started
         * with its dependents' destroys and one failed: its errors follow
         * from that failure, which is reported; as if not run. */
        job->state = JOB_SKIPPED;
        diag_clear(&job->ctx.errors);
    }
    e->running--;
    pthread_cond_broadcast(&e->done);
    pthread_mutex_unlock(&e->lock);
    secret_burn_stack();
    return NULL;
}

int engine_await_destroyed(struct job *j, const char *plugin, struct strbuf *failed)
{
    struct engine *e = j->engine;
    int rc = 0, waited = 0;
    if (j->kind != JOB_DESTROY)
        return 0;
    pthread_mutex_lock(&e->lock);
    for (size_t d = 0; d < j->ndeps; d++) {
        struct job *dep = &e->jobs[j->deps[d]];
        if (dep->kind != JOB_DESTROY || (plugin && strcmp(plugin, dep->item->section->name)))
            continue;
        /* it started before this job could (a soft dependency): it ends,
         * or says that nothing it still deletes uses ours */
        while ((dep->state == JOB_PENDING || dep->state == JOB_RUNNING) && !dep->released)
            pthread_cond_wait(&e->done, &e->lock);
        waited = 1;
        if (!dep->released && dep->state != JOB_DONE) {
            strbuf_addf(failed, "%s%s", rc ? ", " : "", dep->item->section->name);
            rc = -1;
        }
    }
    pthread_mutex_unlock(&e->lock);
    return rc ? rc : waited;
}

void engine_release(struct job *j)
{
    struct engine *e = j->engine;
    pthread_mutex_lock(&e->lock);
    j->released = 1;
    pthread_cond_broadcast(&e->done);
    pthread_mutex_unlock(&e->lock);
}

/* Locked. A job that will not run: what it would have published will not come. */
static void skip(struct engine *e, struct job *j)
{
    j->state = JOB_SKIPPED;
    if (job_produces(j))
        outputs_done(&e->run->outputs, j->item->section->name, 1);
}

/* Locked. Starts what can start; returns how many jobs are still waiting. */
static size_t schedule(struct engine *e)
{
    size_t waiting = 0;
    int stopping = atomic_load(&e->run->stop) || atomic_load(&run_interrupted);
    for (size_t i = 0; i < e->n; i++) {
        struct job *j = &e->jobs[i];
        if (j->state != JOB_PENDING)
            continue;
        int ready = 1, blocked = 0;
        for (size_t d = 0; d < j->ndeps; d++) {
            enum job_state ds = e->jobs[j->deps[d]].state;
            ready &= ds == JOB_DONE || (j->soft[d] && ds == JOB_RUNNING);
            blocked |= ds == JOB_FAILED || ds == JOB_SKIPPED;
        }
        if (stopping || blocked) {
            skip(e, j);
            continue;
        }
        if (!ready || e->running >= e->parallel) {
            waiting++;
            continue;
        }
        j->state = JOB_RUNNING;
        j->engine = e;
        e->running++;
        if (pthread_create(&j->thread, NULL, job_thread, j)) {
            e->running--;
            j->state = JOB_FAILED;
            j->status = SH_ERR;
            atomic_store(&e->run->stop, 1);
            if (job_produces(j))
                outputs_done(&e->run->outputs, j->item->section->name, 1);
            diag_add(&j->ctx.errors, NULL, 0, NULL, "%s: cannot start a thread", j->item->section->name);
            continue;
        }
        j->started = 1;
    }
    return waiting;
}

/* Before anything runs, each plugin's names callback (ABI 1.5) publishes
 * the names its configuration gives: a dependent's lookups read them at
 * once instead of waiting for the plugin (scaling looks for the scalable
 * target of compute's service while compute runs), and a destroy, where
 * create does not run, has them too. -1 with the problem in dl. */
static int publish_names(struct run *run, struct diag_list *dl)
{
    int rc = 0;
    struct stack *st = run->stack;
    for (size_t i = 0; i < st->n; i++) {
        struct stack_item *it = &st->items[i];
        sh_plugin_fn names = plugin_names(it->plugin);
        if (!names || run->mode == SH_MODE_OUTPUTS)
            continue;
        struct sh_ctx ctx;
        ctx_init(&ctx, run, st, it, run->mode);
        sh_status s = names(host_table(), &ctx);
        if (s != SH_OK || ctx.errors.n) {
            if (!ctx.errors.n)
                diag_add(&ctx.errors, NULL, 0, NULL, "%s: names failed (%s)", it->section->name, sh_status_name(s));
            rc = -1;
        }
        diag_move(dl, &ctx.errors);
        ctx_release(&ctx);
    }
    return rc;
}

int engine_run(struct run *run, struct job *jobs, size_t n, size_t parallel, struct diag_list *dl)
{
    if (publish_names(run, dl))
        return -1;
    /* 0: every job may run at once (the requests in flight have their own bound) */
    struct engine e = {.run = run, .jobs = jobs, .n = n, .parallel = parallel ? parallel : n};
    pthread_mutex_init(&e.lock, NULL);
    pthread_cond_init(&e.done, NULL);
    for (size_t i = 0; i < n; i++)
        if (job_produces(&jobs[i]))
            outputs_expect(&run->outputs, jobs[i].item->section->name);
    pthread_mutex_lock(&e.lock);
    for (;;) {
        size_t waiting = schedule(&e);
        if (!e.running) {
            /* Nothing runs, so nothing can unblock the waiting: in a DAG
             * this does not happen, but never hang on it. */
            for (size_t i = 0; i < n && waiting; i++)
                if (jobs[i].state == JOB_PENDING)
                    skip(&e, &jobs[i]);
            break;
        }
        pthread_cond_wait(&e.done, &e.lock);
    }
    pthread_mutex_unlock(&e.lock);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        struct job *j = &jobs[i];
        if (j->started)
            pthread_join(j->thread, NULL);
        if (j->state == JOB_SKIPPED) {
            /* cut short: it started on outputs its failed requirement never published */
            int interrupted = atomic_load(&run_interrupted);
            const char *why = interrupted ? "interrupted" : "stopped after an earlier failure";
            if (j->ctx.starved_of[0] && !interrupted)
                log_msg(SH_LOG_WARN, j->item->section->name, "%s cut short: %s (%s)", job_kind_name(j->kind), why,
                        j->ctx.starved_of);
            else
                log_msg(SH_LOG_WARN, j->item->section->name, "%s %s: %s", job_kind_name(j->kind),
                        j->ctx.starved_of[0] ? "cut short" : "not run", why);
            rc = -1;
        } else if (j->state == JOB_FAILED) {
            rc = -1;
        } else if (job_callback(j)) {
            log_msg(SH_LOG_DEBUG, j->item->section->name, "%s done in %.2fs", job_kind_name(j->kind), j->seconds);
        }
        diag_move(dl, &j->ctx.errors);
    }
    pthread_cond_destroy(&e.done);
    pthread_mutex_destroy(&e.lock);
    return rc;
}

void engine_jobs_free(struct job *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ctx_release(&jobs[i].ctx);
        free(jobs[i].deps);
        free(jobs[i].soft);
    }
    free(jobs);
}
