#include "sigv4.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xalloc.h"

static void hex_of(const unsigned char *md, size_t len, char *hex)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[2 * len] = '\0';
}

void aws_sha256_hex(const void *data, size_t len, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
    hex_of(md, n, hex);
}

static void hmac(const unsigned char *key, size_t keylen, const char *msg, unsigned char out[32])
{
    unsigned int n = 32;
    HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg, strlen(msg), out, &n);
}

void aws_uri_encode(struct strbuf *out, const char *s, size_t len, int keep_slash)
{
    static const char digits[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
            strbuf_addch(out, (char)c);
        } else {
            char esc[3] = {'%', digits[c >> 4], digits[c & 15]};
            strbuf_add(out, esc, 3);
        }
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void uri_decode(struct strbuf *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            strbuf_addch(out, (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
            i += 2;
        } else {
            strbuf_addch(out, s[i]);
        }
    }
}

/* Removes "." and empty segments and resolves ".." (RFC 3986 section 5.2.4,
 * as the SDKs do), keeping a trailing slash. */
static void normalize_path(const char *path, struct strbuf *out)
{
    const char **segs = xcalloc(strlen(path) + 1, sizeof(*segs));
    size_t *lens = xcalloc(strlen(path) + 1, sizeof(*lens));
    size_t n = 0;
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        size_t len = strcspn(p, "/");
        if (len == 1 && p[0] == '.') {
            /* current segment: nothing */
        } else if (len == 2 && p[0] == '.' && p[1] == '.') {
            if (n)
                n--;
        } else {
            segs[n] = p;
            lens[n++] = len;
        }
        p += len;
    }
    strbuf_addch(out, '/');
    for (size_t i = 0; i < n; i++) {
        strbuf_add(out, segs[i], lens[i]);
        if (i + 1 < n)
            strbuf_addch(out, '/');
    }
    size_t plen = strlen(path);
    if (n && plen && path[plen - 1] == '/')
        strbuf_addch(out, '/');
    xfree_wiped(segs);
    xfree_wiped(lens);
}

struct pair {
    char *key, *value; /* encoded */
};

static int pair_cmp(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->value, y->value);
}

static void add_pair(struct pair **pairs, size_t *n, size_t *alloc, const char *k, size_t klen, const char *v,
                     size_t vlen, int decode)
{
    struct strbuf dk = STRBUF_INIT, dv = STRBUF_INIT, ek = STRBUF_INIT, ev = STRBUF_INIT;
    if (decode) {
        uri_decode(&dk, k, klen);
        uri_decode(&dv, v, vlen);
    } else {
        strbuf_add(&dk, k, klen);
        strbuf_add(&dv, v, vlen);
    }
    aws_uri_encode(&ek, dk.buf, dk.len, 0);
    aws_uri_encode(&ev, dv.buf, dv.len, 0);
    XGROW(*pairs, *alloc, *n + 1);
    (*pairs)[*n].key = strbuf_detach(&ek);
    (*pairs)[*n].value = strbuf_detach(&ev);
    (*n)++;
    strbuf_release(&dk);
    strbuf_release(&dv);
}

/* Query parameters, decoded then encoded once, sorted by key then value. */
static void canonical_query(const char *query, struct pair *extra, size_t nextra, struct strbuf *out)
{
    struct pair *pairs = NULL;
    size_t n = 0, alloc = 0;
    const char *p = query ? query : "";
    while (*p) {
        size_t len = strcspn(p, "&");
        if (len) {
            const char *eq = memchr(p, '=', len);
            size_t klen = eq ? (size_t)(eq - p) : len;
            add_pair(&pairs, &n, &alloc, p, klen, eq ? eq + 1 : "", eq ? len - klen - 1 : 0, 1);
        }
        p += len;
        if (*p == '&')
            p++;
    }
    for (size_t i = 0; i < nextra; i++)
        add_pair(&pairs, &n, &alloc, extra[i].key, strlen(extra[i].key), extra[i].value, strlen(extra[i].value), 0);
    if (n)
        qsort(pairs, n, sizeof(*pairs), pair_cmp);
    for (size_t i = 0; i < n; i++) {
        strbuf_addf(out, "%s%s=%s", i ? "&" : "", pairs[i].key, pairs[i].value);
        xfree_wiped(pairs[i].key);
        xfree_wiped(pairs[i].value);
    }
    xfree_wiped(pairs);
}

struct canon_header {
    char *name;       /* lower case */
    struct strbuf value;
};

