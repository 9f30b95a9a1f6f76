#define _GNU_SOURCE /* strptime, timegm */
/* Checks the signer against a directory of SigV4 test vectors in the
 * layout of tests/sigv4/vectors (one folder per case). Every stage
 * of every case is compared byte for byte, in header and query mode; a
 * case it cannot read or sign is a failure, never a skip.
 * usage: sigv4_vectors DIR; prints one line per failed stage and ends
 * with "N passed, M failed" (cases); exits 1 unless all passed. */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "aws/sigv4.h"
#include "strbuf.h"
#include "xalloc.h"

static char *read_file(const char *dir, const char *name, size_t *len)
{
    struct strbuf path = STRBUF_INIT, sb = STRBUF_INIT;
    strbuf_addf(&path, "%s/%s", dir, name);
    FILE *f = fopen(path.buf, "rb");
    strbuf_release(&path);
    if (!f)
        return NULL;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        strbuf_add(&sb, buf, n);
    fclose(f);
    if (len)
        *len = sb.len;
    return strbuf_detach(&sb);
}

struct parsed {
    char *method, *path, *query;
    char *request_line; /* as written, for the signed request */
    struct http_header headers[16];
    size_t nheaders;
    struct strbuf raw_headers; /* header lines as written */
    const char *body;
    size_t body_len;
};

/* request.txt: "METHOD PATH[?QUERY] HTTP/1.1", header lines (indented
 * lines continue the previous one), a blank line, the body. */
static int parse_request(char *text, size_t len, struct parsed *r)
{
    memset(r, 0, sizeof(*r));
    strbuf_init(&r->raw_headers);
    char *end = text + len;
    char *nl = memchr(text, '\n', len);
    if (!nl)
        return -1;
    r->request_line = xstrndup(text, (size_t)(nl - text));
    char *sp = strchr(r->request_line, ' ');
    char *proto = strrchr(r->request_line, ' ');
    if (!sp || proto == sp)
        return -1;
    r->method = xstrndup(r->request_line, (size_t)(sp - r->request_line));
    char *target = xstrndup(sp + 1, (size_t)(proto - sp - 1));
    char *q = strchr(target, '?');
    if (q) {
        r->query = xstrdup(q + 1);
        *q = '\0';
    }
    r->path = target;
    char *p = nl + 1;
    while (p < end) {
        char *e = memchr(p, '\n', (size_t)(end - p));
        size_t l = e ? (size_t)(e - p) : (size_t)(end - p);
        if (l == 0) {
            p = e ? e + 1 : end;
            break;
        }
        strbuf_add(&r->raw_headers, p, l);
        strbuf_addch(&r->raw_headers, '\n');
        if ((*p == ' ' || *p == '\t') && r->nheaders) {
            struct http_header *h = &r->headers[r->nheaders - 1];
            struct strbuf v = STRBUF_INIT;
            strbuf_addf(&v, "%s\n", h->value);
            strbuf_add(&v, p, l);
            free(h->value);
            h->value = strbuf_detach(&v);
        } else {
            char *colon = memchr(p, ':', l);
            if (!colon || r->nheaders == 16)
                return -1;
            r->headers[r->nheaders].name = xstrndup(p, (size_t)(colon - p));
            r->headers[r->nheaders].value = xstrndup(colon + 1, l - (size_t)(colon - p) - 1);
            r->nheaders++;
        }
        p = e ? e + 1 : end;
    }
    r->body = p < end ? p : NULL;
    r->body_len = p < end ? (size_t)(end - p) : 0;
    return 0;
}

static void parsed_free(struct parsed *r)
{
    free(r->method);
    free(r->path);
    free(r->query);
    free(r->request_line);
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    strbuf_release(&r->raw_headers);
}

static int stage(const char *casename, const char *name, const char *want, const char *got)
{
    if (want && got && !strcmp(want, got))
        return 0;
    printf("%s: %s: %s\n", casename, name, want ? "differs from the expected text" : "expected file missing");
    if (want && got && getenv("SIGV4_VERBOSE"))
        printf("--- expected\n%s\n--- got\n%s\n", want, got);
    return 1;
}

