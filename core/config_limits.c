/* Limits checked before libconfig reads a file: libconfig's scanner is
 * quadratic in a string literal's length (a 4 MiB value takes seconds),
 * so the file's size and each literal's length are bounded first, on the
 * raw text, far above any real configuration. */
#include "config_limits.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define INCLUDE_DEPTH 10 /* libconfig's own limit */

/* from/line: the @include that names path (NULL for the top file), so a
 * missing included file is reported where it is named. */
static char *read_all(const char *path, const char *from, int line, size_t *len, struct diag_list *dl)
{
    FILE *f = fopen(path, "rb");
    if (!f && from) {
        diag_add(dl, from, line, NULL, "@include \"%s\": cannot read it: %s", path, strerror(errno));
        return NULL;
    }
    if (!f) {
        diag_add(dl, path, 0, NULL, "cannot read the configuration: %s", strerror(errno));
        return NULL;
    }
    char *text = xmalloc(CONFIG_MAX_FILE_BYTES + 1);
    size_t n = fread(text, 1, CONFIG_MAX_FILE_BYTES + 1, f);
    int err = ferror(f);
    fclose(f);
    if (err) {
        diag_add(dl, path, 0, NULL, "cannot read the configuration: read error");
        free(text);
        return NULL;
    }
    if (n > CONFIG_MAX_FILE_BYTES) {
        diag_add(dl, path, 0, NULL,
                 "the configuration is over %d bytes (1 MiB), the most stackhost reads: a stack's "
                 "configuration is a few kilobytes; is this the right file?",
                 CONFIG_MAX_FILE_BYTES);
        free(text);
        return NULL;
    }
    text[n] = '\0';
    *len = n;
    return text;
}

/* The directory part of path ("" when none), for @include. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? xstrndup(path, (size_t)(slash - path + 1)) : xstrdup("");
}

/* The walk over a file and what it @includes: the chain of files being
 * read (a file already on it would include itself for ever, each copy
 * multiplying the next) and the bytes read so far, bounded in total. */
struct walk {
    const char *include_dir;
    char *chain[INCLUDE_DEPTH + 1]; /* real paths */
    int depth;
    size_t total, files;
    int over; /* a budget is spent: nothing more is read */
    const char *from; /* the @include being followed: its file and line */
    int line;
    struct diag_list *dl;
};

static int check_file(const char *path, struct walk *w);

/* `@include "file"` at p (the '@'); checks the included file. */
static int check_include(const char *p, const char *file, int line, struct walk *w)
{
    const char *include_dir = w->include_dir;
    int depth = w->depth;
    struct diag_list *dl = w->dl;
    if (strncmp(p, "@include", 8))
        return 0;
    const char *q = p + 8;
    while (*q == ' ' || *q == '\t')
        q++;
    if (*q != '"')
        return 0; /* libconfig reports the syntax */
    const char *end = strchr(q + 1, '"');
    if (!end)
        return 0;
    if (depth >= INCLUDE_DEPTH) {
        diag_add(dl, file, line, NULL, "@include nested deeper than %d files", INCLUDE_DEPTH);
        return -1;
    }
    char *name = xstrndup(q + 1, (size_t)(end - q - 1));
    char *path = name[0] == '/' ? xstrdup(name) : NULL;
    if (!path) {
        size_t len = strlen(include_dir) + strlen(name) + 2;
        path = xmalloc(len);
        snprintf(path, len, "%s%s%s", include_dir, *include_dir ? "/" : "", name);
    }
    w->from = file;
    w->line = line;
    int rc = check_file(path, w);
    free(name);
    free(path);
    return rc;
}

static int check_text(const char *text, size_t len, const char *file, struct walk *w)
{
    struct diag_list *dl = w->dl;
    int line = 1, rc = 0, bol = 1;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '\n') {
            line++;
            bol = 1;
            continue;
        }
        if (bol && c == '@' && check_include(text + i, file, line, w))
            rc = -1;
        if (c != ' ' && c != '\t')
            bol = 0;
        if (c == '#' || (c == '/' && i + 1 < len && text[i + 1] == '/')) {
            while (i + 1 < len && text[i + 1] != '\n')
                i++;
        } else if (c == '/' && i + 1 < len && text[i + 1] == '*') {
            for (i += 2; i + 1 < len && !(text[i] == '*' && text[i + 1] == '/'); i++)
                line += text[i] == '\n';
            i++;
        } else if (c == '"') {
            int start = line;
            size_t from = i;
            for (i++; i < len && text[i] != '"'; i++) {
                if (text[i] == '\\' && i + 1 < len)
                    i++;
                line += text[i] == '\n';
            }
            if (i - from - 1 > CONFIG_MAX_STRING_BYTES) {
                diag_add(dl, file, start, NULL,
                         "a string of %zu bytes, over the limit of %d (64 KiB) for one value: values are "
                         "names, tags and paths; secrets come from the environment, not the file",
                         i - from - 1, CONFIG_MAX_STRING_BYTES);
                rc = -1;
            }
        }
    }
    return rc;
}

static int check_file(const char *path, struct walk *w)
{
    if (w->over)
        return -1;
    char *real = realpath(path, NULL);
    for (int i = 0; real && i < w->depth; i++) {
        if (!strcmp(w->chain[i], real)) {
            diag_add(w->dl, w->from, w->line, NULL, "@include \"%s\" includes a file that is already being read "
                     "(%s): a configuration cannot include itself", path, real);
            free(real);
            return -1;
        }
    }
    size_t len = 0;
    char *text = read_all(path, w->depth ? w->from : NULL, w->line, &len, w->dl);
    if (!text) {
        free(real);
        return -1;
    }
    int rc = 0;
    w->total += len;
    if (++w->files > CONFIG_MAX_FILES) {
        w->over = 1;
        diag_add(w->dl, path, 0, NULL, "the configuration @includes more than %d files, counting each time a file "
                 "is included: is a file included again and again?", CONFIG_MAX_FILES);
        rc = -1;
    } else if (w->total > CONFIG_MAX_TOTAL_BYTES) {
        w->over = 1;
        diag_add(w->dl, path, 0, NULL, "the configuration and the files it @includes are over %d bytes (4 MiB) "
                 "together: is a file included again and again?", CONFIG_MAX_TOTAL_BYTES);
        rc = -1;
    } else {
        w->chain[w->depth++] = real ? real : xstrdup(path);
        rc = check_text(text, len, path, w);
        free(w->chain[--w->depth]);
        real = NULL;
    }
    free(real);
    free(text);
    return rc;
}

int config_check_limits(const char *path, struct diag_list *dl)
{
    char *dir = dir_of(path);
    /* libconfig resolves @include against the top file's directory */
    size_t n = strlen(dir);
    if (n > 1 && dir[n - 1] == '/')
        dir[n - 1] = '\0';
    struct walk w = {.include_dir = dir, .dl = dl};
    int rc = check_file(path, &w);
    free(dir);
    return rc;
}

void config_quote(struct strbuf *out, const char *value, char quote)
{
    size_t len = strlen(value);
    if (len <= CONFIG_QUOTE_BYTES) {
        strbuf_addf(out, "%c%s%c", quote, value, quote);
        return;
    }
    size_t cut = CONFIG_QUOTE_BYTES;
    while (cut > 0 && ((unsigned char)value[cut] & 0xC0) == 0x80)
        cut--; /* not inside a utf-8 sequence */
    strbuf_addf(out, "%c%.*s...%c (%zu characters)", quote, (int)cut, value, quote, len);
}
