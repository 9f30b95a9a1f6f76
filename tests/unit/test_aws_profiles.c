/* Profiles of the shared files: their syntax, the region they give, and
 * every way a profile gets credentials: roles assumed from a source
 * profile (chains, loops), credential_source, web identity,
 * credential_process, SSO from the AWS CLI's token cache; and every
 * mistake a profile can hold, reported before any request. STS and the
 * SSO portal are a local replay server (AWS_ENDPOINT_URL_STS / _SSO);
 * HOME is a fresh directory, so ~/.aws is the test's own. */
#define _GNU_SOURCE
#include "helpers.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aws/credentials.h"
#include "aws/profile.h"
#include "aws/settings.h"
#include "config.h"
#include "log.h"
#include "replay_server.h"

static char home[64];
static struct http_client http;
static struct aws_credentials cred;
static struct strbuf err;
static struct replay_server *server;

#define STS_ANSWER(action, id, secret, token)                                                                         \
    "<" action "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><" action "Result>"                     \
    "<AssumedRoleUser><Arn>arn:aws:sts::111111111111:assumed-role/x/y</Arn></AssumedRoleUser>"                       \
    "<Credentials><AccessKeyId>" id "</AccessKeyId><SecretAccessKey>" secret "</SecretAccessKey>"                    \
    "<SessionToken>" token "</SessionToken><Expiration>2099-01-01T00:00:00.000Z</Expiration></Credentials>"          \
    "</" action "Result><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></" action "Response>"

/* Writes content to $HOME/rel, making the directories on the way; the
 * path returned is good until the next call. */
static const char *put(const char *rel, const char *content)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", home, rel);
    for (char *slash = strchr(path + strlen(home) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        mkdir(path, 0700);
        *slash = '/';
    }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
    return path;
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    (void)state;
    const char *vars[] = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                          "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                          "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                          "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME",
                          "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSO",
                          "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_REGION", "AWS_DEFAULT_REGION",
                          "AWS_EC2_METADATA_SERVICE_ENDPOINT"};
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
        unsetenv(vars[i]);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    snprintf(home, sizeof(home), "/tmp/stackhost-home-XXXXXX");
    assert_non_null(mkdtemp(home));
    setenv("HOME", home, 1);
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
    nftw(home, remove_one, 8, FTW_DEPTH | FTW_PHYS);
    test_cleanup_files();
    redact_clear();
    return 0;
}

/* A replay server as STS and the SSO portal. */
static void serve(const struct replay_reply *replies, size_t n)
{
    server = replay_start(replies, n);
    setenv("AWS_ENDPOINT_URL_STS", replay_url(server), 1);
    setenv("AWS_ENDPOINT_URL_SSO", replay_url(server), 1);
}

static int resolve(void)
{
    strbuf_reset(&err);
    aws_credentials_free(&cred);
    return credentials_resolve(&http, "us-east-1", 0, &cred, &err);
}

static void expect_error(const char *needle)
{
    if (!strstr(err.buf, needle))
        fail_msg("the error lacks \"%s\": %s", needle, err.buf);
}