static int header_cmp(const void *a, const void *b)
{
    return strcmp(((const struct canon_header *)a)->name, ((const struct canon_header *)b)->name);
}

/* Trims, and collapses every whitespace run (line folds included) to one space. */
static void add_trimmed(struct strbuf *out, const char *v)
{
    int space = 0, any = 0;
    for (const char *p = v; *p; p++) {
        if (isspace((unsigned char)*p)) {
            space = any;
            continue;
        }
        if (space)
            strbuf_addch(out, ' ');
        space = 0;
        any = 1;
        strbuf_addch(out, *p);
    }
}

static void canonical_headers(const struct http_header *h, size_t nh, const struct http_header *extra, size_t nextra,
                              struct strbuf *headers_out, struct strbuf *signed_out)
{
    struct canon_header *c = xcalloc(nh + nextra + 1, sizeof(*c));
    size_t n = 0;
    for (size_t i = 0; i < nh + nextra; i++) {
        const struct http_header *src = i < nh ? &h[i] : &extra[i - nh];
        char *lower = xstrdup(src->name);
        for (char *q = lower; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        size_t k = 0;
        while (k < n && strcmp(c[k].name, lower))
            k++;
        if (k == n) {
            c[n].name = lower;
            strbuf_init(&c[n].value);
            n++;
        } else {
            xfree_wiped(lower);
            strbuf_addch(&c[k].value, ',');
        }
        add_trimmed(&c[k].value, src->value);
    }
    qsort(c, n, sizeof(*c), header_cmp);
    for (size_t i = 0; i < n; i++) {
        strbuf_addf(headers_out, "%s:%s\n", c[i].name, c[i].value.buf);
        strbuf_addf(signed_out, "%s%s", i ? ";" : "", c[i].name);
        xfree_wiped(c[i].name);
        strbuf_release(&c[i].value);
    }
    xfree_wiped(c);
}

static void add_header(struct sigv4_result *out, const char *name, const char *value)
{
    out->add = xrealloc(out->add, (out->nadd + 1) * sizeof(*out->add));
    out->add[out->nadd].name = xstrdup(name);
    out->add[out->nadd].value = xstrdup(value);
    out->nadd++;
}

int sigv4_sign(const struct sigv4_request *req, const struct aws_credentials *cred,
               const struct sigv4_params *params, struct sigv4_result *out)
{
    memset(out, 0, sizeof(*out));
    if (!cred || !cred->access_key_id || !cred->secret_access_key)
        return -1;
    char amzdate[17], day[9];
    struct tm tm;
    gmtime_r(&params->when, &tm);
    strftime(amzdate, sizeof(amzdate), "%Y%m%dT%H%M%SZ", &tm);
    strftime(day, sizeof(day), "%Y%m%d", &tm);
    struct strbuf scope = STRBUF_INIT;
    strbuf_addf(&scope, "%s/%s/%s/aws4_request", day, params->region, params->service);
    char payload[65];
    aws_sha256_hex(req->body ? req->body : "", req->body ? req->body_len : 0, payload);
    int with_token = cred->session_token && !params->omit_session_token;

    struct strbuf path = STRBUF_INIT, encoded_path = STRBUF_INIT;
    if (params->normalize_path)
        normalize_path(req->path, &path);
    else
        strbuf_addstr(&path, req->path);
    aws_uri_encode(&encoded_path, path.buf, path.len, 1);

    struct strbuf headers = STRBUF_INIT, signed_headers = STRBUF_INIT, query = STRBUF_INIT;
    struct http_header extra[3];
    size_t nextra = 0;
    if (params->mode == SIGV4_HEADERS) {
        extra[nextra++] = (struct http_header){"x-amz-date", amzdate};
        if (with_token)
            extra[nextra++] = (struct http_header){"x-amz-security-token", cred->session_token};
        if (params->add_content_sha256)
            extra[nextra++] = (struct http_header){"x-amz-content-sha256", payload};
        canonical_headers(req->headers, req->nheaders, extra, nextra, &headers, &signed_headers);
        canonical_query(req->query, NULL, 0, &query);
    } else {
        canonical_headers(req->headers, req->nheaders, NULL, 0, &headers, &signed_headers);
        struct strbuf credential = STRBUF_INIT, expires = STRBUF_INIT;
        strbuf_addf(&credential, "%s/%s", cred->access_key_id, scope.buf);
        strbuf_addf(&expires, "%ld", params->expires);
        struct pair q[6] = {{"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
                            {"X-Amz-Credential", credential.buf},
                            {"X-Amz-Date", amzdate},
                            {"X-Amz-Expires", expires.buf},
                            {"X-Amz-SignedHeaders", signed_headers.buf},
                            {"X-Amz-Security-Token", cred->session_token}};
        canonical_query(req->query, q, with_token ? 6 : 5, &query);
        /* What the caller appends: AWS's examples keep this order. */
        struct strbuf add = STRBUF_INIT;
        const int order[] = {0, 1, 2, 4, 3};
        for (size_t i = 0; i < 5; i++) {
            strbuf_addf(&add, "%s%s=", i ? "&" : "", q[order[i]].key);
            aws_uri_encode(&add, q[order[i]].value, strlen(q[order[i]].value), 0);
        }
        if (cred->session_token) {
            strbuf_addstr(&add, "&X-Amz-Security-Token=");
            aws_uri_encode(&add, cred->session_token, strlen(cred->session_token), 0);
        }
        out->query_add = strbuf_detach(&add);
        strbuf_release(&credential);
        strbuf_release(&expires);
    }

    struct strbuf creq = STRBUF_INIT;
    strbuf_addf(&creq, "%s\n%s\n%s\n%s\n%s\n%s", req->method, encoded_path.buf, query.buf, headers.buf,
                signed_headers.buf, payload);
    char creq_hash[65];
    aws_sha256_hex(creq.buf, creq.len, creq_hash);
    struct strbuf sts = STRBUF_INIT;
    strbuf_addf(&sts, "AWS4-HMAC-SHA256\n%s\n%s\n%s", amzdate, scope.buf, creq_hash);

    /* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request") */
    struct strbuf k = STRBUF_INIT;
    strbuf_addf(&k, "AWS4%s", cred->secret_access_key);
    unsigned char k1[32], k2[32], k3[32], k4[32], sig[32];
    hmac((const unsigned char *)k.buf, k.len, day, k1);
    hmac(k1, 32, params->region, k2);
    hmac(k2, 32, params->service, k3);
    hmac(k3, 32, "aws4_request", k4);
    hmac(k4, 32, sts.buf, sig);
    /* The secret and the keys derived from it do not linger in freed or
     * reused memory (OPENSSL_cleanse: a memset the compiler may drop). */
    OPENSSL_cleanse(k.buf, k.len);
    OPENSSL_cleanse(k1, sizeof(k1));
    OPENSSL_cleanse(k2, sizeof(k2));
    OPENSSL_cleanse(k3, sizeof(k3));
    OPENSSL_cleanse(k4, sizeof(k4));
    strbuf_release(&k);
    char sighex[65];
    hex_of(sig, 32, sighex);

    if (params->mode == SIGV4_HEADERS) {
        if (cred->session_token)
            add_header(out, "X-Amz-Security-Token", cred->session_token);
        add_header(out, "X-Amz-Date", amzdate);
        if (params->add_content_sha256)
            add_header(out, "x-amz-content-sha256", payload);
        struct strbuf auth = STRBUF_INIT;
        strbuf_addf(&auth, "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s", cred->access_key_id,
                    scope.buf, signed_headers.buf, sighex);
        add_header(out, "Authorization", auth.buf);
        strbuf_release(&auth);
    } else {
        struct strbuf add = STRBUF_INIT;
        strbuf_addf(&add, "%s&X-Amz-Signature=%s", out->query_add, sighex);
        xfree_wiped(out->query_add);
        out->query_add = strbuf_detach(&add);
    }
    out->canonical_request = strbuf_detach(&creq);
    out->string_to_sign = strbuf_detach(&sts);
    out->signature = xstrdup(sighex);
    strbuf_release(&scope);
    strbuf_release(&path);
    strbuf_release(&encoded_path);
    strbuf_release(&headers);
    strbuf_release(&signed_headers);
    strbuf_release(&query);
    return 0;
}

void sigv4_result_free(struct sigv4_result *r)
{
    xfree_wiped(r->canonical_request);
    xfree_wiped(r->string_to_sign);
    xfree_wiped(r->signature);
    for (size_t i = 0; i < r->nadd; i++) {
        /* the session token travels in one of them */
        if (r->add[i].value)
            OPENSSL_cleanse(r->add[i].value, strlen(r->add[i].value));
        xfree_wiped(r->add[i].name);
        xfree_wiped(r->add[i].value);
    }
    xfree_wiped(r->add);
    xfree_wiped(r->query_add);
    memset(r, 0, sizeof(*r));
}
