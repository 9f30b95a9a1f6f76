#define _POSIX_C_SOURCE 200809L /* setenv, unsetenv */
/* The converge layer (the sdk/ sources) through <stackhost/converge.h> only,
 * against the fake host (fake_host.c): the rules every plugin inherits.
 * Ownership and duplicates, tag drift, the queue (accepted codes, "not
 * yet" retries, failures, lost answers), plan mode, passes and their
 * limit, and destroy until a lookup finds nothing.
 *
 * The passes and destroy loops pause 2 s between some passes (real time:
 * AWS's lists lag); the tests that need a pause take one, no more. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <stackhost/converge.h>

#include "fake_host.h"

/* ---- answers, written as EC2 answers them (read through the JSON
 * model the host makes of its XML) ---- */

#define TAG(k, v) "{\"key\":\"" k "\",\"value\":\"" v "\"}"
#define TAGS(name, project, env, by) \
    TAG("Name", name) "," TAG("Project", project) "," TAG("Environment", env) "," TAG("ManagedBy", by)
#define OURS(name) TAGS(name, "catalog", "dev", "stackhost")
#define VPC(id, tags) "{\"vpcId\":\"" id "\",\"tagSet\":{\"item\":[" tags "]}}"
#define VPCS(items) "{\"vpcSet\":{\"item\":[" items "]}}"
/* an EC2 list with nothing in it: <vpcSet/> */
#define NO_VPCS "{\"vpcSet\":\"\"}"
#define VPC_NAME "vpc-catalog-dev"

static int setup(void **state)
{
    unsetenv("STACKHOST_PROPAGATION_TIMEOUT");
    unsetenv("STACKHOST_DESTROY_TIMEOUT");
    *state = fh_new();
    return 0;
}

static int teardown(void **state)
{
    fh_free(*state);
    unsetenv("STACKHOST_PROPAGATION_TIMEOUT");
    unsetenv("STACKHOST_DESTROY_TIMEOUT");
    return 0;
}

/* Every scripted answer given, and no call that found none. */
static void assert_script_done(const sh_ctx *f)
{
    assert_int_equal(fh_unscripted(f), 0);
    assert_int_equal(fh_unused_answers(f), 0);
}

static void assert_error_has(const sh_ctx *f, const char *fragment)
{
    if (fh_error_has(f, fragment))
        return;
    for (size_t i = 0; i < fh_error_count(f); i++)
        print_error("error %zu: %s\n", i, fh_error_at(f, i));
    fail_msg("no error contains \"%s\"", fragment);
}

static shc_lookup vpc_lookup(const sh_doc *answer)
{
    return (shc_lookup){.answer = answer, .items = "vpcSet.item", .tags = &shc_tags_ec2};
}

/* ---- ownership ---- */

/* Owned means all three tags, and this stack's and environment's values. */
static void test_owned_needs_the_three_tags(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    struct {
        const char *json;
        int owned;
    } cases[] = {
        {VPC("vpc-1", OURS(VPC_NAME)), 1},
        {VPC("vpc-2", TAGS(VPC_NAME, "shop", "dev", "stackhost")), 0},    /* another stack's */
        {VPC("vpc-3", TAGS(VPC_NAME, "catalog", "prod", "stackhost")), 0}, /* another environment's */
        {VPC("vpc-4", TAGS(VPC_NAME, "catalog", "dev", "terraform")), 0},  /* another tool's */
        {VPC("vpc-5", TAG("Name", VPC_NAME) "," TAG("Project", "catalog") "," TAG("Environment", "dev")), 0},
        {"{\"vpcId\":\"vpc-6\"}", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const sh_doc *item = h->doc_parse(f, cases[i].json);
        assert_non_null(item);
        assert_int_equal(shc_owned(h, f, item, &shc_tags_ec2), cases[i].owned);
    }
    assert_string_equal(shc_tag(h, h->doc_parse(f, VPC("vpc-1", OURS(VPC_NAME))), &shc_tags_ec2, "Name"), VPC_NAME);
    assert_null(shc_tag(h, h->doc_parse(f, VPC("vpc-1", OURS(VPC_NAME))), &shc_tags_ec2, "Team"));
    /* an XML list of one tag reads like a list */
    const sh_doc *one = h->doc_parse(f, "{\"tagSet\":{\"item\":" TAG("Name", "x") "}}");
    assert_string_equal(shc_tag(h, one, &shc_tags_ec2, "Name"), "x");
}

/* What shc_put_tags writes, every shape reads back as owned. */
static void test_put_tags_round_trip_every_shape(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    const shc_tag_shape *shapes[] = {&shc_tags_ec2, &shc_tags_query, &shc_tags_query_put, &shc_tags_ecs,
                                     &shc_tags_json, &shc_tags_ssm, &shc_tags_kms, &shc_tags_map};
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        sh_doc *d = h->doc_new(f);
        shc_put_tags(h, f, d, shapes[i], "thing-catalog-dev");
        assert_true(shc_owned(h, f, d, shapes[i]));
        assert_string_equal(shc_tag(h, d, shapes[i], "Name"), "thing-catalog-dev");
    }
    /* another environment's context does not own them */
    sh_doc *d = h->doc_new(f);
    shc_put_tags(h, f, d, &shc_tags_ecs, "x");
    fh_set_stack(f, "catalog", "prod");
    assert_false(shc_owned(h, f, d, &shc_tags_ecs));
}

/* A tag map (Logs): written and read as tags.Key, its drift put back as a
 * map holding only what differs. */
static void test_tag_map(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    sh_doc *d = h->doc_new(f);
    shc_put_tags(h, f, d, &shc_tags_map, NULL);
    assert_string_equal(h->doc_json(f, d),
                        "{\"tags\":{\"Project\":\"catalog\",\"Environment\":\"dev\",\"ManagedBy\":\"stackhost\"}}");
    const sh_doc *have = shc_docf(h, f, "{'tags': {'Project': 'catalog', 'Environment': 'test', 'Other': 'x'}}");
    assert_false(shc_owned(h, f, have, &shc_tags_map));
    sh_doc *put = h->doc_new(f);
    char detail[256];
    assert_int_equal(shc_tags_drift(h, f, have, &shc_tags_map, NULL, put, &shc_tags_map, detail, sizeof(detail)), 2);
    assert_string_equal(h->doc_json(f, put), "{\"tags\":{\"Environment\":\"dev\",\"ManagedBy\":\"stackhost\"}}");
    assert_string_equal(detail, "tag Environment test -> dev, tag ManagedBy (none) -> stackhost");
    assert_null(shc_tag(h, NULL, &shc_tags_map, "Project"));
}

/* Name first, then the ownership tags, then stack.tags. */
static void test_put_tags_order(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    fh_add_stack_tag(f, "Team", "api");
    const shc_tag_shape spec = {"TagSpecification[0].Tag", "Key", "Value"};
    sh_doc *d = h->doc_new(f);
    h->doc_set_string(d, "TagSpecification[0].ResourceType", "vpc");
    shc_put_tags(h, f, d, &spec, VPC_NAME);
    assert_string_equal(h->doc_json(f, d),
                        "{\"TagSpecification\":[{\"ResourceType\":\"vpc\",\"Tag\":["
                        "{\"Key\":\"Name\",\"Value\":\"vpc-catalog-dev\"},"
                        "{\"Key\":\"Project\",\"Value\":\"catalog\"},"
                        "{\"Key\":\"Environment\",\"Value\":\"dev\"},"
                        "{\"Key\":\"ManagedBy\",\"Value\":\"stackhost\"},"
                        "{\"Key\":\"Team\",\"Value\":\"api\"}]}]}");
    sh_doc *unnamed = h->doc_new(f);
    shc_put_tags(h, f, unnamed, &shc_tags_ecs, NULL);
    assert_int_equal(h->doc_count(unnamed, "tags"), 4);
    assert_string_equal(h->doc_string(unnamed, "tags[0].key"), "Project");
}

/* ---- finding by name ---- */

static void test_find_ours_among_others(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    const sh_doc *answer = h->doc_parse(f, VPCS(VPC("vpc-1", OURS("vpc-other-dev")) "," VPC("vpc-2", OURS(VPC_NAME))
                                                    "," VPC("vpc-3", TAG("Name", "unrelated"))));
    shc_lookup l = vpc_lookup(answer);
    const sh_doc *item = NULL;
    assert_int_equal(shc_find(h, f, &l, "vpc", VPC_NAME, &item), 1);
    assert_string_equal(h->doc_string(item, "vpcId"), "vpc-2");
    assert_int_equal(shc_find(h, f, &l, "vpc", "vpc-missing-dev", &item), 0);
    assert_null(item);
    /* no answer at all (a read whose absent code matched) is nothing found */
    l.answer = NULL;
    assert_int_equal(shc_find(h, f, &l, "vpc", VPC_NAME, &item), 0);
    /* EC2's empty list and its list of one */
    l.answer = h->doc_parse(f, NO_VPCS);
    assert_int_equal(shc_find(h, f, &l, "vpc", VPC_NAME, &item), 0);
    l.answer = h->doc_parse(f, "{\"vpcSet\":{\"item\":" VPC("vpc-7", OURS(VPC_NAME)) "}}");
    assert_int_equal(shc_find(h, f, &l, "vpc", VPC_NAME, &item), 1);
    assert_string_equal(h->doc_string(item, "vpcId"), "vpc-7");
    assert_int_equal(fh_error_count(f), 0);
}

/* A resource with our name and without our tags is refused, never
 * touched: no tags, another stack's, another environment's. */
static void test_find_refuses_what_is_not_ours(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    const char *foreign[] = {VPC("vpc-1", TAG("Name", VPC_NAME)), VPC("vpc-2", TAGS(VPC_NAME, "shop", "dev", "stackhost")),
                             VPC("vpc-3", TAGS(VPC_NAME, "catalog", "prod", "stackhost"))};
    for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
        char json[1024];
        snprintf(json, sizeof(json), "{\"vpcSet\":{\"item\":[%s]}}", foreign[i]);
        shc_lookup l = vpc_lookup(h->doc_parse(f, json));
        const sh_doc *item = (const sh_doc *)&l; /* anything: it must be cleared */
        assert_int_equal(shc_find(h, f, &l, "vpc", VPC_NAME, &item), -1);
        assert_null(item);
        assert_int_equal(fh_error_count(f), i + 1);
        assert_int_equal(fh_error_status_at(f, i), SH_ERR_CONFLICT);
    }
    assert_string_equal(fh_error_at(f, 0),
                        "a vpc named vpc-catalog-dev exists without this stack's ownership tags (Project=catalog, "
                        "Environment=dev, ManagedBy=stackhost): stackhost did not make it and will not touch it; "
                        "rename or delete it, or add the tags to adopt it");
    /* ours beside a foreign one of the same name: ours is found, theirs left alone */
    shc_lookup l = vpc_lookup(
        h->doc_parse(f, VPCS(VPC("vpc-4", TAG("Name", VPC_NAME)) "," VPC("vpc-5", OURS(VPC_NAME)))));
    const sh_doc *item;
    assert_int_equal(shc_find(h, f, &l, "vpc", VPC_NAME, &item), 1);
    assert_string_equal(h->doc_string(item, "vpcId"), "vpc-5");
    /* the same words for services whose answers carry no tags */
    assert_int_equal(shc_refuse_foreign(h, f, "ecr repository", "ecr-catalog-dev"), -1);
    assert_error_has(f, "ecr repository named ecr-catalog-dev exists without this stack's ownership tags");
}

