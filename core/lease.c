#include "lease.h"

#include <jansson.h>
#include <openssl/rand.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws/secret.h"
#include "xalloc.h"
#include "context.h"
#include "log.h"
#include "xalloc.h"

/* a holder's clock may differ from ours: `until` alone ends a lease only
 * this long after it passed */
#define CLOCK_SLACK_SECONDS 60

void lease_name(const char *stack, const char *env, struct strbuf *out)
{
    strbuf_addf(out, "/stackhost/lease/%s/%s", stack, env);
}

static int lease_seconds(void)
{
    const char *v = getenv("STACKHOST_LEASE_SECONDS");
    char *end;
    long n = v && *v ? strtol(v, &end, 10) : 0;
    if (!v || !*v || *end || n < 2 || n > 86400)
        return LEASE_SECONDS_DEFAULT;
    return (int)n;
}

static double now_mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void utc_text(time_t t, char *out, size_t size)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *permission_hint(void)
{
    return "the deployer needs ssm:PutParameter, ssm:GetParameter and ssm:DeleteParameter on "
           "arn:aws:ssm:REGION:ACCOUNT:parameter/stackhost/lease/*";
}

/* GetParameter: 1 with *out, 0 when there is none, -1 with e. */
static int lease_get(struct aws_client *aws, const char *name, struct sh_doc **out, struct aws_error *e)
{
    struct sh_doc *in = doc_new(DOC_OBJECT);
    doc_set(in, "Name", DOC_STRING, name);
    int rc = aws_call(aws, "ssm", "GetParameter", in, AWS_CALL_NO_CACHE, out, e);
    doc_free(in);
    if (!rc)
        return 1;
    return !strcmp(e->code, "ParameterNotFound") ? 0 : -1;
}

static int lease_put(struct aws_client *aws, const char *name, const char *value, int overwrite, struct aws_error *e)
{
    struct sh_doc *in = doc_new(DOC_OBJECT), *out = NULL;
    doc_set(in, "Name", DOC_STRING, name);
    doc_set(in, "Value", DOC_STRING, value);
    doc_set(in, "Type", DOC_STRING, "String");
    doc_set(in, "Description", DOC_STRING, "stackhost: the run that holds this environment (not a stack resource)");
    doc_set(in, "Overwrite", DOC_BOOL, overwrite ? "true" : "false");
    int rc = aws_call(aws, "ssm", "PutParameter", in, AWS_CALL_NO_CACHE, &out, e);
    doc_free(in);
    doc_free(out);
    return rc;
}

static int lease_delete(struct aws_client *aws, const char *name, struct aws_error *e)
{
    struct sh_doc *in = doc_new(DOC_OBJECT), *out = NULL;
    doc_set(in, "Name", DOC_STRING, name);
    int rc = aws_call(aws, "ssm", "DeleteParameter", in, AWS_CALL_NO_CACHE, &out, e);
    doc_free(in);
    doc_free(out);
    return rc && strcmp(e->code, "ParameterNotFound") ? -1 : 0;
}

/* What a lease's value says. */
struct held {
    char token[64];
    char holder[512];
    long long until;
    int seconds;
    char version[32];
};

static void held_read(const struct sh_doc *answer, struct held *h)
{
    memset(h, 0, sizeof(*h));
    h->seconds = LEASE_SECONDS_DEFAULT;
    const char *value = doc_text(answer, "Parameter.Value"), *version = doc_text(answer, "Parameter.Version");
    snprintf(h->version, sizeof(h->version), "%s", version ? version : "");
    json_t *v = value ? json_loads(value, 0, NULL) : NULL;
    if (!json_is_object(v)) {
        snprintf(h->holder, sizeof(h->holder), "an unreadable lease (not stackhost's JSON)");
        json_decref(v);
        return;
    }
    const char *token = json_string_value(json_object_get(v, "token"));
    snprintf(h->token, sizeof(h->token), "%s", token ? token : "");
    const char *who = json_string_value(json_object_get(v, "holder"));
    const char *cmd = json_string_value(json_object_get(v, "command"));
    const char *since = json_string_value(json_object_get(v, "since"));
    const char *until = json_string_value(json_object_get(v, "until_text"));
    snprintf(h->holder, sizeof(h->holder), "%s, running %s since %s (lease until %s)", who ? who : "someone",
             cmd ? cmd : "a run", since ? since : "?", until ? until : "?");
    json_t *u = json_object_get(v, "until");
    h->until = json_is_integer(u) ? (long long)json_integer_value(u) : 0;
    json_t *s = json_object_get(v, "seconds");
    if (json_is_integer(s) && json_integer_value(s) > 0 && json_integer_value(s) <= 86400)
        h->seconds = (int)json_integer_value(s);
    json_decref(v);
}

