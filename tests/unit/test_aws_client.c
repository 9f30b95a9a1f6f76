/* The AWS client against a scripted local server: request format and
 * signing, error shapes, retries and backoff, pagination, plan safety,
 * endpoints and regions. */
#include "helpers.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "aws/service.h"
#include "config.h"
#include "replay_server.h"
#include "log.h"

static const char *STS_OK =
    "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>"
    "<Arn>arn:aws:iam::111122223333:user/dev</Arn><UserId>AIDA</UserId><Account>111122223333</Account>"
    "</GetCallerIdentityResult><ResponseMetadata><RequestId>req-ok</RequestId></ResponseMetadata>"
    "</GetCallerIdentityResponse>";
static const char *THROTTLED =
    "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
    "<RequestId>req-throttled</RequestId></ErrorResponse>";

static struct aws_client client;
static struct replay_server *server;

static void connect_to(const struct replay_reply *replies, size_t n, const char *region)
{
    server = replay_start(replies, n);
    setenv("AWS_ENDPOINT_URL", replay_url(server), 1);
    test_client_init(&client, region, 0);
}

static int setup(void **state)
{
    (void)state;
    setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1);
    unsetenv("AWS_SESSION_TOKEN");
    setenv("STACKHOST_RETRY_BASE_MS", "1", 1);
    setenv("AWS_MAX_ATTEMPTS", "3", 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    aws_client_free(&client);
    if (server)
        replay_stop(server);
    server = NULL;
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_ENDPOINT_URL_IAM");
    redact_clear();
    return 0;
}

static void test_query_request_is_signed_and_parsed(void **state)
{
    (void)state;
    struct replay_reply r[] = {{200, NULL, STS_OK}};
    connect_to(r, 1, "eu-west-1");
    struct sh_doc *out;
    struct aws_error err;
    assert_int_equal(aws_call(&client, "sts", "GetCallerIdentity", NULL, 0, &out, &err), 0);
    assert_string_equal(doc_text(out, "Account"), "111122223333");
    assert_int_equal(err.attempts, 1);
    const char *req = replay_request(server, 0);
    assert_non_null(strstr(req, "POST / HTTP/1.1"));
    assert_non_null(strstr(req, "Content-Type: application/x-www-form-urlencoded; charset=utf-8"));
    assert_non_null(strstr(req, "Credential=AKIDEXAMPLE/"));
    assert_non_null(strstr(req, "/eu-west-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="));
    assert_non_null(strstr(req, "\r\n\r\nAction=GetCallerIdentity&Version=2011-06-15"));
    assert_non_null(strstr(req, "User-Agent: stackhost/"));
    doc_free(out);
}

static void test_ec2_and_query_flattening(void **state)
{
    (void)state;
    struct replay_reply r[] = {{200, NULL, "<DescribeVpcsResponse><requestId>r1</requestId><vpcSet/></DescribeVpcsResponse>"},
                             {200, NULL, "<DescribeLoadBalancersResponse><DescribeLoadBalancersResult><LoadBalancers/>"
                                         "</DescribeLoadBalancersResult></DescribeLoadBalancersResponse>"}};
    connect_to(r, 2, "us-east-1");
    struct sh_doc *in = doc_new(DOC_OBJECT), *out;
    doc_set(in, "Filter[0].Name", DOC_STRING, "tag:Name");
    doc_set(in, "Filter[0].Value[0]", DOC_STRING, "vpc catalog/dev");
    struct aws_error err;
    assert_int_equal(aws_call(&client, "ec2", "DescribeVpcs", in, 0, &out, &err), 0);
    assert_string_equal(err.request_id, "r1");
    assert_int_equal(doc_count(out, "vpcSet.item"), 0);
    doc_free(out);
    assert_non_null(strstr(replay_request(server, 0),
                           "Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=tag%3AName&Filter.1.Value.1=vpc%20catalog%2Fdev"));
    doc_free(in);
    in = doc_new(DOC_OBJECT);
    doc_set(in, "Names[0]", DOC_STRING, "alb-catalog-dev");
    assert_int_equal(aws_call(&client, "elbv2", "DescribeLoadBalancers", in, 0, &out, &err), 0);
    assert_non_null(strstr(replay_request(server, 1), "Version=2015-12-01&Names.member.1=alb-catalog-dev"));
    assert_non_null(strstr(replay_request(server, 1), "/elasticloadbalancing/aws4_request"));
    doc_free(out);
    doc_free(in);
}

