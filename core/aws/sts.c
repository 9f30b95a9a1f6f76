#include "sts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/client.h"
#include "aws/cred_http.h"
#include "aws/credentials.h"
#include "aws/doc.h"
#include "aws/secret.h"
#include "aws/service.h"
#include "log.h"

static void add_param(struct strbuf *body, const char *name, const char *value)
{
    if (!value)
        return;
    strbuf_addf(body, "&%s=", name);
    aws_uri_encode(body, value, strlen(value), 0);
}

static void add_role_params(struct strbuf *body, const char *action, const struct sts_role *role)
{
    strbuf_addf(body, "Action=%s&Version=2011-06-15", action);
    add_param(body, "RoleArn", role->role_arn);
    char session[64];
    if (!role->session_name)
        snprintf(session, sizeof(session), "stackhost-%lld", (long long)time(NULL));
    add_param(body, "RoleSessionName", role->session_name ? role->session_name : session);
    if (role->duration_seconds > 0)
        strbuf_addf(body, "&DurationSeconds=%d", role->duration_seconds);
}

static int read_credentials(const char *action, const struct sts_role *role, const struct http_response *resp,
                            const char *label, struct aws_credentials *out, struct strbuf *err)
{
    struct sh_doc *answer = doc_from_xml(resp->body.buf, resp->body.len, NULL);
    struct strbuf path = STRBUF_INIT;
    strbuf_addf(&path, "%sResult.Credentials", action);
    const struct sh_doc *c = doc_get(answer, path.buf);
    const char *id = doc_text(c, "AccessKeyId"), *secret = doc_text(c, "SecretAccessKey");
    const char *token = doc_text(c, "SessionToken"), *expiration = doc_text(c, "Expiration");
    time_t expires = expiration ? aws_time_parse(expiration) : (time_t)-1;
    int rc = -1;
    if (!id || !secret || !token)
        strbuf_addf(err, "sts %s of %s answered without Credentials (AccessKeyId, SecretAccessKey, SessionToken)",
                    action, role->role_arn);
    else if (expires == (time_t)-1)
        strbuf_addf(err, "sts %s of %s answered without a readable Credentials.Expiration", action, role->role_arn);
    else {
        aws_credentials_set(out, id, secret, token, expires, label);
        rc = 0;
    }
    strbuf_release(&path);
    doc_free(answer);
    return rc;
}

