/* The engine: order, concurrency, failure handling, destroy in reverse,
 * disabled plugins converging to absence, outputs between plugins. The
 * stack is opened from fixture plugins; some tests swap in descriptors
 * defined here to observe what the engine does. */
#include "helpers.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "log.h"

static struct stack st;
static struct diag_list dl;
static FILE *sink;

static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t seen_cond = PTHREAD_COND_INITIALIZER;
static char seen[16][32];
static size_t nseen;
static int arrived, running, max_running;

static void record(const char *what)
{
    pthread_mutex_lock(&seen_lock);
    if (nseen < 16)
        snprintf(seen[nseen++], sizeof(seen[0]), "%s", what);
    pthread_mutex_unlock(&seen_lock);
}

static size_t position(const char *what)
{
    for (size_t i = 0; i < nseen; i++)
        if (!strcmp(seen[i], what))
            return i;
    fail_msg("%s never ran", what);
    return 0;
}

static const char *CONFIG =
    "stack = { name = \"shop\"; };\n"
    "plugins = { alpha = {}; beta = {}; gamma = {}; delta = {}; };\n"
    "environments = { dev = {}; quiet = { disable = [\"delta\"]; }; broken = { plugins = { gamma = { fail = true; }; }; }; };\n";

static void open_env(const char *env)
{
    const char *path = test_write_file("engine.cfg", CONFIG);
    struct stack_options opt = {path, env, FIXTURE_GOOD, NULL, NULL, 0};
    if (stack_open(&st, &opt, &dl)) {
        diag_log(&dl);
        fail();
    }
}

/* Opens environment dev of a stack whose plugins group is `plugins`
 * (the fixtures' settings), written to `name`. */
static void open_plugins(const char *name, const char *plugins)
{
    char text[1024];
    snprintf(text, sizeof(text), "stack = { name = \"shop\"; };\nplugins = { %s };\nenvironments = { dev = {}; };\n",
             plugins);
    struct stack_options opt = {test_write_file(name, text), "dev", FIXTURE_GOOD, NULL, NULL, 0};
    assert_int_equal(stack_open(&st, &opt, &dl), 0);
}

static int setup(void **state)
{
    (void)state;
    nseen = 0;
    arrived = running = max_running = 0;
    atomic_store(&run_interrupted, 0);
    sink = tmpfile();
    log_set_stream(sink);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    stack_close(&st);
    diag_clear(&dl);
    test_cleanup_files();
    log_set_stream(NULL);
    fclose(sink);
    redact_clear();
    return 0;
}

/* Runs the stack in mode; returns engine_run's result. */
static int run_mode(sh_mode mode, size_t parallel, struct run *run, struct job **jobs, size_t *n)
{
    run_init(run, &st, mode);
    *n = engine_jobs(run, jobs);
    assert_int_equal(engine_check(*jobs, *n, &dl), 0);
    return engine_run(run, *jobs, *n, parallel, &dl);
}

static void finish(struct run *run, struct job *jobs, size_t n)
{
    engine_jobs_free(jobs, n);
    run_free(run);
}

static void test_deploy_passes_outputs_in_order(void **state)
{
    (void)state;
    open_env("dev");
    struct run run;
    struct job *jobs;
    size_t n;
    assert_int_equal(run_mode(SH_MODE_DEPLOY, 4, &run, &jobs, &n), 0);
    assert_int_equal(n, 4);
    /* The fixtures fail unless their requirements published a token first. */
    assert_string_equal(outputs_get(&run.outputs, "delta", "token")->value, "delta");
    assert_int_equal(outputs_get(&run.outputs, "beta", "items")->n, 2);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(jobs[i].state, JOB_DONE);
        assert_int_equal(jobs[i].ctx.nchanges, 1);
        assert_int_equal(jobs[i].ctx.changes[0].kind, SH_CHANGE_CREATE);
    }
    assert_string_equal(jobs[0].ctx.changes[0].resource, "thing-alpha-dev");
    finish(&run, jobs, n);
}