static void test_shared_file_syntax(void **state)
{
    (void)state;
    put(".aws/config", "# a comment\n"
                       "[default]\nregion = us-west-1\n"
                       "[profile default]\nregion = us-west-2\n"
                       "[profile dev]\nRegion = eu-west-1\n"
                       "s3 =\n    region = ap-south-1\n    max_concurrent_requests = 10\n"
                       "output: json\n"
                       "  ; an indented comment\n"
                       "[sso-session corp]\nsso_region = eu-central-1\n"
                       "[services local]\nsts =\n  endpoint_url = http://x\n"
                       "[loose]\nregion = not-a-profile-in-the-config-file\n");
    put(".aws/credentials", "[dev]\nregion = eu-west-3\naws_secret_access_key = file-secret-value\n");
    struct shared_files f;
    assert_int_equal(shared_files_load(&f, &err), 0);
    assert_string_equal(profile_get(&f, "default", "region", NULL), "us-west-2"); /* [profile default] wins */
    const char *file = NULL;
    assert_string_equal(profile_get(&f, "dev", "region", &file), "eu-west-3"); /* the credentials file wins */
    assert_non_null(strstr(file, "/.aws/credentials"));
    assert_string_equal(profile_get(&f, "dev", "s3.region", NULL), "ap-south-1");
    assert_string_equal(profile_get(&f, "dev", "output", NULL), "json");
    assert_null(profile_get(&f, "dev", "max_concurrent_requests", NULL));
    assert_string_equal(sso_session_get(&f, "corp", "sso_region"), "eu-central-1");
    assert_true(sso_session_exists(&f, "corp"));
    assert_false(profile_exists(&f, "corp"));
    assert_false(profile_exists(&f, "loose"));
    assert_false(profile_exists(&f, "local"));
    shared_files_free(&f);
    /* the secret in it is redacted from the moment it was read */
    struct strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "a file-secret-value b");
    redact_apply(&sb);
    assert_string_equal(sb.buf, "a *** b");
    strbuf_release(&sb);

    put(".aws/config", "[default]\nregion = us-west-1\n[profile broken\nregion = x\n");
    assert_int_equal(shared_files_load(&f, &err), -1);
    expect_error("/.aws/config:3: a section header without ']'");
    shared_files_free(&f);
    strbuf_reset(&err);
    put(".aws/config", "region = us-west-1\n");
    assert_int_equal(shared_files_load(&f, &err), -1);
    expect_error("/.aws/config:1: a setting before any [section]");
    shared_files_free(&f);
}

/* stack.region, AWS_REGION, AWS_DEFAULT_REGION, then the profile's. */
static void test_region_from_profile(void **state)
{
    (void)state;
    put(".aws/config", "[default]\nregion = eu-north-1\n[profile ops]\nregion = ap-southeast-2\n");
    struct strbuf where = STRBUF_INIT;
    char *region = profile_region(&where);
    assert_string_equal(region, "eu-north-1");
    free(region);
    setenv("AWS_PROFILE", "ops", 1);
    struct stack_config cfg;
    struct diag_list dl = {0};
    const char *path = test_write_file("stack.cfg", "stack = { name = \"shop\"; };\nplugins = {};\n"
                                                    "environments = { dev = {}; };\n");
    assert_int_equal(config_open(path, "dev", &cfg, &dl), 0);
    assert_string_equal(config_region(&cfg), "ap-southeast-2");
    assert_non_null(strstr(config_region_source(&cfg), "profile ops in "));
    setenv("AWS_DEFAULT_REGION", "ca-central-1", 1);
    assert_string_equal(config_region(&cfg), "ca-central-1");
    assert_string_equal(config_region_source(&cfg), "AWS_DEFAULT_REGION");
    setenv("AWS_REGION", "sa-east-1", 1);
    assert_string_equal(config_region(&cfg), "sa-east-1");
    assert_string_equal(config_region_source(&cfg), "AWS_REGION");
    config_close(&cfg);
    unsetenv("AWS_REGION");
    unsetenv("AWS_DEFAULT_REGION");
    path = test_write_file("stack.cfg", "stack = { name = \"shop\"; region = \"us-west-2\"; };\nplugins = {};\n"
                                        "environments = { dev = {}; };\n");
    assert_int_equal(config_open(path, "dev", &cfg, &dl), 0);
    assert_string_equal(config_region(&cfg), "us-west-2");
    assert_string_equal(config_region_source(&cfg), "stack.region");
    config_close(&cfg);
    /* no profile region: us-east-1 */
    put(".aws/config", "[profile ops]\noutput = json\n");
    char *none = credentials_region();
    assert_string_equal(none, "us-east-1");
    free(none);
    diag_clear(&dl);
    strbuf_release(&where);
}

/* --profile over AWS_PROFILE and over the environment's keys (as the aws
 * cli); --region over AWS_REGION, refused against another stack.region */