static int check_mode(const char *dir, const char *casename, struct parsed *r, const struct aws_credentials *cred,
                      struct sigv4_params *params, const char *prefix)
{
    struct sigv4_request req = {r->method, r->path, r->query, r->headers, r->nheaders, r->body, r->body_len};
    struct sigv4_result res;
    int failed = 0;
    char name[64];
    if (sigv4_sign(&req, cred, params, &res)) {
        printf("%s: %s-sign: the signer refused the request\n", casename, prefix);
        return 1;
    }
    struct strbuf signed_req = STRBUF_INIT;
    if (params->mode == SIGV4_HEADERS) {
        strbuf_addf(&signed_req, "%s\n%s", r->request_line, r->raw_headers.buf);
        for (size_t i = 0; i < res.nadd; i++)
            strbuf_addf(&signed_req, "%s:%s\n", res.add[i].name, res.add[i].value);
    } else {
        strbuf_addf(&signed_req, "%s %s%s%s%s%s %s\n%s", r->method, r->path, r->query ? "?" : "",
                    r->query ? r->query : "", r->query ? "&" : "?", res.query_add, strrchr(r->request_line, ' ') + 1,
                    r->raw_headers.buf);
    }
    strbuf_addch(&signed_req, '\n');
    if (r->body)
        strbuf_add(&signed_req, r->body, r->body_len);
    const char *files[] = {"canonical-request", "string-to-sign", "signature", "signed-request"};
    const char *got[] = {res.canonical_request, res.string_to_sign, res.signature, signed_req.buf};
    for (size_t i = 0; i < 4; i++) {
        snprintf(name, sizeof(name), "%s-%s.txt", prefix, files[i]);
        char *want = read_file(dir, name, NULL);
        snprintf(name, sizeof(name), "%s-%s", prefix, files[i]);
        failed |= stage(casename, name, want, got[i]);
        free(want);
    }
    strbuf_release(&signed_req);
    sigv4_result_free(&res);
    return failed;
}

static int check_case(const char *root, const char *casename)
{
    struct strbuf dir = STRBUF_INIT;
    strbuf_addf(&dir, "%s/%s", root, casename);
    int failed = 0;
    size_t len;
    char *ctx_text = read_file(dir.buf, "context.json", NULL);
    char *req_text = read_file(dir.buf, "request.txt", &len);
    json_t *ctx = ctx_text ? json_loads(ctx_text, 0, NULL) : NULL;
    struct parsed r;
    memset(&r, 0, sizeof(r));
    if (!ctx || !req_text || parse_request(req_text, len, &r)) {
        printf("%s: input: cannot read context.json or request.txt\n", casename);
        failed = 1;
    } else {
        json_t *c = json_object_get(ctx, "credentials");
        struct aws_credentials cred = {
            (char *)json_string_value(json_object_get(c, "access_key_id")),
            (char *)json_string_value(json_object_get(c, "secret_access_key")),
            (char *)json_string_value(json_object_get(c, "token")), 0, NULL};
        struct tm tm = {0};
        const char *ts = json_string_value(json_object_get(ctx, "timestamp"));
        if (!ts || !strptime(ts, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
            printf("%s: input: bad timestamp\n", casename);
            failed = 1;
        } else {
            struct sigv4_params params = {
                .region = json_string_value(json_object_get(ctx, "region")),
                .service = json_string_value(json_object_get(ctx, "service")),
                .when = timegm(&tm),
                .normalize_path = json_is_true(json_object_get(ctx, "normalize")),
                .add_content_sha256 = json_is_true(json_object_get(ctx, "sign_body")),
                .omit_session_token = json_is_true(json_object_get(ctx, "omit_session_token")),
                .expires = (long)json_integer_value(json_object_get(ctx, "expiration_in_seconds")),
            };
            params.mode = SIGV4_HEADERS;
            failed |= check_mode(dir.buf, casename, &r, &cred, &params, "header");
            params.mode = SIGV4_QUERY;
            params.add_content_sha256 = 0;
            failed |= check_mode(dir.buf, casename, &r, &cred, &params, "query");
        }
    }
    parsed_free(&r);
    json_decref(ctx);
    free(ctx_text);
    free(req_text);
    strbuf_release(&dir);
    return failed;
}

static int is_case(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    struct dirent **entries;
    int n = scandir(argv[1], &entries, is_case, alphasort);
    if (n < 0) {
        fprintf(stderr, "sigv4_vectors: cannot read %s\n", argv[1]);
        return 1;
    }
    int passed = 0, failed = 0;
    for (int i = 0; i < n; i++) {
        struct strbuf p = STRBUF_INIT;
        strbuf_addf(&p, "%s/%s", argv[1], entries[i]->d_name);
        struct stat st;
        if (!stat(p.buf, &st) && S_ISDIR(st.st_mode)) {
            if (check_case(argv[1], entries[i]->d_name))
                failed++;
            else
                passed++;
        }
        strbuf_release(&p);
        free(entries[i]);
    }
    free(entries);
    printf("%d passed, %d failed\n", passed, failed);
    return failed || !passed ? 1 : 0;
}