static void test_json_request(void **state)
{
    (void)state;
    struct replay_reply r[] = {{200, "x-amzn-RequestId: json-req\r\n", "{\"repositories\":[{\"repositoryName\":\"a\"}]}"}};
    connect_to(r, 1, "us-east-1");
    struct sh_doc *in = doc_new(DOC_OBJECT), *out;
    doc_set(in, "repositoryNames[0]", DOC_STRING, "ecr-catalog-dev");
    doc_set(in, "maxResults", DOC_NUMBER, "10");
    struct aws_error err;
    assert_int_equal(aws_call(&client, "ecr", "DescribeRepositories", in, 0, &out, &err), 0);
    assert_string_equal(doc_text(out, "repositories[0].repositoryName"), "a");
    assert_string_equal(err.request_id, "json-req");
    const char *req = replay_request(server, 0);
    assert_non_null(strstr(req, "X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.DescribeRepositories"));
    assert_non_null(strstr(req, "Content-Type: application/x-amz-json-1.1"));
    assert_non_null(strstr(req, "{\"repositoryNames\":[\"ecr-catalog-dev\"],\"maxResults\":10}"));
    doc_free(out);
    doc_free(in);
}

static void test_retries_throttling_then_503_then_success(void **state)
{
    (void)state;
    struct replay_reply r[] = {{400, NULL, THROTTLED},
                             {503, "x-amzn-RequestId: req-503\r\n", "Service Unavailable"},
                             {200, NULL, STS_OK}};
    connect_to(r, 3, "us-east-1");
    struct sh_doc *out;
    struct aws_error err;
    assert_int_equal(aws_call(&client, "sts", "GetCallerIdentity", NULL, 0, &out, &err), 0);
    assert_int_equal(err.attempts, 3);
    assert_int_equal(replay_count(server), 3);
    assert_string_equal(doc_text(out, "Account"), "111122223333");
    doc_free(out);
}

static void test_never_succeeds_reports_attempts_and_request_id(void **state)
{
    (void)state;
    struct replay_reply r[] = {{503, "x-amzn-RequestId: req-1\r\n", ""},
                             {500, "x-amzn-RequestId: req-2\r\n", ""},
                             {503, "x-amzn-RequestId: req-last\r\n", ""}};
    connect_to(r, 3, "us-east-1");
    struct sh_doc *out;
    struct aws_error err;
    assert_int_equal(aws_call(&client, "sts", "GetCallerIdentity", NULL, 0, &out, &err), -1);
    assert_null(out);
    assert_int_equal(err.attempts, 3);
    assert_int_equal(replay_count(server), 3);
    assert_string_equal(err.request_id, "req-last");
    assert_int_equal(err.http_status, 503);
    struct strbuf text = STRBUF_INIT;
    aws_error_format(&err, &text);
    assert_non_null(strstr(text.buf, "sts GetCallerIdentity: Http503"));
    assert_non_null(strstr(text.buf, "(http 503, request id req-last, 3 attempts)"));
    strbuf_release(&text);
}

static void test_client_errors_are_not_retried(void **state)
{
    (void)state;
    struct replay_reply r[] = {{400, NULL,
                              "<Response><Errors><Error><Code>InvalidVpcID.NotFound</Code><Message>The vpc ID 'vpc-1' "
                              "does not exist</Message></Error></Errors><RequestID>ec2-req</RequestID></Response>"}};
    connect_to(r, 1, "us-east-1");
    struct sh_doc *out;
    struct aws_error err;
    assert_int_equal(aws_call(&client, "ec2", "DescribeVpcs", NULL, 0, &out, &err), -1);
    assert_int_equal(err.attempts, 1);
    assert_int_equal(replay_count(server), 1);
    assert_string_equal(err.code, "InvalidVpcID.NotFound");
    assert_string_equal(err.message, "The vpc ID 'vpc-1' does not exist");
    assert_string_equal(err.request_id, "ec2-req");
}

static void test_connection_refused_is_retried(void **state)
{
    (void)state;
    struct replay_reply r[] = {{200, NULL, STS_OK}};
    server = replay_start(r, 1);
    char url[64];
    snprintf(url, sizeof(url), "%s", replay_url(server));
    replay_stop(server); /* nothing listens there now */
    server = NULL;
    setenv("AWS_ENDPOINT_URL", url, 1);
    test_client_init(&client, "us-east-1", 0);
    struct sh_doc *out;
    struct aws_error err;
    assert_int_equal(aws_call(&client, "sts", "GetCallerIdentity", NULL, 0, &out, &err), -1);
    assert_string_equal(err.code, "NetworkError");
    assert_int_equal(err.attempts, 3);
    assert_int_equal(err.http_status, 0);
}

