/* Process-wide logging to stderr with levels, and redaction: every line
 * (and every error text, see diag.h) has each registered secret replaced
 * by "***" before it leaves the process. Thread-safe. */
#ifndef CORE_LOG_H
#define CORE_LOG_H

#include <stdarg.h>
#include <stdio.h>

#include <stackhost/host.h>

#include "strbuf.h"

void log_set_level(sh_log_level level);
sh_log_level log_level(void);
/* Where lines go (stderr by default); tests point it at a file. */
void log_set_stream(FILE *f);

/* One line: "[level: ][prefix: ]message". prefix may be NULL. */
void log_msg(sh_log_level level, const char *prefix, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void log_vmsg(sh_log_level level, const char *prefix, const char *fmt, va_list ap);

/* Writes sb to stdout (results, not progress), redacted. */
void emit_stdout(struct strbuf *sb);

/* --json: from json_errors_start on, every error is also kept (a
 * diagnostic's file, line and key path apart: json_errors_add), and
 * json_errors_emit writes them on stdout as {"format_version", "errors"}
 * when the command wrote nothing there (docs/json.md). */
void json_errors_start(void);
void json_errors_add(const char *file, int line, const char *path, const char *text);
void json_errors_emit(void);
/* An error line that json_errors_add has already kept. */
void log_msg_uncaptured(sh_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Registers a secret, with the forms it takes when JSON-escaped or
 * percent-encoded; copied. Strings shorter than REDACT_MIN are ignored:
 * they would be replaced inside every word, and no real one is that short
 * (AWS secret keys are 40 characters; a secret from the configuration
 * under 8 is refused at validate). */
#define REDACT_MIN 8
void redact_add(const char *secret);
/* Non-zero when buf holds a registered secret, in any of its forms. */
int redact_found(const char *buf, size_t len);
/* Replaces every registered secret in sb with "***" (longest first, so a
 * secret that contains another is hidden whole). */
void redact_apply(struct strbuf *sb);
/* Frees the registry (at exit, and between tests). */
void redact_clear(void);

#endif
