/* plan, deploy, destroy, outputs: open the stack, run the plugins'
 * callbacks through the engine, print the result. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cost.h"
#include "aws/read_cache.h"
#include "aws/secret.h"
#include "commands.h"
#include "confirm.h"
#include "colour.h"
#include "config.h"
#include "engine.h"
#include "json_text.h"
#include "lease.h"
#include "log.h"
#include "plan_view.h"
#include "stack.h"
#include "trace.h"
#include "xalloc.h"

static sh_mode command_mode(enum command cmd)
{
    switch (cmd) {
    case CMD_PLAN: return SH_MODE_PLAN;
    case CMD_DEPLOY: return SH_MODE_DEPLOY;
    case CMD_DESTROY: return SH_MODE_DESTROY;
    default: return SH_MODE_OUTPUTS;
    }
}

/* The plan's view for this command line, with the configuration's
 * estimate in cost (released by the caller) when it can be made; when it
 * cannot (a region the price table lacks), the plan goes on without it. */
static struct plan_view plan_view_of(const struct cli *cli, struct stack *st, enum plan_to to,
                                     struct cost_report *cost)
{
    /* destroy's own plan is a plan --destroy: every total goes to 0 */
    int destroy = cli->destroy || cli->command == CMD_DESTROY;
    struct plan_view v = {to, cli->verbosity > 0, 0, st->cfg.name, st->cfg.env, destroy, NULL};
    v.colour = to != PLAN_TO_JSON && colour_wanted(to == PLAN_TO_LOG ? stderr : stdout, cli->no_color);
    struct diag_list dl = DIAG_LIST_INIT;
    if (!cost_collect(st, cost, &dl)) {
        v.cost = cost;
    } else {
        for (size_t i = 0; i < dl.n; i++)
            log_msg(SH_LOG_WARN, NULL, "no cost estimate: %s", dl.items[i].msg);
    }
    diag_clear(&dl);
    return v;
}

/* deploy's closing line, as destroy's: what it did and how long it took. */
static void say_complete(const struct cli *cli, const struct stack *st, const struct job *jobs, size_t n,
                         const struct timespec *started)
{
    size_t counts[SH_CHANGE_DELETE + 1];
    plan_count(jobs, n, counts);
    if (cli->command == CMD_DESTROY)
        log_msg(SH_LOG_INFO, NULL, "destroy complete: stack %s, environment %s: %zu deleted (%.1fs)", st->cfg.name,
                st->cfg.env, counts[SH_CHANGE_DELETE] + counts[SH_CHANGE_REPLACE], seconds_since(started));
    else
        log_msg(SH_LOG_INFO, NULL, "deploy complete: stack %s, environment %s: %zu created, %zu updated, "
                "%zu replaced, %zu deleted, %zu unchanged (%.1fs)", st->cfg.name, st->cfg.env,
                counts[SH_CHANGE_CREATE], counts[SH_CHANGE_UPDATE], counts[SH_CHANGE_REPLACE],
                counts[SH_CHANGE_DELETE], counts[SH_CHANGE_NONE], seconds_since(started));
}

static void print_outputs(struct run *run, int json)
{
    struct strbuf out = STRBUF_INIT;
    const struct stack_config *cfg = &run->stack->cfg;
    for (size_t i = 0; i < cfg->noutputs; i++) {
        const struct output_alias *a = &cfg->outputs[i];
        const struct stack_item *it = stack_find(run->stack, a->plugin);
        if (it && it->selected && it->section->enabled && !outputs_get(&run->outputs, a->plugin, a->key))
            log_msg(SH_LOG_WARN, NULL, "stack output %s: plugin '%s' published no output '%s' (see stackhost "
                    "plugins %s)", a->name, a->plugin, a->key, a->plugin);
    }
    if (json) {
        json_t *doc = json_document();
        json_object_set_new(doc, "stack", json_string(cfg->name));
        json_object_set_new(doc, "environment", json_string(cfg->env));
        outputs_json(&run->outputs, cfg->outputs, cfg->noutputs, doc);
        json_text(&out, doc);
    } else
        outputs_text(&run->outputs, cfg->outputs, cfg->noutputs, &out);
    emit_stdout(&out);
    strbuf_release(&out);
}

/* One operator at a time: the environment's lease (lease.h), taken
 * beside STS (it needs no account) and before the plan, so the plan shown
 * is of the account this run will change. */
struct lease_taking {
    const struct cli *cli;
    struct stack *st;
    struct run *run;
    struct lease *lease;
    struct strbuf why;
    int rc;
};

static void *take_lease(void *arg)
{
    struct lease_taking *t = arg;
    t->rc = lease_take(t->lease, t->run->aws, t->st->cfg.name, t->st->cfg.env, cli_command_name(t->cli->command),
                       NULL, (int)t->cli->lock_timeout, &t->run->stop, &t->why);
    secret_burn_stack();
    return NULL;
}

