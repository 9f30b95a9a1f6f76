/* Errors as values: a list of problems, each with where it is (file,
 * line, key path) and what is wrong. Functions that can find several
 * problems (configuration checks, the loader, the engine) append to a
 * diag_list so that the user sees all of them at once. Messages are lower
 * case and say what failed and why; the text is redacted when added. */
#ifndef CORE_DIAG_H
#define CORE_DIAG_H

#include <stddef.h>
#include <stdio.h>

struct diag {
    char *file; /* may be NULL */
    int line;   /* 0 when unknown */
    char *path; /* key path, e.g. "plugins.network.cidr"; may be NULL */
    char *msg;
};

struct diag_list {
    struct diag *items;
    size_t n, alloc;
    size_t dropped; /* problems beyond DIAG_MAX_ITEMS: counted, not kept */
};

#define DIAG_LIST_INIT { NULL, 0, 0, 0 }
/* A list keeps this many problems; any input size answers fast and in
 * bounded memory, and diag_log says how many more there were. */
#define DIAG_MAX_ITEMS 200

void diag_add(struct diag_list *dl, const char *file, int line, const char *path,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* "file:line: path: msg" with the parts that are known. Caller frees. */
char *diag_format(const struct diag *d);
/* Logs every problem at error level, in order. */
void diag_log(const struct diag_list *dl);
/* How many problems were added: those kept and those dropped. */
size_t diag_count(const struct diag_list *dl);
/* Moves every item of src to the end of dst (within dst's bound). */
void diag_move(struct diag_list *dst, struct diag_list *src);
/* Non-zero when any message contains `needle` (for tests and callers
 * that react to a specific problem). */
int diag_contains(const struct diag_list *dl, const char *needle);
void diag_clear(struct diag_list *dl);

#endif
