#define _GNU_SOURCE /* strptime, timegm */
#include "credentials.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "xalloc.h"

#define REFRESH_BEFORE_SECONDS 300

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static void set_creds(struct aws_credentials *c, const char *id, const char *secret, const char *token,
                      time_t expiration, const char *source)
{
    c->access_key_id = xstrdup(id);
    c->secret_access_key = xstrdup(secret);
    c->session_token = token && *token ? xstrdup(token) : NULL;
    c->expiration = expiration;
    c->source = xstrdup(source);
    redact_add(secret);
    redact_add(c->session_token);
}

void aws_credentials_free(struct aws_credentials *c)
{
    if (c->secret_access_key)
        memset(c->secret_access_key, 0, strlen(c->secret_access_key));
    free(c->access_key_id);
    free(c->secret_access_key);
    free(c->session_token);
    free(c->source);
    memset(c, 0, sizeof(*c));
}

void aws_credentials_copy(struct aws_credentials *dst, const struct aws_credentials *src)
{
    dst->access_key_id = xstrdup(src->access_key_id);
    dst->secret_access_key = xstrdup(src->secret_access_key);
    dst->session_token = src->session_token ? xstrdup(src->session_token) : NULL;
    dst->expiration = src->expiration;
    dst->source = xstrdup(src->source ? src->source : "");
}

static time_t parse_time(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
        return 0;
    return timegm(&tm);
}

/* ---- shared files ---- */

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* Reads key from [section] of an ini file into a fresh string. Returns 1
 * when the section exists (even without the key), 0 when not, -1 when
 * the file cannot be read. */
static int ini_lookup(const char *path, const char *section, const char *const *keys, char **values, size_t nkeys)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[4096];
    int in = 0, found = 0;
    while (fgets(line, sizeof(line), f)) {
        char *l = trim(line);
        if (!*l || *l == '#' || *l == ';')
            continue;
        if (*l == '[') {
            char *end = strchr(l, ']');
            if (end)
                *end = '\0';
            in = !strcmp(trim(l + 1), section);
            found |= in;
            continue;
        }
        char *eq = strchr(l, '=');
        if (!in || !eq)
            continue;
        *eq = '\0';
        char *k = trim(l), *v = trim(eq + 1);
        for (size_t i = 0; i < nkeys; i++) {
            if (!strcmp(k, keys[i])) {
                free(values[i]);
                values[i] = xstrdup(v);
            }
        }
    }
    fclose(f);
    return found;
}

static char *default_path(const char *var, const char *name)
{
    struct strbuf sb = STRBUF_INIT;
    if (env(var))
        strbuf_addstr(&sb, env(var));
    else
        strbuf_addf(&sb, "%s/.aws/%s", env("HOME") ? env("HOME") : "", name);
    return strbuf_detach(&sb);
}

/* 1: found, 0: not there, -1: an error in err. */
static int from_files(struct aws_credentials *out, struct strbuf *looked, struct strbuf *err)
{
    const char *profile = env("AWS_PROFILE") ? env("AWS_PROFILE") : "default";
    char *cred_path = default_path("AWS_SHARED_CREDENTIALS_FILE", "credentials");
    char *config_path = default_path("AWS_CONFIG_FILE", "config");
    static const char *const keys[] = {"aws_access_key_id", "aws_secret_access_key", "aws_session_token"};
    char *v[3] = {NULL, NULL, NULL};
    int rc = 0;
    int in_cred = ini_lookup(cred_path, profile, keys, v, 3);
    struct strbuf section = STRBUF_INIT;
    if (strcmp(profile, "default"))
        strbuf_addf(&section, "profile %s", profile);
    else
        strbuf_addstr(&section, "default");
    int in_config = 0;
    if (!v[0] || !v[1]) {
        char *w[3] = {NULL, NULL, NULL};
        in_config = ini_lookup(config_path, section.buf, keys, w, 3);
        for (size_t i = 0; i < 3; i++) {
            if (!v[i])
                v[i] = w[i];
            else
                free(w[i]);
        }
    }
    strbuf_addf(looked, "the shared files (%s, %s) for profile %s", cred_path, config_path, profile);
    if (v[0] && v[1]) {
        struct strbuf source = STRBUF_INIT;
        strbuf_addf(&source, "profile %s", profile);
        set_creds(out, v[0], v[1], v[2], 0, source.buf);
        strbuf_release(&source);
        rc = 1;
    } else if ((in_cred > 0 || in_config > 0) && (v[0] || v[1])) {
        strbuf_addf(err, "profile %s in the shared files has %s but not %s", profile,
                    v[0] ? "aws_access_key_id" : "aws_secret_access_key",
                    v[0] ? "aws_secret_access_key" : "aws_access_key_id");
        rc = -1;
    } else if (env("AWS_PROFILE") && in_cred <= 0 && in_config <= 0) {
        strbuf_addf(err, "AWS_PROFILE is %s, but neither %s nor %s has that profile", profile, cred_path,
                    config_path);
        rc = -1;
    }
    for (size_t i = 0; i < 3; i++)
        free(v[i]);
    strbuf_release(&section);
    free(cred_path);
    free(config_path);
    return rc;
}