/* Our value, valid for another l->seconds from now; caller_arn (when
 * not NULL) names who we are in AWS from now on. */
static void lease_value(struct lease *l, const char *caller_arn)
{
    time_t now = time(NULL), until = now + l->seconds;
    char since[32], until_text[32];
    utc_text(until, until_text, sizeof(until_text));
    json_t *v = l->value ? json_loads(l->value, 0, NULL) : NULL;
    if (!v) {
        utc_text(now, since, sizeof(since));
        v = json_object();
        json_object_set_new(v, "token", json_string(l->token));
        json_object_set_new(v, "command", json_string(l->command));
        json_object_set_new(v, "since", json_string(since));
        json_object_set_new(v, "seconds", json_integer(l->seconds));
    }
    if (caller_arn || !json_object_get(v, "caller")) {
        json_object_set_new(v, "holder", json_string(l->holder));
        json_object_set_new(v, "caller", json_string(caller_arn ? caller_arn : ""));
    }
    json_object_set_new(v, "until", json_integer((json_int_t)until));
    json_object_set_new(v, "until_text", json_string(until_text));
    free(l->value);
    l->value = json_dumps(v, JSON_COMPACT);
    json_decref(v);
}

static void holder_text(struct lease *l, const char *caller_arn)
{
    char host[256] = "";
    if (gethostname(host, sizeof(host) - 1))
        snprintf(host, sizeof(host), "?");
    const char *user = getenv("USER");
    struct passwd *pw = user && *user ? NULL : getpwuid(getuid());
    struct strbuf sb = STRBUF_INIT;
    strbuf_addf(&sb, "%s@%s (pid %ld", user && *user ? user : pw ? pw->pw_name : "?", host, (long)getpid());
    if (caller_arn && *caller_arn)
        strbuf_addf(&sb, ", %s", caller_arn);
    strbuf_addch(&sb, ')');
    free(l->holder);
    l->holder = strbuf_detach(&sb);
}

/* 0 while it is ours, -1 with why (gone, or another's). */
static int still_ours(struct lease *l, struct strbuf *why)
{
    struct sh_doc *out = NULL;
    struct aws_error e;
    int found = lease_get(l->aws, l->name, &out, &e);
    if (found < 0) {
        strbuf_addf(why, "cannot read the lease %s: ", l->name);
        aws_error_format(&e, why);
        return -1;
    }
    struct held h;
    if (found)
        held_read(out, &h);
    doc_free(out);
    if (!found) {
        strbuf_addf(why, "the lease %s is gone (removed by stackhost unlock?): another run may be changing this "
                    "environment", l->name);
        return -1;
    }
    if (strcmp(h.token, l->token)) {
        strbuf_addf(why, "the lease %s is held by %s now: another run took it over", l->name, h.holder);
        return -1;
    }
    return 0;
}

static void *renew_loop(void *arg)
{
    struct lease *l = arg;
    double interval = l->seconds / 3.0 < 1 ? 1 : l->seconds / 3.0;
    pthread_mutex_lock(&l->lock);
    while (!l->stopping && !l->lost) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += (time_t)interval;
        until.tv_nsec += (long)((interval - (double)(long)interval) * 1e9);
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&l->wake, &l->lock, &until);
        if (l->stopping)
            break;
        /* who we are in AWS, known once the lease was taken: written with
         * this renewal (not at once: a short run would wait for that write) */
        char *caller = l->caller;
        l->caller = NULL;
        pthread_mutex_unlock(&l->lock);
        if (caller)
            holder_text(l, caller);
        struct strbuf why = STRBUF_INIT;
        struct aws_error e;
        int lost = 0;
        if (still_ours(l, &why)) {
            lost = !strstr(why.buf, "cannot read");
        } else {
            lease_value(l, caller);
            if (lease_put(l->aws, l->name, l->value, 1, &e)) {
                strbuf_addf(&why, "cannot renew the lease %s: ", l->name);
                aws_error_format(&e, &why);
            }
        }
        if (why.len && !lost)
            log_msg(SH_LOG_WARN, NULL, "%s (tried again in %.0fs)", why.buf, interval);
        pthread_mutex_lock(&l->lock);
        if (caller && why.len && !l->caller) /* not written: by the next renewal */
            l->caller = caller;
        else
            free(caller);
        if (lost) {
            l->lost = 1;
            snprintf(l->why_lost, sizeof(l->why_lost), "%s", why.buf);
            if (l->stop_run)
                atomic_store(l->stop_run, 1);
        }
        strbuf_release(&why);
    }
    pthread_mutex_unlock(&l->lock);
    secret_burn_stack();
    return NULL;
}

