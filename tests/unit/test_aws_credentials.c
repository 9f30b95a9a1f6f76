/* The credential chain: its order (environment, web identity, the
 * profile, the container endpoint, instance metadata), IMDSv2 and the
 * IMDSv1 fallback, one clear error when nothing is found, and the
 * provider: refresh before expiry, a failed refresh that keeps the
 * current credentials, one fetch at a time without blocking the others.
 * Nothing here leaves 127.0.0.1: IMDS is always pointed at a local replay
 * server or disabled. Profiles themselves: test_aws_profiles.c. */
#define _GNU_SOURCE
#include "helpers.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws/credentials.h"
#include "aws/metadata.h"
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
                          "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                          "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME",
                          "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                          "AWS_EC2_METADATA_V1_DISABLED", "AWS_REGION", "AWS_DEFAULT_REGION"};
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
        unsetenv(vars[i]);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
    setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
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

static int resolve(void)
{
    return credentials_resolve(&http, "us-east-1", 0, &cred, &err);
}

/* {"AccessKeyId":id,...} expiring `in` seconds from now. */
static void credentials_json(char *out, size_t size, const char *id, const char *secret, long in)
{
    time_t t = time(NULL) + in;
    struct tm tm;
    gmtime_r(&t, &tm);
    char when[32];
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(out, size, "{\"AccessKeyId\":\"%s\",\"SecretAccessKey\":\"%s\",\"Token\":\"tok-%s\",\"Expiration\":\"%s\"}",
             id, secret, id, when);
}

static void test_environment_first(void **state)
{
    (void)state;
    setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "env-secret-value", 1);
    setenv("AWS_SESSION_TOKEN", "env-session-token", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", test_write_file("credentials", "[default]\naws_access_key_id = AKIAFILE\n"
                                                                         "aws_secret_access_key = file\n"), 1);
    setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ignored", 1);
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent/token", 1);
    assert_int_equal(resolve(), 0);
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
    assert_int_equal(resolve(), 0);
    assert_string_equal(cred.access_key_id, "AKIADEFAULT");
    assert_null(cred.session_token);
    assert_int_equal(cred.expiration, 0);
    aws_credentials_free(&cred);
    setenv("AWS_PROFILE", "work", 1);
    assert_int_equal(resolve(), 0);
    assert_string_equal(cred.access_key_id, "AKIAWORK");
    assert_string_equal(cred.session_token, "work-token");
    assert_string_equal(cred.source, "profile work");
    aws_credentials_free(&cred);
    setenv("AWS_PROFILE", "cfgonly", 1);
    assert_int_equal(resolve(), 0);
    assert_string_equal(cred.access_key_id, "AKIACFG");
    aws_credentials_free(&cred);
    setenv("AWS_PROFILE", "nosuch", 1);
    assert_int_equal(resolve(), -1);
    assert_non_null(strstr(err.buf, "AWS_PROFILE is nosuch, but neither"));
}

/* A profile that asks for nothing (region only) lets the machine's
 * credentials through, as every SDK does; one chosen with AWS_PROFILE
 * must name its credentials. */
static void test_profile_without_credentials(void **state)
{
    (void)state;
    char body[256];
    credentials_json(body, sizeof(body), "ASIACONT", "cont-secret", 3600);
    struct replay_reply r[] = {{200, NULL, body}};
    server = replay_start(r, 1);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", replay_url(server), 1);
    setenv("AWS_CONFIG_FILE", test_write_file("config", "[default]\nregion = eu-west-1\n[profile ops]\n"
                                                        "output = json\n"), 1);
    assert_int_equal(resolve(), 0);
    assert_string_equal(cred.access_key_id, "ASIACONT");
    aws_credentials_free(&cred);
    setenv("AWS_PROFILE", "ops", 1);
    assert_int_equal(resolve(), -1);
    assert_non_null(strstr(err.buf, "AWS_PROFILE is ops, but that profile has no credential settings"));
    assert_int_equal(replay_count(server), 1);
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
    assert_int_equal(resolve(), 0);
    assert_string_equal(cred.access_key_id, "ASIACONT");
    assert_string_equal(cred.session_token, "cont-token");
    assert_int_equal(cred.expiration, 4070908800);
    const char *req = replay_request(server, 0);
    assert_non_null(strstr(req, "GET /v2/credentials/abc HTTP/1.1"));
    assert_non_null(strstr(req, "Authorization: container-auth"));
}

/* The token and the credentials travel in the clear over http: only to
 * this host and the ECS/EKS link-local addresses; refused before any
 * connection (10.255.255.1 would hang a connect). */