static void test_profile_and_region_flags(void **state)
{
    (void)state;
    put(".aws/credentials", "[ops]\naws_access_key_id = AKIDOPS\naws_secret_access_key = opssecretopssecret\n");
    put(".aws/config", "[profile ops]\nregion = ap-southeast-2\n");
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "envsecretenvsecret", 1);
    setenv("AWS_PROFILE", "nosuch", 1);
    profile_select("ops");
    assert_string_equal(profile_name(), "ops");
    assert_string_equal(profile_chosen_by(), "--profile");
    assert_int_equal(resolve(), 0);
    assert_string_equal(cred.access_key_id, "AKIDOPS");
    profile_select("missing");
    assert_int_equal(resolve(), -1);
    expect_error("--profile is missing, but neither");
    profile_select(NULL);
    assert_string_equal(profile_chosen_by(), "AWS_PROFILE");
    assert_int_equal(resolve(), 0); /* the environment's keys, AWS_PROFILE or not */
    assert_string_equal(cred.access_key_id, "AKIDENV");

    setenv("AWS_REGION", "sa-east-1", 1);
    config_select_region("eu-west-1");
    struct stack_config cfg;
    struct diag_list dl = {0};
    const char *path = test_write_file("stack.cfg", "stack = { name = \"shop\"; };\nplugins = {};\n"
                                                    "environments = { dev = {}; };\n");
    assert_int_equal(config_open(path, "dev", &cfg, &dl), 0);
    assert_string_equal(config_region(&cfg), "eu-west-1");
    assert_string_equal(config_region_source(&cfg), "--region");
    config_close(&cfg);
    path = test_write_file("stack.cfg", "stack = { name = \"shop\"; region = \"us-west-2\"; };\nplugins = {};\n"
                                        "environments = { dev = {}; };\n");
    assert_int_equal(config_open(path, "dev", &cfg, &dl), -1);
    assert_diag_has(&dl, "stack.cfg:1: stack.region: the stack lives in us-west-2, but --region says eu-west-1");
    diag_clear(&dl);
    config_select_region("us-west-2"); /* agreeing is no conflict */
    assert_int_equal(config_open(path, "dev", &cfg, &dl), 0);
    config_close(&cfg);
    config_select_region(NULL);
}

/* The aws cli's retry settings: the environment, else the profile; an
 * invalid value is refused, naming where it was set. */
static void test_retry_settings(void **state)
{
    (void)state;
    struct aws_client c;
    aws_client_init(&c, "us-east-1", 0);
    assert_int_equal(aws_settings_apply(&c, &err), 0);
    assert_int_equal(c.max_attempts, AWS_DEFAULT_ATTEMPTS);
    assert_int_equal(c.retry_quota, 1);
    put(".aws/config", "[default]\nretry_mode = legacy\nca_bundle = /etc/ssl/certs/ca-certificates.crt\n"
                       "[profile ops]\nretry_mode = standard\nmax_attempts = 7\n"
                       "[profile bad]\nmax_attempts = many\n[profile adaptive]\nretry_mode = adaptive\n");
    assert_int_equal(aws_settings_apply(&c, &err), 0);
    assert_int_equal(c.max_attempts, 5);
    assert_int_equal(c.retry_quota, 0);
    assert_string_equal(c.http.ca_bundle, "/etc/ssl/certs/ca-certificates.crt");
    profile_select("ops");
    assert_int_equal(aws_settings_apply(&c, &err), 0);
    assert_int_equal(c.max_attempts, 7);
    assert_int_equal(c.retry_quota, 1);
    setenv("AWS_MAX_ATTEMPTS", "2", 1); /* the environment first */
    assert_int_equal(aws_settings_apply(&c, &err), 0);
    assert_int_equal(c.max_attempts, 2);
    setenv("AWS_MAX_ATTEMPTS", "0", 1);
    assert_int_equal(aws_settings_apply(&c, &err), -1);
    expect_error("max attempts '0' (AWS_MAX_ATTEMPTS) is not a whole number from 1 to 20");
    unsetenv("AWS_MAX_ATTEMPTS");
    strbuf_reset(&err);
    profile_select("bad");
    assert_int_equal(aws_settings_apply(&c, &err), -1);
    expect_error("max attempts 'many' (max_attempts of profile bad in ");
    strbuf_reset(&err);
    profile_select("adaptive");
    assert_int_equal(aws_settings_apply(&c, &err), -1);
    expect_error("retry mode 'adaptive' (retry_mode of profile adaptive in ");
    strbuf_reset(&err);
    setenv("AWS_RETRY_MODE", "fast", 1);
    assert_int_equal(aws_settings_apply(&c, &err), -1);
    expect_error("retry mode 'fast' (AWS_RETRY_MODE) is not one of standard, legacy, adaptive");
    unsetenv("AWS_RETRY_MODE");
    profile_select(NULL);
    aws_client_free(&c);
}

