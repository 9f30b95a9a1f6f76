#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void secret_wipe(void *p, size_t n)
{
    if (p && n)
        explicit_bzero(p, n);
}

static void wipe_json_strings(json_t *j)
{
    if (json_is_string(j)) {
        /* Jansson owns the bytes and frees them right after: writing
         * zeroes over them first is safe. */
        secret_wipe((char *)json_string_value(j), json_string_length(j));
    } else if (json_is_object(j)) {
        const char *key;
        json_t *v;
        json_object_foreach(j, key, v) wipe_json_strings(v);
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) wipe_json_strings(v);
    }
}

void secret_json_decref(json_t *j)
{
    if (!j)
        return;
    if (j->refcount == 1)
        wipe_json_strings(j);
    json_decref(j);
}

int secret_read_file(const char *path, struct strbuf *sb, struct strbuf *err)
{
    /* read(2), not stdio: a FILE's buffer is freed unwiped by fclose */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        strbuf_addf(err, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            strbuf_add(sb, buf, (size_t)n);
    int saved = errno;
    secret_wipe(buf, sizeof(buf));
    close(fd);
    if (n < 0) {
        strbuf_addf(err, "cannot read %s: %s", path, strerror(saved));
        return -1;
    }
    return 1;
}

__attribute__((noinline)) void secret_burn_stack(void)
{
    char stack[SECRET_STACK_BYTES];
    secret_wipe(stack, sizeof(stack));
    __asm__ volatile("" : : "r"(stack) : "memory"); /* the array is used: kept */
}