static void test_container_endpoint_only_local_over_http(void **state)
{
    (void)state;
    struct strbuf why = STRBUF_INIT;
    const char *ok[] = {"https://creds.example.com/v1", "http://127.0.0.1:8080/creds", "http://localhost/c",
                        "http://169.254.170.2/v2/credentials/x", "http://169.254.170.23/v1/credentials",
                        "http://[fd00:ec2::23]/v1/credentials", "http://[::1]:9/c", "HTTP://127.9.9.9/c"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        assert_int_equal(metadata_container_url_allowed(ok[i], &why), 0);
    const char *bad[] = {"http://10.255.255.1/creds", "http://example.com/c", "http://127.0.0.1@evil.example/c",
                         "http://169.254.170.2.evil.example/c", "ftp://127.0.0.1/c", "http://1270.0.0.1/c",
                         "file:///etc/passwd"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        strbuf_reset(&why);
        assert_int_equal(metadata_container_url_allowed(bad[i], &why), -1);
        assert_non_null(strstr(why.buf, "is refused"));
    }
    strbuf_release(&why);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://10.255.255.1/creds", 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "container-auth", 1);
    time_t start = time(NULL);
    assert_int_equal(resolve(), -1);
    assert_true(time(NULL) - start < 2);
    assert_non_null(strstr(err.buf, "the container credentials endpoint http://10.255.255.1/creds is refused"));
    assert_null(strstr(err.buf, "container-auth"));
    /* a relative uri is a path: "@host" would make 169.254.170.2 user info */
    unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "@evil.example/creds", 1);
    assert_int_equal(resolve(), -1);
    assert_non_null(strstr(err.buf, "must be a path starting with /"));
}

static void test_container_token_with_a_line_break_refused(void **state)
{
    (void)state;
    struct replay_reply r[] = {{200, NULL, "{}"}};
    server = replay_start(r, 1);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", replay_url(server), 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "token\r\nX-Injected: yes", 1);
    assert_int_equal(resolve(), -1);
    assert_non_null(strstr(err.buf, "holds a line break"));
    assert_int_equal(replay_count(server), 0);
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
    assert_int_equal(resolve(), 0);
    assert_string_equal(cred.access_key_id, "ASIAIMDS");
    assert_string_equal(cred.source, "instance metadata");
    assert_int_equal(replay_count(server), 3);
    assert_non_null(strstr(replay_request(server, 0), "PUT /latest/api/token HTTP/1.1"));
    assert_non_null(strstr(replay_request(server, 0), "X-aws-ec2-metadata-token-ttl-seconds: 21600"));
    assert_non_null(strstr(replay_request(server, 1), "GET /latest/meta-data/iam/security-credentials/ HTTP/1.1"));
    assert_non_null(strstr(replay_request(server, 1), "X-aws-ec2-metadata-token: imds-session-token"));
    assert_non_null(strstr(replay_request(server, 2), "GET /latest/meta-data/iam/security-credentials/catalog-role "));
}

/* The token PUT refused (403, 404, 405): asked again without a token, as
 * the SDKs keep doing; AWS_EC2_METADATA_V1_DISABLED forbids it. */
static void test_imdsv1_fallback(void **state)
{
    (void)state;
    struct replay_reply r[] = {{405, NULL, ""},
                             {200, NULL, "legacy-role"},
                             {200, NULL, "{\"AccessKeyId\":\"ASIAV1\",\"SecretAccessKey\":\"v1-secret\","
                                         "\"Token\":\"v1-token\",\"Expiration\":\"2099-01-01T00:00:00Z\"}"}};
    server = replay_start(r, 3);
    setenv("AWS_EC2_METADATA_DISABLED", "false", 1);
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", replay_url(server), 1);
    assert_int_equal(resolve(), 0);
    assert_string_equal(cred.access_key_id, "ASIAV1");
    assert_int_equal(replay_count(server), 3);
    assert_null(strstr(replay_request(server, 1), "X-aws-ec2-metadata-token"));
    assert_non_null(strstr(replay_request(server, 2), "GET /latest/meta-data/iam/security-credentials/legacy-role "));
    aws_credentials_free(&cred);
    replay_stop(server);

    struct replay_reply refused[] = {{403, NULL, ""}};
    server = replay_start(refused, 1);
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", replay_url(server), 1);
    setenv("AWS_EC2_METADATA_V1_DISABLED", "true", 1);
    assert_int_equal(resolve(), -1);
    assert_non_null(strstr(err.buf, "instance metadata refused a session token (http 403), and "
                                    "AWS_EC2_METADATA_V1_DISABLED forbids asking without one"));
    assert_int_equal(replay_count(server), 1);
}

/* Nothing answering the token PUT is not a reason to ask without one:
 * it is not EC2. */
