#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/client.h"
#include "aws/settings.h"
#include "strbuf.h"
#include "xalloc.h"

static char *files[64];
static size_t nfiles;
static char *dir;

const char *test_write_file(const char *name, const char *content)
{
    if (!dir) {
        char tmpl[] = "/tmp/stackhost-test-XXXXXX";
        assert_non_null(mkdtemp(tmpl));
        dir = xstrdup(tmpl);
    }
    struct strbuf path = STRBUF_INIT;
    strbuf_addf(&path, "%s/%s", dir, name);
    FILE *f = fopen(path.buf, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
    assert_true(nfiles < 64);
    files[nfiles++] = strbuf_detach(&path);
    return files[nfiles - 1];
}

void test_cleanup_files(void)
{
    for (size_t i = 0; i < nfiles; i++) {
        unlink(files[i]);
        free(files[i]);
    }
    nfiles = 0;
    if (dir) {
        rmdir(dir);
        free(dir);
        dir = NULL;
    }
}

void assert_diag_has(const struct diag_list *dl, const char *needle)
{
    if (diag_contains(dl, needle))
        return;
    print_error("no problem mentions \"%s\"; the %zu problems are:\n", needle, dl->n);
    for (size_t i = 0; i < dl->n; i++) {
        char *s = diag_format(&dl->items[i]);
        print_error("  %s\n", s);
        free(s);
    }
    fail();
}

char *test_read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    struct strbuf sb = STRBUF_INIT;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        strbuf_add(&sb, buf, n);
    fclose(f);
    return strbuf_detach(&sb);
}

void test_client_init(struct aws_client *c, const char *region, int max_in_flight)
{
    aws_client_init(c, region, max_in_flight);
    struct strbuf err = STRBUF_INIT;
    int rc = aws_settings_apply(c, &err);
    if (rc)
        fail_msg("%s", err.buf);
    strbuf_release(&err);
}
