#define _POSIX_C_SOURCE 200809L /* setenv, unsetenv */
/* The plugin lifecycle (sdk/lifecycle.c, <stackhost/lifecycle.h>) against
 * the fake host (fake_host.c): the passes of deploy, lost answers and
 * "already exists", the pass limit, publishing and its status, load
 * failures, plan and outputs sending nothing that changes, and destroy
 * until a lookup finds nothing, within its pass limit.
 *
 * A toy plugin keeps one VPC named vpc-catalog-dev; the counters outside
 * it say which of its callbacks ran (its struct is the lifecycle's). A
 * pass after the first one waits 2 s (real time: AWS's lists lag), so
 * each test makes as few as it needs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <stackhost/lifecycle.h>

#include "fake_host.h"

#define TAG(k, v) "{\"key\":\"" k "\",\"value\":\"" v "\"}"
#define OURS(name) TAG("Name", name) "," TAG("Project", "catalog") "," TAG("Environment", "dev") "," TAG("ManagedBy", "stackhost")
#define VPC(id, tags) "{\"vpcId\":\"" id "\",\"tagSet\":{\"item\":[" tags "]}}"
#define VPCS(items) "{\"vpcSet\":{\"item\":[" items "]}}"
#define NO_VPCS "{\"vpcSet\":\"\"}"
#define VPC_NAME "vpc-catalog-dev"
#define VPC_LABEL "vpc " VPC_NAME

static struct {
    int loads, begins, converges, publishes, outputs, destroys, frees;
    int load_fails;
    sh_status publish_status;
} st;

struct toy {
    shc_frame f;
    int loaded; /* load ran on this struct before any pass */
    const sh_doc *vpcs;
};

static int toy_load(shc_frame *f, int destroy)
{
    (void)destroy;
    st.loads++;
    ((struct toy *)f)->loaded = 1;
    if (st.load_fails)
        (f->h->fail)(f->ctx, SH_ERR_CONFIG, "the toy cannot load");
    return st.load_fails ? -1 : 0;
}

static void toy_begin(shc_frame *f)
{
    st.begins++;
    assert_true(((struct toy *)f)->loaded);
    /* the frame starts each pass clean */
    assert_false(f->failed);
    assert_false(f->again);
    assert_false(f->q.lost);
}

static void toy_lookup(shc_frame *f)
{
    shc_read(&f->q, "ec2", "DescribeVpcs", NULL, VPC_LABEL, NULL, &((struct toy *)f)->vpcs);
}

static int toy_converge(shc_frame *f)
{
    struct toy *t = (struct toy *)f;
    st.converges++;
    toy_lookup(f);
    if (shc_wave(f))
        return -1;
    const sh_doc *vpc = NULL;
    shc_lookup lk = {.answer = t->vpcs, .items = "vpcSet.item", .tags = &shc_tags_ec2};
    int found = shc_find(f->h, f->ctx, &lk, "vpc", VPC_NAME, &vpc);
    if (found < 0)
        return -1;
    shc_line line = {.label = VPC_LABEL};
    if (!found) {
        sh_doc *in = f->h->doc_new(f->ctx);
        f->h->doc_set_string(in, "CidrBlock", "10.0.0.0/16");
        shc_change(&f->q, &line, SH_CHANGE_CREATE, NULL, "ec2", "CreateVpc", in, "VpcAlreadyExists", shc_created, f);
        if (shc_wave(f) || f->again)
            return -1;
    }
    shc_report_lines(f, (shc_line *[]){&line}, 1);
    return 0;
}

static sh_status toy_publish(shc_frame *f)
{
    st.publishes++;
    f->h->output_string(f->ctx, "vpc_name", VPC_NAME);
    return st.publish_status;
}

static int toy_outputs(shc_frame *f)
{
    st.outputs++;
    toy_lookup(f);
    return shc_wave(f);
}