/* Checks the jobs, connects to AWS, takes the lease when one is given
 * (deploy, destroy) and says which account and region the run is about.
 * EXIT_OK (holding the lease), or EXIT_ERROR with why in dl (none held). */
static int run_start(const struct cli *cli, struct stack *st, struct run *run, const struct job *jobs, size_t n,
                     struct lease *lease, struct diag_list *dl)
{
    if (engine_check(jobs, n, dl))
        return EXIT_ERROR;
    struct strbuf why = STRBUF_INIT;
    int rc = EXIT_OK;
    struct lease_taking taking = {cli, st, run, lease, STRBUF_INIT, -1};
    pthread_t taker;
    int started = 0;
    if (run_client(run, &why)) {
        diag_add(dl, NULL, 0, NULL, "%s", why.buf);
        strbuf_release(&why);
        return EXIT_ERROR;
    }
    if (lease && !(started = !pthread_create(&taker, NULL, take_lease, &taking)))
        take_lease(&taking);
    int identified = !run_identify(run, &why);
    if (started)
        pthread_join(taker, NULL);
    if (!identified) { /* its own error says why (the lease's, from the same credentials, would not) */
        if (lease && !taking.rc)
            lease_release(lease);
        diag_add(dl, NULL, 0, NULL, "%s", why.buf);
        rc = EXIT_ERROR;
    } else if (lease && taking.rc) {
        diag_add(dl, NULL, 0, NULL, "%s", taking.why.buf);
        rc = EXIT_ERROR;
    } else if (lease) {
        lease_name_caller(lease, run->caller_arn);
    }
    strbuf_release(&taking.why);
    if (rc == EXIT_OK) {
        /* Say which account and region change before anything does. */
        const char *region_from = config_region_source(&st->cfg);
        int region_set = !strcmp(region_from, "stack.region");
        struct strbuf sets = STRBUF_INIT;
        for (size_t i = 0; i < cli->nsets; i++)
            strbuf_addf(&sets, "%s--set %s", i ? " " : ", with ", cli->sets[i]);
        log_msg(cli->command == CMD_OUTPUTS ? SH_LOG_DEBUG : SH_LOG_INFO, NULL,
                "%s stack %s, environment %s: account %s (%s), region %s%s%s%s%s", cli_command_name(cli->command),
                st->cfg.name, st->cfg.env, run->account_id, run->caller_arn, config_region(&st->cfg),
                region_set ? "" : " (from ", region_set ? "" : region_from, region_set ? "" : ")", sets.buf);
        strbuf_release(&sets);
    }
    strbuf_release(&why);
    return rc;
}

/* outputs: what the lookups did not find (a deploy would create or
 * replace it). Returns how many; names the first few in why. */
#define NOT_DEPLOYED_NAMED 5
static size_t not_deployed(const struct job *jobs, size_t n, struct strbuf *why)
{
    size_t missing = 0;
    for (size_t i = 0; i < n; i++) {
        const struct sh_ctx *ctx = &jobs[i].ctx;
        for (size_t c = 0; c < ctx->nchanges; c++) {
            const struct change *ch = &ctx->changes[c];
            if (ch->kind != SH_CHANGE_CREATE && ch->kind != SH_CHANGE_REPLACE)
                continue;
            if (missing < NOT_DEPLOYED_NAMED)
                strbuf_addf(why, "%s%s", missing ? ", " : "", ch->resource);
            missing++;
        }
    }
    if (missing > NOT_DEPLOYED_NAMED)
        strbuf_addf(why, " and %zu more", missing - NOT_DEPLOYED_NAMED);
    return missing;
}

/* How long the plan's reads stand in for the apply's: a longer answer to
 * the question may have let the account change meanwhile. */
#define PLAN_READS_FRESH_SECONDS 60

/* deploy and destroy look before they change: every plugin plans (its
 * reads and checks) through the apply's client before the first mutating
 * request of any plugin, so whatever a read can find stops the run with
 * nothing changed. The plan is shown; on a terminal, unless
 * --auto-approve, the run goes on only when the answer is the
 * environment's name or "yes" (nothing to change: nothing is asked).
 * The plan's reads are kept in `reads` for the apply; *planned gets how
 * many changes it listed. Returns EXIT_OK to go on, else the exit status
 * (nothing was changed). */
