/* The AWS client's retry rules against a scripted local server: clock
 * skew corrected once for each of AWS's four codes, 429 and SNS's
 * Throttled retried, transport errors that never heal not retried, the
 * retry quota running out, pagination's empty first page and repeated
 * token, and the FIPS / dual-stack endpoints. */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/client.h"
#include "log.h"
#include "replay_server.h"

static const char *STS_OK =
    "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/dev</Arn>"
    "<Account>111122223333</Account></GetCallerIdentityResult></GetCallerIdentityResponse>";

static struct aws_client client;
static struct replay_server *server;
static int client_ready;

static void connect_to(const struct replay_reply *replies, size_t n)
{
    server = replay_start(replies, n);
    setenv("AWS_ENDPOINT_URL", replay_url(server), 1);
    test_client_init(&client, "us-east-1", 0);
    client_ready = 1;
}

static int setup(void **state)
{
    (void)state;
    setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1);
    unsetenv("AWS_SESSION_TOKEN");
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
    setenv("AWS_CONFIG_FILE", "/dev/null", 1);
    setenv("STACKHOST_RETRY_BASE_MS", "1", 1);
    setenv("AWS_MAX_ATTEMPTS", "3", 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (client_ready)
        aws_client_free(&client);
    client_ready = 0;
    if (server)
        replay_stop(server);
    server = NULL;
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_USE_FIPS_ENDPOINT");
    unsetenv("AWS_USE_DUALSTACK_ENDPOINT");
    redact_clear();
    return 0;
}