static void test_imds_no_answer_is_no_fallback(void **state)
{
    (void)state;
    struct replay_reply r[] = {{200, NULL, ""}};
    server = replay_start(r, 1);
    char closed[64];
    snprintf(closed, sizeof(closed), "http://127.0.0.1:%d", replay_port(server));
    replay_stop(server); /* nothing listens there now */
    server = NULL;
    setenv("AWS_EC2_METADATA_DISABLED", "false", 1);
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", closed, 1);
    assert_int_equal(resolve(), -1);
    assert_non_null(strstr(err.buf, "no aws credentials found"));
    assert_non_null(strstr(err.buf, ": no answer ("));
}

static void test_nothing_found_says_where_it_looked(void **state)
{
    (void)state;
    setenv("AWS_ACCESS_KEY_ID", "AKIAONLY", 1);
    assert_int_equal(resolve(), -1);
    assert_non_null(strstr(err.buf, "no aws credentials found; looked in the environment (AWS_ACCESS_KEY_ID and "
                                    "AWS_SECRET_ACCESS_KEY: only AWS_ACCESS_KEY_ID is set)"));
    assert_non_null(strstr(err.buf, "web identity (AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE)"));
    assert_non_null(strstr(err.buf, "the shared files (/nonexistent/credentials, /nonexistent/config) for profile default"));
    assert_non_null(strstr(err.buf, "the container endpoint"));
    assert_non_null(strstr(err.buf, "instance metadata (http://169.254.169.254) disabled by AWS_EC2_METADATA_DISABLED"));
}

static void test_web_identity_without_role(void **state)
{
    (void)state;
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token", 1);
    assert_int_equal(resolve(), -1);
    assert_non_null(strstr(err.buf, "AWS_WEB_IDENTITY_TOKEN_FILE is set (/var/run/token), but AWS_ROLE_ARN"));
}

static void test_refresh_before_expiry(void **state)
{
    (void)state;
    char soon[256], later[256];
    credentials_json(soon, sizeof(soon), "ASIAOLD", "old-secret-1", 120); /* inside the five-minute window */
    credentials_json(later, sizeof(later), "ASIANEW", "new-secret-2", 7200);
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

/* The refresh fails (the endpoint answers 500, retried), but the current
 * credentials hold for two more minutes: they are kept, and the source
 * is not asked again at once. */
static void test_failed_refresh_keeps_valid_credentials(void **state)
{
    (void)state;
    char soon[256];
    credentials_json(soon, sizeof(soon), "ASIAOLD", "old-secret-3", 120);
    struct replay_reply r[] = {{200, NULL, soon}, {500, NULL, "{\"message\":\"down\"}"}};
    server = replay_start(r, 2);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", replay_url(server), 1);
    struct cred_provider p;
    cred_provider_init(&p, &http);
    assert_int_equal(cred_provider_get(&p, &cred, &err), 0);
    aws_credentials_free(&cred);
    size_t before = replay_count(server);
    assert_int_equal(cred_provider_get(&p, &cred, &err), 0);
    assert_string_equal(cred.access_key_id, "ASIAOLD");
    assert_int_equal(err.len, 0);
    size_t after = replay_count(server);
    assert_true(after > before); /* the refresh was tried */
    aws_credentials_free(&cred);
    assert_int_equal(cred_provider_get(&p, &cred, &err), 0);
    assert_string_equal(cred.access_key_id, "ASIAOLD");
    assert_int_equal(replay_count(server), after); /* not again right away */
    cred_provider_free(&p);
}

/* Expired and the refresh fails: an error, naming why. */
static void test_failed_refresh_of_expired_credentials(void **state)
{
    (void)state;
    char gone[256];
    credentials_json(gone, sizeof(gone), "ASIAGONE", "gone-secret-4", -10);
    struct replay_reply r[] = {{200, NULL, gone}, {404, NULL, "no"}};
    server = replay_start(r, 2);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", replay_url(server), 1);
    struct cred_provider p;
    cred_provider_init(&p, &http);
    assert_int_equal(cred_provider_get(&p, &cred, &err), 0);
    aws_credentials_free(&cred);
    assert_int_equal(cred_provider_get(&p, &cred, &err), -1);
    assert_non_null(strstr(err.buf, "answered http 404"));
    cred_provider_free(&p);
}

struct getter {
    struct cred_provider *p;
    atomic_int *done;
    int rc;
    char id[32];
};

static void *get_once(void *arg)
{
    struct getter *g = arg;
    struct aws_credentials c;
    struct strbuf why = STRBUF_INIT;
    g->rc = cred_provider_get(g->p, &c, &why);
    if (!g->rc) {
        snprintf(g->id, sizeof(g->id), "%s", c.access_key_id);
        aws_credentials_free(&c);
    }
    strbuf_release(&why);
    atomic_fetch_add(g->done, 1);
    return NULL;
}

/* Credentials in their last five minutes, four threads at once: one
 * fetches (a credential_process that waits for the test's go), and the
 * three others go on with the current credentials meanwhile: the fetch
 * holds no lock they need. */
static void test_one_refresh_at_a_time(void **state)
{
    (void)state;
    const char *count = test_write_file("count", "");
    char release[512];
    snprintf(release, sizeof(release), "%s.go", count);
    struct strbuf script = STRBUF_INIT, config = STRBUF_INIT;
    strbuf_addf(&script,
                "echo run >> '%s'\n"
                "n=$(wc -l < '%s')\n"
                "if [ \"$n\" -gt 1 ]; then while [ ! -e '%s' ]; do sleep 0.02; done; fi\n"
                "exp=$(date -u -d '+2 minutes' +%%Y-%%m-%%dT%%H:%%M:%%SZ)\n"
                "printf '{\"Version\":1,\"AccessKeyId\":\"ASIAPROC%%s\",\"SecretAccessKey\":\"proc-secret\","
                "\"SessionToken\":\"proc-token\",\"Expiration\":\"%%s\"}' \"$n\" \"$exp\"\n",
                count, count, release);
    const char *path = test_write_file("proc.sh", script.buf);
    strbuf_addf(&config, "[default]\ncredential_process = sh %s\n", path);
    setenv("AWS_CONFIG_FILE", test_write_file("config", config.buf), 1);
    struct cred_provider p;
    cred_provider_init(&p, &http);
    assert_int_equal(cred_provider_get(&p, &cred, &err), 0);
    assert_string_equal(cred.access_key_id, "ASIAPROC1");
    atomic_int done;
    atomic_init(&done, 0);
    struct getter g[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        g[i] = (struct getter){.p = &p, .done = &done};
        assert_int_equal(pthread_create(&t[i], NULL, get_once, &g[i]), 0);
    }
    for (int i = 0; i < 3000 && atomic_load(&done) < 3; i++) {
        struct timespec ms10 = {0, 10000000L};
        nanosleep(&ms10, NULL);
    }
    assert_int_equal(atomic_load(&done), 3); /* the fetcher still waits */
    fclose(fopen(release, "w"));
    int fetched = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(g[i].rc, 0);
        fetched += !strcmp(g[i].id, "ASIAPROC2");
    }
    assert_int_equal(fetched, 1);
    char *runs = test_read_file(count);
    assert_string_equal(runs, "run\nrun\n");
    free(runs);
    unlink(release);
    cred_provider_free(&p);
    strbuf_release(&script);
    strbuf_release(&config);
}