/* Two of ours with one name: shc_find refuses (extra ones must go). */
static void test_find_duplicates_are_an_error(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    shc_lookup l = vpc_lookup(h->doc_parse(f, VPCS(VPC("vpc-1", OURS(VPC_NAME)) "," VPC("vpc-2", OURS(VPC_NAME)))));
    const sh_doc *item;
    assert_int_equal(shc_find(h, f, &l, "vpc", VPC_NAME, &item), -1);
    assert_null(item);
    assert_int_equal(fh_error_status_at(f, 0), SH_ERR_CONFLICT);
    assert_string_equal(fh_error_at(f, 0), "2 vpcs are named vpc-catalog-dev and carry this stack's tags: delete the "
                                           "extra ones (a retried create can leave one), then deploy again");
}

static int nat_in_use(void *arg, const sh_doc *item)
{
    const sh_host *h = arg;
    const char *id = h->doc_string(item, "natGatewayId");
    return id && !strcmp(id, "nat-busy");
}

#define NAT(id, state, time) \
    "{\"natGatewayId\":\"" id "\",\"state\":\"" state "\",\"createTime\":\"" time "\",\"tagSet\":{\"item\":[" \
    OURS("nat-catalog-a-dev") "]}}"

/* shc_find_keep: duplicates are not fatal; keep the one in use, else the
 * oldest, else the first listed; the others are the caller's to delete.
 * Deleted ones are not there at all. */