static void test_plan_refuses_mutations_without_sending(void **state)
{
    (void)state;
    struct replay_reply r[] = {{200, NULL, "<CreateVpcResponse/>"}};
    connect_to(r, 1, "us-east-1");
    struct sh_doc *out;
    struct aws_error err;
    assert_int_equal(aws_call(&client, "ec2", "CreateVpc", NULL, AWS_CALL_READ_ONLY, &out, &err), -1);
    assert_string_equal(err.code, "PlanRefused");
    assert_int_equal(replay_count(server), 0);
    assert_true(aws_operation_is_read("DescribeVpcs"));
    assert_true(aws_operation_is_read("GetCallerIdentity"));
    assert_true(aws_operation_is_read("ListTagsForResource"));
    assert_false(aws_operation_is_read("PutParameter"));
    assert_false(aws_operation_is_read("DeleteVpc"));
    assert_false(aws_operation_is_read("Getaway"));
}

/* The plan's reads answer the apply's once each, until the apply changes
 * that service; AWS's error answers too, network failures never; calls
 * marked AWS_CALL_NO_CACHE always go to the wire. */
static void test_plan_reads_answer_the_apply(void **state)
{
    (void)state;
    struct replay_reply r[] = {
        {200, NULL, "{\"repositories\":[{\"repositoryName\":\"planned\"}]}"},
        {400, NULL, "{\"__type\":\"RepositoryNotFoundException\",\"message\":\"gone\"}"},
        {200, NULL, "{\"repositories\":[{\"repositoryName\":\"fresh\"}]}"}};
    connect_to(r, 3, "us-east-1");
    struct read_cache *reads = read_cache_new();
    client.reads = reads;
    struct sh_doc *in = doc_new(DOC_OBJECT), *other = doc_new(DOC_OBJECT), *out = NULL;
    doc_set(in, "repositoryNames[0]", DOC_STRING, "a");
    doc_set(other, "repositoryNames[0]", DOC_STRING, "b");
    struct aws_error err;
    /* the plan: both read from the wire and kept */
    assert_int_equal(aws_call(&client, "ecr", "DescribeRepositories", in, AWS_CALL_READ_ONLY, &out, &err), 0);
    doc_free(out);
    assert_int_equal(aws_call(&client, "ecr", "DescribeRepositories", other, AWS_CALL_READ_ONLY, &out, &err), -1);
    assert_int_equal(replay_count(server), 2);
    read_cache_replay(reads);
    /* the apply: the same reads answered as the plan heard them, nothing sent */
    assert_int_equal(aws_call(&client, "ecr", "DescribeRepositories", in, 0, &out, &err), 0);
    assert_string_equal(doc_text(out, "repositories[0].repositoryName"), "planned");
    doc_free(out);
    assert_int_equal(aws_call(&client, "ecr", "DescribeRepositories", other, 0, &out, &err), -1);
    assert_string_equal(err.code, "RepositoryNotFoundException");
    assert_int_equal(replay_count(server), 2);
    assert_int_equal(read_cache_hits(reads), 2);
    /* once each: the next identical read is asked again */
    assert_int_equal(aws_call(&client, "ecr", "DescribeRepositories", in, 0, &out, &err), 0);
    assert_string_equal(doc_text(out, "repositories[0].repositoryName"), "fresh");
    doc_free(out);
    assert_int_equal(replay_count(server), 3);
    doc_free(in);
    doc_free(other);
    client.reads = NULL;
    read_cache_free(reads);
}

static void test_a_change_forgets_the_plan_reads_of_its_service(void **state)
{
    (void)state;
    struct replay_reply r[] = {{200, NULL, "{\"repositories\":[]}"}};
    connect_to(r, 1, "us-east-1");
    struct read_cache *reads = read_cache_new();
    client.reads = reads;
    struct sh_doc *out = NULL;
    struct aws_error err;
    assert_int_equal(aws_call(&client, "ecr", "DescribeRepositories", NULL, AWS_CALL_READ_ONLY, &out, &err), 0);
    doc_free(out);
    assert_int_equal(aws_call(&client, "ssm", "GetParameters", NULL, AWS_CALL_READ_ONLY, &out, &err), 0);
    doc_free(out);
    read_cache_replay(reads);
    assert_int_equal(aws_call(&client, "ecr", "CreateRepository", NULL, 0, &out, &err), 0);
    doc_free(out);
    assert_int_equal(replay_count(server), 3);
    /* ecr changed: read again; ssm did not: the plan's answer */
    assert_int_equal(aws_call(&client, "ecr", "DescribeRepositories", NULL, 0, &out, &err), 0);
    doc_free(out);
    assert_int_equal(replay_count(server), 4);
    assert_int_equal(aws_call(&client, "ssm", "GetParameters", NULL, 0, &out, &err), 0);
    doc_free(out);
    assert_int_equal(replay_count(server), 4);
    /* past the cache: sent, and a change it makes forgets nothing */
    assert_int_equal(aws_call(&client, "ssm", "PutParameter", NULL, AWS_CALL_NO_CACHE, &out, &err), 0);
    doc_free(out);
    assert_int_equal(replay_count(server), 5);
    assert_int_equal(read_cache_hits(reads), 1);
    client.reads = NULL;
    read_cache_free(reads);
}

