/* The credential chain: environment, shared files with profiles, the
 * container endpoint and IMDSv2 (served by a local server), refresh before
 * expiry, and one clear error when nothing is found. Nothing here leaves
 * 127.0.0.1: IMDS is always pointed at a local replay server or disabled. */
#define _GNU_SOURCE
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/credentials.h"
#include "replay_server.h"
#include "log.h"

static struct http_client http;
static struct aws_credentials cred;
static struct strbuf err;
static struct replay_server *server;

static int setup(void **state)
{
    (void)state;
    const char *vars[] = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                          "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                          "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"};
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
        unsetenv(vars[i]);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
    setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    unsetenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    http_client_init(&http);
    strbuf_init(&err);
    memset(&cred, 0, sizeof(cred));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    aws_credentials_free(&cred);
    http_client_free(&http);
    strbuf_release(&err);
    if (server)
        replay_stop(server);
    server = NULL;
    test_cleanup_files();
    redact_clear();
    return 0;
}

static void test_environment_first(void **state)
{
    (void)state;
    setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "env-secret-value", 1);
    setenv("AWS_SESSION_TOKEN", "env-session-token", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", test_write_file("credentials", "[default]\naws_access_key_id = AKIAFILE\n"
                                                                         "aws_secret_access_key = file\n"), 1);
    assert_int_equal(credentials_resolve(&http, &cred, &err), 0);
    assert_string_equal(cred.access_key_id, "AKIAENV");
    assert_string_equal(cred.session_token, "env-session-token");
    assert_string_equal(cred.source, "environment");
    /* found secrets are redacted from then on */
    struct strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "x env-secret-value y env-session-token");
    redact_apply(&sb);
    assert_string_equal(sb.buf, "x *** y ***");
    strbuf_release(&sb);
}

static void test_files_and_profiles(void **state)
{
    (void)state;
    setenv("AWS_SHARED_CREDENTIALS_FILE",
           test_write_file("credentials", "# comment\n[default]\naws_access_key_id = AKIADEFAULT\n"
                                          "aws_secret_access_key = default-secret\n\n[work]\n"
                                          "aws_access_key_id=AKIAWORK\naws_secret_access_key=work-secret\n"
                                          "aws_session_token = work-token\n"), 1);
    setenv("AWS_CONFIG_FILE", test_write_file("config", "[profile cfgonly]\naws_access_key_id = AKIACFG\n"
                                                        "aws_secret_access_key = cfg-secret\nregion = eu-west-1\n"), 1);
    assert_int_equal(credentials_resolve(&http, &cred, &err), 0);
    assert_string_equal(cred.access_key_id, "AKIADEFAULT");
    assert_null(cred.session_token);
    aws_credentials_free(&cred);
    setenv("AWS_PROFILE", "work", 1);
    assert_int_equal(credentials_resolve(&http, &cred, &err), 0);
    assert_string_equal(cred.access_key_id, "AKIAWORK");
    assert_string_equal(cred.session_token, "work-token");
    assert_string_equal(cred.source, "profile work");
    aws_credentials_free(&cred);
    setenv("AWS_PROFILE", "cfgonly", 1);
    assert_int_equal(credentials_resolve(&http, &cred, &err), 0);
    assert_string_equal(cred.access_key_id, "AKIACFG");
    aws_credentials_free(&cred);
    setenv("AWS_PROFILE", "nosuch", 1);
    assert_int_equal(credentials_resolve(&http, &cred, &err), -1);
    assert_non_null(strstr(err.buf, "AWS_PROFILE is nosuch, but neither"));
}

static void test_container_endpoint(void **state)
{
    (void)state;
    struct replay_reply r[] = {{200, NULL, "{\"AccessKeyId\":\"ASIACONT\",\"SecretAccessKey\":\"cont-secret\","
                                         "\"Token\":\"cont-token\",\"Expiration\":\"2099-01-01T00:00:00Z\"}"}};
    server = replay_start(r, 1);
    char url[128];
    snprintf(url, sizeof(url), "%s/v2/credentials/abc", replay_url(server));
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "container-auth", 1);
    assert_int_equal(credentials_resolve(&http, &cred, &err), 0);
    assert_string_equal(cred.access_key_id, "ASIACONT");
    assert_string_equal(cred.session_token, "cont-token");
    assert_int_equal(cred.expiration, 4070908800);
    const char *req = replay_request(server, 0);
    assert_non_null(strstr(req, "GET /v2/credentials/abc HTTP/1.1"));
    assert_non_null(strstr(req, "Authorization: container-auth"));
}

