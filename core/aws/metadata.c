#include "metadata.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/cred_http.h"
#include "aws/credentials.h"
#include "aws/secret.h"
#include "log.h"
#include "strbuf.h"
#include "xalloc.h"

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static int env_true(const char *name)
{
    return env(name) && !strcasecmp(env(name), "true");
}

/* The credentials JSON both endpoints answer. */
static int from_json(const struct strbuf *body, const char *source, struct aws_credentials *out, struct strbuf *err)
{
    json_t *j = json_loadb(body->buf, body->len, 0, NULL);
    const char *id = json_string_value(json_object_get(j, "AccessKeyId"));
    const char *secret = json_string_value(json_object_get(j, "SecretAccessKey"));
    const char *token = json_string_value(json_object_get(j, "Token"));
    const char *exp = json_string_value(json_object_get(j, "Expiration"));
    time_t expires = exp ? aws_time_parse(exp) : 0;
    int rc = -1;
    if (id && secret) {
        aws_credentials_set(out, id, secret, token, expires == (time_t)-1 ? 0 : expires, source);
        rc = 0;
    } else {
        strbuf_addf(err, "%s answered without AccessKeyId and SecretAccessKey", source);
    }
    secret_json_decref(j);
    return rc;
}

static char *container_token(void)
{
    if (env("AWS_CONTAINER_AUTHORIZATION_TOKEN"))
        return xstrdup(env("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
    const char *path = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    struct strbuf text = STRBUF_INIT, why = STRBUF_INIT;
    char *token = path && secret_read_file(path, &text, &why) > 0 && text.len ? xstrdup(str_trim(text.buf)) : NULL;
    strbuf_release(&text);
    strbuf_release(&why);
    return token;
}

int metadata_container_url_allowed(const char *url, struct strbuf *why)
{
    /* As the SDKs allow: https anywhere; plain http only to this host and
     * to the link-local addresses of ECS and EKS pod identity, where the
     * token cannot be read on the way. */
    static const char *const local[] = {"localhost", "169.254.170.2", "169.254.170.23", "[fd00:ec2::23]", "[::1]",
                                        NULL};
    if (!strncasecmp(url, "https://", 8))
        return 0;
    if (strncasecmp(url, "http://", 7)) {
        strbuf_addf(why, "the container credentials endpoint %s is refused: only https, or http to this host or "
                    "the ecs/eks link-local address", url);
        return -1;
    }
    const char *host = url + 7;
    size_t len = host[0] == '[' ? strcspn(host, "]") + 1 : strcspn(host, ":/?#");
    int ok = !memchr(host, '@', strcspn(host, "/?#")); /* user info would hide the real host */
    int allowed = 0;
    for (size_t i = 0; ok && local[i] && !allowed; i++)
        allowed = strlen(local[i]) == len && !strncasecmp(host, local[i], len);
    unsigned a, b, c, d;
    char tail;
    char ip[64];
    if (ok && !allowed && len < sizeof(ip)) {
        memcpy(ip, host, len);
        ip[len] = '\0';
        allowed = sscanf(ip, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 && a == 127 && b < 256 && c < 256 &&
                  d < 256;
    }
    if (ok && allowed)
        return 0;
    strbuf_addf(why, "the container credentials endpoint %s is refused: plain http would send its authorization "
                "token and the credentials in the clear; use https, or http only to this host or the ecs/eks "
                "link-local address (169.254.170.2, 169.254.170.23)", url);
    return -1;
}

int metadata_container(struct http_client *http, struct aws_credentials *out, struct strbuf *looked,
                       struct strbuf *err)
{
    struct strbuf url = STRBUF_INIT;
    const char *relative = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    if (relative && relative[0] != '/') {
        strbuf_addf(err, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must be a path starting with /, not %s", relative);
        return -1;
    }
    if (relative)
        strbuf_addf(&url, "http://169.254.170.2%s", relative);
    else if (env("AWS_CONTAINER_CREDENTIALS_FULL_URI"))
        strbuf_addstr(&url, env("AWS_CONTAINER_CREDENTIALS_FULL_URI"));
    strbuf_addstr(looked, "the container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI)");
    if (!url.len)
        return 0;
    if (metadata_container_url_allowed(url.buf, err)) {
        strbuf_release(&url);
        return -1;
    }
    char *token = container_token();
    if (token && strpbrk(token, "\r\n")) {
        strbuf_addstr(err, "the container authorization token (AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]) holds a "
                      "line break: refused, as it would add headers to the request");
        xfree_wiped(token);
        strbuf_release(&url);
        return -1;
    }
    redact_add(token);
    struct http_header auth = {"Authorization", token};
    struct http_response resp;
    struct strbuf why = STRBUF_INIT;
    int rc = -1;
    if (cred_http_send(http, "GET", url.buf, &auth, token ? 1 : 0, NULL, 0, &resp, &why) != HTTP_OK)
        strbuf_addf(err, "the container credentials endpoint %s failed: %s", url.buf, why.buf);
    else if (resp.status != 200)
        strbuf_addf(err, "the container credentials endpoint %s answered http %ld", url.buf, resp.status);
    else if (!from_json(&resp.body, "container endpoint", out, err))
        rc = 1;
    cred_http_response_free(&resp);
    strbuf_release(&why);
    strbuf_release(&url);
    xfree_wiped(token);
    return rc;
}

/* The IMDSv2 session token (registered for redaction). Returns 1 with it
 * (NULL: IMDSv1, the token was refused), 0: nothing answers, -1: err. */
static int imds_session(struct http_client *imds, const char *base, char **token, struct strbuf *looked,
                        struct strbuf *err)
{
    struct strbuf url = STRBUF_INIT, why = STRBUF_INIT;
    strbuf_addf(&url, "%s/latest/api/token", base);
    struct http_header ttl = {"X-aws-ec2-metadata-token-ttl-seconds", "21600"};
    struct http_response resp;
    enum http_failure f = http_send(imds, HTTP_SMALL, "PUT", url.buf, &ttl, 1, NULL, 0, &resp, &why);
    int rc = 0;
    *token = NULL;
    if (f != HTTP_OK) {
        /* Not a fallback: off EC2 nothing answers at all. */
        strbuf_addf(looked, ": no answer (%s)", why.buf);
    } else if (resp.status == 200) {
        *token = strbuf_detach(&resp.body);
        redact_add(*token);
        rc = 1;
    } else if (resp.status == 403 || resp.status == 404 || resp.status == 405) {
        if (env_true("AWS_EC2_METADATA_V1_DISABLED")) {
            strbuf_addf(err, "instance metadata refused a session token (http %ld), and AWS_EC2_METADATA_V1_DISABLED "
                             "forbids asking without one", resp.status);
            rc = -1;
        } else {
            log_msg(SH_LOG_DEBUG, "aws", "instance metadata refused a session token (http %ld): asking without one "
                                         "(imdsv1)", resp.status);
            rc = 1;
        }
    } else {
        strbuf_addf(looked, ": no session token (http %ld)", resp.status);
    }
    cred_http_response_free(&resp);
    strbuf_release(&url);
    strbuf_release(&why);
    return rc;
}

static int imds_credentials(struct http_client *imds, const char *base, const char *token,
                            struct aws_credentials *out, struct strbuf *err)
{
    struct http_header auth = {"X-aws-ec2-metadata-token", (char *)token};
    size_t nauth = token ? 1 : 0;
    struct strbuf url = STRBUF_INIT, why = STRBUF_INIT;
    struct http_response resp;
    int rc = -1;
    strbuf_addf(&url, "%s/latest/meta-data/iam/security-credentials/", base);
    if (http_send(imds, HTTP_SMALL, "GET", url.buf, &auth, nauth, NULL, 0, &resp, &why) != HTTP_OK || resp.status != 200) {
        strbuf_addf(err, "instance metadata has no iam role (%s)", why.len ? why.buf : "no role attached");
    } else {
        char *role = xstrndup(resp.body.buf, strcspn(resp.body.buf, "\r\n"));
        cred_http_response_free(&resp);
        strbuf_addstr(&url, str_trim(role));
        if (http_send(imds, HTTP_SMALL, "GET", url.buf, &auth, nauth, NULL, 0, &resp, &why) != HTTP_OK || resp.status != 200)
            strbuf_addf(err, "instance metadata did not give the credentials of role %s (%s)", role,
                        why.len ? why.buf : "http error");
        else if (!from_json(&resp.body, "instance metadata", out, err))
            rc = 1;
        free(role);
    }
    cred_http_response_free(&resp);
    strbuf_release(&url);
    strbuf_release(&why);
    return rc;
}

int metadata_imds(struct aws_credentials *out, struct strbuf *looked, struct strbuf *err)
{
    const char *endpoint = env("AWS_EC2_METADATA_SERVICE_ENDPOINT") ? env("AWS_EC2_METADATA_SERVICE_ENDPOINT")
                                                                     : "http://169.254.169.254";
    strbuf_addf(looked, "instance metadata (%s)", endpoint);
    if (env_true("AWS_EC2_METADATA_DISABLED")) {
        strbuf_addstr(looked, " disabled by AWS_EC2_METADATA_DISABLED");
        return 0;
    }
    /* Off EC2 nothing answers: fail fast rather than hang every run. */
    struct http_client imds;
    http_client_init(&imds);
    imds.connect_timeout_ms = 1000;
    imds.timeout_ms = 2000;
    char *base = xstrdup(endpoint);
    size_t len = strlen(base);
    while (len && base[len - 1] == '/')
        base[--len] = '\0';
    char *token;
    int rc = imds_session(&imds, base, &token, looked, err);
    if (rc == 1)
        rc = imds_credentials(&imds, base, token, out, err);
    xfree_wiped(token);
    free(base);
    http_client_free(&imds);
    return rc;
}