/* A region is part of the host name: one that is not a DNS label never
 * gets a signed request (and its session token) sent anywhere. */
static void test_invalid_region_sends_nothing(void **state)
{
    (void)state;
    struct replay_reply r[] = {{200, NULL, "{}"}};
    const char *bad[] = {"us-east-1.evil.example", "x/y", "us-east-1@evil", "", "-us", "US-EAST-1",
                         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_false(aws_region_valid(bad[i]));
        connect_to(r, 1, bad[i]);
        unsetenv("AWS_ENDPOINT_URL"); /* a real endpoint would be built from the region */
        struct sh_doc *out = NULL;
        struct aws_error err;
        assert_int_equal(aws_call(&client, "ecr", "DescribeRepositories", NULL, 0, &out, &err), -1);
        assert_string_equal(err.code, "InvalidRegion");
        aws_client_free(&client);
        replay_stop(server);
        server = NULL;
    }
    assert_true(aws_region_valid("us-east-1"));
    assert_true(aws_region_valid("cn-north-1"));
    connect_to(r, 1, "us-east-1");
}

static void test_pagination_json(void **state)
{
    (void)state;
    struct replay_reply r[] = {
        {200, NULL, "{\"repositories\":[{\"repositoryName\":\"a\"},{\"repositoryName\":\"b\"}],\"nextToken\":\"t1\"}"},
        {200, NULL, "{\"repositories\":[{\"repositoryName\":\"c\"}],\"nextToken\":\"t2\"}"},
        {200, NULL, "{\"repositories\":[{\"repositoryName\":\"d\"},{\"repositoryName\":\"e\"}]}"}};
    connect_to(r, 3, "us-east-1");
    struct sh_doc *out;
    struct aws_error err;
    assert_int_equal(aws_call_all(&client, "ecr", "DescribeRepositories", NULL, "repositories", 0, &out, &err), 0);
    assert_int_equal(doc_count(out, "repositories"), 5);
    assert_string_equal(doc_text(out, "repositories[4].repositoryName"), "e");
    assert_int_equal(replay_count(server), 3);
    assert_non_null(strstr(replay_request(server, 1), "{\"nextToken\":\"t1\"}"));
    assert_non_null(strstr(replay_request(server, 2), "{\"nextToken\":\"t2\"}"));
    doc_free(out);
}

static void test_pagination_xml_single_items(void **state)
{
    (void)state;
    /* EC2 pages of one item each: "item" is one node per page, not a list. */
    struct replay_reply r[] = {
        {200, NULL, "<DescribeVpcsResponse><vpcSet><item><vpcId>vpc-1</vpcId></item></vpcSet><nextToken>n1</nextToken></DescribeVpcsResponse>"},
        {200, NULL, "<DescribeVpcsResponse><vpcSet><item><vpcId>vpc-2</vpcId></item></vpcSet><nextToken>n2</nextToken></DescribeVpcsResponse>"},
        {200, NULL, "<DescribeVpcsResponse><vpcSet><item><vpcId>vpc-3</vpcId></item><item><vpcId>vpc-4</vpcId></item></vpcSet></DescribeVpcsResponse>"}};
    connect_to(r, 3, "us-east-1");
    struct sh_doc *out;
    struct aws_error err;
    assert_int_equal(aws_call_all(&client, "ec2", "DescribeVpcs", NULL, "vpcSet.item", 0, &out, &err), 0);
    assert_int_equal(doc_count(out, "vpcSet.item"), 4);
    assert_string_equal(doc_text(out, "vpcSet.item[0].vpcId"), "vpc-1");
    assert_string_equal(doc_text(out, "vpcSet.item[3].vpcId"), "vpc-4");
    assert_non_null(strstr(replay_request(server, 2), "NextToken=n2"));
    doc_free(out);
}

