#define _GNU_SOURCE /* memmem */
#include "log.h"

#include <ctype.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "aws/secret.h"
#include "json_text.h"
#include "aws/sigv4.h"
#include "xalloc.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static sh_log_level current_level = SH_LOG_INFO;
static FILE *log_stream;

/* --json: errors are also kept, to be written on stdout as a document
 * when the command wrote none (json_errors_emit) */
static int errors_as_json;
static json_t *json_errors;
static _Thread_local int capture_off;
static int stdout_written;

static pthread_mutex_t redact_lock = PTHREAD_MUTEX_INITIALIZER;
static char **secrets; /* sorted longest first */
static size_t nsecrets, secrets_alloc;

void log_set_level(sh_log_level level) { current_level = level; }
sh_log_level log_level(void) { return current_level; }

void log_set_stream(FILE *f)
{
    pthread_mutex_lock(&log_lock);
    log_stream = f;
    pthread_mutex_unlock(&log_lock);
}

static const char *level_tag(sh_log_level level)
{
    switch (level) {
    case SH_LOG_ERROR: return "error: ";
    case SH_LOG_WARN: return "warning: ";
    case SH_LOG_DEBUG: return "debug: ";
    case SH_LOG_TRACE: return "trace: ";
    case SH_LOG_INFO: break;
    }
    return "";
}

void log_vmsg(sh_log_level level, const char *prefix, const char *fmt, va_list ap)
{
    if (level > current_level)
        return;
    struct strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, level_tag(level));
    if (prefix)
        strbuf_addf(&sb, "%s: ", prefix);
    size_t msg_at = sb.len;
    strbuf_vaddf(&sb, fmt, ap);
    redact_apply(&sb);
    pthread_mutex_lock(&log_lock);
    if (level == SH_LOG_ERROR && errors_as_json && !capture_off) {
        json_t *e = json_pack("{s:n, s:n, s:n, s:s}", "file", "line", "path", "message", sb.buf + msg_at);
        if (prefix)
            json_object_set_new(e, "plugin", json_string(prefix));
        json_array_append_new(json_errors, e);
    }
    pthread_mutex_unlock(&log_lock);
    strbuf_addch(&sb, '\n');
    pthread_mutex_lock(&log_lock);
    FILE *out = log_stream ? log_stream : stderr;
    fwrite(sb.buf, 1, sb.len, out);
    fflush(out);
    pthread_mutex_unlock(&log_lock);
    strbuf_release(&sb);
}

void log_msg(sh_log_level level, const char *prefix, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(level, prefix, fmt, ap);
    va_end(ap);
}

/* One form; the lock is held. */
static void redact_add_form(const char *secret)
{
    size_t len = strlen(secret);
    for (size_t i = 0; i < nsecrets; i++) {
        if (!strcmp(secrets[i], secret)) {
            pthread_mutex_unlock(&redact_lock);
            return;
        }
    }
    XGROW(secrets, secrets_alloc, nsecrets + 1);
    size_t at = 0;
    while (at < nsecrets && strlen(secrets[at]) >= len)
        at++;
    memmove(secrets + at + 1, secrets + at, (nsecrets - at) * sizeof(*secrets));
    secrets[at] = xstrdup(secret);
    nsecrets++;
}

/* The forms a secret takes in what was sent and what an endpoint may echo:
 * as is, JSON-escaped (with and without an escaped /), percent-encoded
 * (upper and lower hex, + for a space in a form). */
void redact_add(const char *secret)
{
    if (!secret || strlen(secret) < REDACT_MIN)
        return;
    struct strbuf form = STRBUF_INIT;
    pthread_mutex_lock(&redact_lock);
    redact_add_form(secret);
    for (size_t flags = 0; flags < 2; flags++) {
        json_t *s = json_string(secret);
        char *text = s ? json_dumps(s, JSON_ENCODE_ANY | (flags ? JSON_ESCAPE_SLASH : 0)) : NULL;
        if (text && strlen(text) > 2) {
            text[strlen(text) - 1] = '\0';
            redact_add_form(text + 1);
        }
        if (text)
            xfree_wiped(text);
        json_decref(s);
    }
    for (int lower = 0; lower < 2; lower++) {
        strbuf_reset(&form);
        aws_uri_encode(&form, secret, strlen(secret), 0);
        for (size_t i = 0; lower && i < form.len; i++)
            if (form.buf[i] == '%')
                for (size_t k = 1; k <= 2 && i + k < form.len; k++)
                    form.buf[i + k] = (char)tolower((unsigned char)form.buf[i + k]);
        redact_add_form(form.buf);
        strbuf_replace_all(&form, "%20", "+");
        redact_add_form(form.buf);
    }
    pthread_mutex_unlock(&redact_lock);
    strbuf_release(&form);
}

int redact_found(const char *buf, size_t len)
{
    int found = 0;
    pthread_mutex_lock(&redact_lock);
    for (size_t i = 0; i < nsecrets && !found; i++)
        found = memmem(buf, len, secrets[i], strlen(secrets[i])) != NULL;
    pthread_mutex_unlock(&redact_lock);
    return found;
}

void redact_apply(struct strbuf *sb)
{
    pthread_mutex_lock(&redact_lock);
    for (size_t i = 0; i < nsecrets; i++)
        strbuf_replace_all(sb, secrets[i], "***");
    pthread_mutex_unlock(&redact_lock);
}

void redact_clear(void)
{
    pthread_mutex_lock(&redact_lock);
    for (size_t i = 0; i < nsecrets; i++)
        xfree_wiped(secrets[i]);
    free(secrets);
    secrets = NULL;
    nsecrets = secrets_alloc = 0;
    pthread_mutex_unlock(&redact_lock);
}

void json_errors_start(void)
{
    errors_as_json = 1;
    json_errors = json_array();
}

void json_errors_add(const char *file, int line, const char *path, const char *text)
{
    if (!errors_as_json)
        return;
    struct strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, text);
    redact_apply(&sb);
    json_t *e = json_object();
    json_object_set_new(e, "file", file ? json_string(file) : json_null());
    json_object_set_new(e, "line", line > 0 ? json_integer(line) : json_null());
    json_object_set_new(e, "path", path ? json_string(path) : json_null());
    json_object_set_new(e, "message", json_string(sb.buf));
    pthread_mutex_lock(&log_lock);
    json_array_append_new(json_errors, e);
    pthread_mutex_unlock(&log_lock);
    strbuf_release(&sb);
}

void log_msg_uncaptured(sh_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    capture_off = 1;
    log_vmsg(level, NULL, fmt, ap);
    capture_off = 0;
    va_end(ap);
}

void json_errors_emit(void)
{
    if (!errors_as_json)
        return;
    if (!stdout_written && json_array_size(json_errors)) {
        json_t *doc = json_document();
        json_object_set(doc, "errors", json_errors);
        struct strbuf out = STRBUF_INIT;
        json_text(&out, doc);
        emit_stdout(&out);
        strbuf_release(&out);
    }
    json_decref(json_errors);
    json_errors = NULL;
    errors_as_json = 0;
}

void emit_stdout(struct strbuf *sb)
{
    stdout_written = 1;
    redact_apply(sb);
    fwrite(sb->buf, 1, sb->len, stdout);
    fflush(stdout);
}