/* alpha and gamma are independent: each waits until both are running. */
static sh_status meet(const sh_host *host, sh_ctx *ctx)
{
    (void)host;
    (void)ctx;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 30;
    pthread_mutex_lock(&seen_lock);
    arrived++;
    pthread_cond_broadcast(&seen_cond);
    int rc = 0;
    while (arrived < 2 && rc == 0)
        rc = pthread_cond_timedwait(&seen_cond, &seen_lock, &until);
    pthread_mutex_unlock(&seen_lock);
    return arrived >= 2 ? SH_OK : SH_ERR_TIMEOUT;
}

static sh_status count_running(const sh_host *host, sh_ctx *ctx)
{
    pthread_mutex_lock(&seen_lock);
    if (++running > max_running)
        max_running = running;
    pthread_mutex_unlock(&seen_lock);
    struct timespec ts = {0, 20 * 1000000L};
    nanosleep(&ts, NULL);
    pthread_mutex_lock(&seen_lock);
    running--;
    pthread_mutex_unlock(&seen_lock);
    record(ctx->item->section->name);
    return host->output_string(ctx, "token", "t");
}

static sh_plugin swap(const char *name, sh_plugin_fn create)
{
    struct stack_item *it = stack_find(&st, name);
    sh_plugin d = *it->plugin->desc;
    d.create = create;
    return d;
}

static void test_independent_plugins_run_at_once(void **state)
{
    (void)state;
    open_env("dev");
    sh_plugin a = swap("alpha", meet), g = swap("gamma", meet);
    stack_find(&st, "alpha")->plugin->desc = &a;
    stack_find(&st, "gamma")->plugin->desc = &g;
    stack_find(&st, "delta")->section->enabled = 0; /* would need gamma's token */
    stack_find(&st, "beta")->section->enabled = 0;
    struct run run;
    struct job *jobs;
    size_t n;
    run_init(&run, &st, SH_MODE_DEPLOY);
    n = engine_jobs(&run, &jobs);
    assert_int_equal(engine_run(&run, jobs, n, 4, &dl), 0);
    assert_int_equal(arrived, 2);
    finish(&run, jobs, n);
}

static void test_parallel_bound_is_kept(void **state)
{
    (void)state;
    open_env("dev");
    sh_plugin d[4];
    const char *names[] = {"alpha", "beta", "gamma", "delta"};
    for (size_t i = 0; i < 4; i++) {
        d[i] = swap(names[i], count_running);
        stack_find(&st, names[i])->plugin->desc = &d[i];
    }
    struct run run;
    struct job *jobs;
    size_t n;
    assert_int_equal(run_mode(SH_MODE_DEPLOY, 1, &run, &jobs, &n), 0);
    assert_int_equal(max_running, 1);
    assert_true(position("alpha") < position("beta"));
    assert_true(position("beta") < position("delta"));
    assert_true(position("gamma") < position("delta"));
    finish(&run, jobs, n);
}

static void test_failure_stops_dependents_and_reports(void **state)
{
    (void)state;
    open_env("broken");
    struct run run;
    struct job *jobs;
    size_t n;
    assert_int_equal(run_mode(SH_MODE_DEPLOY, 1, &run, &jobs, &n), -1);
    assert_diag_has(&dl, "gamma: injected failure");
    for (size_t i = 0; i < n; i++) {
        const char *name = jobs[i].item->section->name;
        if (!strcmp(name, "gamma"))
            assert_int_equal(jobs[i].state, JOB_FAILED);
        if (!strcmp(name, "delta"))
            assert_int_equal(jobs[i].state, JOB_SKIPPED);
    }
    assert_null(outputs_get(&run.outputs, "delta", "token"));
    finish(&run, jobs, n);
    char buf[4096] = {0};
    rewind(sink);
    assert_true(fread(buf, 1, sizeof(buf) - 1, sink) > 0);
    assert_non_null(strstr(buf, "warning: delta: deploy not run: stopped after an earlier failure"));
}

static sh_status record_destroy(const sh_host *host, sh_ctx *ctx)
{
    (void)host;
    record(ctx->item->section->name);
    return SH_OK;
}

