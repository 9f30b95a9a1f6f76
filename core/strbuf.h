/* A growable string (after git's strbuf). Invariant: buf is always
 * NUL-terminated at len, also for STRBUF_INIT (which points at a shared
 * empty string until the first addition). */
#ifndef CORE_STRBUF_H
#define CORE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
    char *buf;
    size_t len;
    size_t alloc; /* 0: buf is the shared empty string */
};

extern char strbuf_empty[];
#define STRBUF_INIT { strbuf_empty, 0, 0 }

void strbuf_init(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
/* Hands the string to the caller (free() it) and resets sb. */
char *strbuf_detach(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
/* Cuts the string back to len (<= sb->len). */
void strbuf_setlen(struct strbuf *sb, size_t len);
void strbuf_add(struct strbuf *sb, const void *data, size_t n);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Replaces every occurrence of `needle` (non-empty) with `with`. */
void strbuf_replace_all(struct strbuf *sb, const char *needle, const char *with);

/* Cuts the white space at both ends of s, in place; returns where it now starts. */
char *str_trim(char *s);

#endif
