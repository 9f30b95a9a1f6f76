/* The plan's resource labels, split into type and name for --json. */
#include "helpers.h"

#include <string.h>

#include "plan_view.h"

static void expect_split(const char *label, const char *type)
{
    size_t n = plan_type_length(label);
    assert_int_equal(n, strlen(type));
    assert_memory_equal(label, type, n);
}

static void test_type_and_name(void **state)
{
    (void)state;
    expect_split("ecs service svc-catalog-dev", "ecs service");
    expect_split("rules of security group sg-catalog-alb-dev", "rules of security group");
    expect_split("parameter /catalog/dev/api-key", "parameter");
    expect_split("listener alb-catalog-dev:80", "listener");
    expect_split("email subscription oncall@example.com to sns-catalog-alarms-dev", "email subscription");
    expect_split("thing-alpha-dev", "");     /* a name alone */
    expect_split("ecs cluster catalog", "ecs cluster"); /* a name of letters only: the last word */
    expect_split("", "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_and_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
