#define _GNU_SOURCE /* strptime, timegm */
#include "credentials.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/metadata.h"
#include "aws/profile.h"
#include "aws/profile_chain.h"
#include "aws/secret.h"
#include "aws/sts.h"
#include "log.h"
#include "xalloc.h"

#define REFRESH_BEFORE_SECONDS 300
/* After a refresh failed while the current credentials still hold: the
 * wait before the next try, so a source that is down is not asked again
 * by every request. */
#define RETRY_REFRESH_SECONDS 10

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

void aws_credentials_set(struct aws_credentials *c, const char *id, const char *secret, const char *token,
                         time_t expiration, const char *source)
{
    redact_add(secret);
    redact_add(token);
    c->access_key_id = xstrdup(id);
    c->secret_access_key = xstrdup(secret);
    c->session_token = token && *token ? xstrdup(token) : NULL;
    c->expiration = expiration;
    c->source = xstrdup(source);
}

void aws_credentials_free(struct aws_credentials *c)
{
    xfree_wiped(c->access_key_id);
    xfree_wiped(c->secret_access_key);
    xfree_wiped(c->session_token);
    xfree_wiped(c->source);
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

time_t aws_time_parse(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    const char *p = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
    if (!p)
        return (time_t)-1;
    if (*p == '.')
        for (p++; isdigit((unsigned char)*p); p++)
            ;
    long offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (!strncmp(p, "UTC", 3)) {
        p += 3;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, hours, minutes, used = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &hours, &minutes, &used) != 2 &&
            sscanf(p + 1, "%2d%2d%n", &hours, &minutes, &used) != 2)
            return (time_t)-1;
        offset = sign * (hours * 3600L + minutes * 60L);
        p += 1 + used;
    }
    return *p ? (time_t)-1 : timegm(&tm) - offset;
}

char *credentials_region(void)
{
    if (env("AWS_REGION"))
        return xstrdup(env("AWS_REGION"));
    if (env("AWS_DEFAULT_REGION"))
        return xstrdup(env("AWS_DEFAULT_REGION"));
    char *region = profile_region(NULL);
    return region ? region : xstrdup("us-east-1");
}

/* 1: found, 0: not configured, -1: configured but failed (err). */
static int from_web_identity_env(struct http_client *http, const char *region, struct aws_credentials *out,
                                 struct strbuf *looked, struct strbuf *err)
{
    strbuf_addstr(looked, "web identity (AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE), ");
    const char *token_file = env("AWS_WEB_IDENTITY_TOKEN_FILE");
    if (!token_file)
        return 0;
    if (!env("AWS_ROLE_ARN")) {
        strbuf_addf(err, "AWS_WEB_IDENTITY_TOKEN_FILE is set (%s), but AWS_ROLE_ARN, the role to assume with it, "
                         "is not", token_file);
        return -1;
    }
    struct sts_role role = {.role_arn = env("AWS_ROLE_ARN"), .session_name = env("AWS_ROLE_SESSION_NAME")};
    struct strbuf label = STRBUF_INIT, why = STRBUF_INIT;
    strbuf_addf(&label, "web identity (AWS_WEB_IDENTITY_TOKEN_FILE, role %s)", role.role_arn);
    int rc = sts_web_identity_from_file(http, region, &role, token_file, label.buf, out, &why);
    if (rc)
        strbuf_addf(err, "web identity from the environment: %s", why.buf);
    strbuf_release(&label);
    strbuf_release(&why);
    return rc ? -1 : 1;
}

/* 1: found, 0: no profile asks for anything, -1: failed (err). */
static int from_profile(struct http_client *http, const char *region, long skew, struct aws_credentials *out,
                        struct strbuf *looked, struct strbuf *err)
{
    struct shared_files f;
    const char *profile = profile_name();
    if (shared_files_load(&f, err)) {
        shared_files_free(&f);
        return -1;
    }
    strbuf_addf(looked, "the shared files (%s, %s) for profile %s", f.credentials_path, f.config_path, profile);
    int rc = 0;
    struct profile_chain chain;
    if (!profile_exists(&f, profile)) {
        if (profile_chosen_by()) {
            strbuf_addf(err, "%s is %s, but neither %s nor %s has that profile", profile_chosen_by(), profile,
                        f.credentials_path, f.config_path);
            rc = -1;
        }
    } else if (profile_chain_plan(&f, profile, &chain, err)) {
        rc = -1;
    } else {
        if (chain.base != CHAIN_NONE) {
            rc = profile_chain_run(&chain, http, region, skew, out, err) ? -1 : 1;
        } else if (profile_chosen_by()) {
            /* --profile or AWS_PROFILE chose this profile: it must say where
             * its credentials come from, not leave it to the machine. */
            strbuf_addf(err, "%s is %s, but that profile has no credential settings (aws_access_key_id, "
                             "role_arn, sso_session, credential_process, ...) in %s or %s", profile_chosen_by(), profile,
                        f.config_path, f.credentials_path);
            rc = -1;
        } else {
            strbuf_addstr(looked, ", which has no credential settings");
        }
        profile_chain_free(&chain);
    }
    shared_files_free(&f);
    return rc;
}

