/* Runs and plugin contexts.
 *
 * A run is one command's execution (plan, deploy, destroy, outputs): it
 * owns the outputs registry and the stop flag. A context (the SDK's
 * sh_ctx) is one plugin's view of the run for one callback: its section,
 * its errors, its reported changes, and the strings the host handed it. */
#ifndef CORE_CONTEXT_H
#define CORE_CONTEXT_H

#include <stdatomic.h>
#include <time.h>

#include <stackhost/host.h>

#include "aws/client.h"
#include "diag.h"
#include "outputs.h"
#include "stack.h"

struct run {
    struct stack *stack;
    sh_mode mode;
    struct outputs outputs;
    atomic_int stop; /* set on the first failure: start nothing new */
    struct aws_client *aws; /* NULL when the command sends no request */
    char *account_id;
    char *caller_arn;
    const char *partition;
    int allow_replace; /* --allow-replace */
    int wait_seconds;  /* how long deploy waits for rollouts (--wait=S; 0: --no-wait) */
    int restart;       /* deploy --restart: every service starts a new deployment */
    int plan_destroy;  /* plan --destroy: the destroys, in PLAN mode (nothing sent that changes) */
    int max_in_flight; /* --requests: AWS requests on the wire at once */
    struct trace *trace; /* --trace, or NULL */
};

/* Set from the SIGINT/SIGTERM handler to the signal's number: every
 * context reports cancelled, and the exit status is 128 + it. */
extern atomic_int run_interrupted;
/* Non-zero once a run can stop cleanly (requests in flight finish, the
 * lease is released): a signal then asks it to stop. Before (reading the
 * configuration, loading plugins, validate) a signal ends the process at
 * once, as nothing is half done. */
extern atomic_int run_graceful;

struct change {
    sh_change kind;
    char *resource;
    char *detail; /* may be NULL */
};

struct job;

struct sh_ctx {
    struct run *run; /* NULL while validating */
    struct stack *stack;
    struct stack_item *item;
    sh_mode mode;
    struct diag_list errors;
    struct change *changes;
    size_t nchanges, changes_alloc;
    char **owned; /* strings handed to the plugin, freed with the context */
    size_t nowned, owned_alloc;
    const char **tag_keys, **tag_values;
    size_t ntags;
    struct timespec last_report;
    /* when each resource's first change went out and its last was
     * answered: its line's time is its own action's, not the wait for
     * another plugin before it, nor the rest of the pass after it (a
     * plugin reports its lines once the pass converged) */
    struct action_start {
        char *resource;
        struct timespec at;
        double took; /* from at to its last answer; < 0: none yet */
    } *starts;
    size_t nstarts, starts_alloc;
    struct sh_doc **docs; /* documents handed to the plugin */
    size_t ndocs, docs_alloc;
    struct aws_error last_error;
    sh_aws_error last_error_view;
    struct sh_batch **batches; /* handed to the plugin */
    size_t nbatches, batches_alloc;
    /* Why this callback's failure follows from another's, when it does:
     * a read found that its plugin failed before publishing the key ("the
     * failed plugin never published network.vpc_id"), or a destroy that
     * uses what this one deletes failed (host->await_destroyed). */
    char starved_of[160];
    struct job *job; /* the engine's job running this context; NULL outside one */
    /* SH_MODE_COST: the report host->cost_add fills (cost.h) */
    struct cost_report *cost;
};

void run_init(struct run *run, struct stack *st, sh_mode mode);
void run_free(struct run *run);
/* Connects the run to AWS: credentials, then STS GetCallerIdentity for
 * the account. Returns 0, or -1 with why in err. */
int run_connect_aws(struct run *run, struct strbuf *err);
/* Its two steps: the client (settings, credentials' provider), and the
 * account (STS), which may go beside another request. */
int run_client(struct run *run, struct strbuf *err);
int run_identify(struct run *run, struct strbuf *err);

void ctx_init(struct sh_ctx *ctx, struct run *run, struct stack *st, struct stack_item *item, sh_mode mode);
void ctx_release(struct sh_ctx *ctx);
/* Keeps s (malloc'ed) until the context is released; returns it. */
const char *ctx_own(struct sh_ctx *ctx, char *s);
/* Keeps d until the context is released; returns it. */
struct sh_doc *ctx_own_doc(struct sh_ctx *ctx, struct sh_doc *d);

/* The one host function table, filled in by the host. */
const sh_host *host_table(void);

/* Shared by the host's members (host.c, host_batch.c, host_wait.c). */
const char *ctx_plugin_name(const sh_ctx *ctx);
int ctx_cancelled(const sh_ctx *ctx);
/* Makes e the context's aws_error(). */
void ctx_keep_error(sh_ctx *ctx, const struct aws_error *e);
/* The plan line of a mutating call that plan mode did not send. */
void ctx_plan_refused(sh_ctx *ctx, const char *service, const char *operation);
/* Flags of the context's calls: read-only unless deploying or destroying. */
unsigned ctx_call_flags(const sh_ctx *ctx);

sh_batch *host_batch_new(sh_ctx *ctx);
size_t host_batch_add(sh_batch *b, const char *service, const char *operation, const sh_doc *input,
                      const char *items_path, const char *resource);
sh_status host_batch_run(sh_batch *b);
sh_status host_batch_result(sh_batch *b, size_t i, const sh_doc **output);
void host_batch_free(sh_batch *b);
sh_status host_wait(sh_ctx *ctx, const char *what, int timeout_seconds, sh_poll_fn poll, void *arg);
/* host_wait's pause before the next poll after waited_ms of waiting (a
 * fifth of it, 0.5 to 15 s): a pure function, tested alone. */
long wait_delay_ms(long waited_ms);

const char *change_verb(sh_change kind);
double seconds_since(const struct timespec *t);
/* A change to `resource` is being sent: the first one starts its action. */
void ctx_action_started(struct sh_ctx *ctx, const char *resource);
/* A change to `resource` was answered (or failed): the action lasts until
 * its last answer. */
void ctx_action_answered(struct sh_ctx *ctx, const char *resource);
/* Seconds from the resource's action's start to its last answer (to now
 * while none came), forgetting it (the next change starts anew); else
 * since the plugin's previous line. */
double ctx_action_seconds(struct sh_ctx *ctx, const char *resource);

#endif