static void test_find_keep_chooses_and_lists_extras(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    const char *name = "nat-catalog-a-dev";
    const sh_doc *answer = h->doc_parse(
        f, "{\"natGatewaySet\":{\"item\":[" NAT("nat-new", "available", "2024-05-02T10:00:00Z") "," NAT(
               "nat-old", "pending", "2024-05-01T10:00:00Z") "," NAT("nat-busy", "available", "2024-05-03T10:00:00Z") "," NAT("nat-gone", "deleted", "2020-01-01T00:00:00Z") "]}}");
    shc_lookup l = {.answer = answer, .items = "natGatewaySet.item", .tags = &shc_tags_ec2, .state = "state",
                    .skip_states = "deleted|deleting|failed", .in_use = nat_in_use, .in_use_arg = (void *)h,
                    .created = "createTime"};
    const sh_doc *item, *extras[4];
    size_t n = 99;
    assert_int_equal(shc_find_keep(h, f, &l, "nat gateway", name, &item, extras, 4, &n), 1);
    assert_string_equal(h->doc_string(item, "natGatewayId"), "nat-busy");
    assert_int_equal(n, 2);
    assert_string_equal(h->doc_string(extras[0], "natGatewayId"), "nat-new");
    assert_string_equal(h->doc_string(extras[1], "natGatewayId"), "nat-old");
    /* none in use: the oldest */
    l.in_use = NULL;
    assert_int_equal(shc_find_keep(h, f, &l, "nat gateway", name, &item, extras, 4, &n), 1);
    assert_string_equal(h->doc_string(item, "natGatewayId"), "nat-old");
    assert_int_equal(n, 2);
    /* no creation time either: the first listed */
    l.created = NULL;
    assert_int_equal(shc_find_keep(h, f, &l, "nat gateway", name, &item, extras, 4, &n), 1);
    assert_string_equal(h->doc_string(item, "natGatewayId"), "nat-new");
    /* at most max extras are handed back; the next pass finds the rest */
    assert_int_equal(shc_find_keep(h, f, &l, "nat gateway", name, &item, extras, 1, &n), 1);
    assert_int_equal(n, 1);
    assert_int_equal(fh_error_count(f), 0);
    /* only deleted ones: nothing there (a foreign deleted one is not in the way either) */
    l.answer = h->doc_parse(f, "{\"natGatewaySet\":{\"item\":[" NAT("nat-gone", "deleted", "2020-01-01T00:00:00Z")
                               ",{\"natGatewayId\":\"nat-theirs\",\"state\":\"deleted\",\"tagSet\":{\"item\":["
                               TAG("Name", "nat-catalog-a-dev") "]}}]}}");
    assert_int_equal(shc_find_keep(h, f, &l, "nat gateway", name, &item, extras, 4, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(fh_error_count(f), 0);
}

/* extras without nextras, with two owned items of the name: none is
 * stored (this once dereferenced the NULL count) */
static void test_find_keep_without_a_count(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    shc_lookup l = vpc_lookup(h->doc_parse(f, VPCS(VPC("vpc-1", OURS(VPC_NAME)) "," VPC("vpc-2", OURS(VPC_NAME)))));
    const sh_doc *item, *extras[2];
    assert_int_equal(shc_find_keep(h, f, &l, "vpc", VPC_NAME, &item, extras, 2, NULL), 1);
    assert_string_equal(h->doc_string(item, "vpcId"), "vpc-1");
}

/* ---- tag drift ---- */

static void test_tags_drift(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    fh_add_stack_tag(f, "Team", "api");
    /* Environment missing, Team changed by hand, Owner not ours to manage */
    const sh_doc *item = h->doc_parse(
        f, "{\"Tags\":{\"member\":[{\"Key\":\"Name\",\"Value\":\"alb-catalog-dev\"},{\"Key\":\"Project\",\"Value\":"
           "\"catalog\"},{\"Key\":\"ManagedBy\",\"Value\":\"stackhost\"},{\"Key\":\"Team\",\"Value\":\"web\"},"
           "{\"Key\":\"Owner\",\"Value\":\"someone\"}]}}");
    sh_doc *put = h->doc_new(f);
    char detail[SHC_DETAIL];
    size_t n = shc_tags_drift(h, f, item, &shc_tags_query, "alb-catalog-dev", put, &shc_tags_query_put, detail,
                              sizeof(detail));
    assert_int_equal(n, 2);
    assert_string_equal(h->doc_json(f, put), "{\"Tags\":[{\"Key\":\"Environment\",\"Value\":\"dev\"},"
                                             "{\"Key\":\"Team\",\"Value\":\"api\"}]}");
    /* the detail's wording of each tag is lines.c's; which tags it names is drift's */
    assert_non_null(strstr(detail, "tag Environment"));
    assert_non_null(strstr(detail, "tag Team"));
    assert_null(strstr(detail, "Owner"));
    assert_null(strstr(detail, "tag Name"));
    /* a renamed resource: Name drifts too; without a name, Name is not ours */
    put = h->doc_new(f);
    assert_int_equal(shc_tags_drift(h, f, item, &shc_tags_query, "alb-renamed-dev", put, &shc_tags_query_put, NULL, 0),
                     3);
    assert_string_equal(h->doc_string(put, "Tags[0].Key"), "Name");
    put = h->doc_new(f);
    assert_int_equal(shc_tags_drift(h, f, item, &shc_tags_query, NULL, put, &shc_tags_query_put, NULL, 0), 2);
    /* nothing drifted: nothing written, an empty detail */
    sh_doc *ours = h->doc_new(f);
    shc_put_tags(h, f, ours, &shc_tags_ecs, "svc");
    put = h->doc_new(f);
    assert_int_equal(shc_tags_drift(h, f, ours, &shc_tags_ecs, "svc", put, &shc_tags_ecs, detail, sizeof(detail)), 0);
    assert_string_equal(detail, "");
    assert_string_equal(h->doc_json(f, put), "{}");
}

/* ---- the queue ---- */

/* What the completions saw. */
struct seen {
    int calls, nulls; /* completions, and those given NULL (an accepted code) */
    int fail;         /* set: the completion fails */
};

static int saw(void *arg, const sh_doc *answer)
{
    struct seen *s = arg;
    s->calls++;
    s->nulls += !answer;
    return s->fail ? -1 : 0;
}

/* Appends each answer's "id" to ids: the order completions ran in. */
struct order {
    const sh_host *h;
    char ids[64];
};

static int append_id(void *arg, const sh_doc *answer)
{
    struct order *o = arg;
    const char *id = o->h->doc_string(answer, "id");
    size_t used = strlen(o->ids);
    snprintf(o->ids + used, sizeof(o->ids) - used, "%s%s", used ? "," : "", id ? id : "?");
    return 0;
}

/* Independent calls go out together (one round), completions in queue
 * order, labels to the host's batch; the queue is empty after, ready for
 * the next wave. */
static void test_queue_sends_together(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    fh_answer(f, "ec2", "CreateSubnet", "{\"id\":\"a\"}");
    fh_answer(f, "ec2", "CreateSubnet", "{\"id\":\"b\"}");
    fh_answer(f, "ec2", "DescribeVpcs", "{\"id\":\"c\"}");
    shc_queue q;
    shc_queue_init(&q, h, f);
    struct order o = {.h = h};
    sh_doc *in[2] = {h->doc_new(f), h->doc_new(f)};
    h->doc_set_string(in[0], "CidrBlock", "10.0.0.0/24");
    h->doc_set_string(in[1], "CidrBlock", "10.0.1.0/24");
    shc_queue_add(&q, "ec2", "CreateSubnet", in[0], NULL, "subnet subnet-catalog-public-a-dev", append_id, &o);
    shc_queue_add(&q, "ec2", "CreateSubnet", in[1], NULL, "subnet subnet-catalog-public-b-dev", append_id, &o);
    shc_queue_add_pages(&q, "ec2", "DescribeVpcs", NULL, "vpcSet.item", "vpc lookup", NULL, append_id, &o);
    assert_int_equal(q.n, 3);
    assert_int_equal(shc_queue_run(&q), 0);
    assert_string_equal(o.ids, "a,b,c");
    assert_int_equal(fh_call_count(f), 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(fh_call_at(f, i)->via, FH_VIA_BATCH);
        assert_int_equal(fh_call_at(f, i)->round, fh_call_at(f, 0)->round);
    }
    assert_string_equal(fh_call_at(f, 0)->resource, "subnet subnet-catalog-public-a-dev");
    assert_string_equal(fh_call_at(f, 1)->input, "{\"CidrBlock\":\"10.0.1.0/24\"}");
    assert_string_equal(fh_call_at(f, 2)->items_path, "vpcSet.item");
    assert_null(fh_call_at(f, 0)->items_path);
    assert_int_equal(q.n, 0);
    assert_int_equal(q.lost, 0);
    /* empty: nothing sent, success */
    assert_int_equal(shc_queue_run(&q), 0);
    assert_int_equal(fh_call_count(f), 3);
    assert_int_equal(fh_error_count(f), 0);
    assert_script_done(f);
}

/* shc_keep: a create's id kept from its answer (cut to fit), before its
 * completion runs; an accepted code, an answer without it, or a plan's
 * create (not queued) leave the buffer as it was. */
static void test_queue_keeps_ids(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    fh_answer(f, "ec2", "CreateVpc", "{\"vpc\":{\"vpcId\":\"vpc-0123456789\"}}");
    fh_answer(f, "ec2", "CreateInternetGateway", "{\"internetGateway\":{}}");
    fh_answer_error(f, "ecr", "CreateRepository", "RepositoryAlreadyExistsException", "exists");
    shc_queue q;
    shc_queue_init(&q, h, f);
    char vpc[8] = "", igw[8] = "old", repo[32] = "old";
    shc_queue_add(&q, "ec2", "CreateVpc", NULL, NULL, "vpc", NULL, NULL);
    shc_keep(&q, "vpc.vpcId", vpc, sizeof(vpc));
    shc_queue_add(&q, "ec2", "CreateInternetGateway", NULL, NULL, "igw", NULL, NULL);
    shc_keep(&q, "internetGateway.internetGatewayId", igw, sizeof(igw));
    shc_queue_add_accepting(&q, "ecr", "CreateRepository", NULL, "repo", "RepositoryAlreadyExistsException", NULL, NULL);
    shc_keep(&q, "repository.repositoryUri", repo, sizeof(repo));
    assert_int_equal(shc_queue_run(&q), 0);
    assert_string_equal(vpc, "vpc-012");
    assert_string_equal(igw, "old");
    assert_string_equal(repo, "old");
    /* a plan queues no create: the keep that follows it keeps nothing */
    fh_set_mode(f, SH_MODE_PLAN);
    fh_answer(f, "ec2", "DescribeVpcs", "{\"vpc\":{\"vpcId\":\"vpc-read\"}}");
    char plan[16] = "";
    shc_queue_add(&q, "ec2", "DescribeVpcs", NULL, NULL, "vpcs", NULL, NULL);
    shc_queue_add(&q, "ec2", "CreateVpc", NULL, NULL, "vpc", NULL, NULL);
    shc_keep(&q, "vpc.vpcId", plan, sizeof(plan));
    shc_delete(&q, "vpc", NULL, "ec2", "DeleteVpc", NULL, NULL); /* a plan reports it, queues nothing */
    shc_keep(&q, "vpc.vpcId", plan, sizeof(plan));
    assert_int_equal(q.n, 1);
    assert_int_equal(shc_queue_run(&q), 0);
    assert_string_equal(plan, "");
    assert_script_done(f);
}

/* One request deleting several resources reports each once it succeeded;
 * a plan reports them and sends nothing. */
static void test_queue_delete_each(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    fh_answer(f, "cloudwatch", "DeleteAlarms", "{}");
    shc_queue q;
    shc_queue_init(&q, h, f);
    const char *alarms[] = {"cloudwatch alarm a", "cloudwatch alarm b"};
    shc_delete_each(&q, "cloudwatch alarms", alarms, 2, "cloudwatch", "DeleteAlarms", NULL, "ResourceNotFound");
    assert_int_equal(fh_report_count(f), 0);
    assert_int_equal(shc_queue_run(&q), 0);
    assert_int_equal(fh_call_count(f), 1);
    assert_string_equal(fh_call_at(f, 0)->resource, "cloudwatch alarms");
    assert_int_equal(fh_report_count(f), 2);
    assert_string_equal(fh_report_at(f, 1)->resource, "cloudwatch alarm b");
    assert_int_equal(fh_report_at(f, 1)->change, SH_CHANGE_DELETE);
    fh_set_mode(f, SH_MODE_PLAN);
    shc_delete_each(&q, "cloudwatch alarms", alarms, 2, "cloudwatch", "DeleteAlarms", NULL, "ResourceNotFound");
    assert_int_equal(q.n, 0);
    assert_int_equal(fh_report_count(f), 4);
    assert_int_equal(fh_call_count(f), 1);
    assert_script_done(f);
}

/* The answers that say the desired state already holds count as success:
 * the completion gets NULL. A message fragment narrows a code. */
static void test_queue_accepted_codes(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    fh_answer_error(f, "ec2", "DeleteVpc", "InvalidVpcID.NotFound", "The vpc ID 'vpc-1' does not exist");
    fh_answer_error(f, "ec2", "CreateRoute", "RouteAlreadyExists", "route exists");
    fh_answer_error(f, "kms", "ScheduleKeyDeletion", "KMSInvalidStateException", "key/k is pending deletion.");
    fh_answer_error(f, "kms", "ScheduleKeyDeletion", "KMSInvalidStateException", "key/k is pending import.");
    shc_queue q;
    shc_queue_init(&q, h, f);
    struct seen s = {0};
    shc_queue_add_accepting(&q, "ec2", "DeleteVpc", NULL, "vpc vpc-catalog-dev", "*NotFound", saw, &s);
    shc_queue_add_accepting(&q, "ec2", "CreateRoute", NULL, "route 0.0.0.0/0",
                            "RouteAlreadyExists|Resource.AlreadyAssociated", saw, &s);
    shc_queue_add_accepting(&q, "kms", "ScheduleKeyDeletion", NULL, "kms key", "KMSInvalidStateException(is pending deletion)",
                            saw, &s);
    assert_int_equal(shc_queue_run(&q), 0);
    assert_int_equal(s.calls, 3);
    assert_int_equal(s.nulls, 3);
    assert_int_equal(fh_error_count(f), 0);
    /* the same code with another message is a failure */
    shc_queue_add_accepting(&q, "kms", "ScheduleKeyDeletion", NULL, "kms key", "KMSInvalidStateException(is pending deletion)",
                            saw, &s);
    assert_int_equal(shc_queue_run(&q), -1);
    assert_int_equal(s.calls, 3);
    assert_string_equal(fh_error_at(f, 0), "kms key: kms ScheduleKeyDeletion: KMSInvalidStateException: key/k is "
                                           "pending import. (http 400, request id fake-4, 1 attempt)");
    assert_script_done(f);
}

/* A failure is recorded with its label and does not stop the others'
 * completions; a completion's own failure fails the run. */
static void test_queue_failures(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    fh_answer_error(f, "ec2", "CreateSubnet", "InvalidSubnet.Conflict", "The CIDR '10.0.0.0/24' conflicts");
    fh_answer(f, "ec2", "CreateSubnet", "{}");
    fh_answer(f, "ec2", "CreateSubnet", "{}");
    shc_queue q;
    shc_queue_init(&q, h, f);
    struct seen s = {0};
    shc_queue_add(&q, "ec2", "CreateSubnet", NULL, NULL, "subnet a", saw, &s);
    shc_queue_add(&q, "ec2", "CreateSubnet", NULL, NULL, NULL, saw, &s); /* no label: the operation */
    assert_int_equal(shc_queue_run(&q), -1);
    assert_int_equal(s.calls, 1);
    assert_int_equal(q.lost, 0);
    assert_int_equal(fh_error_count(f), 1);
    assert_int_equal(fh_error_status_at(f, 0), SH_ERR_AWS);
    assert_string_equal(fh_error_at(f, 0), "subnet a: ec2 CreateSubnet: InvalidSubnet.Conflict: The CIDR "
                                           "'10.0.0.0/24' conflicts (http 400, request id fake-1, 1 attempt)");
    assert_string_equal(fh_call_at(f, 1)->resource, "CreateSubnet");
    s.fail = 1;
    shc_queue_add(&q, "ec2", "CreateSubnet", NULL, NULL, "subnet b", saw, &s);
    assert_int_equal(shc_queue_run(&q), -1);
    assert_int_equal(fh_error_count(f), 1); /* the completion records its own */
    assert_script_done(f);
}

/* shc_read: the answer lands in a pointer; an "absent" code leaves it NULL. */
static void test_reads(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    fh_answer(f, "iam", "GetRole", "{\"Role\":{\"RoleName\":\"r\"}}");
    fh_answer_error(f, "iam", "GetRole", "NoSuchEntity", "The role with name x cannot be found.");
    fh_answer(f, "ecr", "DescribeRepositories", "{\"repositories\":[{\"repositoryName\":\"ecr-catalog-dev\"}]}");
    fh_answer_error(f, "ecr", "DescribeRepositories", "RepositoryNotFoundException", "none");
    shc_queue q;
    shc_queue_init(&q, h, f);
    const sh_doc *role, *gone, *repos, *no_repos;
    shc_read(&q, "iam", "GetRole", NULL, "role r", "NoSuchEntity", &role);
    shc_read(&q, "iam", "GetRole", NULL, "role x", "NoSuchEntity", &gone);
    shc_read_all(&q, "ecr", "DescribeRepositories", NULL, "repositories", "repositories", &repos);
    shc_read_pages(&q, "ecr", "DescribeRepositories", NULL, "repositories", "repositories",
                   "RepositoryNotFoundException", &no_repos);
    assert_null(role); /* NULL until the queue runs */
    assert_int_equal(shc_queue_run(&q), 0);
    assert_string_equal(h->doc_string(role, "Role.RoleName"), "r");
    assert_null(gone);
    assert_string_equal(h->doc_string(repos, "repositories[0].repositoryName"), "ecr-catalog-dev");
    assert_null(no_repos);
    assert_string_equal(fh_call_at(f, 2)->items_path, "repositories");
    assert_int_equal(fh_error_count(f), 0);
    assert_script_done(f);
}

/* ---- "not yet": retried through the host's wait until its time ---- */

static const shc_not_yet ecs_not_yet[] = {
    {"CreateCluster|CreateService", "InvalidParameterException", "unable to assume the service linked role", 120,
     "the deployer needs iam:CreateServiceLinkedRole"},
    /* ECS says ClusterNotFoundException: "*NotFound" alone would not match it */
    {"Create*", "*NotFound|*NotFoundException", NULL, 120, NULL},
    {"DeleteSubnet", "DependencyViolation", NULL, SHC_UNTIL_DEADLINE, NULL},
    SHC_NOT_YET_END};

#define SLR "Unable to assume the service linked role. Please verify that the ECS service linked role exists."

static void test_not_yet_is_retried(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    fh_answer_error(f, "ecs", "CreateCluster", "InvalidParameterException", SLR);
    fh_answer_error(f, "ecs", "CreateCluster", "InvalidParameterException", SLR);
    fh_answer(f, "ecs", "CreateCluster", "{\"cluster\":{\"status\":\"ACTIVE\"}}");
    fh_answer(f, "ecs", "DescribeClusters", "{}");
    shc_queue q;
    shc_queue_init(&q, h, f);
    q.not_yet = ecs_not_yet;
    struct seen s = {0};
    shc_queue_add(&q, "ecs", "CreateCluster", NULL, NULL, "ecs cluster cluster-catalog-dev", saw, &s);
    shc_queue_add(&q, "ecs", "DescribeClusters", NULL, NULL, "clusters", saw, &s);
    assert_int_equal(shc_queue_run(&q), 0);
    assert_int_equal(s.calls, 2);
    assert_int_equal(s.nulls, 0);
    assert_int_equal(fh_sent(f, "ecs", "CreateCluster"), 3);
    assert_int_equal(fh_sent(f, "ecs", "DescribeClusters"), 1); /* only what was answered "not yet" again */
    assert_int_equal(fh_wait_count(f), 1);
    assert_true(fh_log_has(f, "waiting for ecs cluster cluster-catalog-dev: InvalidParameterException: Unable to "
                              "assume the service linked role"));
    assert_int_equal(fh_error_count(f), 0);
    assert_script_done(f);
}

/* The code alone is not "not yet": a genuine InvalidParameterException,
 * or the right answer to an operation the entry does not name, fails at
 * once. An accepted code wins over a "not yet" entry. */
static void test_not_yet_needs_operation_and_message(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    fh_answer_error(f, "ecs", "CreateService", "InvalidParameterException",
                    "The provided target group has target type instance, which is incompatible with awsvpc");
    fh_answer_error(f, "ecs", "UpdateService", "InvalidParameterException", SLR);
    fh_answer_error(f, "ecs", "CreateService", "ServiceNotFound", "not yet known");
    shc_queue q;
    shc_queue_init(&q, h, f);
    q.not_yet = ecs_not_yet;
    shc_queue_add(&q, "ecs", "CreateService", NULL, NULL, "ecs service a", NULL, NULL);
    shc_queue_add(&q, "ecs", "UpdateService", NULL, NULL, "ecs service b", NULL, NULL);
    assert_int_equal(shc_queue_run(&q), -1);
    assert_int_equal(fh_call_count(f), 2);
    assert_int_equal(fh_wait_count(f), 0);
    assert_int_equal(fh_error_count(f), 2);
    assert_error_has(f, "ecs service a: ecs CreateService: InvalidParameterException: The provided target group");
    assert_error_has(f, "ecs service b: ecs UpdateService: InvalidParameterException: Unable to assume");
    struct seen s = {0};
    shc_queue_add_accepting(&q, "ecs", "CreateService", NULL, "ecs service c", "ServiceNotFound", saw, &s);
    assert_int_equal(shc_queue_run(&q), 0);
    assert_int_equal(s.nulls, 1);
    assert_int_equal(fh_wait_count(f), 0);
    assert_script_done(f);
}

/* Past its time, "not yet" is the error, how long it lasted, and the hint. */
static void test_not_yet_expires(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    setenv("STACKHOST_PROPAGATION_TIMEOUT", "0", 1);
    fh_answer_error(f, "ecs", "CreateCluster", "InvalidParameterException", SLR);
    shc_queue q;
    shc_queue_init(&q, h, f);
    q.not_yet = ecs_not_yet;
    shc_queue_add(&q, "ecs", "CreateCluster", NULL, NULL, "ecs cluster cluster-catalog-dev", NULL, NULL);
    assert_int_equal(shc_queue_run(&q), -1);
    assert_int_equal(fh_call_count(f), 1);
    assert_int_equal(fh_error_count(f), 1);
    assert_error_has(f, "ecs cluster cluster-catalog-dev: ecs CreateCluster: InvalidParameterException: Unable");
    /* 0 s, or 1 s when the clock's second turned meanwhile */
    assert_error_has(f, "still answered after ");
    assert_error_has(f, "s, longer than aws's propagation usually takes: the deployer needs iam:CreateServiceLinkedRole");
    assert_script_done(f);
}

/* SHC_UNTIL_DEADLINE entries last until the queue's deadline, and are
 * not shortened by STACKHOST_PROPAGATION_TIMEOUT. */
static void test_not_yet_until_the_deadline(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    setenv("STACKHOST_PROPAGATION_TIMEOUT", "0", 1);
    fh_answer_error(f, "ec2", "DeleteSubnet", "DependencyViolation", "The subnet has dependencies");
    fh_answer_repeats(f, "ec2", "DeleteSubnet");
    shc_queue q;
    shc_queue_init(&q, h, f);
    q.not_yet = ecs_not_yet;
    q.deadline = (long)time(NULL) + 1;
    shc_queue_add(&q, "ec2", "DeleteSubnet", NULL, NULL, "subnet subnet-catalog-a-dev", NULL, NULL);
    time_t start = time(NULL);
    assert_int_equal(shc_queue_run(&q), -1);
    assert_true(time(NULL) >= q.deadline);
    assert_true(time(NULL) - start <= 3);
    assert_true(fh_call_count(f) >= 2);
    assert_int_equal(fh_error_count(f), 1);
    assert_error_has(f, "subnet subnet-catalog-a-dev: ec2 DeleteSubnet: DependencyViolation");
    assert_error_has(f, "run the command again once it has"); /* no hint: the default */
    /* a deadline already passed: one answer, then the error */
    size_t before = fh_call_count(f);
    q.deadline = (long)time(NULL) - 1;
    shc_queue_add(&q, "ec2", "DeleteSubnet", NULL, NULL, "subnet subnet-catalog-b-dev", NULL, NULL);
    assert_int_equal(shc_queue_run(&q), -1);
    assert_int_equal(fh_call_count(f), before + 1);
}

/* ---- lost answers ---- */

/* A create whose answer was lost: no error recorded, the queue says so
 * (lost, lost_text) for the caller to look again; giving up records it. */
static void test_lost_answer_is_reported_not_failed(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    fh_answer_lost(f, "ec2", "CreateVpc");
    fh_answer(f, "ec2", "CreateInternetGateway", "{}");
    shc_queue q;
    shc_queue_init(&q, h, f);
    struct seen s = {0};
    shc_queue_add(&q, "ec2", "CreateVpc", NULL, NULL, "vpc vpc-catalog-dev", saw, &s);
    shc_queue_add(&q, "ec2", "CreateInternetGateway", NULL, NULL, "internet gateway igw-catalog-dev", saw, &s);
    assert_int_equal(shc_queue_run(&q), -1);
    assert_int_equal(s.calls, 1); /* the gateway's completion, not the vpc's */
    assert_int_equal(q.lost, 1);
    assert_non_null(strstr(q.lost_text, "vpc vpc-catalog-dev: ec2 CreateVpc: NetworkError"));
    assert_int_equal(fh_error_count(f), 0);
    assert_int_equal(shc_queue_give_up(&q), -1);
    assert_int_equal(fh_error_count(f), 1);
    assert_string_equal(fh_error_at(f, 0), q.lost_text);
    assert_int_equal(q.lost, 0);
    /* the next run starts clean */
    assert_int_equal(shc_queue_run(&q), 0);
    assert_string_equal(q.lost_text, "");
    assert_script_done(f);
}

/* A read is never "maybe applied": its network error is a failure. */
static void test_lost_read_is_a_failure(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    fh_answer_lost(f, "ec2", "DescribeVpcs");
    shc_queue q;
    shc_queue_init(&q, h, f);
    const sh_doc *vpcs;
    shc_read(&q, "ec2", "DescribeVpcs", NULL, "vpc lookup", NULL, &vpcs);
    assert_int_equal(shc_queue_run(&q), -1);
    assert_int_equal(q.lost, 0);
    assert_error_has(f, "vpc lookup: ec2 DescribeVpcs: NetworkError");
    assert_null(vpcs);
}

/* A call retried as "not yet" whose next answer is lost is still a lost
 * answer, after the wait. */
static void test_lost_after_not_yet(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    fh_answer_error(f, "ecs", "CreateService", "ClusterNotFoundException", "Cluster not found.");
    fh_answer_lost(f, "ecs", "CreateService");
    shc_queue q;
    shc_queue_init(&q, h, f);
    q.not_yet = ecs_not_yet;
    shc_queue_add(&q, "ecs", "CreateService", NULL, NULL, "ecs service svc-catalog-dev", NULL, NULL);
    assert_int_equal(shc_queue_run(&q), -1);
    assert_int_equal(q.lost, 1);
    assert_int_equal(fh_wait_count(f), 1);
    assert_int_equal(fh_error_count(f), 0);
    assert_script_done(f);
}

/* Today's behaviour, worth knowing: a call answered "not yet" in a round
 * where another call failed or was lost is dropped, neither retried nor
 * reported (its completion never runs); the run is a failure (or lost)
 * anyway, so a pass starts again from its lookups. */
static void test_not_yet_dropped_beside_a_lost_answer(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    fh_answer_error(f, "ecs", "CreateCluster", "InvalidParameterException", SLR);
    fh_answer_lost(f, "ecs", "RegisterTaskDefinition");
    shc_queue q;
    shc_queue_init(&q, h, f);
    q.not_yet = ecs_not_yet;
    struct seen s = {0};
    shc_queue_add(&q, "ecs", "CreateCluster", NULL, NULL, "ecs cluster", saw, &s);
    shc_queue_add(&q, "ecs", "RegisterTaskDefinition", NULL, NULL, "task definition", saw, &s);
    assert_int_equal(shc_queue_run(&q), -1);
    assert_int_equal(q.lost, 1);
    assert_int_equal(fh_sent(f, "ecs", "CreateCluster"), 1);
    assert_int_equal(fh_wait_count(f), 0);
    assert_int_equal(s.calls, 0);
    assert_int_equal(fh_error_count(f), 0);
    assert_int_equal(q.n, 0);
}

/* Today's behaviour, worth knowing: a lost answer and a genuine failure
 * in one run look alike to the caller: -1, q.lost set, and the failure's
 * error recorded. The queue has no flag for "and something failed for
 * real"; a pass that answers SHC_AGAIN on q.lost (plugin-guide.md) runs
 * again after a failure that will not go away, and the recorded error
 * fails the callback whatever the later passes do. */
static void test_lost_beside_a_failure(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    fh_answer_lost(f, "ec2", "CreateVpc");
    fh_answer_error(f, "ec2", "CreateSubnet", "InvalidParameterValue", "Value (us-east-1z) for parameter "
                    "availabilityZone is invalid.");
    shc_queue q;
    shc_queue_init(&q, h, f);
    shc_queue_add(&q, "ec2", "CreateVpc", NULL, NULL, "vpc", NULL, NULL);
    shc_queue_add(&q, "ec2", "CreateSubnet", NULL, NULL, "subnet", NULL, NULL);
    assert_int_equal(shc_queue_run(&q), -1);
    assert_int_equal(q.lost, 1);
    assert_int_equal(fh_error_count(f), 1);
    assert_error_has(f, "subnet: ec2 CreateSubnet: InvalidParameterValue");
    assert_script_done(f);
}

/* Today's behaviour, worth knowing: a completion that queues a call on
 * the queue being run adds it after the run's calls were counted: it is
 * not sent, and shc_queue_run empties the queue at its end, so it is
 * dropped without a word. Plugins queue the next wave after the run. */
struct chain {
    shc_queue *q;
    struct seen *s;
};

static int queue_more(void *arg, const sh_doc *answer)
{
    struct chain *c = arg;
    (void)answer;
    shc_queue_add(c->q, "ec2", "CreateRoute", NULL, NULL, "route", saw, c->s);
    return 0;
}

static void test_completion_queueing_on_the_running_queue(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    fh_answer(f, "ec2", "CreateRouteTable", "{}");
    shc_queue q;
    shc_queue_init(&q, h, f);
    struct seen s = {0};
    struct chain c = {&q, &s};
    shc_queue_add(&q, "ec2", "CreateRouteTable", NULL, NULL, "route table", queue_more, &c);
    assert_int_equal(shc_queue_run(&q), 0);
    assert_int_equal(fh_sent(f, "ec2", "CreateRoute"), 0);
    assert_int_equal(s.calls, 0);
    assert_int_equal(q.n, 0);
    assert_script_done(f);
}

/* The run stopping: nothing is sent, and the queue says so. */
static void test_queue_cancelled(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    fh_set_cancelled(f, 1);
    shc_queue q;
    shc_queue_init(&q, h, f);
    shc_queue_add(&q, "ec2", "CreateVpc", NULL, NULL, "vpc", NULL, NULL);
    shc_queue_add(&q, "ec2", "DescribeVpcs", NULL, NULL, "vpcs", NULL, NULL);
    assert_int_equal(shc_queue_run(&q), -1);
    assert_int_equal(fh_call_count(f), 0);
    assert_int_equal(fh_error_status_at(f, 0), SH_ERR_CANCELLED);
    assert_string_equal(fh_error_at(f, 0), "stopped before sending 2 aws calls: the run is stopping");
    assert_int_equal(q.n, 0);
}

/* shc_queue_clear drops what is queued, unsent. */
static void test_queue_clear(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    shc_queue q;
    shc_queue_init(&q, h, f);
    shc_queue_add(&q, "ec2", "CreateVpc", NULL, NULL, "vpc", NULL, NULL);
    shc_queue_clear(&q);
    assert_int_equal(q.n, 0);
    assert_int_equal(shc_queue_run(&q), 0);
    assert_int_equal(fh_call_count(f), 0);
}

/* ---- a host before ABI 1.1: no batches, no wait, no maybe_applied ---- */

static void test_queue_on_an_abi_1_0_host(void **state)
{
    sh_ctx *f = *state;
    fh_set_host_abi(f, 0, offsetof(sh_host, batch_new));
    const sh_host *h = fh_host(f);
    fh_answer(f, "ec2", "DescribeVpcs", "{}");
    fh_answer_lost(f, "ec2", "CreateVpc");
    shc_queue q;
    shc_queue_init(&q, h, f);
    const sh_doc *vpcs;
    shc_read_all(&q, "ec2", "DescribeVpcs", NULL, "vpcSet.item", "vpcs", &vpcs);
    shc_queue_add(&q, "ec2", "CreateVpc", NULL, NULL, "vpc vpc-catalog-dev", NULL, NULL);
    assert_int_equal(shc_queue_run(&q), -1);
    assert_int_equal(fh_call_at(f, 0)->via, FH_VIA_CALL_ALL);
    assert_int_equal(fh_call_at(f, 1)->via, FH_VIA_CALL);
    assert_true(fh_call_at(f, 0)->round != fh_call_at(f, 1)->round); /* one after the other */
    /* maybe_applied is not read before ABI 1.1: a lost answer is a failure */
    assert_int_equal(q.lost, 0);
    assert_error_has(f, "vpc vpc-catalog-dev: ec2 CreateVpc: NetworkError");
    assert_script_done(f);
}

/* "Not yet" on an ABI 1.0 host: the queue's own back-off (1 s first). */
static void test_not_yet_on_an_abi_1_0_host(void **state)
{
    sh_ctx *f = *state;
    fh_set_host_abi(f, 0, offsetof(sh_host, batch_new));
    const sh_host *h = fh_host(f);
    fh_answer_error(f, "ecs", "CreateCluster", "InvalidParameterException", SLR);
    fh_answer(f, "ecs", "CreateCluster", "{}");
    shc_queue q;
    shc_queue_init(&q, h, f);
    q.not_yet = ecs_not_yet;
    struct seen s = {0};
    shc_queue_add(&q, "ecs", "CreateCluster", NULL, NULL, "ecs cluster", saw, &s);
    assert_int_equal(shc_queue_run(&q), 0);
    assert_int_equal(s.calls, 1);
    assert_int_equal(fh_call_count(f), 2);
    assert_int_equal(fh_wait_count(f), 0);
    assert_true(fh_log_has(f, "waiting for ecs cluster: InvalidParameterException"));
    assert_script_done(f);
}

/* ---- plan mode ---- */

/* A mutating call queued in plan mode is not queued at all (never reaches
 * the host, so not even a refused call), its completion never runs, and
 * the line reports the pending change; reads are sent as in a deploy. */
static void test_plan_mode_sends_only_reads(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    fh_set_mode(f, SH_MODE_PLAN);
    fh_answer(f, "ec2", "DescribeVpcs", NO_VPCS);
    shc_queue q;
    shc_queue_init(&q, h, f);
    const sh_doc *vpcs;
    shc_read_all(&q, "ec2", "DescribeVpcs", NULL, "vpcSet.item", "vpc lookup", &vpcs);
    struct seen s = {0};
    shc_line line = {.label = "vpc " VPC_NAME};
    shc_change(&q, &line, SH_CHANGE_CREATE, NULL, "ec2", "CreateVpc", h->doc_new(f), NULL, saw, &s);
    shc_change(&q, &line, SH_CHANGE_UPDATE, "dns support", "ec2", "ModifyVpcAttribute", h->doc_new(f), NULL, saw,
               &s);
    shc_queue_add(&q, "ec2", "CreateTags", NULL, NULL, "tags", saw, &s);
    assert_int_equal(q.n, 1);
    assert_int_equal(shc_queue_run(&q), 0);
    assert_non_null(vpcs);
    assert_int_equal(fh_call_count(f), 1);
    assert_string_equal(fh_call_at(f, 0)->operation, "DescribeVpcs");
    assert_int_equal(fh_refused(f), 0);
    assert_int_equal(s.calls, 0);
    shc_line_report(h, f, &line);
    assert_int_equal(fh_report_count(f), 1);
    const fh_report *r = fh_report_at(f, 0);
    assert_string_equal(r->resource, "vpc vpc-catalog-dev");
    assert_int_equal(r->change, SH_CHANGE_CREATE); /* a create outranks the update */
    assert_string_equal(r->detail, "dns support");
    /* outputs and validate are read-only too */
    fh_set_mode(f, SH_MODE_OUTPUTS);
    shc_queue_add(&q, "ec2", "DeleteVpc", NULL, NULL, "vpc", saw, &s);
    assert_int_equal(q.n, 0);
    /* destroy sends them */
    fh_set_mode(f, SH_MODE_DESTROY);
    shc_queue_add(&q, "ec2", "DeleteVpc", NULL, NULL, "vpc", saw, &s);
    assert_int_equal(q.n, 1);
    shc_queue_clear(&q);
    assert_script_done(f);
}

/* A line's change: create and replace outrank update; a replace stays;
 * a note is written once; no change reports "no change" (NONE, no detail). */
static void test_lines(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    shc_line line = {.label = "target group tg-catalog-dev"};
    shc_line_note(&line, SH_CHANGE_UPDATE, "health check path / -> /health");
    assert_int_equal(line.change, SH_CHANGE_UPDATE);
    shc_line_note(&line, SH_CHANGE_REPLACE, "port 80 -> 8080");
    shc_line_note(&line, SH_CHANGE_CREATE, NULL);
    shc_line_note(&line, SH_CHANGE_UPDATE, "port 80 -> 8080");
    assert_int_equal(line.change, SH_CHANGE_REPLACE);
    assert_string_equal(line.detail, "health check path / -> /health, port 80 -> 8080");
    shc_line_report(h, f, &line);
    shc_line same = {.label = "vpc " VPC_NAME};
    shc_line_report(h, f, &same);
    assert_int_equal(fh_report_at(f, 0)->change, SH_CHANGE_REPLACE);
    assert_int_equal(fh_report_at(f, 1)->change, SH_CHANGE_NONE);
    assert_null(fh_report_at(f, 1)->detail);
}

/* A list compared as a set: order does not matter, a missing, an extra
 * or a changed item does, and the line says both lists. */
static void test_set_differs(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    const sh_doc *alb = shc_docf(h, f, "{'SecurityGroups': {'member': ['sg-1']}, 'AvailabilityZones': {'member': "
                                      "[{'SubnetId': 'subnet-b'}, {'SubnetId': 'subnet-a'}]}}");
    const char *ab[] = {"subnet-a", "subnet-b"}, *abc[] = {"subnet-a", "subnet-b", "subnet-c"}, *sg[] = {"sg-2"};
    shc_line line = {.label = "load balancer alb-catalog-dev"};
    const char *subnets = "AvailabilityZones.member|SubnetId";
    assert_false(shc_set_differs(h, f, &line, "subnets", alb, subnets, ab, 2));
    assert_false(shc_set_differs(h, f, &line, "security groups", alb, "SecurityGroups.member", (const char *[]){"sg-1"}, 1));
    assert_int_equal(line.change, SH_CHANGE_NONE);
    assert_true(shc_set_differs(h, f, &line, "subnets", alb, subnets, abc, 3));
    assert_true(shc_set_differs(h, f, &line, "subnets", alb, subnets, abc, 1));
    assert_true(shc_set_differs(h, f, &line, "security groups", alb, "SecurityGroups.member", sg, 1));
    assert_int_equal(line.change, SH_CHANGE_UPDATE);
    assert_string_equal(line.detail, "subnets [\"subnet-b\",\"subnet-a\"] -> [\"subnet-a\",\"subnet-b\",\"subnet-c\"], "
                                     "subnets [\"subnet-b\",\"subnet-a\"] -> [\"subnet-a\"], "
                                     "security groups [\"sg-1\"] -> [\"sg-2\"]");
    /* duplicates count: each wanted string takes an item of its own */
    const sh_doc *twice = shc_docf(h, f, "{'SecurityGroups': {'member': ['sg-1', 'sg-1']}}");
    shc_line dup = {.label = "load balancer"};
    assert_true(shc_set_differs(h, f, &dup, "security groups", twice, "SecurityGroups.member",
                                (const char *[]){"sg-1", "sg-2"}, 2));
    assert_false(shc_set_differs(h, f, &dup, "security groups", twice, "SecurityGroups.member",
                                 (const char *[]){"sg-1", "sg-1"}, 2));
    shc_line none = {.label = "service"};
    assert_true(shc_set_differs(h, f, &none, "subnets", NULL, "subnets", ab, 2));
    assert_false(shc_set_differs(h, f, &none, "security groups", NULL, "securityGroups", NULL, 0));
    assert_non_null(strstr(none.detail, "-> [\"subnet-a\",\"subnet-b\"]"));
}

/* ---- converging in passes ---- */

/* A plugin's deploy in miniature, as plugins/network writes it: one pass
 * looks up, finds with the ownership rules, creates what is missing, and
 * answers SHC_AGAIN when an answer was lost or a create found its
 * resource already there. */
struct vpc_run {
    const sh_host *h;
    sh_ctx *ctx;
    shc_queue q;
    int passes, again;
};

static int vpc_created(void *arg, const sh_doc *answer)
{
    struct vpc_run *r = arg;
    if (!answer) { /* an "already exists" answer, accepted: look again */
        r->again = 1;
        return 0;
    }
    return r->h->output_string(r->ctx, "vpc_id", r->h->doc_string(answer, "vpc.vpcId")) == SH_OK ? 0 : -1;
}

static int vpc_pass(void *arg, char *why, size_t len)
{
    struct vpc_run *r = arg;
    const sh_host *h = r->h;
    r->passes++;
    r->again = 0;
    sh_doc *filter = h->doc_new(r->ctx);
    h->doc_set_string(filter, "Filter[0].Name", "tag:Name");
    h->doc_set_string(filter, "Filter[0].Value[0]", VPC_NAME);
    const sh_doc *vpcs, *vpc;
    shc_read_all(&r->q, "ec2", "DescribeVpcs", filter, "vpcSet.item", "vpc lookup", &vpcs);
    if (shc_queue_run(&r->q))
        return SHC_FAILED;
    shc_lookup l = vpc_lookup(vpcs);
    int found = shc_find(h, r->ctx, &l, "vpc", VPC_NAME, &vpc);
    if (found < 0)
        return SHC_FAILED;
    if (found)
        return h->output_string(r->ctx, "vpc_id", h->doc_string(vpc, "vpcId")) == SH_OK ? SHC_DONE : SHC_FAILED;
    sh_doc *in = h->doc_new(r->ctx);
    h->doc_set_string(in, "CidrBlock", "10.0.0.0/16");
    h->doc_set_string(in, "TagSpecification[0].ResourceType", "vpc");
    const shc_tag_shape spec = {"TagSpecification[0].Tag", "Key", "Value"};
    shc_put_tags(h, r->ctx, in, &spec, VPC_NAME);
    shc_line line = {.label = "vpc " VPC_NAME};
    /* "ResourceAlreadyExists" stands for any service's "already exists" */
    shc_change(&r->q, &line, SH_CHANGE_CREATE, NULL, "ec2", "CreateVpc", in, "ResourceAlreadyExists", vpc_created, r);
    if (shc_queue_run(&r->q)) {
        if (!r->q.lost)
            return SHC_FAILED;
        snprintf(why, len, "an answer was lost (%s)", r->q.lost_text);
        return SHC_AGAIN;
    }
    if (r->again) {
        snprintf(why, len, "vpc %s already exists", VPC_NAME);
        return SHC_AGAIN;
    }
    shc_line_report(h, r->ctx, &line);
    return SHC_DONE;
}

static void vpc_run_init(struct vpc_run *r, sh_ctx *f)
{
    memset(r, 0, sizeof(*r));
    r->h = fh_host(f);
    r->ctx = f;
    shc_queue_init(&r->q, r->h, f);
}

/* The create's answer is lost; the next pass's lookup finds what it made:
 * never a second create. */
static void test_lost_create_is_found_not_sent_again(void **state)
{
    sh_ctx *f = *state;
    fh_answer(f, "ec2", "DescribeVpcs", NO_VPCS);
    fh_answer_lost(f, "ec2", "CreateVpc");
    /* moto and AWS list the new vpc: an XML list of one */
    fh_answer(f, "ec2", "DescribeVpcs", "{\"vpcSet\":{\"item\":" VPC("vpc-0a1", OURS(VPC_NAME)) "}}");
    struct vpc_run r;
    vpc_run_init(&r, f);
    assert_int_equal(shc_converge(r.h, f, 5, vpc_pass, &r), SH_OK);
    assert_int_equal(r.passes, 2);
    assert_int_equal(fh_sent(f, "ec2", "CreateVpc"), 1);
    assert_int_equal(fh_sent(f, "ec2", "DescribeVpcs"), 2);
    assert_string_equal(fh_output(f, "vpc_id"), "vpc-0a1");
    assert_true(fh_log_has(f, "an answer was lost (vpc vpc-catalog-dev: ec2 CreateVpc: NetworkError"));
    assert_true(fh_log_has(f, "looking again before going on"));
    assert_int_equal(fh_error_count(f), 0);
    /* the create carried the ownership tags that let the lookup find it */
    assert_non_null(strstr(fh_call_at(f, 1)->input, "{\"Key\":\"ManagedBy\",\"Value\":\"stackhost\"}"));
    assert_non_null(strstr(fh_call_at(f, 1)->input, "{\"Key\":\"Name\",\"Value\":\"vpc-catalog-dev\"}"));
    assert_script_done(f);
}

/* A create that heard "already exists" (accepted) looks again rather than
 * guess; the lookup's answer decides. */
static void test_already_exists_looks_again(void **state)
{
    sh_ctx *f = *state;
    fh_answer(f, "ec2", "DescribeVpcs", NO_VPCS);
    fh_answer_error(f, "ec2", "CreateVpc", "ResourceAlreadyExists", "exists");
    fh_answer(f, "ec2", "DescribeVpcs", VPCS(VPC("vpc-0a2", OURS(VPC_NAME))));
    struct vpc_run r;
    vpc_run_init(&r, f);
    assert_int_equal(shc_converge(r.h, f, 5, vpc_pass, &r), SH_OK);
    assert_int_equal(r.passes, 2);
    assert_int_equal(fh_sent(f, "ec2", "CreateVpc"), 1);
    assert_string_equal(fh_output(f, "vpc_id"), "vpc-0a2");
    assert_true(fh_log_has(f, "vpc vpc-catalog-dev already exists: looking again before going on"));
    assert_script_done(f);
}

/* The lookup after a lost create finds one of ours and a copy: shc_find
 * refuses rather than pick, naming the duplicates (the pass fails). */
static void test_lost_create_then_duplicates(void **state)
{
    sh_ctx *f = *state;
    fh_answer(f, "ec2", "DescribeVpcs", NO_VPCS);
    fh_answer_lost(f, "ec2", "CreateVpc");
    fh_answer(f, "ec2", "DescribeVpcs", VPCS(VPC("vpc-1", OURS(VPC_NAME)) "," VPC("vpc-2", OURS(VPC_NAME))));
    struct vpc_run r;
    vpc_run_init(&r, f);
    assert_int_equal(shc_converge(r.h, f, 5, vpc_pass, &r), SH_ERR);
    assert_int_equal(fh_sent(f, "ec2", "CreateVpc"), 1);
    assert_error_has(f, "2 vpcs are named vpc-catalog-dev");
    assert_null(fh_output(f, "vpc_id"));
    assert_script_done(f);
}

/* Plan mode: the same pass looks and reports, sends nothing that changes. */
static void test_plan_pass_reports_the_create(void **state)
{
    sh_ctx *f = *state;
    fh_set_mode(f, SH_MODE_PLAN);
    fh_answer(f, "ec2", "DescribeVpcs", NO_VPCS);
    struct vpc_run r;
    vpc_run_init(&r, f);
    assert_int_equal(shc_converge(r.h, f, 5, vpc_pass, &r), SH_OK);
    assert_int_equal(fh_call_count(f), 1);
    assert_int_equal(fh_refused(f), 0);
    const fh_report *line = fh_report_find(f, "vpc " VPC_NAME);
    assert_non_null(line);
    assert_int_equal(line->change, SH_CHANGE_CREATE);
    assert_script_done(f);
}

struct script {
    const int *answers; /* what each pass answers */
    int passes;
    sh_ctx *cancel; /* set: a pass cancels the run */
};

static int scripted_pass(void *arg, char *why, size_t len)
{
    struct script *s = arg;
    int rc = s->answers[s->passes++];
    if (rc == SHC_AGAIN && s->passes == 1)
        snprintf(why, len, "an answer was lost (x)");
    if (s->cancel)
        fh_set_cancelled(s->cancel, 1);
    return rc;
}

/* At most max_passes; the last SHC_AGAIN's reason becomes the error. */
static void test_converge_pass_limit(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    static const int always_again[] = {SHC_AGAIN, SHC_AGAIN, SHC_AGAIN};
    struct script s = {.answers = always_again};
    assert_int_equal(shc_converge(h, f, 1, scripted_pass, &s), SH_ERR);
    assert_int_equal(s.passes, 1);
    assert_string_equal(fh_error_at(f, 0), "an answer was lost (x): still not settled after 1 passes; run deploy again");
    /* without a reason, a generic one; two passes, one pause between */
    s.passes = 1; /* the reason is written on the first pass only */
    assert_int_equal(shc_converge(h, f, 2, scripted_pass, &s), SH_ERR);
    assert_int_equal(s.passes, 3);
    assert_string_equal(fh_error_at(f, 1), "a resource changed while it was converged: still not settled after 2 "
                                           "passes; run deploy again");
    assert_int_equal(fh_error_count(f), 2);
}

/* A failed pass ends at once, with the pass's own error (SH_ERR). */
static void test_converge_failed_pass(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    static const int failed[] = {SHC_FAILED};
    struct script s = {.answers = failed};
    assert_int_equal(shc_converge(h, f, 5, scripted_pass, &s), SH_ERR);
    assert_int_equal(s.passes, 1);
    assert_int_equal(fh_error_count(f), 0); /* the pass records its own */
    static const int done[] = {SHC_DONE};
    struct script d = {.answers = done};
    assert_int_equal(shc_converge(h, f, 5, scripted_pass, &d), SH_OK);
}

/* The run stopping between passes: no further pass, the stop recorded.
 * converge.h says shc_converge returns SH_OK or SH_ERR; it returns
 * SH_ERR_CANCELLED here (the status host->fail hands back). */
static void test_converge_cancelled(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    static const int again[] = {SHC_AGAIN, SHC_DONE};
    struct script s = {.answers = again, .cancel = f};
    assert_int_equal(shc_converge(h, f, 5, scripted_pass, &s), SH_ERR_CANCELLED);
    assert_int_equal(s.passes, 1);
    assert_string_equal(fh_error_at(f, 0), "an answer was lost (x): the run is stopping");
}

/* ---- destroy until a lookup finds nothing ---- */

/* A destroy pass as plugins write it: list, delete what is ours (a
 * NotFound on a delete accepted: AWS may not know a new id yet), and
 * count what was listed; a lost delete proves nothing either way. */
struct gone_run {
    const sh_host *h;
    sh_ctx *ctx;
    shc_queue q;
    int passes;
};

static int vpc_destroy_pass(void *arg, size_t *found)
{
    struct gone_run *r = arg;
    const sh_host *h = r->h;
    char path[64];
    r->passes++;
    const sh_doc *vpcs;
    shc_read_all(&r->q, "ec2", "DescribeVpcs", NULL, "vpcSet.item", "vpc lookup", &vpcs);
    if (shc_queue_run(&r->q))
        return -1;
    *found = 0;
    for (size_t i = 0; i < h->doc_count(vpcs, "vpcSet.item"); i++) {
        const sh_doc *vpc = h->doc_get(vpcs, shc_path(path, sizeof(path), "vpcSet.item[%zu]", i));
        if (!shc_owned(h, r->ctx, vpc, &shc_tags_ec2))
            continue; /* not ours: never touched, not waited for */
        (*found)++;
        sh_doc *in = h->doc_new(r->ctx);
        h->doc_set_string(in, "VpcId", h->doc_string(vpc, "vpcId"));
        shc_line line = {.label = shc_text(h, r->ctx, "vpc %s", shc_tag(h, vpc, &shc_tags_ec2, "Name"))};
        shc_change(&r->q, &line, SH_CHANGE_DELETE, NULL, "ec2", "DeleteVpc", in, "InvalidVpcID.NotFound", NULL, NULL);
        shc_line_report(h, r->ctx, &line);
    }
    if (shc_queue_run(&r->q) && !r->q.lost)
        return -1;
    return 0;
}

static void gone_run_init(struct gone_run *r, sh_ctx *f)
{
    memset(r, 0, sizeof(*r));
    r->h = fh_host(f);
    r->ctx = f;
    shc_queue_init(&r->q, r->h, f);
}

#define FOREIGN VPC("vpc-theirs", TAG("Name", VPC_NAME))

/* A delete's NotFound is not "gone": the loop ends on a lookup that lists
 * nothing of ours (theirs stays listed, untouched). */
static void test_destroy_until_a_lookup_finds_nothing(void **state)
{
    sh_ctx *f = *state;
    fh_set_mode(f, SH_MODE_DESTROY);
    fh_answer(f, "ec2", "DescribeVpcs", VPCS(VPC("vpc-1", OURS(VPC_NAME)) "," FOREIGN));
    fh_answer_error(f, "ec2", "DeleteVpc", "InvalidVpcID.NotFound", "The vpc ID 'vpc-1' does not exist");
    fh_answer(f, "ec2", "DescribeVpcs", VPCS(VPC("vpc-1", OURS(VPC_NAME)) "," FOREIGN));
    fh_answer(f, "ec2", "DeleteVpc", "{\"return\":\"true\"}");
    fh_answer(f, "ec2", "DescribeVpcs", VPCS(FOREIGN));
    struct gone_run r;
    gone_run_init(&r, f);
    assert_int_equal(shc_destroy_until_gone(r.h, f, "the vpcs", 10, 0, vpc_destroy_pass, &r), 0);
    assert_int_equal(r.passes, 3);
    assert_int_equal(fh_sent(f, "ec2", "DeleteVpc"), 2);
    for (size_t i = 0; i < fh_call_count(f); i++)
        if (!strcmp(fh_call_at(f, i)->operation, "DeleteVpc"))
            assert_string_equal(fh_call_at(f, i)->input, "{\"VpcId\":\"vpc-1\"}");
    assert_true(fh_log_has(f, "destroy pass 1 removed 1 of the vpcs; looking again"));
    assert_int_equal(fh_error_count(f), 0);
    assert_script_done(f);
}

/* A lost delete: the next lookup tells (here: gone, at once). */
static void test_destroy_after_a_lost_delete(void **state)
{
    sh_ctx *f = *state;
    fh_set_mode(f, SH_MODE_DESTROY);
    fh_answer(f, "ec2", "DescribeVpcs", VPCS(VPC("vpc-1", OURS(VPC_NAME))));
    fh_answer_lost(f, "ec2", "DeleteVpc");
    fh_answer(f, "ec2", "DescribeVpcs", NO_VPCS);
    struct gone_run r;
    gone_run_init(&r, f);
    assert_int_equal(shc_destroy_until_gone(r.h, f, "the vpcs", 10, 0, vpc_destroy_pass, &r), 0);
    assert_int_equal(r.passes, 2);
    assert_int_equal(fh_error_count(f), 0);
    assert_script_done(f);
}

/* Still listed after max_passes, or at the deadline: an error saying how
 * many and what to do. */
static void test_destroy_gives_up(void **state)
{
    sh_ctx *f = *state;
    fh_set_mode(f, SH_MODE_DESTROY);
    fh_answer(f, "ec2", "DescribeVpcs", VPCS(VPC("vpc-1", OURS(VPC_NAME))));
    fh_answer_repeats(f, "ec2", "DescribeVpcs");
    fh_answer(f, "ec2", "DeleteVpc", "{}");
    fh_answer_repeats(f, "ec2", "DeleteVpc");
    struct gone_run r;
    gone_run_init(&r, f);
    assert_int_equal(shc_destroy_until_gone(r.h, f, "the vpcs", 2, 0, vpc_destroy_pass, &r), -1);
    assert_int_equal(r.passes, 2);
    assert_int_equal(fh_error_status_at(f, 0), SH_ERR_TIMEOUT);
    assert_string_equal(fh_error_at(f, 0), "1 of the vpcs still listed after 2 passes of destroy: run destroy again");
    /* a deadline passed: the first pass is the last */
    gone_run_init(&r, f);
    assert_int_equal(shc_destroy_until_gone(r.h, f, "the vpcs", 10, (long)time(NULL) - 1, vpc_destroy_pass, &r), -1);
    assert_int_equal(r.passes, 1);
    assert_string_equal(fh_error_at(f, 1), "1 of the vpcs still listed after 1 passes of destroy: run destroy again");
}

/* Plan mode: one pass, its delete lines, nothing sent that changes. */
static void test_destroy_plan_is_one_pass(void **state)
{
    sh_ctx *f = *state;
    fh_set_mode(f, SH_MODE_PLAN);
    fh_answer(f, "ec2", "DescribeVpcs", VPCS(VPC("vpc-1", OURS(VPC_NAME)) "," FOREIGN));
    struct gone_run r;
    gone_run_init(&r, f);
    assert_int_equal(shc_destroy_until_gone(r.h, f, "the vpcs", 10, 0, vpc_destroy_pass, &r), 0);
    assert_int_equal(r.passes, 1);
    assert_int_equal(fh_call_count(f), 1);
    assert_int_equal(fh_report_count(f), 1);
    assert_int_equal(fh_report_at(f, 0)->change, SH_CHANGE_DELETE);
    assert_string_equal(fh_report_at(f, 0)->resource, "vpc vpc-catalog-dev");
    assert_script_done(f);
}

/* A failed pass ends the loop at once; its error is the pass's. */
static void test_destroy_failed_pass(void **state)
{
    sh_ctx *f = *state;
    fh_set_mode(f, SH_MODE_DESTROY);
    fh_answer_error(f, "ec2", "DescribeVpcs", "UnauthorizedOperation", "not allowed");
    struct gone_run r;
    gone_run_init(&r, f);
    assert_int_equal(shc_destroy_until_gone(r.h, f, "the vpcs", 10, 0, vpc_destroy_pass, &r), -1);
    assert_int_equal(r.passes, 1);
    assert_int_equal(fh_error_count(f), 1);
    assert_error_has(f, "vpc lookup: ec2 DescribeVpcs: UnauthorizedOperation");
}

static void test_destroy_timeout_setting(void **state)
{
    (void)state;
    assert_int_equal(shc_destroy_timeout(), 20 * 60);
    setenv("STACKHOST_DESTROY_TIMEOUT", "90", 1);
    assert_int_equal(shc_destroy_timeout(), 90);
    setenv("STACKHOST_DESTROY_TIMEOUT", "0", 1);
    assert_int_equal(shc_destroy_timeout(), 20 * 60);
    setenv("STACKHOST_DESTROY_TIMEOUT", "5m", 1);
    assert_int_equal(shc_destroy_timeout(), 20 * 60);
}

/* ---- codes, text, settings ---- */

static void test_codes(void **state)
{
    (void)state;
    assert_true(shc_code_in("InvalidVpcID.NotFound", "DependencyViolation|*NotFound"));
    assert_true(shc_code_in("CreateVpc", "Create*"));
    assert_true(shc_code_in("RouteAlreadyExists", "RouteAlreadyExists"));
    assert_false(shc_code_in("RouteAlreadyExist", "RouteAlreadyExists"));
    assert_false(shc_code_in("RouteAlreadyExistsX", "RouteAlreadyExists"));
    assert_false(shc_code_in(NULL, "*NotFound"));
    assert_false(shc_code_in("A", NULL));
    /* a lone "*" is "*" + an empty suffix: every code */
    assert_true(shc_code_in("Anything", "*"));
    /* a suffix is matched as written: ECS's codes end in Exception */
    assert_false(shc_code_in("ClusterNotFoundException", "*NotFound"));
    /* the first entry a "not yet" error matches is the one */
    sh_aws_error e = {.code = "ClusterNotFoundException", .message = "Cluster not found."};
    assert_ptr_equal(shc_not_yet_match(ecs_not_yet, "CreateService", &e), &ecs_not_yet[1]);
    assert_null(shc_not_yet_match(ecs_not_yet, "DeleteService", &e));
    sh_aws_error no_code = {.message = "x"};
    assert_null(shc_not_yet_match(ecs_not_yet, "CreateService", &no_code));
}

static void test_text_and_json(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    assert_string_equal(shc_text(h, f, "%s-%d", "a", 1), "a-1");
    char big[5000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_string_equal(shc_text(h, f, "%s", big), ""); /* never cut: empty */
    char path[16];
    assert_string_equal(shc_path(path, sizeof(path), "a.b[%d]", 3), "a.b[3]");
    assert_string_equal(shc_path(path, sizeof(path), "%s", "subnetSet.item[3].tagSet"), "");
    assert_true(shc_json_same(h, f, "{\"a\":1,\"b\":[1,2]}", "{ \"b\": [1, 2], \"a\": 1 }"));
    assert_false(shc_json_same(h, f, "{\"b\":[1,2]}", "{\"b\":[2,1]}"));
    assert_false(shc_json_same(h, f, "not json", "not json"));
    assert_false(shc_json_same(h, f, NULL, "{}"));
    assert_string_equal(shc_url_decode(h, f, "%7B%22Version%22%3A%222012-10-17%22%7D"), "{\"Version\":\"2012-10-17\"}");
    assert_string_equal(shc_url_decode(h, f, "{\"a\":\"%20\"}"), "{\"a\":\"%20\"}");
    /* before doc_equal (ABI 1.2) JSON texts compare as text */
    fh_set_host_abi(f, 1, offsetof(sh_host, doc_parse));
    assert_false(shc_json_same(h, f, "{\"a\":1}", "{ \"a\": 1 }"));
    assert_true(shc_json_same(h, f, "{\"a\":1}", "{\"a\":1}"));
}

static void test_task_port(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    assert_int_equal(shc_task_port(h, f), 8080);
    fh_set_required_config(f, "network", "{\"task_port\":9000}");
    assert_int_equal(shc_task_port(h, f), 9000);
    assert_int_equal(shc_refuse_port_key(h, f, "target_port"), SH_OK);
    fh_set_config(f, "{\"target_port\":8081}");
    assert_int_equal(shc_refuse_port_key(h, f, "target_port"), SH_ERR_CONFIG);
    assert_error_has(f, "network.task_port (9000)");
    assert_error_has(f, "remove target_port and set network.task_port = 8081 instead");
    /* a host before required_config (ABI 1.4): network's default */
    fh_set_host_abi(f, 3, offsetof(sh_host, required_config));
    assert_int_equal(shc_task_port(h, f), 8080);
}

/* A template's document, as compact JSON. */
static const char *json_of(sh_ctx *f, sh_doc *d)
{
    return fh_host(f)->doc_json(f, d);
}

static void test_templates(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    /* strings escaped inside quotes, numbers and booleans as they are */
    assert_string_equal(json_of(f, shc_docf(h, f, "{'name': '%s', 'force': true, 'max': %lld, 'n': %zu}",
                                            "a\"b\\c\n", 12LL, (size_t)3)),
                        "{\"name\":\"a\\\"b\\\\c\\n\",\"force\":true,\"max\":12,\"n\":3}");
    /* lists and nesting; a conversion within a longer string */
    assert_string_equal(json_of(f, shc_docf(h, f, "{'Filter': [{'Name': 'tag:%s', 'Values': ['%s', '%s']}]}", "Name",
                                            "x", "y")),
                        "{\"Filter\":[{\"Name\":\"tag:Name\",\"Values\":[\"x\",\"y\"]}]}");
    /* a NULL member or item is left out, first, middle or last */
    assert_string_equal(json_of(f, shc_docf(h, f, "{'a': '%s', 'b': %d, 'c': '%s', 'd': [%s, '%s']}", (char *)NULL,
                                            1, (char *)NULL, (char *)NULL, "z")),
                        "{\"b\":1,\"d\":[\"z\"]}");
    assert_string_equal(json_of(f, shc_docf(h, f, "{'a': '%s'}", (char *)NULL)), "{}");
    /* a list or object emptied that way is left out too; one written empty stays */
    assert_string_equal(json_of(f, shc_docf(h, f, "{'l': ['%s'], 'o': {'k': {'v': '%s'}}, 'e': [], 'n': 1}",
                                            (char *)NULL, (char *)NULL)),
                        "{\"e\":[],\"n\":1}");
    assert_string_equal(json_of(f, shc_docf(h, f, "{'l': [1, '%s'], 'm': ['%s', 2]}", (char *)NULL, (char *)NULL)),
                        "{\"l\":[1],\"m\":[2]}");
    assert_string_equal(json_of(f, shc_docf(h, f, "{'a': 'x-%s', 'b': '%s'}", (char *)NULL, "y")),
                        "{\"a\":\"x-\",\"b\":\"y\"}");
    /* a JSON text as a value; an escaped quote and a percent */
    assert_string_equal(json_of(f, shc_docf(h, f, "{'doc': %s, 'q': 'it\\'s 100%%'}", "{\"k\":[1]}")),
                        "{\"doc\":{\"k\":[1]},\"q\":\"it's 100%\"}");
    /* any length, as given or with a precision */
    char *big = malloc(20001);
    assert_non_null(big);
    memset(big, 'a', 20000);
    big[20000] = '\0';
    const sh_doc *d = shc_docf(h, f, "{'v': '%s', 'w': '%.3s', 'x': '%-6s|'}", big, big, "ab");
    assert_int_equal(strlen(h->doc_string(d, "v")), 20000);
    assert_string_equal(h->doc_string(d, "w"), "aaa");
    assert_string_equal(h->doc_string(d, "x"), "ab    |");
    free(big);
    assert_int_equal(fh_error_count(f), 0);
    /* backslashes inside quotes: an escaped quote, or a JSON escape; a NULL
     * after an escaped quote is text, not the whole value */
    const char *volatile none = NULL; /* a NULL the compiler does not see */
    d = shc_docf(h, f, "{'a': 'x\\\\y', 'b': 'tab\\tend', 'c': '\\'%s'}", none);
    assert_string_equal(h->doc_string(d, "a"), "x\\y");
    assert_string_equal(h->doc_string(d, "b"), "tab\tend");
    assert_string_equal(h->doc_string(d, "c"), "'");
    assert_int_equal(fh_error_count(f), 0);
    /* not JSON once filled in: a plugin bug naming the template, never a value */
    assert_string_equal(json_of(f, shc_docf(h, f, "{'a': %s}", "s3cr3t")), "{}");
    assert_int_equal(fh_error_count(f), 1);
    assert_error_has(f, "plugin bug: the request template {'a': %s}");
    assert_null(strstr(fh_error_at(f, 0), "s3cr3t"));
    /* a double quote outside a string would take a value in unescaped: refused */
    assert_string_equal(json_of(f, shc_docf(h, f, "{\"a\": \"%s\"}", "x\", \"evil\": \"1")), "{}");
    assert_error_has(f, "a double quote outside a string");
    /* a length it does not read right is refused, not guessed */
    assert_string_equal(json_of(f, shc_docf(h, f, "{'a': %jd}", (intmax_t)1)), "{}");
    assert_error_has(f, "a conversion other than");
}

static void test_paths(void **state)
{
    sh_ctx *f = *state;
    const sh_host *h = fh_host(f);
    const sh_doc *d = shc_docf(h, f, "{'Versions': {'member': [{'VersionId': 'v1'}, {'VersionId': 'v2'}]}}");
    assert_string_equal(shc_str(h, d, "Versions.member[%zu].VersionId", (size_t)1), "v2");
    assert_null(shc_str(h, d, "Versions.member[%d].VersionId", 2));
    assert_int_equal(shc_count(h, d, "%s.member", "Versions"), 2);
    assert_string_equal(h->doc_string(shc_node(h, d, "Versions.member[%d]", 0), "VersionId"), "v1");
    /* a path cut to fit reads nothing, never a shorter path's node */
    char big[600];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_null(shc_node(h, d, "Versions.%s", big));
    assert_int_equal(shc_count(h, d, "Versions.%s", big), 0);
    assert_null(shc_str(h, d, "Versions.member[0].VersionId%s", big));
    char buf[8];
    assert_string_equal(shc_path(buf, sizeof(buf), "%s", "Versions"), "");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_owned_needs_the_three_tags),
        T(test_set_differs),
        T(test_tag_map),
        T(test_queue_keeps_ids),
        T(test_queue_delete_each),
        T(test_put_tags_round_trip_every_shape),
        T(test_put_tags_order),
        T(test_find_ours_among_others),
        T(test_find_refuses_what_is_not_ours),
        T(test_find_duplicates_are_an_error),
        T(test_find_keep_chooses_and_lists_extras),
        T(test_find_keep_without_a_count),
        T(test_tags_drift),
        T(test_queue_sends_together),
        T(test_queue_accepted_codes),
        T(test_queue_failures),
        T(test_reads),
        T(test_not_yet_is_retried),
        T(test_not_yet_needs_operation_and_message),
        T(test_not_yet_expires),
        T(test_not_yet_until_the_deadline),
        T(test_lost_answer_is_reported_not_failed),
        T(test_lost_read_is_a_failure),
        T(test_lost_after_not_yet),
        T(test_not_yet_dropped_beside_a_lost_answer),
        T(test_lost_beside_a_failure),
        T(test_completion_queueing_on_the_running_queue),
        T(test_queue_cancelled),
        T(test_queue_clear),
        T(test_queue_on_an_abi_1_0_host),
        T(test_not_yet_on_an_abi_1_0_host),
        T(test_plan_mode_sends_only_reads),
        T(test_lines),
        T(test_lost_create_is_found_not_sent_again),
        T(test_already_exists_looks_again),
        T(test_lost_create_then_duplicates),
        T(test_plan_pass_reports_the_create),
        T(test_converge_pass_limit),
        T(test_converge_failed_pass),
        T(test_converge_cancelled),
        T(test_destroy_until_a_lookup_finds_nothing),
        T(test_destroy_after_a_lost_delete),
        T(test_destroy_gives_up),
        T(test_destroy_plan_is_one_pass),
        T(test_destroy_failed_pass),
        T(test_destroy_timeout_setting),
        T(test_codes),
        T(test_text_and_json),
        T(test_templates),
        T(test_paths),
        T(test_task_port),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