/* Whatever fails, no secret is in the message. */
static void test_secrets_never_in_errors(void **state)
{
    (void)state;
    const char *bad_version = test_write_file("v2.sh", "printf '{\"Version\":2,\"AccessKeyId\":\"AKIAX\","
                                                       "\"SecretAccessKey\":\"leaked-secret-v2\"}'\n");
    const char *failing = test_write_file("fail.sh", "printf '{\"SecretAccessKey\":\"leaked-secret-exit\"}'\n"
                                                     "exit 3\n");
    const char *garbage = test_write_file("garbage.sh", "printf 'leaked-secret-garbage not json'\n");
    struct strbuf config = STRBUF_INIT;
    strbuf_addf(&config, "[profile v2]\ncredential_process = sh %s\n[profile fail]\ncredential_process = sh %s\n"
                         "[profile garbage]\ncredential_process = sh %s\n[profile half]\n"
                         "aws_secret_access_key = leaked-secret-half\n",
                bad_version, failing, garbage);
    setenv("AWS_CONFIG_FILE", test_write_file("config", config.buf), 1);
    struct {
        const char *profile, *message;
    } cases[] = {{"v2", "profile v2: credential_process printed no \"Version\": 1"},
                 {"fail", "profile fail: credential_process exited with status 3"},
                 {"garbage", "bytes that are not a json object"},
                 {"half", "profile half has aws_secret_access_key but not aws_access_key_id"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        setenv("AWS_PROFILE", cases[i].profile, 1);
        strbuf_reset(&err);
        assert_int_equal(resolve(), -1);
        if (!strstr(err.buf, cases[i].message))
            fail_msg("%s: %s", cases[i].profile, err.buf);
        assert_null(strstr(err.buf, "leaked-secret"));
    }
    strbuf_release(&config);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_environment_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files_and_profiles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_profile_without_credentials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_container_endpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_container_endpoint_only_local_over_http, setup, teardown),
        cmocka_unit_test_setup_teardown(test_container_token_with_a_line_break_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_imdsv2_token_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_imdsv1_fallback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_imds_no_answer_is_no_fallback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nothing_found_says_where_it_looked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_web_identity_without_role, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refresh_before_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_refresh_keeps_valid_credentials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_refresh_of_expired_credentials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_refresh_at_a_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secrets_never_in_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