static int call(struct http_client *http, const char *region, long skew, const struct aws_credentials *signer,
                const char *action, const struct sts_role *role, const struct strbuf *body, const char *label,
                struct aws_credentials *out, struct strbuf *err)
{
    const struct aws_service *svc = aws_service_find("sts");
    struct strbuf url = STRBUF_INIT, host = STRBUF_INIT, path = STRBUF_INIT;
    const char *signing_region;
    if (aws_endpoint(svc, region, &url, &signing_region)) {
        strbuf_addf(err, "%s: region '%.64s' is not an aws region name (a-z, 0-9, -)", label, region);
        strbuf_release(&url);
        return -1;
    }
    aws_url_split(url.buf, &host, &path);
    int rc = -1, skew_fixed = 0;
    for (;;) {
        struct http_header headers[2] = {{"Host", host.buf},
                                         {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
        struct http_header send[8] = {headers[1]}; /* curl writes Host from the url */
        size_t nsend = 1;
        struct sigv4_result sig;
        memset(&sig, 0, sizeof(sig));
        if (signer) {
            struct sigv4_request req = {"POST", path.buf, NULL, headers, 2, body->buf, body->len};
            struct sigv4_params params = {SIGV4_HEADERS, signing_region, svc->signing_name, time(NULL) + skew,
                                          1, 0, 0, 0};
            if (sigv4_sign(&req, signer, &params, &sig)) {
                strbuf_addf(err, "sts %s of %s: the source credentials cannot sign", action, role->role_arn);
                break;
            }
            for (size_t i = 0; i < sig.nadd && nsend < 8; i++)
                send[nsend++] = sig.add[i];
        }
        struct http_response resp;
        struct strbuf why = STRBUF_INIT;
        enum http_failure f = cred_http_send(http, "POST", url.buf, send, nsend, body->buf, body->len, &resp, &why);
        if (signer)
            sigv4_result_free(&sig);
        int again = 0;
        if (f != HTTP_OK) {
            strbuf_addf(err, "sts %s of %s: %s: %s", action, role->role_arn, url.buf, why.buf);
        } else if (resp.status >= 200 && resp.status < 300) {
            rc = read_credentials(action, role, &resp, label, out, err);
        } else {
            struct aws_error e;
            memset(&e, 0, sizeof(e));
            aws_error_parse(AWS_PROTO_QUERY, resp.status, resp.body.buf, resp.body.len, resp.request_id, &e);
            long server_skew = resp.date ? (long)(resp.date - time(NULL)) : 0;
            if (signer && !skew_fixed && aws_error_is_skew(e.code) && resp.date && labs(server_skew - skew) >= 60) {
                /* As the client: sign again once with the server's clock. */
                log_msg(SH_LOG_WARN, "aws", "this machine's clock is %lds %s aws's: signing with aws's time",
                        labs(server_skew), server_skew > 0 ? "behind" : "ahead of");
                skew = server_skew;
                skew_fixed = again = 1;
            } else {
                strbuf_addf(err, "sts %s of %s: %s", action, role->role_arn, e.code);
                if (*e.message)
                    strbuf_addf(err, ": %s", e.message);
                strbuf_addf(err, " (http %ld%s%s)", e.http_status, *e.request_id ? ", request id " : "",
                            e.request_id);
            }
        }
        cred_http_response_free(&resp);
        strbuf_release(&why);
        if (!again)
            break;
    }
    strbuf_release(&url);
    strbuf_release(&host);
    strbuf_release(&path);
    return rc;
}

int sts_assume_role(struct http_client *http, const char *region, long skew, const struct aws_credentials *source,
                    const struct sts_role *role, const char *label, struct aws_credentials *out, struct strbuf *err)
{
    struct strbuf body = STRBUF_INIT;
    add_role_params(&body, "AssumeRole", role);
    add_param(&body, "ExternalId", role->external_id);
    int rc = call(http, region, skew, source, "AssumeRole", role, &body, label, out, err);
    strbuf_release(&body);
    return rc;
}

int sts_assume_role_with_web_identity(struct http_client *http, const char *region, const struct sts_role *role,
                                      const char *token, const char *label, struct aws_credentials *out,
                                      struct strbuf *err)
{
    struct strbuf body = STRBUF_INIT;
    add_role_params(&body, "AssumeRoleWithWebIdentity", role);
    add_param(&body, "WebIdentityToken", token);
    int rc = call(http, region, 0, NULL, "AssumeRoleWithWebIdentity", role, &body, label, out, err);
    strbuf_release(&body);
    return rc;
}

int sts_web_identity_from_file(struct http_client *http, const char *region, const struct sts_role *role,
                               const char *token_file, const char *label, struct aws_credentials *out,
                               struct strbuf *err)
{
    struct strbuf token = STRBUF_INIT;
    int read = secret_read_file(token_file, &token, err);
    if (read <= 0) {
        if (!read)
            strbuf_addf(err, "the web identity token file %s does not exist", token_file);
        strbuf_release(&token);
        return -1;
    }
    while (token.len && (token.buf[token.len - 1] == '\n' || token.buf[token.len - 1] == '\r' ||
                         token.buf[token.len - 1] == ' '))
        token.buf[--token.len] = '\0';
    int rc = -1;
    if (!token.len) {
        strbuf_addf(err, "the web identity token file %s is empty", token_file);
    } else {
        redact_add(token.buf);
        rc = sts_assume_role_with_web_identity(http, region, role, token.buf, label, out, err);
    }
    strbuf_release(&token);
    return rc;
}