int credentials_resolve(struct http_client *http, const char *region, long skew, struct aws_credentials *out,
                        struct strbuf *err)
{
    memset(out, 0, sizeof(*out));
    /* as botocore: a profile chosen on the command line is used even when
     * the environment holds keys (the aws cli's --profile) */
    int by_flag = profile_chosen_by() && !strcmp(profile_chosen_by(), "--profile");
    const char *id = by_flag ? NULL : env("AWS_ACCESS_KEY_ID"), *secret = by_flag ? NULL : env("AWS_SECRET_ACCESS_KEY");
    if (id && secret) {
        aws_credentials_set(out, id, secret, env("AWS_SESSION_TOKEN"), 0, "environment");
        return 0;
    }
    char *own_region = region ? NULL : credentials_region();
    if (!region)
        region = own_region;
    struct strbuf looked = STRBUF_INIT;
    strbuf_addstr(&looked, by_flag ? "(not the environment: --profile was given" :
                  "the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    if (id || secret)
        strbuf_addf(&looked, ": only %s is set", id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY");
    strbuf_addstr(&looked, "), ");
    int rc = from_web_identity_env(http, region, out, &looked, err);
    if (!rc)
        rc = from_profile(http, region, skew, out, &looked, err);
    if (!rc) {
        strbuf_addstr(&looked, ", ");
        rc = metadata_container(http, out, &looked, err);
    }
    if (!rc) {
        strbuf_addstr(&looked, ", ");
        rc = metadata_imds(out, &looked, err);
    }
    if (!rc)
        strbuf_addf(err, "no aws credentials found; looked in %s", looked.buf);
    strbuf_release(&looked);
    xfree_wiped(own_region);
    return rc == 1 ? 0 : -1;
}

void cred_provider_init(struct cred_provider *p, struct http_client *http)
{
    memset(p, 0, sizeof(*p));
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->fetched, NULL);
    p->http = http;
}

void cred_provider_configure(struct cred_provider *p, const char *region, const atomic_long *skew)
{
    pthread_mutex_lock(&p->lock);
    xfree_wiped(p->region);
    p->region = region ? xstrdup(region) : NULL;
    p->skew = skew;
    pthread_mutex_unlock(&p->lock);
}

void cred_provider_free(struct cred_provider *p)
{
    aws_credentials_free(&p->current);
    xfree_wiped(p->region);
    xfree_wiped(p->last_error);
    pthread_cond_destroy(&p->fetched);
    pthread_mutex_destroy(&p->lock);
}

static int still_valid(const struct aws_credentials *c, time_t now)
{
    return !c->expiration || c->expiration > now;
}

static int due(const struct cred_provider *p, time_t now)
{
    if (!p->have)
        return 1;
    if (!p->current.expiration || p->current.expiration - now >= REFRESH_BEFORE_SECONDS)
        return 0;
    return now >= p->next_try || !still_valid(&p->current, now);
}

/* Called with the lock held, which it drops for the fetch itself. */
static int fetch(struct cred_provider *p, struct strbuf *err)
{
    p->fetching = 1;
    char *region = p->region ? xstrdup(p->region) : NULL;
    long skew = p->skew ? atomic_load(p->skew) : 0;
    pthread_mutex_unlock(&p->lock);
    struct aws_credentials fresh;
    struct strbuf why = STRBUF_INIT;
    int rc = credentials_resolve(p->http, region, skew, &fresh, &why);
    xfree_wiped(region);
    pthread_mutex_lock(&p->lock);
    p->fetching = 0;
    p->fetches++;
    pthread_cond_broadcast(&p->fetched);
    time_t now = time(NULL);
    if (!rc) {
        if (p->have)
            log_msg(SH_LOG_DEBUG, "aws", "credentials from %s refreshed before they expire", fresh.source);
        aws_credentials_free(&p->current);
        p->current = fresh;
        p->have = 1;
        p->warned = 0;
    } else if (p->have && still_valid(&p->current, now)) {
        /* Keep what still works; try again a little later. */
        p->next_try = now + RETRY_REFRESH_SECONDS;
        log_msg(p->warned ? SH_LOG_DEBUG : SH_LOG_WARN, "aws", "refreshing the credentials from %s failed (%s); going on with the current ones "
                                    "for their last %lds", p->current.source, why.buf,
                (long)(p->current.expiration - now));
        p->warned = 1;
        rc = 0;
    } else {
        xfree_wiped(p->last_error);
        p->last_error = xstrdup(why.buf);
        strbuf_addstr(err, why.buf);
    }
    strbuf_release(&why);
    return rc;
}

int cred_provider_get(struct cred_provider *p, struct aws_credentials *out, struct strbuf *err)
{
    pthread_mutex_lock(&p->lock);
    int rc = 0;
    for (;;) {
        time_t now = time(NULL);
        if (!due(p, now))
            break;
        if (!p->fetching) {
            rc = fetch(p, err);
            break;
        }
        /* Another thread is fetching: go on with what still holds, else
         * wait for its answer rather than ask a second time. */
        if (p->have && still_valid(&p->current, now))
            break;
        unsigned long seen = p->fetches;
        while (p->fetching && p->fetches == seen)
            pthread_cond_wait(&p->fetched, &p->lock);
        if (!(p->have && still_valid(&p->current, time(NULL)))) {
            strbuf_addstr(err, p->last_error ? p->last_error : "the credentials could not be fetched");
            rc = -1;
            break;
        }
    }
    if (!rc)
        aws_credentials_copy(out, &p->current);
    pthread_mutex_unlock(&p->lock);
    return rc;
}
