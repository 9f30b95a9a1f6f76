/* The fake host itself (fake_host.c): the converge layer's tests are only
 * as good as the fake is faithful to host.h, so its table, its documents
 * and its AWS answers are checked here against what host.h and the real
 * host (core/aws/doc.c, core/host.c) say. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include <stackhost/plugin.h>

#include "fake_host.h"

static int setup(void **state)
{
    *state = fh_new();
    return 0;
}

static int teardown(void **state)
{
    fh_free(*state);
    return 0;
}

/* Every member set: the SDK may call any of them. After the three ABI
 * fields the table holds only function pointers (host.h), read here one
 * by one without assuming their types. */
static void test_table_is_complete(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    assert_int_equal(h->size, sizeof(sh_host));
    assert_int_equal(h->abi_major, STACKHOST_ABI_MAJOR);
    assert_int_equal(h->abi_minor, STACKHOST_ABI_MINOR);
    typedef void (*fn)(void);
    size_t first = offsetof(sh_host, log), members = (sizeof(sh_host) - first) / sizeof(fn);
    assert_int_equal(first + members * sizeof(fn), sizeof(sh_host));
    for (size_t i = 0; i < members; i++) {
        fn p;
        memcpy(&p, (const char *)h + first + i * sizeof(fn), sizeof(p));
        assert_non_null(p);
    }
    assert_true(SH_HOST_HAS(h, restart));
}

/* An older host: the members it lacks are missing by size, and NULL. */
static void test_older_host(void **state)
{
    sh_ctx *f = *state;
    fh_set_host_abi(f, 0, offsetof(sh_host, batch_new));
    const sh_host *h = fh_host(f);
    assert_int_equal(h->abi_minor, 0);
    assert_true(SH_HOST_HAS(h, allow_replace));
    assert_false(SH_HOST_HAS(h, batch_new));
    assert_false(SH_HOST_HAS(h, wait));
    assert_null(h->wait);
    assert_non_null(h->aws_call);
}

static void test_paths(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    sh_doc *d = h->doc_new(f);
    assert_int_equal(h->doc_set_string(d, "a.b[0].c", "x"), SH_OK);
    assert_int_equal(h->doc_set_string(d, "a.b[1].c", "y"), SH_OK); /* the list's length appends */
    assert_int_equal(h->doc_set_string(d, "a.b[3].c", "z"), SH_ERR_INVALID);
    assert_int_equal(h->doc_set_number(d, "n", 8080), SH_OK);
    assert_int_equal(h->doc_set_bool(d, "t", 1), SH_OK);
    assert_int_equal(h->doc_set_empty(d, "e", 1), SH_OK);
    assert_string_equal(h->doc_json(f, d), "{\"a\":{\"b\":[{\"c\":\"x\"},{\"c\":\"y\"}]},\"n\":8080,\"t\":true,\"e\":[]}");
    assert_string_equal(h->doc_string(d, "a.b[1].c"), "y");
    assert_string_equal(h->doc_string(d, "n"), "8080");
    assert_string_equal(h->doc_string(d, "t"), "true");
    assert_null(h->doc_string(d, "a.b"));
    assert_int_equal(h->doc_count(d, "a.b"), 2);
    assert_int_equal(h->doc_count(d, "a"), 1);
    assert_int_equal(h->doc_count(d, "e"), 0);
    assert_int_equal(h->doc_count(d, "missing"), 0);
    /* XML's list of one: [0] on a node that is not a list is the node */
    assert_string_equal(h->doc_string(d, "a[0].b[0].c"), "x");
    assert_null(h->doc_get(d, "a[1]"));
    /* one handle per node, and "" is the document itself */
    assert_ptr_equal(h->doc_get(d, "a.b[0]"), h->doc_get(h->doc_get(d, "a"), "b[0]"));
    assert_ptr_equal(h->doc_get(d, ""), d);
    /* malformed paths name nothing and set nothing */
    assert_null(h->doc_get(d, "a..b"));
    assert_null(h->doc_get(d, "a.b[x]"));
    assert_int_equal(h->doc_set_string(d, "", "v"), SH_ERR_INVALID);
    assert_int_equal(h->doc_set_string(d, "a.b", "v"), SH_ERR_INVALID); /* a list is not replaced */
    /* a scalar is replaced by another of any type */
    assert_int_equal(h->doc_set_string(d, "n", "eighty"), SH_OK);
    assert_string_equal(h->doc_string(d, "n"), "eighty");
    /* an empty XML element on a path becomes the container */
    const sh_doc *p = h->doc_parse(f, "{\"vpcSet\":\"\"}");
    assert_int_equal(h->doc_count(p, "vpcSet.item"), 0);
    assert_int_equal(h->doc_set_string((sh_doc *)p, "vpcSet.item[0].vpcId", "vpc-1"), SH_OK);
    assert_string_equal(h->doc_json(f, p), "{\"vpcSet\":{\"item\":[{\"vpcId\":\"vpc-1\"}]}}");
    assert_null(h->doc_parse(f, "{not json"));
}

