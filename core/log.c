#define _GNU_SOURCE /* memmem */
#include "log.h"

#include <ctype.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "aws/secret.h"
#include "aws/sigv4.h"
#include "xalloc.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static sh_log_level current_level = SH_LOG_INFO;
static FILE *log_stream;

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
    strbuf_vaddf(&sb, fmt, ap);
    redact_apply(&sb);
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

void emit_stdout(struct strbuf *sb)
{
    redact_apply(sb);
    fwrite(sb->buf, 1, sb->len, stdout);
    fflush(stdout);
}