/* Sleeps up to seconds; 0, or -1 when interrupted. */
static int pause_for(double seconds)
{
    for (double slept = 0; slept < seconds; slept += 0.1) {
        if (atomic_load(&run_interrupted))
            return -1;
        struct timespec t = {0, 100 * 1000 * 1000};
        nanosleep(&t, NULL);
    }
    return atomic_load(&run_interrupted) ? -1 : 0;
}

static void lease_free(struct lease *l)
{
    free(l->name);
    free(l->token);
    free(l->value);
    free(l->holder);
    free(l->caller);
    pthread_mutex_destroy(&l->lock);
    pthread_cond_destroy(&l->wake);
    memset(l, 0, sizeof(*l));
}

/* err: "WHAT NAME: <aws error>; <the permission needed>"; frees l. */
static int take_failed(struct lease *l, const char *what, const struct aws_error *e, struct strbuf *err)
{
    strbuf_addf(err, "%s %s: ", what, l->name);
    aws_error_format(e, err);
    strbuf_addf(err, "; %s", permission_hint());
    lease_free(l);
    return -1;
}

int lease_take(struct lease *l, struct aws_client *aws, const char *stack, const char *env, const char *command,
               const char *caller_arn, int wait_seconds, atomic_int *stop_run, struct strbuf *err)
{
    memset(l, 0, sizeof(*l));
    pthread_mutex_init(&l->lock, NULL);
    pthread_cond_init(&l->wake, NULL);
    l->aws = aws;
    l->command = command;
    l->seconds = lease_seconds();
    l->stop_run = stop_run;
    struct strbuf sb = STRBUF_INIT;
    lease_name(stack, env, &sb);
    l->name = strbuf_detach(&sb);
    unsigned char raw[16];
    if (RAND_bytes(raw, sizeof(raw)) != 1) {
        strbuf_addstr(err, "cannot take the lease: no random bytes for its token");
        lease_free(l);
        return -1;
    }
    for (size_t i = 0; i < sizeof(raw); i++)
        strbuf_addf(&sb, "%02x", raw[i]);
    l->token = strbuf_detach(&sb);
    holder_text(l, caller_arn);
    lease_value(l, caller_arn);

    double deadline = now_mono() + wait_seconds, seen_at = 0;
    char seen[128] = "", announced[64] = "";
    for (;;) {
        struct aws_error e;
        if (!lease_put(aws, l->name, l->value, 0, &e))
            break;
        if (strcmp(e.code, "ParameterAlreadyExists")) {
            /* its answer lost, the put may have been applied: not left to expire */
            struct strbuf ignored = STRBUF_INIT;
            struct aws_error gone;
            if (e.maybe_applied && !still_ours(l, &ignored))
                lease_delete(aws, l->name, &gone);
            strbuf_release(&ignored);
            return take_failed(l, "cannot take the lease", &e, err);
        }
        struct sh_doc *out = NULL;
        int found = lease_get(aws, l->name, &out, &e);
        if (found < 0)
            return take_failed(l, "cannot read the lease", &e, err);
        if (!found)
            continue; /* released meanwhile */
        struct held h;
        held_read(out, &h);
        doc_free(out);
        if (!strcmp(h.token, l->token))
            break; /* ours: a put whose answer was lost, sent again by the client */
        char key[128];
        snprintf(key, sizeof(key), "%s#%s", h.token, h.version);
        if (strcmp(key, seen)) {
            snprintf(seen, sizeof(seen), "%s", key);
            seen_at = now_mono();
        }
        /* Not renewed for its whole time while we watched (our clock), or
         * long past its own `until` (its holder's clock): its run is gone. */
        int expired = now_mono() - seen_at > h.seconds + 2 ||
                      (h.until && h.until + h.seconds + CLOCK_SLACK_SECONDS < (long long)time(NULL));
        if (expired) {
            log_msg(SH_LOG_WARN, NULL, "the lease on stack %s, environment %s expired (held by %s, not renewed): "
                    "its run is gone; taking it over", stack, env, h.holder);
            if (lease_delete(aws, l->name, &e))
                return take_failed(l, "cannot remove the expired lease", &e, err);
            seen[0] = '\0';
            continue;
        }
        if (strcmp(announced, h.token)) {
            snprintf(announced, sizeof(announced), "%s", h.token);
            log_msg(SH_LOG_INFO, NULL, "waiting for the lease on stack %s, environment %s: held by %s (up to %ds, "
                    "--lock-timeout)", stack, env, h.holder, wait_seconds);
        }
        double left = deadline - now_mono();
        if (left <= 0) {
            strbuf_addf(err, "stack %s, environment %s is locked by %s; waited %ds (--lock-timeout): run again when "
                        "it ends; if that run is gone, its lease expires on its own, or remove it with stackhost "
                        "unlock", stack, env, h.holder, wait_seconds);
            lease_free(l);
            return -1;
        }
        if (pause_for(left < 2 ? left : 2)) {
            strbuf_addf(err, "interrupted while waiting for the lease on stack %s, environment %s (held by %s); "
                        "nothing was changed", stack, env, h.holder);
            lease_free(l);
            return -1;
        }
    }
    if (!pthread_create(&l->renewer, NULL, renew_loop, l))
        l->renewing = 1;
    log_msg(SH_LOG_DEBUG, NULL, "lease %s taken for %ds, renewed every %ds", l->name, l->seconds,
            l->seconds / 3 < 1 ? 1 : l->seconds / 3);
    return 0;
}