static void test_doc_equal(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
#define EQ(a, b, subset) h->doc_equal(h->doc_parse(f, a), h->doc_parse(f, b), subset)
    assert_true(EQ("{\"a\":1,\"b\":[1,2]}", "{\"b\":[1,2],\"a\":1}", 0));
    assert_true(EQ("{\"port\":8080}", "{\"port\":\"8080\"}", 0)); /* scalars by their text */
    assert_false(EQ("{\"b\":[1,2]}", "{\"b\":[2,1]}", 0));
    assert_false(EQ("{\"a\":1}", "{\"a\":1,\"x\":2}", 0));
    assert_true(EQ("{\"a\":1}", "{\"a\":1,\"x\":{\"y\":2}}", 1)); /* subset: what AWS fills in */
    assert_false(EQ("{\"a\":1,\"x\":2}", "{\"a\":1}", 1));
    assert_true(EQ("{\"l\":[{\"k\":1}]}", "{\"l\":{\"k\":1}}", 0)); /* a list of one */
    assert_false(EQ("{\"a\":{}}", "{\"a\":\"\"}", 0));
    assert_true(EQ("null", "\"\"", 0)); /* as the host: null reads as "" */
#undef EQ
    assert_true(h->doc_equal(NULL, NULL, 0));
    assert_false(h->doc_equal(h->doc_new(f), NULL, 0));
}

static void test_scripted_answers(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    const sh_doc *out;
    fh_answer(f, "ec2", "DescribeVpcs", "{\"vpcSet\":{\"item\":[{\"vpcId\":\"vpc-1\"}]}}");
    fh_answer_error(f, "ec2", "DescribeVpcs", "UnauthorizedOperation", "no");
    fh_answer_lost(f, "ec2", "CreateVpc");
    fh_answer_lost(f, "ec2", "DescribeSubnets");
    assert_null(h->aws_error(f));
    assert_int_equal(h->aws_call(f, "ec2", "DescribeVpcs", NULL, &out), SH_OK);
    assert_string_equal(h->doc_string(out, "vpcSet.item[0].vpcId"), "vpc-1");
    assert_int_equal(h->aws_call(f, "ec2", "DescribeVpcs", NULL, &out), SH_ERR_AWS);
    assert_string_equal(h->aws_error(f)->code, "UnauthorizedOperation");
    assert_string_equal(h->aws_error_text(f),
                        "ec2 DescribeVpcs: UnauthorizedOperation: no (http 400, request id fake-1, 1 attempt)");
    /* lost: a create may have been applied, a read never is */
    assert_int_equal(h->aws_call(f, "ec2", "CreateVpc", NULL, &out), SH_ERR_AWS);
    assert_string_equal(h->aws_error(f)->code, "NetworkError");
    assert_int_equal(h->aws_error(f)->http_status, 0);
    assert_true(h->aws_error(f)->maybe_applied);
    assert_int_equal(h->aws_call(f, "ec2", "DescribeSubnets", NULL, &out), SH_ERR_AWS);
    assert_false(h->aws_error(f)->maybe_applied);
    /* nothing scripted: an error, counted */
    assert_int_equal(h->aws_call(f, "ec2", "DescribeVpcs", NULL, &out), SH_ERR_AWS);
    assert_string_equal(h->aws_error(f)->code, "FakeUnscripted");
    assert_int_equal(fh_unscripted(f), 1);
    assert_int_equal(fh_call_count(f), 5);
    assert_int_equal(fh_sent(f, "ec2", "DescribeVpcs"), 3);
    assert_int_equal(fh_unused_answers(f), 0);
}