static void test_pagination_iam_marker(void **state)
{
    (void)state;
    struct replay_reply r[] = {
        {200, NULL, "<ListRolesResponse><ListRolesResult><IsTruncated>true</IsTruncated><Marker>m1</Marker><Roles><member>"
                    "<RoleName>a</RoleName></member></Roles></ListRolesResult></ListRolesResponse>"},
        {200, NULL, "<ListRolesResponse><ListRolesResult><IsTruncated>false</IsTruncated><Roles><member><RoleName>b</RoleName>"
                    "</member></Roles></ListRolesResult></ListRolesResponse>"}};
    connect_to(r, 2, "us-east-1");
    struct sh_doc *out;
    struct aws_error err;
    assert_int_equal(aws_call_all(&client, "iam", "ListRoles", NULL, "Roles.member", 0, &out, &err), 0);
    assert_int_equal(doc_count(out, "Roles.member"), 2);
    assert_non_null(strstr(replay_request(server, 1), "Marker=m1"));
    doc_free(out);
}

static void test_error_shapes(void **state)
{
    (void)state;
    struct aws_error e;
    memset(&e, 0, sizeof(e));
    const char *json = "{\"__type\":\"com.amazon.coral.validate#ValidationException:http://internal\",\"message\":\"bad\"}";
    aws_error_parse(AWS_PROTO_JSON, 400, json, strlen(json), "hdr-req", &e);
    assert_string_equal(e.code, "ValidationException");
    assert_string_equal(e.message, "bad");
    assert_string_equal(e.request_id, "hdr-req");
    memset(&e, 0, sizeof(e));
    json = "{\"__type\":\"ParameterNotFound\",\"Message\":\"no such parameter\"}";
    aws_error_parse(AWS_PROTO_JSON, 400, json, strlen(json), NULL, &e);
    assert_string_equal(e.code, "ParameterNotFound");
    assert_string_equal(e.message, "no such parameter");
    assert_false(aws_error_retryable(&e));
    memset(&e, 0, sizeof(e));
    aws_error_parse(AWS_PROTO_QUERY, 400, THROTTLED, strlen(THROTTLED), NULL, &e);
    assert_string_equal(e.code, "Throttling");
    assert_string_equal(e.request_id, "req-throttled");
    assert_true(aws_error_retryable(&e));
    memset(&e, 0, sizeof(e));
    const char *ec2 = "<?xml version=\"1.0\"?><Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>slow"
                      "</Message></Error></Errors><RequestID>ec2-r</RequestID></Response>";
    aws_error_parse(AWS_PROTO_EC2, 503, ec2, strlen(ec2), NULL, &e);
    assert_string_equal(e.code, "RequestLimitExceeded");
    assert_string_equal(e.request_id, "ec2-r");
    assert_true(aws_error_retryable(&e));
    memset(&e, 0, sizeof(e));
    aws_error_parse(AWS_PROTO_JSON, 502, "<html>bad gateway</html>", 24, NULL, &e);
    assert_string_equal(e.code, "Http502");
    assert_non_null(strstr(e.message, "bad gateway"));
    assert_true(aws_error_retryable(&e));
    memset(&e, 0, sizeof(e));
    const char *limit = "<ErrorResponse><Error><Code>LimitExceeded</Code></Error></ErrorResponse>";
    aws_error_parse(AWS_PROTO_QUERY, 409, limit, strlen(limit), NULL, &e);
    assert_false(aws_error_retryable(&e)); /* IAM's LimitExceeded is not throttling */
}

static void test_unparseable_answer(void **state)
{
    (void)state;
    struct replay_reply r[] = {{200, NULL, "this is not xml"}};
    connect_to(r, 1, "us-east-1");
    struct sh_doc *out;
    struct aws_error err;
    assert_int_equal(aws_call(&client, "sts", "GetCallerIdentity", NULL, 0, &out, &err), -1);
    assert_string_equal(err.code, "UnparseableResponse");
    assert_int_equal(err.attempts, 1);
}