/* A Date header one hour ahead of this machine, and the X-Amz-Date it implies. */
static void server_time(char *date_header, size_t hlen, char *amz_hour, size_t alen)
{
    time_t ahead = time(NULL) + 3600;
    struct tm tm;
    gmtime_r(&ahead, &tm);
    strftime(date_header, hlen, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
    strftime(amz_hour, alen, "X-Amz-Date: %Y%m%dT%H", &tm);
}

static void expect_skew_corrected(const char *service, const char *op, int status, const char *body,
                                  const char *ok_body)
{
    char date[96], amz[64];
    server_time(date, sizeof(date), amz, sizeof(amz));
    struct replay_reply r[] = {{status, date, body}, {200, NULL, ok_body}};
    connect_to(r, 2);
    struct sh_doc *out;
    struct aws_error err;
    assert_int_equal(aws_call(&client, service, op, NULL, 0, &out, &err), 0);
    assert_int_equal(replay_count(server), 2);
    /* The second request is signed with the server's hour, not ours. */
    assert_non_null(strstr(replay_request(server, 1), amz));
    assert_null(strstr(replay_request(server, 0), amz));
    doc_free(out);
    aws_client_free(&client);
    client_ready = 0;
    replay_stop(server);
    server = NULL;
}

static void test_clock_skew_corrected_once_for_each_code(void **state)
{
    (void)state;
    expect_skew_corrected("sts", "GetCallerIdentity", 403,
                          "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>Signature expired"
                          "</Message></Error></ErrorResponse>", STS_OK);
    expect_skew_corrected("sts", "GetCallerIdentity", 403,
                          "<ErrorResponse><Error><Code>RequestTimeTooSkewed</Code><Message>too skewed</Message>"
                          "</Error></ErrorResponse>", STS_OK);
    expect_skew_corrected("ecr", "DescribeRepositories", 400,
                          "{\"__type\":\"InvalidSignatureException\",\"message\":\"Signature expired\"}",
                          "{\"repositories\":[]}");
    expect_skew_corrected("ec2", "DescribeVpcs", 401,
                          "<Response><Errors><Error><Code>AuthFailure</Code><Message>not yet valid</Message></Error>"
                          "</Errors></Response>", "<DescribeVpcsResponse><vpcSet/></DescribeVpcsResponse>");
}

static void test_a_wrong_signature_with_the_right_time_is_not_retried(void **state)
{
    (void)state;
    struct replay_reply r[] = {{403, NULL, "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>wrong "
                                           "key</Message></Error></ErrorResponse>"}};
    connect_to(r, 1);
    struct sh_doc *out;
    struct aws_error err;
    assert_int_equal(aws_call(&client, "sts", "GetCallerIdentity", NULL, 0, &out, &err), -1);
    assert_int_equal(replay_count(server), 1);
    assert_string_equal(err.code, "SignatureDoesNotMatch");
}

static void test_429_and_throttled_are_retried(void **state)
{
    (void)state;
    struct replay_reply r[] = {{429, NULL, "Too Many Requests"},
                               {400, NULL, "<ErrorResponse><Error><Code>Throttled</Code><Message>slow down</Message>"
                                           "</Error></ErrorResponse>"},
                               {200, NULL, STS_OK}};
    connect_to(r, 3);
    struct sh_doc *out;
    struct aws_error err;
    assert_int_equal(aws_call(&client, "sts", "GetCallerIdentity", NULL, 0, &out, &err), 0);
    assert_int_equal(err.attempts, 3);
    doc_free(out);
}

static void expect_not_retried(const char *url, const char *code)
{
    setenv("AWS_ENDPOINT_URL", url, 1);
    test_client_init(&client, "us-east-1", 0);
    client_ready = 1;
    struct sh_doc *out;
    struct aws_error err;
    assert_int_equal(aws_call(&client, "sts", "GetCallerIdentity", NULL, 0, &out, &err), -1);
    assert_string_equal(err.code, code);
    assert_int_equal(err.attempts, 1);
    aws_client_free(&client);
    client_ready = 0;
}

static void test_errors_that_never_heal_are_not_retried(void **state)
{
    (void)state;
    expect_not_retried("http://no-such-host.invalid", "UnknownHost");
    expect_not_retried("http://[::1", "RequestFailed"); /* a malformed url */
    /* TLS that cannot verify (AWS_CA_BUNDLE names no certificates). The
     * server outlives this function until teardown: static replies. */
    static struct replay_reply r[] = {{200, NULL, NULL}};
    r[0].body = STS_OK;
    server = replay_start(r, 1);
    char url[96];
    snprintf(url, sizeof(url), "https%s", replay_url(server) + 4);
    setenv("AWS_CA_BUNDLE", "/nonexistent/ca.pem", 1);
    setenv("STACKHOST_TIMEOUT_MS", "3000", 1);
    expect_not_retried(url, "RequestFailed");
    unsetenv("AWS_CA_BUNDLE");
    unsetenv("STACKHOST_TIMEOUT_MS");
}

static void test_retry_quota_runs_out(void **state)
{
    (void)state;
    struct replay_reply r[] = {{503, NULL, ""}, {503, NULL, ""}, {503, NULL, ""}};
    connect_to(r, 3);
    client.retry_tokens = 7; /* one retry's worth */
    struct sh_doc *out;
    struct aws_error err;
    assert_int_equal(aws_call(&client, "sts", "GetCallerIdentity", NULL, 0, &out, &err), -1);
    assert_int_equal(err.attempts, 2);
    assert_non_null(strstr(err.message, "retry quota ran out"));
}

static void test_empty_first_page_then_a_full_one(void **state)
{
    (void)state;
    struct replay_reply r[] = {
        {200, NULL, "<DescribeVpcsResponse><vpcSet/><nextToken>t1</nextToken></DescribeVpcsResponse>"},
        {200, NULL, "<DescribeVpcsResponse><vpcSet><item><vpcId>vpc-1</vpcId></item><item><vpcId>vpc-2</vpcId>"
                    "</item></vpcSet></DescribeVpcsResponse>"}};
    connect_to(r, 2);
    struct sh_doc *out;
    struct aws_error err;
    assert_int_equal(aws_call_all(&client, "ec2", "DescribeVpcs", NULL, "vpcSet.item", 0, &out, &err), 0);
    assert_int_equal(doc_count(out, "vpcSet.item"), 2);
    assert_string_equal(doc_text(out, "vpcSet.item[1].vpcId"), "vpc-2");
    doc_free(out);
}

static void test_a_repeated_token_is_an_error(void **state)
{
    (void)state;
    struct replay_reply r[] = {
        {200, NULL, "<DescribeVpcsResponse><vpcSet><item><vpcId>vpc-1</vpcId></item></vpcSet>"
                    "<nextToken>t1</nextToken></DescribeVpcsResponse>"},
        {200, NULL, "<DescribeVpcsResponse><vpcSet><item><vpcId>vpc-2</vpcId></item></vpcSet>"
                    "<nextToken>t1</nextToken></DescribeVpcsResponse>"}};
    connect_to(r, 2);
    struct sh_doc *out;
    struct aws_error err;
    assert_int_equal(aws_call_all(&client, "ec2", "DescribeVpcs", NULL, "vpcSet.item", 0, &out, &err), -1);
    assert_null(out);
    assert_string_equal(err.code, "PaginationLoop");
}

static void test_fips_and_dual_stack_endpoints(void **state)
{
    (void)state;
    unsetenv("AWS_ENDPOINT_URL");
    struct strbuf url = STRBUF_INIT;
    const char *signing;
    setenv("AWS_USE_FIPS_ENDPOINT", "true", 1);
    aws_endpoint(aws_service_find("ec2"), "us-east-2", &url, &signing);
    assert_string_equal(url.buf, "https://ec2-fips.us-east-2.amazonaws.com");
    strbuf_reset(&url);
    aws_endpoint(aws_service_find("ecr"), "us-east-2", &url, &signing);
    assert_string_equal(url.buf, "https://ecr-fips.us-east-2.amazonaws.com");
    strbuf_reset(&url);
    aws_endpoint(aws_service_find("iam"), "us-east-2", &url, &signing);
    assert_string_equal(url.buf, "https://iam-fips.amazonaws.com");
    strbuf_reset(&url);
    setenv("AWS_USE_DUALSTACK_ENDPOINT", "true", 1);
    aws_endpoint(aws_service_find("ecs"), "eu-west-1", &url, &signing);
    assert_string_equal(url.buf, "https://ecs-fips.eu-west-1.api.aws");
    strbuf_reset(&url);
    unsetenv("AWS_USE_FIPS_ENDPOINT");
    aws_endpoint(aws_service_find("ecs"), "eu-west-1", &url, &signing);
    assert_string_equal(url.buf, "https://ecs.eu-west-1.api.aws");
    strbuf_release(&url);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_clock_skew_corrected_once_for_each_code, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_wrong_signature_with_the_right_time_is_not_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_429_and_throttled_are_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors_that_never_heal_are_not_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_quota_runs_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_first_page_then_a_full_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_repeated_token_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fips_and_dual_stack_endpoints, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