static void test_batches(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    fh_answer(f, "ec2", "DescribeVpcs", "{\"n\":1}");
    fh_answer_error(f, "ec2", "DescribeSubnets", "Throttling", "slow down");
    sh_doc *in = h->doc_new(f);
    h->doc_set_string(in, "VpcId", "vpc-1");
    sh_batch *b = h->batch_new(f);
    assert_int_equal(h->batch_add(b, "ec2", "DescribeVpcs", NULL, "vpcSet.item", "vpcs"), 0);
    assert_int_equal(h->batch_add(b, "ec2", "DescribeSubnets", in, NULL, NULL), 1);
    const sh_doc *out;
    assert_int_equal(h->batch_result(b, 0, &out), SH_ERR_INVALID); /* not run yet */
    h->doc_set_string(in, "VpcId", "vpc-2"); /* read when the batch runs */
    assert_int_equal(h->batch_run(b), SH_ERR_AWS);
    assert_int_equal(h->batch_result(b, 0, &out), SH_OK);
    assert_string_equal(h->doc_string(out, "n"), "1");
    assert_int_equal(h->batch_result(b, 1, &out), SH_ERR_AWS);
    assert_string_equal(h->aws_error(f)->code, "Throttling");
    assert_int_equal(fh_call_at(f, 0)->round, fh_call_at(f, 1)->round);
    assert_int_equal(fh_call_at(f, 0)->via, FH_VIA_BATCH);
    assert_string_equal(fh_call_at(f, 0)->items_path, "vpcSet.item");
    assert_string_equal(fh_call_at(f, 0)->resource, "vpcs");
    assert_string_equal(fh_call_at(f, 1)->input, "{\"VpcId\":\"vpc-2\"}");
    assert_int_equal(h->batch_run(b), SH_OK); /* nothing new to send */
    assert_int_equal(fh_call_count(f), 2);
}

/* Plan mode: what is not a read is never sent, and becomes a pending change. */
static void test_plan_refuses_changes(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    fh_set_mode(f, SH_MODE_PLAN);
    fh_answer(f, "ec2", "DescribeVpcs", "{}");
    const sh_doc *out = NULL;
    assert_int_equal(h->aws_call(f, "ec2", "CreateVpc", NULL, &out), SH_OK);
    assert_string_equal(h->doc_json(f, out), "{}");
    assert_int_equal(h->aws_call(f, "ec2", "DescribeVpcs", NULL, &out), SH_OK);
    sh_batch *b = h->batch_new(f);
    h->batch_add(b, "ecs", "DeleteService", NULL, NULL, "service");
    assert_int_equal(h->batch_run(b), SH_OK);
    assert_int_equal(fh_call_count(f), 1);
    assert_int_equal(fh_refused(f), 2);
    const fh_report *r = fh_report_find(f, "ec2 CreateVpc");
    assert_non_null(r);
    assert_string_equal(r->resource, "ec2 CreateVpc (a call the plan did not send)");
    assert_int_equal(r->change, SH_CHANGE_CREATE);
    assert_int_equal(fh_report_find(f, "ecs DeleteService")->change, SH_CHANGE_DELETE);
    /* the read rule is the SDK's one rule */
    assert_true(sh_operation_is_read("GetParameter"));
    assert_false(sh_operation_is_read("Getaway"));
    assert_false(sh_operation_is_read("PutParameter"));
}

static void test_stack_config_outputs(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    fh_add_stack_tag(f, "Team", "api");
    const char *const *keys, *const *values;
    assert_int_equal(h->tags(f, &keys, &values), 4);
    assert_string_equal(keys[0], "Project");
    assert_string_equal(values[0], "catalog");
    assert_string_equal(values[1], "dev");
    assert_string_equal(keys[3], "Team");
    assert_string_equal(h->resource_name(f, "vpc", "catalog"), "vpc-catalog-dev");
    fh_set_config(f, "{\"name\":\"x\",\"port\":80,\"on\":true,\"list\":[{\"k\":\"v\"}]}");
    assert_string_equal(h->config_string(f, "name"), "x");
    assert_int_equal(h->config_int(f, "port"), 80);
    assert_true(h->config_bool(f, "on"));
    assert_int_equal(h->config_int(f, "name"), 0); /* the wrong type: a plugin bug, logged */
    assert_true(fh_log_has(f, "plugin bug"));
    assert_string_equal(h->value_string(h->value_member(h->value_at(h->config(f, "list"), 0), "k")), "v");
    assert_int_equal(h->output_string(f, "vpc_id", "vpc-1"), SH_OK);
    assert_int_equal(h->output_string(f, "Bad-Key", "x"), SH_ERR_INVALID);
    assert_string_equal(fh_output(f, "vpc_id"), "vpc-1");
    fh_set_inputs(f, "{\"network\":{\"subnets\":[\"a\",\"b\"],\"vpc_id\":\"vpc-9\"}}");
    const char *const *items;
    assert_int_equal(h->input_list(f, "network", "subnets", &items), 2);
    assert_string_equal(items[1], "b");
    assert_string_equal(h->input_string(f, "network", "vpc_id"), "vpc-9");
    h->redact(f, "s3cr3t-value");
    /* (h->fail): cmocka defines a fail() macro */
    assert_int_equal((h->fail)(f, SH_OK, "leaked %s", "s3cr3t-value"), SH_ERR);
    assert_string_equal(fh_error_at(f, 1), "leaked ***");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_table_is_complete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_older_host, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_doc_equal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scripted_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_refuses_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stack_config_outputs, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