void lease_name_caller(struct lease *l, const char *caller_arn)
{
    if (!l->name || !caller_arn || !*caller_arn)
        return;
    pthread_mutex_lock(&l->lock);
    free(l->caller);
    l->caller = xstrdup(caller_arn);
    pthread_mutex_unlock(&l->lock);
}

int lease_check(struct lease *l, struct strbuf *err)
{
    return still_ours(l, err);
}

int lease_lost(struct lease *l, struct strbuf *err)
{
    pthread_mutex_lock(&l->lock);
    int lost = l->lost;
    if (lost)
        strbuf_addstr(err, l->why_lost);
    pthread_mutex_unlock(&l->lock);
    return lost;
}

void lease_release(struct lease *l)
{
    if (!l->name)
        return;
    if (l->renewing) {
        pthread_mutex_lock(&l->lock);
        l->stopping = 1;
        pthread_cond_signal(&l->wake);
        pthread_mutex_unlock(&l->lock);
        pthread_join(l->renewer, NULL);
    }
    struct strbuf why = STRBUF_INIT;
    struct aws_error e;
    int kept = still_ours(l, &why) != 0; /* another run's, or unreadable: never deleted blind */
    if (!kept && lease_delete(l->aws, l->name, &e)) {
        strbuf_addf(&why, "cannot release the lease %s: ", l->name);
        aws_error_format(&e, &why);
        strbuf_addstr(&why, "; it expires on its own, or remove it with stackhost unlock");
    }
    if (why.len && !l->lost)
        log_msg(SH_LOG_WARN, NULL, "%s%s", kept ? "not released: " : "", why.buf);
    strbuf_release(&why);
    lease_free(l);
}

int lease_holder(struct aws_client *aws, const char *stack, const char *env, struct strbuf *holder,
                 struct strbuf *err)
{
    struct strbuf name = STRBUF_INIT;
    lease_name(stack, env, &name);
    struct sh_doc *out = NULL;
    struct aws_error e;
    int found = lease_get(aws, name.buf, &out, &e);
    if (found < 0) {
        strbuf_addf(err, "cannot read the lease %s: ", name.buf);
        aws_error_format(&e, err);
    } else if (found) {
        struct held h;
        held_read(out, &h);
        strbuf_addstr(holder, h.holder);
    }
    doc_free(out);
    strbuf_release(&name);
    return found < 0 ? -1 : 0;
}

int lease_break(struct aws_client *aws, const char *stack, const char *env, struct strbuf *err)
{
    struct strbuf name = STRBUF_INIT;
    lease_name(stack, env, &name);
    struct aws_error e;
    int rc = lease_delete(aws, name.buf, &e);
    if (rc) {
        strbuf_addf(err, "cannot remove the lease %s: ", name.buf);
        aws_error_format(&e, err);
        strbuf_addf(err, "; %s", permission_hint());
    }
    strbuf_release(&name);
    return rc;
}
