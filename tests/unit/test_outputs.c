#include "helpers.h"

#include <jansson.h>
#include <string.h>

#include "outputs.h"

static void test_set_get_replace(void **state)
{
    (void)state;
    struct outputs o;
    outputs_init(&o);
    assert_int_equal(outputs_set_string(&o, "network", "vpc_id", "vpc-1"), 0);
    const char *items[] = {"subnet-a", "subnet-b"};
    assert_int_equal(outputs_set_list(&o, "network", "public_subnet_ids", items, 2), 0);
    const struct output *v = outputs_get(&o, "network", "vpc_id");
    assert_string_equal(v->value, "vpc-1");
    const char *held = v->value;
    assert_int_equal(outputs_set_string(&o, "network", "vpc_id", "vpc-2"), 0);
    assert_string_equal(held, "vpc-1"); /* a reader's pointer stays valid */
    assert_string_equal(outputs_get(&o, "network", "vpc_id")->value, "vpc-2");
    const struct output *l = outputs_get(&o, "network", "public_subnet_ids");
    assert_true(l->is_list);
    assert_int_equal(l->n, 2);
    assert_string_equal(l->items[1], "subnet-b");
    assert_null(outputs_get(&o, "lb", "vpc_id"));
    outputs_free(&o);
}

static void test_bad_keys(void **state)
{
    (void)state;
    struct outputs o;
    outputs_init(&o);
    assert_int_equal(outputs_set_string(&o, "p", "Bad-Key", "x"), -1);
    assert_int_equal(outputs_set_string(&o, "p", "", "x"), -1);
    assert_int_equal(outputs_set_string(&o, "p", "k", NULL), -1);
    const char *items[] = {"a", NULL};
    assert_int_equal(outputs_set_list(&o, "p", "k", items, 2), -1);
    assert_int_equal(outputs_set_list(&o, "p", "empty", NULL, 0), 0);
    outputs_free(&o);
}

static void test_text_and_json(void **state)
{
    (void)state;
    struct outputs o;
    outputs_init(&o);
    outputs_set_string(&o, "lb", "alb_url", "http://alb.example");
    const char *items[] = {"a", "b"};
    outputs_set_list(&o, "network", "azs", items, 2);
    outputs_set_string(&o, "lb", "alb_arn", "arn:x");
    struct strbuf text = STRBUF_INIT, js = STRBUF_INIT;
    outputs_text(&o, NULL, 0, &text);
    /* by plugin, each plugin's keys in the order first set (plugins publish
     * at the same time: the order set is not stable) */
    assert_string_equal(text.buf, "lb.alb_url = http://alb.example\nlb.alb_arn = arn:x\nnetwork.azs = a, b\n");
    json_t *doc = json_object();
    outputs_json(&o, NULL, 0, doc);
    json_t *root = json_object_get(doc, "plugins");
    assert_non_null(root);
    assert_int_equal(json_object_size(json_object_get(doc, "outputs")), 0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(root, "lb"), "alb_url")), "http://alb.example");
    assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(root, "network"), "azs"), 1)), "b");
    json_decref(doc);
    strbuf_release(&text);
    strbuf_release(&js);
    outputs_free(&o);
}

static void test_stack_outputs_first(void **state)
{
    (void)state;
    struct outputs o;
    outputs_init(&o);
    outputs_set_string(&o, "registry", "repository_uri", "1.dkr.ecr/x");
    outputs_set_string(&o, "lb", "alb_url", "http://alb.example");
    const struct output_alias aliases[] = {{"alb_url", "lb", "alb_url", NULL},
                                           {"ecr_repository_uri", "registry", "repository_uri", NULL},
                                           {"absent", "lb", "nothing", NULL}};
    struct strbuf text = STRBUF_INIT, js = STRBUF_INIT;
    outputs_text(&o, aliases, 3, &text);
    assert_string_equal(text.buf, "alb_url = http://alb.example\necr_repository_uri = 1.dkr.ecr/x\n"
                                  "lb.alb_url = http://alb.example\nregistry.repository_uri = 1.dkr.ecr/x\n");
    json_t *doc = json_object();
    outputs_json(&o, aliases, 3, doc);
    json_t *root = json_object_get(doc, "outputs");
    assert_string_equal(json_string_value(json_object_get(root, "alb_url")), "http://alb.example");
    assert_string_equal(json_string_value(json_object_get(root, "ecr_repository_uri")), "1.dkr.ecr/x");
    assert_null(json_object_get(root, "absent"));
    assert_null(json_object_get(root, "lb"));
    assert_non_null(json_object_get(json_object_get(doc, "plugins"), "lb"));
    json_decref(doc);
    strbuf_release(&text);
    strbuf_release(&js);
    outputs_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_get_replace),
        cmocka_unit_test(test_bad_keys),
        cmocka_unit_test(test_text_and_json),
        cmocka_unit_test(test_stack_outputs_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
