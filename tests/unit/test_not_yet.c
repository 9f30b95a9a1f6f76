/* The converge layer's "not yet" tables and accept lists (sdk/not_yet.c,
 * sdk/find.c): which AWS answers mean wait, which mean done, and which
 * mean no. */
#include "helpers.h"

#include <stdlib.h>

#include <stackhost/converge.h>

static const shc_not_yet table[] = {
    {"CreateCluster|CreateService", "InvalidParameterException", "unable to assume the service linked role", 120,
     "the deployer needs iam:CreateServiceLinkedRole"},
    {"CreateService|UpdateService", "InvalidParameterException", "does not have an associated load balancer|other",
     120, NULL},
    {"Create*|Modify*", "TargetGroupNotFound", NULL, 60, NULL},
    {NULL, "*NotFound", NULL, 30, NULL},
    {"DeleteSubnet", "DependencyViolation", NULL, SHC_UNTIL_DEADLINE, NULL},
    SHC_NOT_YET_END};

static sh_aws_error answer(const char *code, const char *message)
{
    sh_aws_error e = {.service = "ecs", .operation = "x", .http_status = 400, .code = code, .message = message};
    return e;
}

static void test_match_by_operation_code_and_message(void **state)
{
    (void)state;
    sh_aws_error slr = answer("InvalidParameterException",
                              "Unable to assume the service linked role. Please verify that the ECS service linked "
                              "role exists.");
    const shc_not_yet *n = shc_not_yet_match(table, "CreateCluster", &slr);
    assert_non_null(n);
    assert_ptr_equal(n, &table[0]);
    /* the same answer to an operation the entry does not name is a no */
    assert_null(shc_not_yet_match(table, "DeleteCluster", &slr));
    /* a genuine InvalidParameterException shares the code, not the message */
    sh_aws_error genuine = answer("InvalidParameterException", "The provided target group has target type instance, "
                                                               "which is incompatible with the awsvpc network mode");
    assert_null(shc_not_yet_match(table, "CreateService", &genuine));
    /* one of several fragments, case ignored */
    sh_aws_error tg = answer("InvalidParameterException", "The target group with targetGroupArn arn:x DOES NOT HAVE "
                                                          "AN ASSOCIATED LOAD BALANCER.");
    assert_ptr_equal(shc_not_yet_match(table, "UpdateService", &tg), &table[1]);
    /* no message at all matches only an entry without one */
    sh_aws_error bare = answer("InvalidParameterException", NULL);
    assert_null(shc_not_yet_match(table, "CreateService", &bare));
    assert_null(shc_not_yet_match(NULL, "CreateService", &bare));
}

static void test_operation_prefixes_and_code_suffixes(void **state)
{
    (void)state;
    sh_aws_error tg = answer("TargetGroupNotFound", "One or more target groups not found");
    assert_ptr_equal(shc_not_yet_match(table, "ModifyTargetGroupAttributes", &tg), &table[2]);
    assert_ptr_equal(shc_not_yet_match(table, "CreateListener", &tg), &table[2]);
    /* not a prefix entry: the *NotFound entry of any operation */
    assert_ptr_equal(shc_not_yet_match(table, "DeleteListener", &tg), &table[3]);
    sh_aws_error vpc = answer("InvalidVpcID.NotFound", "The vpc ID 'vpc-1' does not exist");
    assert_ptr_equal(shc_not_yet_match(table, "CreateSubnet", &vpc), &table[3]);
    assert_true(shc_code_in("CreateListener", "Create*"));
    assert_false(shc_code_in("Create", "Create*x"));
    assert_false(shc_code_in("DeleteListener", "Create*"));
    assert_true(shc_code_in("InvalidVpcID.NotFound", "A|*NotFound"));
    assert_false(shc_code_in("NotFoundX", "*NotFound"));
}

static void test_seconds_and_the_override(void **state)
{
    (void)state;
    unsetenv("STACKHOST_PROPAGATION_TIMEOUT");
    assert_int_equal(shc_not_yet_seconds(&table[0]), 120);
    setenv("STACKHOST_PROPAGATION_TIMEOUT", "2", 1);
    assert_int_equal(shc_not_yet_seconds(&table[0]), 2);
    /* a destroy's deadline is not a propagation time */
    assert_int_equal(shc_not_yet_seconds(&table[4]), SHC_UNTIL_DEADLINE);
    setenv("STACKHOST_PROPAGATION_TIMEOUT", "2x", 1);
    assert_int_equal(shc_not_yet_seconds(&table[0]), 120);
    setenv("STACKHOST_PROPAGATION_TIMEOUT", "99999", 1);
    assert_int_equal(shc_not_yet_seconds(&table[0]), 120);
    unsetenv("STACKHOST_PROPAGATION_TIMEOUT");
}

static void test_accept_lists_with_messages(void **state)
{
    (void)state;
    sh_aws_error pending = answer("KMSInvalidStateException", "arn:aws:kms:us-east-1:1:key/k is pending deletion.");
    sh_aws_error other = answer("KMSInvalidStateException", "arn:aws:kms:us-east-1:1:key/k is pending import.");
    sh_aws_error gone = answer("NotFoundException", "Key 'k' does not exist");
    const char *accept = "KMSInvalidStateException(is pending deletion)|NotFoundException";
    assert_true(shc_answer_in(&pending, accept));
    assert_false(shc_answer_in(&other, accept));
    assert_true(shc_answer_in(&gone, accept));
    /* fragments inside the parentheses are alternatives */
    assert_true(shc_answer_in(&other, "KMSInvalidStateException(pending deletion|pending import)"));
    /* "is not pending deletion" is not "is pending deletion" */
    sh_aws_error not_pending = answer("KMSInvalidStateException", "k is not pending deletion.");
    assert_false(shc_answer_in(&not_pending, accept));
    assert_true(shc_answer_in(&not_pending, "KMSInvalidStateException(is not pending deletion)"));
    assert_false(shc_answer_in(&gone, NULL));
    assert_true(shc_answer_in(&gone, "*NotFoundException"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_by_operation_code_and_message),
        cmocka_unit_test(test_operation_prefixes_and_code_suffixes),
        cmocka_unit_test(test_seconds_and_the_override),
        cmocka_unit_test(test_accept_lists_with_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
