#include "secure_alloc.h"

#include <curl/curl.h>
#include <jansson.h>
#include <libxml/xmlmemory.h>
#include <openssl/crypto.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "xalloc.h"

static void *plain_malloc(size_t n) { return xmalloc(n); }
static void *plain_calloc(size_t count, size_t size) { return xcalloc(count, size); }
static void *plain_realloc(void *p, size_t n) { return xrealloc(p, n); }
static char *plain_strdup(const char *s) { return xstrdup(s); }

static void *ssl_malloc(size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    return xmalloc(n);
}

static void *ssl_realloc(void *p, size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    return xrealloc(p, n);
}

static void ssl_free(void *p, const char *file, int line)
{
    (void)file;
    (void)line;
    xfree_wiped(p);
}

static char *xml_strdup(const char *s) { return xstrdup(s); }

void secure_memory_install(void)
{
    /* no core file, and no ptrace by an unprivileged process of the same user */
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    CRYPTO_set_mem_functions(ssl_malloc, ssl_realloc, ssl_free);
    curl_global_init_mem(CURL_GLOBAL_DEFAULT, plain_malloc, xfree_wiped, plain_realloc, plain_strdup, plain_calloc);
    json_set_alloc_funcs(plain_malloc, xfree_wiped);
    xmlMemSetup(xfree_wiped, plain_malloc, plain_realloc, xml_strdup);
}