static void test_assume_role_from_source_profile(void **state)
{
    (void)state;
    put(".aws/credentials", "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = base-secret\n");
    put(".aws/config", "[profile dev]\nrole_arn = arn:aws:iam::111111111111:role/dev\nsource_profile = base\n"
                       "role_session_name = s1\nexternal_id = ext-1\nduration_seconds = 1800\n");
    struct replay_reply r[] = {{200, NULL, STS_ANSWER("AssumeRole", "ASIADEV", "dev-secret", "dev-token")}};
    serve(r, 1);
    setenv("AWS_PROFILE", "dev", 1);
    assert_int_equal(resolve(), 0);
    assert_string_equal(cred.access_key_id, "ASIADEV");
    assert_string_equal(cred.session_token, "dev-token");
    assert_int_equal(cred.expiration, 4070908800);
    assert_string_equal(cred.source, "profile dev (role arn:aws:iam::111111111111:role/dev)");
    assert_int_equal(replay_count(server), 1);
    const char *req = replay_request(server, 0);
    assert_non_null(strstr(req, "POST / HTTP/1.1"));
    assert_non_null(strstr(req, "Authorization: AWS4-HMAC-SHA256 Credential=AKIABASE/"));
    assert_non_null(strstr(req, "/us-east-1/sts/aws4_request"));
    assert_non_null(strstr(req, "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111"
                                "%3Arole%2Fdev&RoleSessionName=s1&DurationSeconds=1800&ExternalId=ext-1"));
    struct strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "dev-secret dev-token");
    redact_apply(&sb);
    assert_string_equal(sb.buf, "*** ***");
    strbuf_release(&sb);
}

/* top -> middle -> base: middle's role with base's keys, then top's role
 * with middle's role credentials. */
static void test_role_chain(void **state)
{
    (void)state;
    put(".aws/config", "[profile base]\naws_access_key_id = AKIABASE\naws_secret_access_key = base-secret\n"
                       "[profile middle]\nrole_arn = arn:aws:iam::111111111111:role/middle\nsource_profile = base\n"
                       "[profile top]\nrole_arn = arn:aws:iam::222222222222:role/top\nsource_profile = middle\n");
    struct replay_reply r[] = {{200, NULL, STS_ANSWER("AssumeRole", "ASIAMID", "mid-secret", "mid-token")},
                               {200, NULL, STS_ANSWER("AssumeRole", "ASIATOP", "top-secret", "top-token")}};
    serve(r, 2);
    setenv("AWS_PROFILE", "top", 1);
    assert_int_equal(resolve(), 0);
    assert_string_equal(cred.access_key_id, "ASIATOP");
    assert_int_equal(replay_count(server), 2);
    assert_non_null(strstr(replay_request(server, 0), "Credential=AKIABASE/"));
    assert_non_null(strstr(replay_request(server, 0), "role%2Fmiddle&RoleSessionName=stackhost-"));
    assert_non_null(strstr(replay_request(server, 1), "Credential=ASIAMID/"));
    assert_non_null(strstr(replay_request(server, 1), "X-Amz-Security-Token: mid-token"));
    assert_non_null(strstr(replay_request(server, 1), "role%2Ftop&"));
}

/* STS's refusal, as one error naming the profile and the role; a
 * signature refused for this machine's clock is sent again once, signed
 * with the time of the answer's Date. */
static void test_assume_role_refused_and_skew(void **state)
{
    (void)state;
    put(".aws/config", "[profile base]\naws_access_key_id = AKIABASE\naws_secret_access_key = base-secret\n"
                       "[profile dev]\nrole_arn = arn:aws:iam::1:role/dev\nsource_profile = base\n");
    struct replay_reply r[] = {
        {403, NULL, "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not trusted</Message>"
                    "</Error><RequestId>req-denied</RequestId></ErrorResponse>"},
        {403, "Date: Mon, 01 Jan 2035 00:00:00 GMT\r\n",
         "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>Signature expired</Message></Error>"
         "</ErrorResponse>"},
        {200, NULL, STS_ANSWER("AssumeRole", "ASIADEV", "dev-secret", "dev-token")}};
    serve(r, 3);
    setenv("AWS_PROFILE", "dev", 1);
    assert_int_equal(resolve(), -1);
    expect_error("profile dev: sts AssumeRole of arn:aws:iam::1:role/dev: AccessDenied: not trusted (http 403, "
                 "request id req-denied)");
    assert_null(strstr(err.buf, "base-secret"));
    assert_int_equal(resolve(), 0);
    assert_string_equal(cred.access_key_id, "ASIADEV");
    assert_int_equal(replay_count(server), 3);
    assert_non_null(strstr(replay_request(server, 2), "X-Amz-Date: 20350101T0000"));
}