static void test_destroy_runs_in_reverse(void **state)
{
    (void)state;
    open_env("dev");
    sh_plugin d[4];
    const char *names[] = {"alpha", "beta", "gamma", "delta"};
    for (size_t i = 0; i < 4; i++) {
        d[i] = *stack_find(&st, names[i])->plugin->desc;
        d[i].destroy = record_destroy;
        stack_find(&st, names[i])->plugin->desc = &d[i];
    }
    struct run run;
    struct job *jobs;
    size_t n;
    assert_int_equal(run_mode(SH_MODE_DESTROY, 4, &run, &jobs, &n), 0);
    assert_int_equal(nseen, 4);
    assert_true(position("delta") < position("beta"));
    assert_true(position("delta") < position("gamma"));
    assert_true(position("beta") < position("alpha"));
    finish(&run, jobs, n);
}

/* destroy_alongside (ABI 1.7): alpha's destroy starts with beta's (beta
 * requires it) and waits for it itself before what beta may still use. */
static sh_status destroy_then_wait(const sh_host *host, sh_ctx *ctx)
{
    record("alpha starts");
    int rc = host->await_destroyed(ctx, NULL);
    record(rc == 1 ? "alpha waited" : rc ? "alpha cut short" : "alpha had none");
    return rc < 0 ? SH_ERR : SH_OK;
}

static sh_status destroy_slowly(const sh_host *host, sh_ctx *ctx)
{
    struct timespec ts = {0, 50 * 1000000L}; /* alpha is waiting by then */
    nanosleep(&ts, NULL);
    (void)host;
    (void)ctx;
    record("beta");
    return SH_OK;
}

/* alpha and beta alone, alpha destroying alongside beta, whose destroy
 * is beta_destroy (a and b: their descriptors, kept by the caller). */
static void destroy_alpha_beta(sh_plugin *a, sh_plugin *b, sh_plugin_fn beta_destroy)
{
    open_env("dev");
    *a = *stack_find(&st, "alpha")->plugin->desc;
    *b = *stack_find(&st, "beta")->plugin->desc;
    a->destroy = destroy_then_wait;
    a->destroy_alongside = 1;
    b->destroy = beta_destroy;
    stack_find(&st, "alpha")->plugin->desc = a;
    stack_find(&st, "beta")->plugin->desc = b;
    stack_find(&st, "gamma")->selected = 0;
    stack_find(&st, "delta")->selected = 0;
}

static void test_destroy_alongside_waits_for_its_dependents(void **state)
{
    (void)state;
    sh_plugin a, b;
    destroy_alpha_beta(&a, &b, destroy_slowly);
    struct run run;
    struct job *jobs;
    size_t n;
    assert_int_equal(run_mode(SH_MODE_DESTROY, 0, &run, &jobs, &n), 0);
    assert_true(position("alpha starts") < position("beta"));
    assert_true(position("beta") < position("alpha waited"));
    finish(&run, jobs, n);
}

/* A plan's destroys only look: nothing waits, and nothing is waited for. */
static void test_plan_destroys_wait_for_nothing(void **state)
{
    (void)state;
    sh_plugin a, b;
    destroy_alpha_beta(&a, &b, destroy_slowly);
    struct run run;
    struct job *jobs;
    size_t n;
    run_init(&run, &st, SH_MODE_PLAN);
    run.plan_destroy = 1;
    n = engine_jobs(&run, &jobs);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(jobs[i].ndeps, 0);
    assert_int_equal(engine_run(&run, jobs, n, 0, &dl), 0);
    assert_true(position("alpha had none") < position("beta"));
    finish(&run, jobs, n);
}

/* beta says early that nothing it still deletes uses alpha's: alpha goes
 * on before beta's destroy ends. */
static sh_status destroy_release_then_linger(const sh_host *host, sh_ctx *ctx)
{
    host->destroy_released(ctx);
    struct timespec ts = {0, 100 * 1000000L};
    nanosleep(&ts, NULL);
    record("beta");
    return SH_OK;
}

static void test_released_dependent_ends_the_wait(void **state)
{
    (void)state;
    sh_plugin a, b;
    destroy_alpha_beta(&a, &b, destroy_release_then_linger);
    struct run run;
    struct job *jobs;
    size_t n;
    assert_int_equal(run_mode(SH_MODE_DESTROY, 0, &run, &jobs, &n), 0);
    assert_true(position("alpha waited") < position("beta"));
    finish(&run, jobs, n);
}

static sh_status destroy_failing(const sh_host *host, sh_ctx *ctx)
{
    struct timespec ts = {0, 50 * 1000000L};
    nanosleep(&ts, NULL);
    record("beta");
    return (host->fail)(ctx, SH_ERR, "beta's destroy failed");
}