static void test_endpoints(void **state)
{
    (void)state;
    unsetenv("AWS_ENDPOINT_URL");
    struct strbuf url = STRBUF_INIT;
    const char *signing;
    aws_endpoint(aws_service_find("ec2"), "eu-west-1", &url, &signing);
    assert_string_equal(url.buf, "https://ec2.eu-west-1.amazonaws.com");
    assert_string_equal(signing, "eu-west-1");
    strbuf_reset(&url);
    aws_endpoint(aws_service_find("ecr"), "eu-west-1", &url, &signing);
    assert_string_equal(url.buf, "https://api.ecr.eu-west-1.amazonaws.com");
    strbuf_reset(&url);
    aws_endpoint(aws_service_find("iam"), "eu-west-1", &url, &signing);
    assert_string_equal(url.buf, "https://iam.amazonaws.com");
    assert_string_equal(signing, "us-east-1");
    strbuf_reset(&url);
    aws_endpoint(aws_service_find("iam"), "cn-northwest-1", &url, &signing);
    assert_string_equal(url.buf, "https://iam.cn-north-1.amazonaws.com.cn");
    assert_string_equal(signing, "cn-north-1");
    strbuf_reset(&url);
    aws_endpoint(aws_service_find("cloudwatch"), "us-west-2", &url, &signing);
    assert_string_equal(url.buf, "https://monitoring.us-west-2.amazonaws.com");
    strbuf_reset(&url);
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566/", 1);
    aws_endpoint(aws_service_find("sns"), "us-west-2", &url, &signing);
    assert_string_equal(url.buf, "http://127.0.0.1:4566");
    strbuf_reset(&url);
    setenv("AWS_ENDPOINT_URL_IAM", "http://127.0.0.1:9999", 1);
    aws_endpoint(aws_service_find("iam"), "us-west-2", &url, &signing);
    assert_string_equal(url.buf, "http://127.0.0.1:9999"); /* the service's own wins */
    assert_string_equal(signing, "us-east-1");
    strbuf_reset(&url);
    aws_endpoint(aws_service_find("elbv2"), "us-west-2", &url, &signing);
    assert_string_equal(url.buf, "http://127.0.0.1:4566");
    strbuf_release(&url);
    assert_null(aws_service_find("s3"));
    test_client_init(&client, "us-east-1", 0);
}

static void test_region_chain(void **state)
{
    (void)state;
    struct stack_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    unsetenv("AWS_REGION");
    unsetenv("AWS_DEFAULT_REGION");
    assert_string_equal(config_region(&cfg), "us-east-1");
    setenv("AWS_DEFAULT_REGION", "eu-central-1", 1);
    assert_string_equal(config_region(&cfg), "eu-central-1");
    setenv("AWS_REGION", "ap-south-1", 1);
    assert_string_equal(config_region(&cfg), "ap-south-1");
    cfg.region_setting = "eu-west-3";
    assert_string_equal(config_region(&cfg), "eu-west-3");
    unsetenv("AWS_REGION");
    unsetenv("AWS_DEFAULT_REGION");
    test_client_init(&client, "us-east-1", 0);
}

struct worker {
    int ok;
};

static void *call_many(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < 10; i++) {
        struct sh_doc *out;
        struct aws_error err;
        if (!aws_call(&client, "sts", "GetCallerIdentity", NULL, 0, &out, &err) &&
            !strcmp(doc_text(out, "Account"), "111122223333"))
            w->ok++;
        doc_free(out);
    }
    return NULL;
}

/* The engine's plugins share one client: credentials, the connection
 * pool and the answers must hold up under concurrent calls. */
static void test_concurrent_calls_share_one_client(void **state)
{
    (void)state;
    struct replay_reply r[] = {{200, NULL, STS_OK}};
    connect_to(r, 1, "us-east-1");
    pthread_t threads[4];
    struct worker workers[4] = {{0}};
    for (int i = 0; i < 4; i++)
        pthread_create(&threads[i], NULL, call_many, &workers[i]);
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(workers[i].ok, 10);
    }
    assert_int_equal(replay_count(server), 40);
}

struct watch {
    pthread_mutex_t lock;
    int attempts, bad_slot;
};

static void watch_attempt(void *arg, const struct aws_attempt *a)
{
    struct watch *w = arg;
    pthread_mutex_lock(&w->lock);
    w->attempts++;
    if (a->slot < 0 || a->slot >= 2)
        w->bad_slot = 1;
    pthread_mutex_unlock(&w->lock);
}

/* Six calls sent together through two request slots: every attempt holds
 * a slot below the bound, and each answer comes back to its own request
 * (the server answers {"n": k} to the k-th request it reads). */
static void test_send_all_bounded_and_in_order(void **state)
{
    (void)state;
    static const char *bodies[] = {"{\"n\":\"0\"}", "{\"n\":\"1\"}", "{\"n\":\"2\"}",
                                   "{\"n\":\"3\"}", "{\"n\":\"4\"}", "{\"n\":\"5\"}"};
    struct replay_reply r[6];
    for (int i = 0; i < 6; i++)
        r[i] = (struct replay_reply){200, NULL, bodies[i]};
    server = replay_start(r, 6);
    setenv("AWS_ENDPOINT_URL", replay_url(server), 1);
    test_client_init(&client, "us-east-1", 2);
    struct watch w = {PTHREAD_MUTEX_INITIALIZER, 0, 0};
    client.observe = watch_attempt;
    client.observe_arg = &w;
    struct aws_request reqs[6];
    struct sh_doc *in[6];
    char marker[6][32];
    memset(reqs, 0, sizeof(reqs));
    for (int i = 0; i < 6; i++) {
        in[i] = doc_new(DOC_OBJECT);
        snprintf(marker[i], sizeof(marker[i]), "repo-%d", i);
        doc_set(in[i], "repositoryName", DOC_STRING, marker[i]);
        reqs[i] = (struct aws_request){.service = "ecr", .operation = "DescribeRepositories", .input = in[i]};
    }
    assert_int_equal(aws_send_all(&client, reqs, 6), 0);
    assert_int_equal(w.attempts, 6);
    assert_int_equal(w.bad_slot, 0);
    assert_int_equal(replay_count(server), 6);
    for (int i = 0; i < 6; i++) {
        const char *n = doc_text(reqs[i].out, "n");
        assert_non_null(n);
        assert_non_null(strstr(replay_request(server, (size_t)atoi(n)), marker[i]));
        doc_free(reqs[i].out);
        doc_free(in[i]);
    }
}