static int plan_first(const struct cli *cli, struct stack *st, struct run *apply, struct read_cache *reads,
                      size_t *planned_out, struct diag_list *dl)
{
    int destroy = cli->command == CMD_DESTROY;
    struct run plan;
    run_init(&plan, st, SH_MODE_PLAN);
    plan.plan_destroy = destroy;
    plan.allow_replace = apply->allow_replace;
    plan.restart = apply->restart;
    /* borrowed from the apply: one connection, one account, one trace */
    plan.aws = apply->aws;
    plan.account_id = apply->account_id;
    plan.caller_arn = apply->caller_arn;
    plan.partition = apply->partition;
    plan.trace = apply->trace;
    apply->aws->reads = reads;
    struct job *jobs = NULL;
    size_t n = engine_jobs(&plan, &jobs);
    /* the same callbacks as the apply's, which run_start checked */
    int rc = engine_run(&plan, jobs, n, (size_t)cli->jobs, dl) ? EXIT_ERROR : EXIT_OK;
    struct timespec asked;
    clock_gettime(CLOCK_MONOTONIC, &asked);
    struct cost_report cost;
    struct plan_view view = plan_view_of(cli, st, PLAN_TO_LOG, &cost);
    size_t planned = rc == EXIT_OK ? plan_print(jobs, n, &view) : 0;
    *planned_out = planned;
    cost_report_free(&cost);
    if (planned && !cli->auto_approve) {
        struct strbuf question = STRBUF_INIT;
        strbuf_addf(&question, "%s these changes to stack %s, environment %s, in account %s",
                    destroy ? "destroy" : "deploy", st->cfg.name, st->cfg.env, apply->account_id);
        if (!confirm(question.buf, st->cfg.env)) {
            diag_add(dl, NULL, 0, NULL, "%s cancelled: the answer was not '%s' or 'yes'; nothing was changed",
                     cli_command_name(cli->command), st->cfg.env);
            rc = EXIT_ERROR;
        }
        strbuf_release(&question);
    }
    if (rc != EXIT_OK || seconds_since(&asked) > PLAN_READS_FRESH_SECONDS)
        apply->aws->reads = NULL;
    else
        read_cache_replay(reads);
    engine_jobs_free(jobs, n);
    plan.aws = NULL;
    plan.account_id = plan.caller_arn = NULL;
    plan.trace = NULL;
    run_free(&plan);
    return rc;
}

/* The plan, under the lease (run_start), which is checked still ours
 * after it when it has changes: a plan without any leaves the apply
 * nothing to send (it answers from the plan's reads, and decides as the
 * plan did), so no other operator's work can be undone by it. */
static int hold_and_plan(const struct cli *cli, struct stack *st, struct run *run, struct lease *lease,
                         struct read_cache *reads, size_t *planned, struct diag_list *dl)
{
    struct strbuf why = STRBUF_INIT;
    int rc = plan_first(cli, st, run, reads, planned, dl);
    /* a destroy whose lookups found nothing is complete: no apply */
    if (rc == EXIT_OK && *planned && lease_check(lease, &why)) {
        diag_add(dl, NULL, 0, NULL, "%s stopped before changing anything: %s", cli_command_name(cli->command),
                 why.buf);
        rc = EXIT_ERROR;
    }
    strbuf_release(&why);
    return rc;
}

/* --trace FILE is written at the end: whether it can be is found before
 * the run, not after it. A file made only to check is removed. */
static int trace_writable(const char *path, struct diag_list *dl)
{
    struct stat before;
    int existed = !stat(path, &before);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        diag_add(dl, NULL, 0, NULL, "--trace %s: cannot write it: %s", path, strerror(errno));
        return -1;
    }
    close(fd);
    if (!existed)
        unlink(path);
    return 0;
}

