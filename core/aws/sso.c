#include "sso.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/client.h"
#include "aws/cred_http.h"
#include "aws/credentials.h"
#include "aws/secret.h"
#include "aws/service.h"
#include "log.h"
#include "xalloc.h"

/* The portal is not one of the services plugins call, but its endpoint
 * is overridden the same way (AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL). */
static const struct aws_service portal = {.name = "sso", .env_id = "SSO", .signing_name = "awsssoportal",
                                          .host_prefix = "portal.sso", .protocol = AWS_PROTO_JSON};

static void cache_path(const struct sso_settings *s, struct strbuf *path)
{
    const char *key = s->session ? s->session : s->start_url;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    EVP_Digest(key, strlen(key), md, &n, EVP_sha1(), NULL);
    const char *home = getenv("HOME");
    strbuf_addf(path, "%s/.aws/sso/cache/", home ? home : "");
    for (unsigned i = 0; i < n; i++)
        strbuf_addf(path, "%02x", md[i]);
    strbuf_addstr(path, ".json");
}

static void login_hint(struct strbuf *err, const struct sso_settings *s)
{
    strbuf_addf(err, ": run `aws sso login --profile %s`", s->profile);
}

/* The cached access token (registered for redaction), or NULL with err. */
static char *cached_token(const struct sso_settings *s, struct strbuf *err)
{
    struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
    cache_path(s, &path);
    char *token = NULL;
    struct strbuf why = STRBUF_INIT;
    if (secret_read_file(path.buf, &text, &why) <= 0) {
        strbuf_addf(err, "profile %s: no sso token for %s %s in the cache (%s)", s->profile,
                    s->session ? "sso-session" : "start url", s->session ? s->session : s->start_url,
                    why.len ? why.buf : path.buf);
        login_hint(err, s);
        strbuf_release(&why);
        strbuf_release(&path);
        strbuf_release(&text);
        return NULL;
    }
    strbuf_release(&why);
    json_t *j = json_loadb(text.buf, text.len, 0, NULL);
    const char *access = json_string_value(json_object_get(j, "accessToken"));
    const char *expires_at = json_string_value(json_object_get(j, "expiresAt"));
    time_t expires = expires_at ? aws_time_parse(expires_at) : (time_t)-1;
    if (!access || !*access) {
        strbuf_addf(err, "profile %s: the sso cache file %s has no accessToken", s->profile, path.buf);
        login_hint(err, s);
    } else if (expires == (time_t)-1) {
        strbuf_addf(err, "profile %s: the sso cache file %s has no readable expiresAt", s->profile, path.buf);
        login_hint(err, s);
    } else if (expires <= time(NULL)) {
        strbuf_addf(err, "profile %s: the sso token in %s expired at %s", s->profile, path.buf, expires_at);
        login_hint(err, s);
    } else {
        redact_add(access);
        token = xstrdup(access);
    }
    secret_json_decref(j);
    strbuf_release(&text);
    strbuf_release(&path);
    return token;
}

static int read_role_credentials(const struct sso_settings *s, const struct http_response *resp,
                                 const char *label, struct aws_credentials *out, struct strbuf *err)
{
    json_t *j = json_loadb(resp->body.buf, resp->body.len, 0, NULL);
    json_t *rc_json = json_object_get(j, "roleCredentials");
    const char *id = json_string_value(json_object_get(rc_json, "accessKeyId"));
    const char *secret = json_string_value(json_object_get(rc_json, "secretAccessKey"));
    const char *token = json_string_value(json_object_get(rc_json, "sessionToken"));
    json_t *expiration = json_object_get(rc_json, "expiration"); /* milliseconds since 1970 */
    int rc = -1;
    if (!id || !secret || !token || !json_is_integer(expiration)) {
        strbuf_addf(err, "profile %s: sso GetRoleCredentials answered without roleCredentials (accessKeyId, "
                         "secretAccessKey, sessionToken, expiration)", s->profile);
    } else {
        aws_credentials_set(out, id, secret, token, (time_t)(json_integer_value(expiration) / 1000), label);
        rc = 0;
    }
    secret_json_decref(j);
    return rc;
}

int sso_role_credentials(struct http_client *http, const struct sso_settings *s, struct aws_credentials *out,
                         struct strbuf *err)
{
    char *token = cached_token(s, err);
    if (!token)
        return -1;
    struct strbuf url = STRBUF_INIT, label = STRBUF_INIT;
    const char *signing_region;
    if (aws_endpoint(&portal, s->region, &url, &signing_region)) {
        strbuf_addf(err, "profile %s: sso_region '%.64s' is not an aws region name (a-z, 0-9, -)", s->profile,
                    s->region);
        strbuf_release(&url);
        xfree_wiped(token);
        return -1;
    }
    strbuf_addstr(&url, "/federation/credentials?account_id=");
    aws_uri_encode(&url, s->account_id, strlen(s->account_id), 0);
    strbuf_addstr(&url, "&role_name=");
    aws_uri_encode(&url, s->role_name, strlen(s->role_name), 0);
    strbuf_addf(&label, "profile %s (sso)", s->profile);
    struct http_header bearer = {"x-amz-sso_bearer_token", token};
    struct http_response resp;
    struct strbuf why = STRBUF_INIT;
    int rc = -1;
    if (cred_http_send(http, "GET", url.buf, &bearer, 1, NULL, 0, &resp, &why) != HTTP_OK) {
        strbuf_addf(err, "profile %s: sso GetRoleCredentials: %s", s->profile, why.buf);
    } else if (resp.status == 200) {
        rc = read_role_credentials(s, &resp, label.buf, out, err);
    } else {
        struct aws_error e;
        memset(&e, 0, sizeof(e));
        aws_error_parse(AWS_PROTO_JSON, resp.status, resp.body.buf, resp.body.len, resp.request_id, &e);
        strbuf_addf(err, "profile %s: sso GetRoleCredentials for account %s, role %s: %s%s%s (http %ld)", s->profile,
                    s->account_id, s->role_name, e.code, *e.message ? ": " : "", e.message, resp.status);
        if (resp.status == 401) /* the token was revoked or is too old */
            login_hint(err, s);
    }
    cred_http_response_free(&resp);
    strbuf_release(&why);
    strbuf_release(&url);
    strbuf_release(&label);
    xfree_wiped(token);
    return rc;
}