static int toy_destroy(shc_frame *f, size_t *found)
{
    struct toy *t = (struct toy *)f;
    char path[64];
    st.destroys++;
    toy_lookup(f);
    if (shc_wave(f))
        return -1;
    for (size_t i = 0; i < f->h->doc_count(t->vpcs, "vpcSet.item"); i++) {
        const sh_doc *vpc = f->h->doc_get(t->vpcs, shc_path(path, sizeof(path), "vpcSet.item[%zu]", i));
        const char *id = f->h->doc_string(vpc, "vpcId");
        if (!shc_ours(f, 1, vpc, &shc_tags_ec2, shc_text(f->h, f->ctx, "vpc %s", id)))
            continue;
        ++*found;
        sh_doc *in = f->h->doc_new(f->ctx);
        f->h->doc_set_string(in, "VpcId", id);
        shc_delete(&f->q, VPC_LABEL, NULL, "ec2", "DeleteVpc", in, "InvalidVpcID.NotFound");
    }
    return shc_wave(f);
}

static void toy_free(shc_frame *f)
{
    (void)f;
    st.frees++;
}

static shc_lifecycle toy;

static int setup(void **state)
{
    unsetenv("STACKHOST_DESTROY_TIMEOUT");
    memset(&st, 0, sizeof(st));
    toy = (shc_lifecycle){.size = sizeof(struct toy), .load = toy_load, .begin = toy_begin,
                          .converge = toy_converge, .publish = toy_publish, .destroy = toy_destroy,
                          .destroy_what = "the toy's vpcs", .free = toy_free};
    *state = fh_new();
    return 0;
}

static int teardown(void **state)
{
    fh_free(*state);
    return 0;
}

static void assert_script_done(const sh_ctx *f)
{
    assert_int_equal(fh_unscripted(f), 0);
    assert_int_equal(fh_unused_answers(f), 0);
}

static void assert_reported(const sh_ctx *f, sh_change change)
{
    const fh_report *r = fh_report_find(f, VPC_LABEL);
    assert_non_null(r);
    assert_int_equal(r->change, change);
}

/* ---- deploy ---- */

static void test_deploy_converges_in_one_pass(void **state)
{
    sh_ctx *f = *state;
    fh_answer(f, "ec2", "DescribeVpcs", NO_VPCS);
    fh_answer(f, "ec2", "CreateVpc", "{\"vpc\":{\"vpcId\":\"vpc-1\"}}");
    assert_int_equal(shc_lifecycle_create(&toy, fh_host(f), f), SH_OK);
    assert_int_equal(st.loads, 1);
    assert_int_equal(st.converges, 1);
    assert_int_equal(st.publishes, 1);
    assert_int_equal(st.frees, 1);
    assert_reported(f, SH_CHANGE_CREATE);
    assert_string_equal(fh_output(f, "vpc_name"), VPC_NAME);
    assert_script_done(f);
}

/* The create acted and its answer vanished: the next pass finds the VPC
 * and never sends the create again. */
static void test_lost_create_looks_again(void **state)
{
    sh_ctx *f = *state;
    fh_answer(f, "ec2", "DescribeVpcs", NO_VPCS);
    fh_answer_lost(f, "ec2", "CreateVpc");
    fh_answer(f, "ec2", "DescribeVpcs", VPCS(VPC("vpc-1", OURS(VPC_NAME))));
    assert_int_equal(shc_lifecycle_create(&toy, fh_host(f), f), SH_OK);
    assert_int_equal(fh_sent(f, "ec2", "CreateVpc"), 1);
    assert_int_equal(st.loads, 1);
    assert_int_equal(st.begins, 2);
    assert_int_equal(st.converges, 2);
    assert_int_equal(st.publishes, 1);
    assert_int_equal(fh_error_count(f), 0);
    assert_true(fh_log_has(f, "an answer was lost (" VPC_LABEL ": ec2 CreateVpc: "));
    assert_true(fh_log_has(f, "looking again before going on"));
    assert_script_done(f);
}