/* A profile may name itself to keep its keys and its role together. */
static void test_source_profile_itself(void **state)
{
    (void)state;
    put(".aws/credentials", "[selfish]\naws_access_key_id = AKIASELF\naws_secret_access_key = self-secret\n");
    put(".aws/config", "[profile selfish]\nrole_arn = arn:aws:iam::111111111111:role/self\nsource_profile = selfish\n");
    struct replay_reply r[] = {{200, NULL, STS_ANSWER("AssumeRole", "ASIASELF", "s", "t")}};
    serve(r, 1);
    setenv("AWS_PROFILE", "selfish", 1);
    assert_int_equal(resolve(), 0);
    assert_string_equal(cred.access_key_id, "ASIASELF");
    assert_non_null(strstr(replay_request(server, 0), "Credential=AKIASELF/"));
}

static void test_source_profile_loop(void **state)
{
    (void)state;
    put(".aws/config", "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
                       "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = c\n"
                       "[profile c]\nrole_arn = arn:aws:iam::1:role/c\nsource_profile = a\n");
    struct replay_reply r[] = {{200, NULL, STS_ANSWER("AssumeRole", "ASIAX", "s", "t")}};
    serve(r, 1);
    setenv("AWS_PROFILE", "a", 1);
    assert_int_equal(resolve(), -1);
    expect_error("profiles loop through source_profile: a -> b -> c -> a; profile c's source_profile must lead to "
                 "credentials");
    assert_int_equal(replay_count(server), 0);
}

/* Every mistake is reported naming the profile and the key, before any
 * request, and never falls through to the container or the instance. */