static void test_unknown_service(void **state)
{
    (void)state;
    test_client_init(&client, "us-east-1", 0);
    struct sh_doc *out;
    struct aws_error err;
    assert_int_equal(aws_call(&client, "s3", "ListBuckets", NULL, 0, &out, &err), -1);
    assert_string_equal(err.code, "UnknownService");
    assert_non_null(strstr(err.message, "known: ec2, elbv2"));
}

/* A service a plugin declares (service.h): Route 53's rest-xml binding
 * and a json 1.0 one; the client signs and sends them as its own. */
static const sh_rest_op route53_ops[] = {
    {"ChangeResourceRecordSets", "POST", "/2013-04-01/hostedzone/{Id}/rrset/", "ChangeResourceRecordSetsRequest"},
    {"ListResourceRecordSets", "GET", "/2013-04-01/hostedzone/{Id}/rrset?name={StartRecordName}&type={StartRecordType}",
     NULL},
    {NULL, NULL, NULL, NULL}};
static const sh_service_decl route53 = {"route53", "ROUTE_53", "route53", "route53", SH_PROTOCOL_REST_XML,
                                        "https://route53.amazonaws.com/doc/2013-04-01/", NULL, 1, NULL, NULL,
                                        route53_ops};
static const sh_service_decl dynamodb = {"dynamodb", "DYNAMODB", "dynamodb", "dynamodb", SH_PROTOCOL_JSON_1_0, NULL,
                                         "DynamoDB_20120810.", 0, "ExclusiveStartTableName", "LastEvaluatedTableName",
                                         NULL};