int cmd_run(const struct cli *cli)
{
    const char *file = cli_config_file(cli);
    struct diag_list dl = DIAG_LIST_INIT;
    if (cli->trace && trace_writable(cli->trace, &dl)) {
        diag_log(&dl);
        diag_clear(&dl);
        return EXIT_USAGE;
    }
    if (!cli->env) {
        struct sh_value *root = NULL;
        if (!config_read(file, &root, &dl)) {
            struct strbuf list = STRBUF_INIT;
            config_environment_list(root, "none; add an environments group", &list);
            diag_add(&dl, file, 0, NULL, "%s needs an environment: pass -e ENV (this file defines: %s)",
                     cli_command_name(cli->command), list.buf);
            strbuf_release(&list);
            value_free(root);
        }
        diag_log(&dl);
        diag_clear(&dl);
        return EXIT_USAGE;
    }
    struct stack st;
    struct stack_options opt = {file, cli->env, cli->plugin_path, cli->only, cli->sets, cli->nsets};
    if (stack_open(&st, &opt, &dl)) {
        diag_log(&dl);
        diag_clear(&dl);
        return EXIT_USAGE;
    }
    int changes = cli->command == CMD_DEPLOY || cli->command == CMD_DESTROY;
    if (changes && !cli->auto_approve && !isatty(STDIN_FILENO)) {
        diag_add(&dl, NULL, 0, NULL, "%s changes the account and asks first, on a terminal; without one (ci, a "
                 "script), pass --auto-approve to %s without asking (see plan%s for what it would do)",
                 cli_command_name(cli->command), cli_command_name(cli->command),
                 cli->command == CMD_DESTROY ? " --destroy" : "");
        diag_log(&dl);
        diag_clear(&dl);
        stack_close(&st);
        return EXIT_USAGE;
    }
    atomic_store(&run_graceful, 1); /* from here a signal stops the run cleanly */
    struct timespec started;
    clock_gettime(CLOCK_MONOTONIC, &started);
    struct run run;
    run_init(&run, &st, command_mode(cli->command));
    run.allow_replace = cli->allow_replace;
    run.wait_seconds = (int)cli->wait_seconds;
    run.restart = cli->restart;
    run.plan_destroy = cli->destroy && cli->command == CMD_PLAN;
    run.max_in_flight = (int)cli->requests;
    if (cli->trace)
        run.trace = trace_new();
    struct job *jobs = NULL;
    size_t n = engine_jobs(&run, &jobs);
    struct read_cache *reads = changes ? read_cache_new() : NULL;
    struct lease lease = {0};
    int rc = run_start(cli, &st, &run, jobs, n, changes ? &lease : NULL, &dl);
    size_t planned = 1;
    if (rc == EXIT_OK && changes)
        rc = hold_and_plan(cli, &st, &run, &lease, reads, &planned, &dl);
    if (rc == EXIT_OK && (planned || cli->command != CMD_DESTROY) && engine_run(&run, jobs, n, (size_t)cli->jobs, &dl))
        rc = EXIT_ERROR;
    struct strbuf lost = STRBUF_INIT;
    if (lease.name && lease_lost(&lease, &lost)) {
        diag_add(&dl, NULL, 0, NULL, "%s stopped: %s", cli_command_name(cli->command), lost.buf);
        rc = EXIT_ERROR;
    }
    strbuf_release(&lost);
    lease_release(&lease);
    if (reads)
        log_msg(SH_LOG_DEBUG, NULL, "the plan's reads answered %zu of the apply's", read_cache_hits(reads));
    /* a plan that ran succeeded, changes or not; as terraform's -detailed-exitcode, 3 says there are */
    if (cli->command == CMD_PLAN && rc == EXIT_OK) {
        struct cost_report cost;
        struct plan_view view = plan_view_of(cli, &st, cli->json ? PLAN_TO_JSON : PLAN_TO_STDOUT, &cost);
        if (plan_print(jobs, n, &view) && cli->detailed_exitcode)
            rc = EXIT_CHANGES;
        cost_report_free(&cost);
    }
    struct strbuf missing = STRBUF_INIT;
    size_t nmissing = rc == EXIT_OK && cli->command == CMD_OUTPUTS ? not_deployed(jobs, n, &missing) : 0;
    if (nmissing) {
        /* outputs of what does not exist would be invented: none are printed */
        diag_add(&dl, NULL, 0, NULL, "stack %s, environment %s is not deployed: %s %s missing; run deploy",
                 st.cfg.name, st.cfg.env, missing.buf, nmissing > 1 ? "are" : "is");
        rc = EXIT_ERROR;
    }
    strbuf_release(&missing);
    if (rc == EXIT_OK && cli->command == CMD_OUTPUTS && cli->arg) {
        struct strbuf one = STRBUF_INIT;
        if (outputs_one(&run.outputs, st.cfg.outputs, st.cfg.noutputs, cli->arg, cli->json, &one)) {
            diag_add(&dl, NULL, 0, NULL, "stack %s has no output '%s'; its outputs: %s", st.cfg.name, cli->arg,
                     one.buf);
            rc = EXIT_ERROR;
        } else {
            emit_stdout(&one);
        }
        strbuf_release(&one);
    } else if (rc == EXIT_OK && (cli->command == CMD_DEPLOY || cli->command == CMD_OUTPUTS)) {
        print_outputs(&run, cli->json);
    }
    if (rc == EXIT_OK && changes)
        say_complete(cli, &st, jobs, n, &started);
    if (run.trace) {
        struct strbuf why = STRBUF_INIT;
        if (trace_write(run.trace, cli->trace, &why)) {
            diag_add(&dl, NULL, 0, NULL, "%s", why.buf);
            rc = rc == EXIT_OK || rc == EXIT_CHANGES ? EXIT_ERROR : rc;
        }
        strbuf_release(&why);
    }
    diag_log(&dl);
    diag_clear(&dl);
    engine_jobs_free(jobs, n);
    if (run.aws)
        run.aws->reads = NULL;
    read_cache_free(reads);
    run_free(&run);
    stack_close(&st);
    return rc;
}