static void test_profile_mistakes_before_any_request(void **state)
{
    (void)state;
    put(".aws/config",
        "[profile nosource]\nrole_arn = arn:aws:iam::1:role/r\n"
        "[profile dangling]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = ghost\n"
        "[profile weird]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Ec2Metadata\n"
        "[profile both]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = bare\ncredential_source = Environment\n"
        "[profile norole]\nsource_profile = bare\n"
        "[profile mfa]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = keys\n"
        "mfa_serial = arn:aws:iam::1:mfa/me\n"
        "[profile long]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = keys\nduration_seconds = 99999\n"
        "[profile emptysource]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = bare\n"
        "[profile bare]\nregion = eu-west-1\n"
        "[profile keys]\naws_access_key_id = AKIAK\naws_secret_access_key = k\n"
        "[profile far]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = nosource\n"
        "[profile halfsso]\nsso_start_url = https://x.awsapps.com/start\nsso_account_id = 1\n"
        "[profile nosession]\nsso_session = ghost\nsso_account_id = 1\nsso_role_name = r\n"
        "[profile webnorole]\nweb_identity_token_file = /tmp/token\n"
        "[profile processrole]\nrole_arn = arn:aws:iam::1:role/r\ncredential_process = true\n");
    struct replay_reply r[] = {{200, NULL, "{}"}};
    serve(r, 1);
    /* were anything to fall through, it would find these */
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", replay_url(server), 1);
    struct {
        const char *profile, *message;
    } cases[] = {
        {"nosource", "profile nosource: role_arn is set without source_profile, credential_source or "
                     "web_identity_token_file (the credentials to assume the role with)"},
        {"dangling", "profile dangling: source_profile ghost does not exist"},
        {"weird", "profile weird: credential_source is 'Ec2Metadata'; expected Environment, EcsContainer or "
                  "Ec2InstanceMetadata"},
        {"both", "profile both: source_profile and credential_source are both set"},
        {"norole", "profile norole: source_profile is set without role_arn"},
        {"mfa", "profile mfa: mfa_serial is set, and interactive mfa is not supported"},
        {"long", "profile long: duration_seconds is '99999'; expected seconds from 900 to 43200"},
        {"emptysource", "profile emptysource: source_profile bare has no credentials"},
        {"far", "profile nosource: role_arn is set without source_profile"},
        {"halfsso", "profile halfsso: sso settings without sso_region, sso_role_name"},
        {"nosession", "profile nosession: sso_session ghost has no [sso-session ghost] section"},
        {"webnorole", "profile webnorole: web_identity_token_file is set without role_arn"},
        {"processrole", "profile processrole: role_arn is set without source_profile"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        setenv("AWS_PROFILE", cases[i].profile, 1);
        assert_int_equal(resolve(), -1);
        expect_error(cases[i].message);
    }
    /* the default profile too, without AWS_PROFILE */
    unsetenv("AWS_PROFILE");
    put(".aws/config", "[default]\nrole_arn = arn:aws:iam::1:role/r\n");
    assert_int_equal(resolve(), -1);
    expect_error("profile default: role_arn is set without source_profile");
    assert_int_equal(replay_count(server), 0);
}

static void test_credential_source_container(void **state)
{
    (void)state;
    put(".aws/config", "[profile ecs]\nrole_arn = arn:aws:iam::1:role/task-admin\ncredential_source = EcsContainer\n"
                       "[profile ec2]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Ec2InstanceMetadata\n"
                       "[profile envsource]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n");
    struct replay_reply r[] = {{200, NULL, "{\"AccessKeyId\":\"ASIATASK\",\"SecretAccessKey\":\"task-secret\","
                                           "\"Token\":\"task-token\",\"Expiration\":\"2099-01-01T00:00:00Z\"}"},
                               {200, NULL, STS_ANSWER("AssumeRole", "ASIAADMIN", "admin-secret", "admin-token")}};
    serve(r, 2);
    char url[128];
    snprintf(url, sizeof(url), "%s/creds", replay_url(server));
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    setenv("AWS_PROFILE", "ecs", 1);
    assert_int_equal(resolve(), 0);
    assert_string_equal(cred.access_key_id, "ASIAADMIN");
    assert_non_null(strstr(replay_request(server, 0), "GET /creds HTTP/1.1"));
    assert_non_null(strstr(replay_request(server, 1), "Credential=ASIATASK/"));
    /* asked for, and not there: an error, not the next source */
    setenv("AWS_PROFILE", "ec2", 1);
    assert_int_equal(resolve(), -1);
    expect_error("profile ec2: credential_source is Ec2InstanceMetadata, but nothing came from instance metadata");
    setenv("AWS_PROFILE", "envsource", 1);
    assert_int_equal(resolve(), -1);
    expect_error("profile envsource: credential_source is Environment, but AWS_ACCESS_KEY_ID and "
                 "AWS_SECRET_ACCESS_KEY are not both set");
    unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    setenv("AWS_PROFILE", "ecs", 1);
    assert_int_equal(resolve(), -1);
    expect_error("profile ecs: credential_source is EcsContainer, but neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
}

/* From the environment (before any profile) and from a profile;
 * AssumeRoleWithWebIdentity is not signed. */
static void test_web_identity(void **state)
{
    (void)state;
    char token[512];
    snprintf(token, sizeof(token), "%s", put("token", "eyJ.web-identity-token.sig\n"));
    char config[1024];
    snprintf(config, sizeof(config), "[default]\naws_access_key_id = AKIAD\naws_secret_access_key = d\n"
                                     "[profile oidc]\nrole_arn = arn:aws:iam::1:role/ci\n"
                                     "web_identity_token_file = %s\nrole_session_name = gh-run\n", token);
    put(".aws/config", config);
    struct replay_reply r[] = {
        {200, NULL, STS_ANSWER("AssumeRoleWithWebIdentity", "ASIAWEB", "web-secret", "web-token")}};
    serve(r, 1);
    setenv("AWS_ROLE_ARN", "arn:aws:iam::1:role/pod", 1);
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", token, 1);
    setenv("AWS_ROLE_SESSION_NAME", "pod-1", 1);
    assert_int_equal(resolve(), 0); /* before the default profile's keys */
    assert_string_equal(cred.access_key_id, "ASIAWEB");
    const char *req = replay_request(server, 0);
    assert_null(strstr(req, "Authorization:"));
    assert_non_null(strstr(req, "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1"
                                "%3Arole%2Fpod&RoleSessionName=pod-1&WebIdentityToken=eyJ.web-identity-token.sig"));
    unsetenv("AWS_ROLE_ARN");
    unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");
    unsetenv("AWS_ROLE_SESSION_NAME");
    setenv("AWS_PROFILE", "oidc", 1);
    assert_int_equal(resolve(), 0);
    assert_string_equal(cred.access_key_id, "ASIAWEB");
    assert_non_null(strstr(replay_request(server, 1), "role%2Fci&RoleSessionName=gh-run&WebIdentityToken="));
    /* the token is a secret too */
    struct strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "t=eyJ.web-identity-token.sig");
    redact_apply(&sb);
    assert_string_equal(sb.buf, "t=***");
    strbuf_release(&sb);
}

static void test_credential_process(void **state)
{
    (void)state;
    char script[512];
    snprintf(script, sizeof(script), "%s", put("bin/creds.sh",
                             "[ \"$1\" = --account ] || exit 9\n"
                             "echo ran >&2\n"
                             "cat <<EOF\n"
                             "{\"Version\": 1, \"AccessKeyId\": \"ASIAPROC\", \"SecretAccessKey\": \"proc-secret\",\n"
                             " \"SessionToken\": \"proc-token\", \"Expiration\": \"2099-01-01T01:00:00+01:00\"}\n"
                             "EOF\n"));
    char config[1024];
    snprintf(config, sizeof(config), "[profile vault]\ncredential_process = sh \"%s\" --account 'prod'\n"
                                     "[profile static]\ncredential_process = echo '{\"Version\":1,"
                                     "\"AccessKeyId\":\"AKIAST\",\"SecretAccessKey\":\"st\"}'\n", script);
    put(".aws/config", config);
    setenv("AWS_PROFILE", "vault", 1);
    assert_int_equal(resolve(), 0);
    assert_string_equal(cred.access_key_id, "ASIAPROC");
    assert_string_equal(cred.session_token, "proc-token");
    assert_int_equal(cred.expiration, 4070908800);
    assert_string_equal(cred.source, "profile vault (credential_process)");
    setenv("AWS_PROFILE", "static", 1);
    assert_int_equal(resolve(), 0);
    assert_string_equal(cred.access_key_id, "AKIAST");
    assert_int_equal(cred.expiration, 0); /* no Expiration: they do not expire */
    assert_null(cred.session_token);
}

/* A helper that hangs is stopped at its time, one that floods at 64 KiB,
 * the whole process group killed (the sleep too). */
static void test_credential_process_bounded(void **state)
{
    (void)state;
    put(".aws/config", "[profile hangs]\ncredential_process = sleep 30\n"
                       "[profile floods]\ncredential_process = yes {}\n");
    setenv("STACKHOST_CREDENTIAL_PROCESS_TIMEOUT", "1", 1);
    setenv("AWS_PROFILE", "hangs", 1);
    time_t start = time(NULL);
    assert_int_equal(resolve(), -1);
    assert_true(time(NULL) - start < 5);
    assert_non_null(strstr(err.buf, "profile hangs: credential_process timed out and was stopped"));
    strbuf_reset(&err);
    setenv("AWS_PROFILE", "floods", 1);
    assert_int_equal(resolve(), -1);
    assert_non_null(strstr(err.buf, "profile floods: credential_process printed more than 64 KiB and was stopped"));
    unsetenv("STACKHOST_CREDENTIAL_PROCESS_TIMEOUT");
}

static const char *sso_token(const char *expires_at)
{
    static char json[256];
    snprintf(json, sizeof(json), "{\"startUrl\":\"https://example.awsapps.com/start\",\"region\":\"eu-west-1\","
                                 "\"accessToken\":\"sso-access-token-1\",\"expiresAt\":\"%s\"}", expires_at);
    return json;
}

#define SSO_SESSION_CACHE ".aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json" /* sha1("my-sso") */
#define SSO_LEGACY_CACHE ".aws/sso/cache/e8be5486177c5b5392bd9aa76563515b29358e6e.json"  /* sha1(start url) */

static void test_sso_from_cached_token(void **state)
{
    (void)state;
    put(".aws/config", "[profile admin]\nsso_session = my-sso\nsso_account_id = 111122223333\n"
                       "sso_role_name = Admin\nregion = eu-west-1\n"
                       "[sso-session my-sso]\nsso_start_url = https://example.awsapps.com/start\n"
                       "sso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n"
                       "[profile legacy]\nsso_start_url = https://example.awsapps.com/start\nsso_region = eu-west-1\n"
                       "sso_account_id = 444455556666\nsso_role_name = Read Only\n");
    put(SSO_SESSION_CACHE, sso_token("2099-01-01T00:00:00Z"));
    put(SSO_LEGACY_CACHE, sso_token("2099-01-01T00:00:00UTC"));
    struct replay_reply r[] = {{200, NULL, "{\"roleCredentials\":{\"accessKeyId\":\"ASIASSO\",\"secretAccessKey\":"
                                           "\"sso-secret\",\"sessionToken\":\"sso-token\",\"expiration\":4070908800000}}"}};
    serve(r, 1);
    setenv("AWS_PROFILE", "admin", 1);
    assert_int_equal(resolve(), 0);
    assert_string_equal(cred.access_key_id, "ASIASSO");
    assert_string_equal(cred.session_token, "sso-token");
    assert_int_equal(cred.expiration, 4070908800);
    assert_string_equal(cred.source, "profile admin (sso)");
    const char *req = replay_request(server, 0);
    assert_non_null(strstr(req, "GET /federation/credentials?account_id=111122223333&role_name=Admin HTTP/1.1"));
    assert_non_null(strstr(req, "x-amz-sso_bearer_token: sso-access-token-1"));
    setenv("AWS_PROFILE", "legacy", 1);
    assert_int_equal(resolve(), 0);
    assert_non_null(strstr(replay_request(server, 1), "account_id=444455556666&role_name=Read%20Only "));
}

static void test_sso_expired_or_missing_token(void **state)
{
    (void)state;
    put(".aws/config", "[profile admin]\nsso_session = my-sso\nsso_account_id = 1\nsso_role_name = Admin\n"
                       "[sso-session my-sso]\nsso_start_url = https://example.awsapps.com/start\n"
                       "sso_region = eu-west-1\n");
    struct replay_reply r[] = {{401, NULL, "{\"message\":\"Session token not found or invalid\"}"}};
    serve(r, 1);
    setenv("AWS_PROFILE", "admin", 1);
    assert_int_equal(resolve(), -1);
    expect_error("profile admin: no sso token for sso-session my-sso in the cache");
    expect_error(": run `aws sso login --profile admin`");
    put(SSO_SESSION_CACHE, sso_token("2020-01-01T00:00:00Z"));
    assert_int_equal(resolve(), -1);
    expect_error("profile admin: the sso token in ");
    expect_error("expired at 2020-01-01T00:00:00Z: run `aws sso login --profile admin`");
    assert_int_equal(replay_count(server), 0);
    /* a token the portal no longer takes */
    put(SSO_SESSION_CACHE, sso_token("2099-01-01T00:00:00Z"));
    assert_int_equal(resolve(), -1);
    expect_error("sso GetRoleCredentials for account 1, role Admin: Http401: Session token not found or invalid "
                 "(http 401): run `aws sso login --profile admin`");
    assert_null(strstr(err.buf, "sso-access-token-1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_shared_file_syntax, setup, teardown),
        cmocka_unit_test_setup_teardown(test_region_from_profile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_profile_and_region_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_settings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_assume_role_from_source_profile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_role_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_assume_role_refused_and_skew, setup, teardown),
        cmocka_unit_test_setup_teardown(test_source_profile_itself, setup, teardown),
        cmocka_unit_test_setup_teardown(test_source_profile_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_profile_mistakes_before_any_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_credential_source_container, setup, teardown),
        cmocka_unit_test_setup_teardown(test_web_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_credential_process, setup, teardown),
        cmocka_unit_test_setup_teardown(test_credential_process_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sso_from_cached_token, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sso_expired_or_missing_token, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