/* Credentials JSON of the container endpoint and IMDS. */
static int from_json(const char *body, size_t len, const char *source, struct aws_credentials *out, struct strbuf *err)
{
    json_t *j = json_loadb(body, len, 0, NULL);
    const char *id = json_string_value(json_object_get(j, "AccessKeyId"));
    const char *secret = json_string_value(json_object_get(j, "SecretAccessKey"));
    const char *token = json_string_value(json_object_get(j, "Token"));
    const char *exp = json_string_value(json_object_get(j, "Expiration"));
    int rc = -1;
    if (id && secret) {
        set_creds(out, id, secret, token, parse_time(exp), source);
        rc = 0;
    } else {
        strbuf_addf(err, "%s answered without AccessKeyId and SecretAccessKey", source);
    }
    json_decref(j);
    return rc;
}

/* 1: found, 0: not configured, -1: configured but failed (err). */
static int from_container(struct http_client *http, struct aws_credentials *out, struct strbuf *looked,
                          struct strbuf *err)
{
    struct strbuf url = STRBUF_INIT;
    if (env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"))
        strbuf_addf(&url, "http://169.254.170.2%s", env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"));
    else if (env("AWS_CONTAINER_CREDENTIALS_FULL_URI"))
        strbuf_addstr(&url, env("AWS_CONTAINER_CREDENTIALS_FULL_URI"));
    strbuf_addstr(looked, ", the container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI)");
    if (!url.len)
        return 0;
    char *token = env("AWS_CONTAINER_AUTHORIZATION_TOKEN") ? xstrdup(env("AWS_CONTAINER_AUTHORIZATION_TOKEN")) : NULL;
    if (!token && env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
        FILE *f = fopen(env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"), "r");
        char buf[4096] = "";
        if (f) {
            if (fgets(buf, sizeof(buf), f))
                token = xstrdup(trim(buf));
            fclose(f);
        }
    }
    redact_add(token);
    struct http_header auth = {"Authorization", token};
    struct http_response resp;
    struct strbuf why = STRBUF_INIT;
    int rc = -1;
    if (http_send(http, 0, "GET", url.buf, &auth, token ? 1 : 0, NULL, 0, &resp, &why) != HTTP_OK)
        strbuf_addf(err, "the container credentials endpoint %s failed: %s", url.buf, why.buf);
    else if (resp.status != 200)
        strbuf_addf(err, "the container credentials endpoint %s answered http %ld", url.buf, resp.status);
    else if (!from_json(resp.body.buf, resp.body.len, "container endpoint", out, err))
        rc = 1;
    http_response_free(&resp);
    strbuf_release(&why);
    strbuf_release(&url);
    free(token);
    return rc;
}

/* IMDSv2: a session token first, then the role, then its credentials.
 * 1: found, 0: disabled or no answer (not on EC2), -1: failed (err). */
static int from_imds(struct aws_credentials *out, struct strbuf *looked, struct strbuf *err)
{
    const char *base = env("AWS_EC2_METADATA_SERVICE_ENDPOINT") ? env("AWS_EC2_METADATA_SERVICE_ENDPOINT")
                                                               : "http://169.254.169.254";
    strbuf_addf(looked, ", instance metadata (%s)", base);
    const char *disabled = env("AWS_EC2_METADATA_DISABLED");
    if (disabled && !strcasecmp(disabled, "true")) {
        strbuf_addstr(looked, " disabled by AWS_EC2_METADATA_DISABLED");
        return 0;
    }
    /* Off EC2 nothing answers: fail fast rather than hang every run. */
    struct http_client imds;
    http_client_init(&imds);
    imds.connect_timeout_ms = 1000;
    imds.timeout_ms = 2000;
    size_t blen = strlen(base);
    while (blen && base[blen - 1] == '/')
        blen--;
    struct strbuf url = STRBUF_INIT, why = STRBUF_INIT;
    struct http_response resp;
    int rc = 0;
    strbuf_addf(&url, "%.*s/latest/api/token", (int)blen, base);
    struct http_header ttl = {"X-aws-ec2-metadata-token-ttl-seconds", "21600"};
    if (http_send(&imds, 0, "PUT", url.buf, &ttl, 1, NULL, 0, &resp, &why) != HTTP_OK || resp.status != 200) {
        strbuf_addf(looked, ": %s", why.len ? why.buf : "no session token");
        http_response_free(&resp);
        goto done;
    }
    char *token = strbuf_detach(&resp.body);
    redact_add(token);
    http_response_free(&resp);
    struct http_header auth = {"X-aws-ec2-metadata-token", token};
    strbuf_reset(&url);
    strbuf_addf(&url, "%.*s/latest/meta-data/iam/security-credentials/", (int)blen, base);
    rc = -1;
    if (http_send(&imds, 0, "GET", url.buf, &auth, 1, NULL, 0, &resp, &why) != HTTP_OK || resp.status != 200) {
        strbuf_addf(err, "instance metadata has no iam role (%s)", why.len ? why.buf : "no answer");
    } else {
        char *role = xstrndup(resp.body.buf, strcspn(resp.body.buf, "\r\n"));
        http_response_free(&resp);
        strbuf_addstr(&url, trim(role));
        if (http_send(&imds, 0, "GET", url.buf, &auth, 1, NULL, 0, &resp, &why) != HTTP_OK || resp.status != 200)
            strbuf_addf(err, "instance metadata did not give the credentials of role %s (%s)", role,
                        why.len ? why.buf : "http error");
        else if (!from_json(resp.body.buf, resp.body.len, "instance metadata", out, err))
            rc = 1;
        free(role);
    }
    http_response_free(&resp);
    free(token);
done:
    strbuf_release(&url);
    strbuf_release(&why);
    http_client_free(&imds);
    return rc;
}

int credentials_resolve(struct http_client *http, struct aws_credentials *out, struct strbuf *err)
{
    memset(out, 0, sizeof(*out));
    const char *id = env("AWS_ACCESS_KEY_ID"), *secret = env("AWS_SECRET_ACCESS_KEY");
    if (id && secret) {
        set_creds(out, id, secret, env("AWS_SESSION_TOKEN"), 0, "environment");
        return 0;
    }
    struct strbuf looked = STRBUF_INIT;
    strbuf_addstr(&looked, "the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    if (id || secret)
        strbuf_addf(&looked, ": only %s is set", id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY");
    strbuf_addstr(&looked, "), ");
    int rc = from_files(out, &looked, err);
    if (!rc)
        rc = from_container(http, out, &looked, err);
    if (!rc)
        rc = from_imds(out, &looked, err);
    if (!rc)
        strbuf_addf(err, "no aws credentials found; looked in %s", looked.buf);
    strbuf_release(&looked);
    return rc == 1 ? 0 : -1;
}

void cred_provider_init(struct cred_provider *p, struct http_client *http)
{
    memset(p, 0, sizeof(*p));
    pthread_mutex_init(&p->lock, NULL);
    p->http = http;
}

void cred_provider_free(struct cred_provider *p)
{
    aws_credentials_free(&p->current);
    pthread_mutex_destroy(&p->lock);
}

int cred_provider_get(struct cred_provider *p, struct aws_credentials *out, struct strbuf *err)
{
    pthread_mutex_lock(&p->lock);
    int rc = 0;
    int stale = p->have && p->current.expiration && p->current.expiration - time(NULL) < REFRESH_BEFORE_SECONDS;
    if (!p->have || stale) {
        struct aws_credentials fresh;
        if (credentials_resolve(p->http, &fresh, err)) {
            rc = -1;
        } else {
            if (stale)
                log_msg(SH_LOG_DEBUG, "aws", "credentials from %s refreshed before they expire", fresh.source);
            aws_credentials_free(&p->current);
            p->current = fresh;
            p->have = 1;
        }
    }
    if (!rc)
        aws_credentials_copy(out, &p->current);
    pthread_mutex_unlock(&p->lock);
    return rc;
}