static void test_declared_services(void **state)
{
    (void)state;
    struct strbuf why = STRBUF_INIT;
    assert_int_equal(aws_service_declare(&route53, "dns", &why), 0);
    assert_int_equal(aws_service_declare(&dynamodb, "db", &why), 0);
    assert_int_equal(aws_service_declare(&route53, "other", &why), -1);
    assert_string_equal(why.buf, "service 'route53' is already declared by plugin dns");
    strbuf_reset(&why);
    sh_service_decl ecs = dynamodb;
    ecs.name = "ecs";
    assert_int_equal(aws_service_declare(&ecs, "other", &why), -1);
    assert_string_equal(why.buf, "service 'ecs' is already built into the host");
    strbuf_reset(&why);
    sh_service_decl bad = route53;
    bad.name = "bad";
    bad.ops = NULL;
    assert_int_equal(aws_service_declare(&bad, "other", &why), -1);
    assert_string_equal(why.buf, "service 'bad' declares no valid ops (the HTTP binding of each operation)");
    strbuf_release(&why);

    static const struct replay_reply r[] = {
        {200, NULL, "<?xml version=\"1.0\"?><ChangeResourceRecordSetsResponse><ChangeInfo><Id>/change/C1</Id>"
                    "<Status>PENDING</Status></ChangeInfo></ChangeResourceRecordSetsResponse>"},
        {200, NULL, "<ListResourceRecordSetsResponse><ResourceRecordSets><ResourceRecordSet><Name>a.example.com.</Name>"
                    "</ResourceRecordSet></ResourceRecordSets></ListResourceRecordSetsResponse>"},
        {400, NULL, "<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchHostedZone</Code><Message>No hosted zone "
                    "found with ID: Z9</Message></Error><RequestId>req-r53</RequestId></ErrorResponse>"},
        {200, NULL, "{\"TableNames\": [\"t1\"]}"}};
    server = replay_start(r, 4);
    setenv("AWS_ENDPOINT_URL_ROUTE_53", replay_url(server), 1);
    setenv("AWS_ENDPOINT_URL", replay_url(server), 1);
    test_client_init(&client, "eu-west-1", 0);
    struct sh_doc *in = doc_new(DOC_OBJECT), *out = NULL;
    struct aws_error err;
    doc_set(in, "Id", DOC_STRING, "Z1");
    doc_set(in, "ChangeBatch.Changes.Change[0].Action", DOC_STRING, "UPSERT");
    doc_set(in, "ChangeBatch.Changes.Change[0].ResourceRecordSet.Name", DOC_STRING, "a.example.com");
    doc_set(in, "ChangeBatch.Changes.Change[0].ResourceRecordSet.Type", DOC_STRING, "TXT");
    assert_int_equal(aws_call(&client, "route53", "ChangeResourceRecordSets", in, 0, &out, &err), 0);
    assert_string_equal(doc_text(out, "ChangeInfo.Status"), "PENDING");
    doc_free(out);
    const char *sent = replay_request(server, 0);
    assert_non_null(strstr(sent, "POST /2013-04-01/hostedzone/Z1/rrset/ HTTP/1.1"));
    assert_non_null(strstr(sent, "Content-Type: application/xml"));
    /* global: signed in us-east-1 whatever the run's region */
    assert_non_null(strstr(sent, "/us-east-1/route53/aws4_request"));
    assert_non_null(strstr(sent, "<ChangeResourceRecordSetsRequest xmlns=\"https://route53.amazonaws.com/doc/"
                                 "2013-04-01/\"><ChangeBatch><Changes><Change><Action>UPSERT</Action>"
                                 "<ResourceRecordSet><Name>a.example.com</Name><Type>TXT</Type>"
                                 "</ResourceRecordSet></Change></Changes></ChangeBatch>"
                                 "</ChangeResourceRecordSetsRequest>"));
    assert_null(strstr(sent, "<Id>")); /* the path's member is not in the body */
    doc_free(in);
    in = doc_new(DOC_OBJECT);
    doc_set(in, "Id", DOC_STRING, "Z1");
    doc_set(in, "StartRecordName", DOC_STRING, "a b.example.com");
    assert_int_equal(aws_call(&client, "route53", "ListResourceRecordSets", in, 0, &out, &err), 0);
    assert_string_equal(doc_text(out, "ResourceRecordSets.ResourceRecordSet[0].Name"), "a.example.com.");
    doc_free(out);
    sent = replay_request(server, 1);
    /* an absent query member is left out; a value is encoded */
    assert_non_null(strstr(sent, "GET /2013-04-01/hostedzone/Z1/rrset?name=a%20b.example.com HTTP/1.1"));
    assert_null(strstr(sent, "Content-Type"));
    doc_set(in, "Id", DOC_STRING, "Z9");
    assert_int_equal(aws_call(&client, "route53", "ListResourceRecordSets", in, AWS_CALL_NO_CACHE, &out, &err), -1);
    assert_string_equal(err.code, "NoSuchHostedZone");
    assert_string_equal(err.request_id, "req-r53");
    doc_free(in);
    in = doc_new(DOC_OBJECT);
    assert_int_equal(aws_call(&client, "route53", "GetChange", in, 0, &out, &err), -1);
    assert_string_equal(err.code, "InvalidRequest"); /* not declared: never sent */
    assert_int_equal(replay_count(server), 3);
    assert_int_equal(aws_call(&client, "dynamodb", "ListTables", in, 0, &out, &err), 0);
    assert_string_equal(doc_text(out, "TableNames[0]"), "t1");
    doc_free(out);
    doc_free(in);
    sent = replay_request(server, 3);
    assert_non_null(strstr(sent, "Content-Type: application/x-amz-json-1.0"));
    assert_non_null(strstr(sent, "X-Amz-Target: DynamoDB_20120810.ListTables"));
    aws_services_forget("dns");
    aws_services_forget("db");
    assert_null(aws_service_find("route53"));
    unsetenv("AWS_ENDPOINT_URL_ROUTE_53");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_query_request_is_signed_and_parsed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ec2_and_query_flattening, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retries_throttling_then_503_then_success, setup, teardown),
        cmocka_unit_test_setup_teardown(test_never_succeeds_reports_attempts_and_request_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_errors_are_not_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connection_refused_is_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_refuses_mutations_without_sending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_reads_answer_the_apply, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_change_forgets_the_plan_reads_of_its_service, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_region_sends_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pagination_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pagination_xml_single_items, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pagination_iam_marker, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_shapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unparseable_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_endpoints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_region_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_calls_share_one_client, setup, teardown),
        cmocka_unit_test_setup_teardown(test_send_all_bounded_and_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_service, setup, teardown),
        cmocka_unit_test_setup_teardown(test_declared_services, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