/* beta's destroy fails: alpha's wait says so, and alpha is cut short by
 * it (its own error is not reported: beta's is). */
static void test_failed_dependent_cuts_the_wait_short(void **state)
{
    (void)state;
    sh_plugin a, b;
    destroy_alpha_beta(&a, &b, destroy_failing);
    struct run run;
    struct job *jobs;
    size_t n;
    assert_int_equal(run_mode(SH_MODE_DESTROY, 0, &run, &jobs, &n), -1);
    assert_true(position("beta") < position("alpha cut short"));
    assert_int_equal(dl.n, 1);
    assert_non_null(strstr(dl.items[0].msg, "beta's destroy failed"));
    for (size_t i = 0; i < n; i++)
        if (!strcmp(jobs[i].item->section->name, "alpha")) {
            assert_int_equal(jobs[i].state, JOB_SKIPPED);
            assert_non_null(strstr(jobs[i].ctx.starved_of, "the destroy of beta"));
        }
    finish(&run, jobs, n);
}

static void test_disabled_plugin_is_destroyed_on_deploy(void **state)
{
    (void)state;
    open_env("quiet");
    struct run run;
    struct job *jobs;
    size_t n;
    assert_int_equal(run_mode(SH_MODE_PLAN, 4, &run, &jobs, &n), 0);
    assert_int_equal(n, 4);
    assert_string_equal(jobs[0].item->section->name, "delta");
    assert_int_equal(jobs[0].kind, JOB_DESTROY);
    assert_int_equal(jobs[0].ctx.changes[0].kind, SH_CHANGE_DELETE);
    assert_int_equal(jobs[0].ctx.mode, SH_MODE_PLAN);
    finish(&run, jobs, n);
}

/* A plugin disabled in a deploy goes after the deploys of what it
 * requires: they still see its resources (compute sees scaling's target
 * and leaves the desired count alone while scaling goes). */
static void test_disabled_plugin_goes_after_what_it_requires(void **state)
{
    (void)state;
    open_env("quiet"); /* delta, which requires beta and gamma, disabled */
    sh_plugin d[4];
    const char *names[] = {"alpha", "beta", "gamma", "delta"};
    for (size_t i = 0; i < 4; i++) {
        d[i] = *stack_find(&st, names[i])->plugin->desc;
        d[i].create = d[i].destroy = record_destroy;
        stack_find(&st, names[i])->plugin->desc = &d[i];
    }
    struct run run;
    struct job *jobs;
    size_t n;
    assert_int_equal(run_mode(SH_MODE_DEPLOY, 4, &run, &jobs, &n), 0);
    assert_int_equal(nseen, 4);
    assert_true(position("delta") > position("beta"));
    assert_true(position("delta") > position("gamma"));
    finish(&run, jobs, n);
}

static void test_missing_callback_is_refused_before_running(void **state)
{
    (void)state;
    open_env("dev");
    sh_plugin b = *stack_find(&st, "beta")->plugin->desc;
    b.create = NULL;
    stack_find(&st, "beta")->plugin->desc = &b;
    struct run run;
    struct job *jobs;
    run_init(&run, &st, SH_MODE_DEPLOY);
    size_t n = engine_jobs(&run, &jobs);
    assert_int_equal(engine_check(jobs, n, &dl), -1);
    assert_diag_has(&dl, "plugin 'beta' 9.9.9 cannot deploy yet");
    finish(&run, jobs, n);
}

static void test_interrupt_skips_everything(void **state)
{
    (void)state;
    open_env("dev");
    atomic_store(&run_interrupted, 1);
    struct run run;
    struct job *jobs;
    size_t n;
    assert_int_equal(run_mode(SH_MODE_DEPLOY, 4, &run, &jobs, &n), -1);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(jobs[i].state, JOB_SKIPPED);
    finish(&run, jobs, n);
}