/* "Already exists": the lookups missed it; the next pass finds it. */
static void test_already_exists_looks_again(void **state)
{
    sh_ctx *f = *state;
    fh_answer(f, "ec2", "DescribeVpcs", NO_VPCS);
    fh_answer_error(f, "ec2", "CreateVpc", "VpcAlreadyExists", "the vpc already exists");
    fh_answer(f, "ec2", "DescribeVpcs", VPCS(VPC("vpc-1", OURS(VPC_NAME))));
    assert_int_equal(shc_lifecycle_create(&toy, fh_host(f), f), SH_OK);
    assert_int_equal(st.converges, 2);
    assert_true(fh_log_has(f, "a create found its resource already there"));
    assert_script_done(f);
}

/* A refusal is not a lost answer: no second pass, nothing published. */
static void test_failure_ends_the_run(void **state)
{
    sh_ctx *f = *state;
    fh_answer(f, "ec2", "DescribeVpcs", NO_VPCS);
    fh_answer_error(f, "ec2", "CreateVpc", "UnauthorizedOperation", "you are not authorized");
    assert_int_equal(shc_lifecycle_create(&toy, fh_host(f), f), SH_ERR);
    assert_int_equal(st.converges, 1);
    assert_int_equal(st.publishes, 0);
    assert_int_equal(st.frees, 1);
    assert_int_equal(fh_error_count(f), 1);
    assert_true(fh_error_has(f, VPC_LABEL ": "));
    assert_true(fh_error_has(f, "UnauthorizedOperation"));
    assert_script_done(f);
}

/* A refusal of the plugin's own ends the run even when the pass also
 * asked to look again: shc_fail records it (its status, its text cut at
 * 4 KiB) and sets failed. */