static void test_imdsv2_token_first(void **state)
{
    (void)state;
    struct replay_reply r[] = {{200, NULL, "imds-session-token"},
                             {200, NULL, "catalog-role\n"},
                             {200, NULL, "{\"Code\":\"Success\",\"AccessKeyId\":\"ASIAIMDS\",\"SecretAccessKey\":"
                                         "\"imds-secret\",\"Token\":\"imds-token\",\"Expiration\":\"2099-01-01T00:00:00Z\"}"}};
    server = replay_start(r, 3);
    setenv("AWS_EC2_METADATA_DISABLED", "false", 1);
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", replay_url(server), 1);
    assert_int_equal(credentials_resolve(&http, &cred, &err), 0);
    assert_string_equal(cred.access_key_id, "ASIAIMDS");
    assert_string_equal(cred.source, "instance metadata");
    assert_int_equal(replay_count(server), 3);
    assert_non_null(strstr(replay_request(server, 0), "PUT /latest/api/token HTTP/1.1"));
    assert_non_null(strstr(replay_request(server, 0), "X-aws-ec2-metadata-token-ttl-seconds: 21600"));
    assert_non_null(strstr(replay_request(server, 1), "GET /latest/meta-data/iam/security-credentials/ HTTP/1.1"));
    assert_non_null(strstr(replay_request(server, 1), "X-aws-ec2-metadata-token: imds-session-token"));
    assert_non_null(strstr(replay_request(server, 2), "GET /latest/meta-data/iam/security-credentials/catalog-role "));
}

static void test_nothing_found_says_where_it_looked(void **state)
{
    (void)state;
    setenv("AWS_ACCESS_KEY_ID", "AKIAONLY", 1);
    assert_int_equal(credentials_resolve(&http, &cred, &err), -1);
    assert_non_null(strstr(err.buf, "no aws credentials found; looked in the environment (AWS_ACCESS_KEY_ID and "
                                    "AWS_SECRET_ACCESS_KEY: only AWS_ACCESS_KEY_ID is set)"));
    assert_non_null(strstr(err.buf, "the shared files (/nonexistent/credentials, /nonexistent/config) for profile default"));
    assert_non_null(strstr(err.buf, "the container endpoint"));
    assert_non_null(strstr(err.buf, "instance metadata (http://169.254.169.254) disabled by AWS_EC2_METADATA_DISABLED"));
}

static void test_refresh_before_expiry(void **state)
{
    (void)state;
    char soon[160], later[160];
    time_t t = time(NULL) + 120; /* inside the five-minute window */
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(soon, sizeof(soon), "{\"AccessKeyId\":\"ASIAOLD\",\"SecretAccessKey\":\"s\",\"Token\":\"t\","
                                 "\"Expiration\":\"%Y-%m-%dT%H:%M:%SZ\"}", &tm);
    snprintf(later, sizeof(later), "{\"AccessKeyId\":\"ASIANEW\",\"SecretAccessKey\":\"s2\",\"Token\":\"t2\","
                                   "\"Expiration\":\"2099-01-01T00:00:00Z\"}");
    struct replay_reply r[] = {{200, NULL, soon}, {200, NULL, later}};
    server = replay_start(r, 2);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", replay_url(server), 1);
    struct cred_provider p;
    cred_provider_init(&p, &http);
    assert_int_equal(cred_provider_get(&p, &cred, &err), 0);
    assert_string_equal(cred.access_key_id, "ASIAOLD");
    aws_credentials_free(&cred);
    assert_int_equal(cred_provider_get(&p, &cred, &err), 0);
    assert_string_equal(cred.access_key_id, "ASIANEW");
    aws_credentials_free(&cred);
    assert_int_equal(cred_provider_get(&p, &cred, &err), 0); /* fresh now: no third fetch */
    assert_int_equal(replay_count(server), 2);
    cred_provider_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_environment_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files_and_profiles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_container_endpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_imdsv2_token_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nothing_found_says_where_it_looked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refresh_before_expiry, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