static void test_only_runs_the_selection(void **state)
{
    (void)state;
    const char *path = test_write_file("only.cfg", CONFIG);
    struct stack_options opt = {path, "dev", FIXTURE_GOOD, "alpha,beta", NULL, 0};
    assert_int_equal(stack_open(&st, &opt, &dl), 0);
    struct run run;
    struct job *jobs;
    size_t n;
    assert_int_equal(run_mode(SH_MODE_DEPLOY, 4, &run, &jobs, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(jobs[0].item->section->name, "alpha");
    assert_string_equal(jobs[1].item->section->name, "beta");
    finish(&run, jobs, n);
    stack_close(&st);
    struct stack_options missing = {path, "dev", FIXTURE_GOOD, "beta,gama", NULL, 0};
    assert_int_equal(stack_open(&st, &missing, &dl), -1);
    assert_diag_has(&dl, "--only includes 'beta' but not 'alpha', which it requires: add it");
    assert_diag_has(&dl, "--only names 'gama', which is not a plugin of");
    assert_diag_has(&dl, "(did you mean 'gamma'?)");
    /* teardown closes st: open something valid again */
    assert_int_equal(stack_open(&st, &opt, &dl), 0);
}

static void test_secret_in_failure_is_redacted(void **state)
{
    (void)state;
    setenv("ENGINE_TEST_SECRET", "hunter2-very-secret", 1);
    open_plugins("secret.cfg", "alpha = { secret_env = \"ENGINE_TEST_SECRET\"; fail = true; };");
    log_set_level(SH_LOG_TRACE);
    struct run run;
    struct job *jobs;
    size_t n;
    assert_int_equal(run_mode(SH_MODE_DEPLOY, 4, &run, &jobs, &n), -1);
    assert_diag_has(&dl, "alpha: injected failure (secret was ***)");
    assert_false(diag_contains(&dl, "hunter2"));
    diag_log(&dl);
    char buf[4096] = {0};
    rewind(sink);
    assert_true(fread(buf, 1, sizeof(buf) - 1, sink) > 0);
    assert_non_null(strstr(buf, "using the secret ***"));
    assert_null(strstr(buf, "hunter2"));
    log_set_level(SH_LOG_INFO);
    finish(&run, jobs, n);
}

/* A plugin built with the previous minor (ABI 1.0) runs: it reads its
 * requirement's output and publishes its own. */
static void test_previous_minor_runs(void **state)
{
    (void)state;
    const char *path = test_write_file("compat.cfg",
                                       "stack = { name = \"shop\"; };\n"
                                       "plugins = { alpha = {}; compat_1_0 = {}; };\n"
                                       "environments = { dev = {}; };\n");
    struct stack_options opt = {path, "dev", FIXTURE_GOOD ":" FIXTURE_COMPAT, NULL, NULL, 0};
    if (stack_open(&st, &opt, &dl)) {
        diag_log(&dl);
        fail();
    }
    struct run run;
    struct job *jobs;
    size_t n;
    assert_int_equal(run_mode(SH_MODE_DEPLOY, 4, &run, &jobs, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(outputs_get(&run.outputs, "compat_1_0", "token")->value, "compat_1_0");
    finish(&run, jobs, n);
}

/* What the swapped-in alphas declare: dataflow needs it. */
static const char *const alpha_publishes[] = {"token", "items", NULL};

/* Dataflow: alpha publishes its token, then stays running until beta
 * (which requires it) has read the token; beta therefore ran inside
 * alpha's callback, not after it. */
static int token_read;

static sh_status publish_then_linger(const sh_host *host, sh_ctx *ctx)
{
    if (host->output_string(ctx, "token", "early") != SH_OK)
        return SH_ERR;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 30;
    pthread_mutex_lock(&seen_lock);
    int rc = 0;
    while (!token_read && rc == 0)
        rc = pthread_cond_timedwait(&seen_cond, &seen_lock, &until);
    pthread_mutex_unlock(&seen_lock);
    record("alpha ends");
    return token_read ? SH_OK : SH_ERR_TIMEOUT;
}

static sh_status read_token(const sh_host *host, sh_ctx *ctx)
{
    const char *token = host->input_string(ctx, "alpha", "token");
    record("beta read"); /* before alpha may end, which it does once told */
    pthread_mutex_lock(&seen_lock);
    token_read = token && !strcmp(token, "early");
    pthread_cond_broadcast(&seen_cond);
    pthread_mutex_unlock(&seen_lock);
    return token_read ? host->output_string(ctx, "token", "beta") : (host->fail)(ctx, SH_ERR, "no early token");
}

/* Only alpha and beta, their descriptors swapped for a and b (b may be
 * NULL), alpha declaring what it publishes: dataflow needs it. */
static void only_alpha_beta(sh_plugin *a, sh_plugin *b)
{
    a->publishes = alpha_publishes;
    stack_find(&st, "alpha")->plugin->desc = a;
    if (b)
        stack_find(&st, "beta")->plugin->desc = b;
    stack_find(&st, "gamma")->section->enabled = 0;
    stack_find(&st, "delta")->section->enabled = 0;
}

static void test_dependent_reads_outputs_while_requirement_runs(void **state)
{
    (void)state;
    open_env("dev");
    token_read = 0;
    sh_plugin a = swap("alpha", publish_then_linger), b = swap("beta", read_token);
    only_alpha_beta(&a, &b);
    struct run run;
    struct job *jobs;
    size_t n;
    assert_int_equal(run_mode(SH_MODE_DEPLOY, 4, &run, &jobs, &n), 0);
    assert_true(position("beta read") < position("alpha ends"));
    finish(&run, jobs, n);
}

/* alpha ends without publishing the key beta reads: beta gets NULL once
 * alpha is done (and fails, as the fixture does), never hangs. */
static sh_status publish_nothing(const sh_host *host, sh_ctx *ctx)
{
    (void)host;
    (void)ctx;
    struct timespec ts = {0, 50 * 1000000L}; /* beta is waiting by then */
    nanosleep(&ts, NULL);
    record("alpha ends");
    return SH_OK;
}

static void test_output_never_published_ends_the_wait(void **state)
{
    (void)state;
    open_env("dev");
    sh_plugin a = swap("alpha", publish_nothing);
    only_alpha_beta(&a, NULL);
    struct run run;
    struct job *jobs;
    size_t n;
    assert_int_equal(run_mode(SH_MODE_DEPLOY, 4, &run, &jobs, &n), -1);
    assert_diag_has(&dl, "beta: requirement alpha has not published its token");
    for (size_t i = 0; i < n; i++)
        if (jobs[i].kind == JOB_CREATE && !strcmp(jobs[i].item->section->name, "alpha"))
            assert_int_equal(jobs[i].state, JOB_DONE);
    finish(&run, jobs, n);
}

/* With `publishes` declared, reading a key it does not list is an error
 * at once (no wait for alpha, which would linger 30 s), and so is
 * publishing one. */

static sh_status read_undeclared(const sh_host *host, sh_ctx *ctx)
{
    const char *v = host->input_string(ctx, "alpha", "tokn");
    record("beta read");
    pthread_mutex_lock(&seen_lock);
    token_read = 1; /* lets alpha end */
    pthread_cond_broadcast(&seen_cond);
    pthread_mutex_unlock(&seen_lock);
    if (host->output_string(ctx, "anything", "x") == SH_OK)
        return SH_OK;
    return v ? SH_OK : SH_ERR;
}

static void test_undeclared_output_is_an_error_not_a_wait(void **state)
{
    (void)state;
    open_env("dev");
    token_read = 0;
    sh_plugin a = swap("alpha", publish_then_linger), b = swap("beta", read_undeclared);
    b.publishes = alpha_publishes;
    only_alpha_beta(&a, &b);
    struct run run;
    struct job *jobs;
    size_t n;
    assert_int_equal(run_mode(SH_MODE_DEPLOY, 4, &run, &jobs, &n), -1);
    assert_true(position("beta read") < position("alpha ends"));
    assert_diag_has(&dl, "plugin bug: reads the output alpha.tokn, which alpha does not publish");
    assert_diag_has(&dl, "plugin bug: publishes the output 'anything', which its descriptor's `publishes` does not list");
    finish(&run, jobs, n);
}

/* gamma fails while delta, started on its outputs, waits for its token:
 * delta is cut short and says so; its own error (the token never came)
 * follows from gamma's and is not reported. */
static void test_failed_requirement_cuts_short_what_waits_on_it(void **state)
{
    (void)state;
    open_plugins("slowfail.cfg", "alpha = {}; beta = {}; gamma = { delay_ms = 1000; fail = true; }; delta = {};");
    struct run run;
    struct job *jobs;
    size_t n;
    assert_int_equal(run_mode(SH_MODE_DEPLOY, 4, &run, &jobs, &n), -1);
    assert_diag_has(&dl, "gamma: injected failure");
    assert_false(diag_contains(&dl, "has not published its token"));
    assert_int_equal(jobs[n - 1].state, JOB_SKIPPED);
    finish(&run, jobs, n);
    char buf[4096] = {0};
    rewind(sink);
    assert_true(fread(buf, 1, sizeof(buf) - 1, sink) > 0);
    assert_non_null(strstr(buf, "warning: delta: deploy cut short: stopped after an earlier failure (the failed "
                                "plugin never published gamma.token)"));
}

/* A plan changes nothing: gamma's failure skips only what requires it;
 * alpha (slow) and beta still plan, so every refusal is known at once. */
static void test_plan_failure_lets_the_others_look(void **state)
{
    (void)state;
    open_plugins("plan_fail.cfg", "alpha = { delay_ms = 300; }; beta = {}; gamma = { fail = true; }; delta = {};");
    struct run run;
    struct job *jobs;
    size_t n;
    assert_int_equal(run_mode(SH_MODE_PLAN, 4, &run, &jobs, &n), -1);
    assert_diag_has(&dl, "gamma: injected failure");
    for (size_t i = 0; i < n; i++) {
        const char *name = jobs[i].item->section->name;
        if (!strcmp(name, "alpha") || !strcmp(name, "beta"))
            assert_int_equal(jobs[i].state, JOB_DONE);
        if (!strcmp(name, "gamma"))
            assert_int_equal(jobs[i].state, JOB_FAILED);
        if (!strcmp(name, "delta"))
            assert_int_equal(jobs[i].state, JOB_SKIPPED);
    }
    assert_int_equal(atomic_load(&run.stop), 0);
    finish(&run, jobs, n);
}

/* gamma ends incomplete at once (SH_ERR_INCOMPLETE: the rest waits on the
 * user) while alpha, then beta, still run: they are not stopped and
 * finish; delta, which requires gamma, does not run; the run fails with
 * gamma's error. */
static void test_incomplete_plugin_lets_the_others_finish(void **state)
{
    (void)state;
    open_plugins("incomplete.cfg",
                 "alpha = { delay_ms = 300; }; beta = {}; gamma = { incomplete = true; }; delta = {};");
    struct run run;
    struct job *jobs;
    size_t n;
    assert_int_equal(run_mode(SH_MODE_DEPLOY, 4, &run, &jobs, &n), -1);
    assert_diag_has(&dl, "gamma: injected: the rest waits on the user");
    for (size_t i = 0; i < n; i++) {
        const char *name = jobs[i].item->section->name;
        if (!strcmp(name, "alpha") || !strcmp(name, "beta"))
            assert_int_equal(jobs[i].state, JOB_DONE);
        if (!strcmp(name, "gamma")) {
            assert_int_equal(jobs[i].state, JOB_FAILED);
            assert_int_equal(jobs[i].status, SH_ERR_INCOMPLETE);
        }
        if (!strcmp(name, "delta"))
            assert_int_equal(jobs[i].state, JOB_SKIPPED);
    }
    assert_non_null(outputs_get(&run.outputs, "beta", "token"));
    assert_null(outputs_get(&run.outputs, "delta", "token"));
    finish(&run, jobs, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_deploy_passes_outputs_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_independent_plugins_run_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parallel_bound_is_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_stops_dependents_and_reports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_destroy_runs_in_reverse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disabled_plugin_is_destroyed_on_deploy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disabled_plugin_goes_after_what_it_requires, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_callback_is_refused_before_running, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupt_skips_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_only_runs_the_selection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_in_failure_is_redacted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_previous_minor_runs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dependent_reads_outputs_while_requirement_runs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_never_published_ends_the_wait, setup, teardown),
        cmocka_unit_test_setup_teardown(test_undeclared_output_is_an_error_not_a_wait, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_requirement_cuts_short_what_waits_on_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_incomplete_plugin_lets_the_others_finish, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_failure_lets_the_others_look, setup, teardown),
        cmocka_unit_test_setup_teardown(test_destroy_alongside_waits_for_its_dependents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_destroys_wait_for_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_dependent_cuts_the_wait_short, setup, teardown),
        cmocka_unit_test_setup_teardown(test_released_dependent_ends_the_wait, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
