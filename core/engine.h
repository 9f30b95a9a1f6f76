/* The engine: turns a command into jobs (one plugin callback each) with
 * dependencies from the plugin graph, and runs them on a bounded number
 * of threads. On deploy, plan and outputs a dependent starts once its
 * requirements have started, and its reads of their outputs wait until
 * the values are published (dataflow: lb makes the load balancer while
 * network still waits for NAT gateways); destroys run after the destroys
 * of their dependents, which must be done. The first failure stops new
 * work: running jobs finish, waiting jobs are skipped, and every error is
 * reported; in a plan, only the failed job's dependents are skipped. */
#ifndef CORE_ENGINE_H
#define CORE_ENGINE_H

#include <pthread.h>
#include <stddef.h>

#include "context.h"
#include "diag.h"
#include "stack.h"
#include "strbuf.h"

enum job_kind { JOB_CREATE, JOB_DESTROY, JOB_OUTPUTS };
enum job_state { JOB_PENDING, JOB_RUNNING, JOB_DONE, JOB_FAILED, JOB_SKIPPED };

struct job {
    struct stack_item *item;
    enum job_kind kind;
    size_t *deps; /* indices of jobs that must be done first */
    /* per dep: 1 when it need only have started (dataflow: the reads of
     * its outputs wait for them), 0 when it must be done */
    unsigned char *soft;
    size_t ndeps;
    enum job_state state;
    sh_status status;
    struct sh_ctx ctx; /* errors and changes of this job */
    double seconds;
    pthread_t thread;
    int started;
    int released; /* a destroy said its requirements' resources are free (host->destroy_released) */
    struct engine *engine;
};

struct engine {
    struct run *run;
    struct job *jobs;
    size_t n;
    size_t parallel;
    size_t running;
    pthread_mutex_t lock;
    pthread_cond_t done;
};

/* The jobs of a run in `mode`: PLAN and DEPLOY create the enabled plugins
 * and destroy the disabled ones (an environment holds exactly what it
 * enables); DESTROY destroys every plugin; OUTPUTS asks the enabled ones.
 * Returns the count; *jobs is in execution order. */
size_t engine_jobs(struct run *run, struct job **jobs);
/* Every job's callback exists; else the plugins that cannot do it yet
 * are named in dl and -1 is returned, before anything runs. */
int engine_check(const struct job *jobs, size_t n, struct diag_list *dl);
/* Runs the jobs; 0 when all succeeded, else -1 with every error in dl. */
int engine_run(struct run *run, struct job *jobs, size_t n, size_t parallel, struct diag_list *dl);
void engine_jobs_free(struct job *jobs, size_t n);
/* From the running destroy j (host->await_destroyed): waits until the
 * destroys it depends on (those of the plugins requiring it; only
 * plugin's when not NULL) have ended. 1 when they succeeded, 0 when there
 * were none, else -1 with the names of those that did not in failed. */
int engine_await_destroyed(struct job *j, const char *plugin, struct strbuf *failed);
/* From the running destroy j (host->destroy_released): those waiting for
 * it in engine_await_destroyed go on. */
void engine_release(struct job *j);

sh_plugin_fn job_callback(const struct job *job);
const char *job_kind_name(enum job_kind kind);

#endif
