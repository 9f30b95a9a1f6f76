/* AWS Signature Version 4 (HMAC-SHA256): header signing and query
 * (presigned URL) signing, with the canonical request and string to sign
 * kept for tests and for -v -v tracing (they hold no secret).
 *
 * The caller owns the request and credentials; sigv4_sign fills `out`,
 * which the caller releases with sigv4_result_free. */
#ifndef CORE_AWS_SIGV4_H
#define CORE_AWS_SIGV4_H

#include <stddef.h>
#include <time.h>

struct http_header {
    char *name;
    char *value; /* as sent; continuation lines joined with '\n' */
};

struct sigv4_request {
    const char *method;
    const char *path;  /* raw: "/", "/example space/" */
    const char *query; /* raw, without '?', or NULL */
    const struct http_header *headers;
    size_t nheaders;
    const void *body;
    size_t body_len;
};

struct aws_credentials {
    char *access_key_id;
    char *secret_access_key;
    char *session_token; /* NULL without one */
    time_t expiration;   /* 0: does not expire */
    char *source;        /* where they came from, e.g. "environment" */
};

enum sigv4_mode { SIGV4_HEADERS, SIGV4_QUERY };

struct sigv4_params {
    enum sigv4_mode mode;
    const char *region;
    const char *service;
    time_t when;
    int normalize_path;     /* every service but S3 */
    int add_content_sha256; /* header mode: send and sign x-amz-content-sha256 */
    int omit_session_token; /* sign without the token, add it afterwards */
    long expires;           /* query mode: X-Amz-Expires */
};

struct sigv4_result {
    char *canonical_request;
    char *string_to_sign;
    char *signature; /* hex */
    /* Header mode: the headers to add, in the order AWS's examples add
     * them (token, date, content hash, authorization). */
    struct http_header *add;
    size_t nadd;
    /* Query mode: what to append to the query string (no leading '&'). */
    char *query_add;
};

/* Returns 0, or -1 when the request cannot be signed (no credentials). */
int sigv4_sign(const struct sigv4_request *req, const struct aws_credentials *cred,
               const struct sigv4_params *params, struct sigv4_result *out);
void sigv4_result_free(struct sigv4_result *r);

/* RFC 3986 percent-encoding of every byte but A-Z a-z 0-9 - _ . ~ (and
 * '/' when keep_slash). Appends to out. */
struct strbuf;
void aws_uri_encode(struct strbuf *out, const char *s, size_t len, int keep_slash);
/* Hex SHA-256 of data into hex[65]. */
void aws_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