static int toy_refuse(shc_frame *f)
{
    st.converges++;
    f->again = 1;
    char name[5000];
    memset(name, 'x', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    assert_int_equal(shc_fail(f, SH_ERR_CONFLICT, "vpc %s is someone else's: %d", name, 7), -1);
    assert_true(f->failed);
    return -1;
}

static void test_own_failure_ends_the_run(void **state)
{
    sh_ctx *f = *state;
    toy.converge = toy_refuse;
    assert_int_equal(shc_lifecycle_create(&toy, fh_host(f), f), SH_ERR);
    assert_int_equal(st.converges, 1);
    assert_int_equal(st.publishes, 0);
    assert_int_equal(fh_error_count(f), 1);
    assert_int_equal(fh_error_status_at(f, 0), SH_ERR_CONFLICT);
    assert_true(fh_error_has(f, "vpc xxxx"));
    assert_int_equal(strlen(fh_error_at(f, 0)), 4095);
    assert_script_done(f);
}

/* A required plugin's output: its value; missing (or empty) in a deploy,
 * an error naming it, its plugin and who needs it, the frame failed; in a
 * plan, none and no error (that plugin is not deployed yet). */
static void test_inputs(void **state)
{
    sh_ctx *f = *state;
    fh_set_inputs(f, "{\"network\":{\"vpc_id\":\"vpc-9\",\"subnet_ids\":[\"a\",\"b\"],\"sg\":\"\"}}");
    shc_frame fr = {.h = fh_host(f), .ctx = f};
    const char *const *items;
    fh_set_mode(f, SH_MODE_PLAN);
    assert_null(shc_input(&fr, "lb", "target_group_arn", "ecs service svc"));
    assert_int_equal(shc_input_list(&fr, "network", "private_subnet_ids", "ecs service svc", &items), 0);
    assert_null(items);
    assert_false(fr.failed);
    assert_int_equal(fh_error_count(f), 0);
    fh_set_mode(f, SH_MODE_DEPLOY);
    assert_string_equal(shc_input(&fr, "network", "vpc_id", "target group tg"), "vpc-9");
    assert_int_equal(shc_input_list(&fr, "network", "subnet_ids", "load balancer alb", &items), 2);
    assert_string_equal(items[1], "b");
    assert_false(fr.failed);
    assert_null(shc_input(&fr, "network", "sg", "load balancer alb"));
    assert_true(fr.failed);
    assert_string_equal(fh_error_at(f, 0), "load balancer alb needs network's output sg, which network did not "
                                           "publish: deploy network first, or with it");
    assert_int_equal(fh_error_status_at(f, 0), SH_ERR_CONFIG);
}

static void test_lost_every_pass_gives_up(void **state)
{
    sh_ctx *f = *state;
    toy.passes = 2;
    fh_answer(f, "ec2", "DescribeVpcs", NO_VPCS);
    fh_answer_repeats(f, "ec2", "DescribeVpcs");
    fh_answer_lost(f, "ec2", "CreateVpc");
    fh_answer_repeats(f, "ec2", "CreateVpc");
    assert_int_equal(shc_lifecycle_create(&toy, fh_host(f), f), SH_ERR);
    assert_int_equal(st.converges, 2);
    assert_int_equal(st.publishes, 0);
    assert_true(fh_error_has(f, "still not settled after 2 passes; run deploy again"));
    assert_true(fh_error_has(f, VPC_LABEL));
}

/* What publish answers is what create answers (SH_ERR_INCOMPLETE: the
 * rest of the stack goes on). */
static void test_publish_status_is_the_answer(void **state)
{
    sh_ctx *f = *state;
    st.publish_status = SH_ERR_INCOMPLETE;
    fh_answer(f, "ec2", "DescribeVpcs", VPCS(VPC("vpc-1", OURS(VPC_NAME))));
    assert_int_equal(shc_lifecycle_create(&toy, fh_host(f), f), SH_ERR_INCOMPLETE);
    assert_int_equal(st.converges, 1);
    assert_int_equal(st.publishes, 1);
    assert_script_done(f);
}

static void test_load_failure_runs_no_pass(void **state)
{
    sh_ctx *f = *state;
    st.load_fails = 1;
    assert_int_equal(shc_lifecycle_create(&toy, fh_host(f), f), SH_ERR);
    assert_int_equal(shc_lifecycle_destroy(&toy, fh_host(f), f), SH_ERR);
    assert_int_equal(st.begins + st.converges + st.destroys, 0);
    assert_int_equal(st.frees, 2);
    assert_int_equal(fh_call_count(f), 0);
    assert_true(fh_error_has(f, "the toy cannot load"));
}

/* A found VPC of someone else's: refused, nothing sent that changes. */
static void test_foreign_resource_is_refused(void **state)
{
    sh_ctx *f = *state;
    fh_answer(f, "ec2", "DescribeVpcs", VPCS(VPC("vpc-9", TAG("Name", VPC_NAME))));
    assert_int_equal(shc_lifecycle_create(&toy, fh_host(f), f), SH_ERR);
    assert_int_equal(fh_sent(f, "ec2", "CreateVpc"), 0);
    assert_int_equal(st.publishes, 0);
    assert_script_done(f);
}

static void test_ensure_owned(void **state)
{
    sh_ctx *f = *state;
    shc_frame fr = {.h = fh_host(f), .ctx = f};
    const sh_doc *ours = fr.h->doc_parse(f, VPC("vpc-1", OURS(VPC_NAME)));
    const sh_doc *theirs = fr.h->doc_parse(f, VPC("vpc-2", TAG("Name", VPC_NAME)));
    assert_int_equal(shc_ensure_owned(&fr, ours, &shc_tags_ec2, "vpc", VPC_NAME), 0);
    assert_false(fr.failed);
    assert_int_equal(shc_ensure_owned(&fr, theirs, &shc_tags_ec2, "vpc", VPC_NAME), -1);
    assert_true(fr.failed);
    assert_true(fh_error_has(f, VPC_NAME));
}

/* ---- waiting ---- */

static int polls;

static int ready_on_second_poll(void *arg, char *progress, size_t len)
{
    (void)arg;
    snprintf(progress, len, "poll %d", ++polls);
    return polls >= 2;
}

static int never_ready(void *arg, char *progress, size_t len)
{
    (void)arg;
    snprintf(progress, len, "still pending");
    return 0;
}

/* A plan sent nothing: it waits for nothing. A deploy polls until ready;
 * a destroy past its deadline gives up at once (SHC_UNTIL_DEADLINE), the
 * frame failed, the error the host's. */
static void test_wait(void **state)
{
    sh_ctx *f = *state;
    shc_frame plan = {.h = fh_host(f), .ctx = f, .plan = 1};
    polls = 0;
    assert_int_equal(shc_wait(&plan, "a toy", 60, never_ready, NULL), 0);
    assert_int_equal(fh_wait_count(f), 0);
    assert_false(plan.failed);

    shc_frame deploy = {.h = fh_host(f), .ctx = f};
    assert_int_equal(shc_wait(&deploy, "a toy", 60, ready_on_second_poll, NULL), 0);
    assert_int_equal(polls, 2);
    assert_false(deploy.failed);

    shc_frame destroy = {.h = fh_host(f), .ctx = f, .deadline = (long)time(NULL) - 5};
    assert_int_equal(shc_wait(&destroy, "a toy to go", SHC_UNTIL_DEADLINE, never_ready, NULL), -1);
    assert_true(destroy.failed);
    assert_true(fh_error_has(f, "a toy to go (still pending)"));
    assert_int_equal(fh_wait_count(f), 2);
}

/* ---- plan and outputs ---- */

static void test_plan_sends_nothing_that_changes(void **state)
{
    sh_ctx *f = *state;
    fh_set_mode(f, SH_MODE_PLAN);
    fh_answer(f, "ec2", "DescribeVpcs", NO_VPCS);
    assert_int_equal(shc_lifecycle_create(&toy, fh_host(f), f), SH_OK);
    assert_int_equal(fh_sent(f, "ec2", "CreateVpc"), 0);
    assert_int_equal(fh_refused(f), 0);
    assert_reported(f, SH_CHANGE_CREATE);
    assert_script_done(f);
}

static void test_outputs_without_callback_is_a_plan_pass(void **state)
{
    sh_ctx *f = *state;
    fh_set_mode(f, SH_MODE_OUTPUTS);
    fh_answer(f, "ec2", "DescribeVpcs", NO_VPCS);
    assert_int_equal(shc_lifecycle_outputs(&toy, fh_host(f), f), SH_OK);
    assert_int_equal(st.converges, 1);
    assert_int_equal(fh_sent(f, "ec2", "CreateVpc"), 0);
    assert_int_equal(st.publishes, 1);
    assert_script_done(f);
}

static void test_outputs_callback_then_publish(void **state)
{
    sh_ctx *f = *state;
    fh_set_mode(f, SH_MODE_OUTPUTS);
    toy.outputs = toy_outputs;
    fh_answer(f, "ec2", "DescribeVpcs", VPCS(VPC("vpc-1", OURS(VPC_NAME))));
    assert_int_equal(shc_lifecycle_outputs(&toy, fh_host(f), f), SH_OK);
    assert_int_equal(st.outputs, 1);
    assert_int_equal(st.converges, 0);
    assert_int_equal(st.publishes, 1);
    assert_int_equal(st.frees, 1);
    assert_script_done(f);
}

/* ---- destroy ---- */

/* Only the owned VPC goes; destroy ends when a lookup finds nothing owned. */
static void test_destroy_until_gone(void **state)
{
    sh_ctx *f = *state;
    fh_set_mode(f, SH_MODE_DESTROY);
    fh_answer(f, "ec2", "DescribeVpcs", VPCS(VPC("vpc-1", OURS(VPC_NAME)) "," VPC("vpc-9", TAG("Name", "theirs"))));
    fh_answer(f, "ec2", "DeleteVpc", "{}");
    fh_answer(f, "ec2", "DescribeVpcs", VPCS(VPC("vpc-9", TAG("Name", "theirs"))));
    assert_int_equal(shc_lifecycle_destroy(&toy, fh_host(f), f), SH_OK);
    assert_int_equal(st.destroys, 2);
    assert_int_equal(fh_sent(f, "ec2", "DeleteVpc"), 1);
    assert_reported(f, SH_CHANGE_DELETE);
    assert_true(fh_log_has(f, "vpc vpc-9 is not this stack's (no ownership tags): left alone"));
    assert_int_equal(st.frees, 1);
    assert_script_done(f);
}

/* A lost delete proves nothing: the next pass looks; not reported until done. */
static void test_destroy_after_a_lost_delete(void **state)
{
    sh_ctx *f = *state;
    fh_set_mode(f, SH_MODE_DESTROY);
    fh_answer(f, "ec2", "DescribeVpcs", VPCS(VPC("vpc-1", OURS(VPC_NAME))));
    fh_answer_lost(f, "ec2", "DeleteVpc");
    fh_answer(f, "ec2", "DescribeVpcs", NO_VPCS);
    assert_int_equal(shc_lifecycle_destroy(&toy, fh_host(f), f), SH_OK);
    assert_int_equal(st.destroys, 2);
    assert_null(fh_report_find(f, VPC_LABEL));
    assert_int_equal(fh_error_count(f), 0);
    assert_script_done(f);
}

static void test_destroy_gives_up_after_its_passes(void **state)
{
    sh_ctx *f = *state;
    fh_set_mode(f, SH_MODE_DESTROY);
    toy.destroy_passes = 2;
    fh_answer(f, "ec2", "DescribeVpcs", VPCS(VPC("vpc-1", OURS(VPC_NAME))));
    fh_answer_repeats(f, "ec2", "DescribeVpcs");
    fh_answer(f, "ec2", "DeleteVpc", "{}");
    fh_answer_repeats(f, "ec2", "DeleteVpc");
    assert_int_equal(shc_lifecycle_destroy(&toy, fh_host(f), f), SH_ERR);
    assert_int_equal(st.destroys, 2);
    assert_true(fh_error_has(f, "1 of the toy's vpcs still listed after 2 passes of destroy"));
}

/* A lost answer in the last pass is said too, not only "still listed". */
static void test_destroy_says_the_lost_answer(void **state)
{
    sh_ctx *f = *state;
    fh_set_mode(f, SH_MODE_DESTROY);
    toy.destroy_passes = 1;
    fh_answer(f, "ec2", "DescribeVpcs", VPCS(VPC("vpc-1", OURS(VPC_NAME))));
    fh_answer_lost(f, "ec2", "DeleteVpc");
    assert_int_equal(shc_lifecycle_destroy(&toy, fh_host(f), f), SH_ERR);
    assert_true(fh_error_has(f, "still listed after 1 passes of destroy"));
    assert_true(fh_error_has(f, VPC_LABEL ": "));
    assert_script_done(f);
}

static void test_destroy_plan_reports_and_sends_nothing(void **state)
{
    sh_ctx *f = *state;
    fh_set_mode(f, SH_MODE_PLAN);
    fh_answer(f, "ec2", "DescribeVpcs", VPCS(VPC("vpc-1", OURS(VPC_NAME))));
    assert_int_equal(shc_lifecycle_destroy(&toy, fh_host(f), f), SH_OK);
    assert_int_equal(st.destroys, 1);
    assert_int_equal(fh_sent(f, "ec2", "DeleteVpc"), 0);
    assert_reported(f, SH_CHANGE_DELETE);
    assert_script_done(f);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_deploy_converges_in_one_pass),
        T(test_lost_create_looks_again),
        T(test_already_exists_looks_again),
        T(test_failure_ends_the_run),
        T(test_own_failure_ends_the_run),
        T(test_inputs),
        T(test_lost_every_pass_gives_up),
        T(test_publish_status_is_the_answer),
        T(test_load_failure_runs_no_pass),
        T(test_foreign_resource_is_refused),
        T(test_ensure_owned),
        T(test_wait),
        T(test_plan_sends_nothing_that_changes),
        T(test_outputs_without_callback_is_a_plan_pass),
        T(test_outputs_callback_then_publish),
        T(test_destroy_until_gone),
        T(test_destroy_after_a_lost_delete),
        T(test_destroy_gives_up_after_its_passes),
        T(test_destroy_says_the_lost_answer),
        T(test_destroy_plan_reports_and_sends_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
