/* HTTP over libcurl for the AWS client and the credential providers.
 *
 * One http_client is shared by every thread of a run. libcurl does not
 * support one connection cache used by concurrent threads, so connections
 * live in curl easy handles kept in a pool: a sender takes a handle (and
 * with it the open connections it holds), uses it alone, and gives it
 * back. The pool grows to the number of requests ever in flight at once.
 * TLS sessions and DNS answers, which libcurl does share across threads,
 * are in a curl share. TLS is always verified (against AWS_CA_BUNDLE when
 * set, as the SDKs do). libcurl honours
 * http_proxy, https_proxy and no_proxy by itself. */
#ifndef CORE_AWS_HTTP_H
#define CORE_AWS_HTTP_H

#include <pthread.h>
#include <stddef.h>
#include <time.h>

#include "aws/sigv4.h"
#include "strbuf.h"

enum http_failure {
    HTTP_OK = 0,
    HTTP_TIMEOUT,   /* connect or transfer timed out: worth another try */
    HTTP_CONNECT,   /* refused, reset, dropped: worth another try */
    HTTP_UNKNOWN_HOST, /* the name does not resolve: it will not heal */
    HTTP_OTHER,     /* TLS verification, a malformed URL, ...: it will not heal */
    HTTP_TOO_LARGE  /* the answer outgrew its bound (HTTP_MAX_ANSWER): it will not heal */
};

struct http_client {
    void *share; /* CURLSH */
    pthread_mutex_t locks[8];
    pthread_mutex_t pool_lock;
    void **pool; /* idle CURL easy handles, each with its connections */
    size_t npool, pool_alloc;
    long connect_timeout_ms;
    long timeout_ms;
    char *user_agent;
    char *ca_bundle; /* AWS_CA_BUNDLE: the CA certificates to verify with, or NULL */
};

struct http_response {
    long status;
    struct strbuf body;
    char *request_id; /* x-amzn-RequestId / x-amz-request-id, or NULL */
    time_t date;      /* the answer's Date header (the server's clock), or 0 */
    /* Non-zero when the request left this process: after a failure, the
     * server may have acted on it although no answer came back. */
    int request_sent;
};

void http_client_init(struct http_client *c);
void http_client_free(struct http_client *c);

enum http_flags {
    /* A new connection, not one from the pool: libcurl silently sends a
     * request again when a reused connection dies before any answer, which
     * must not happen to a request that must not be sent twice. */
    HTTP_FRESH_CONNECTION = 1,
    /* A credentials endpoint's answer: at most HTTP_SMALL_ANSWER bytes. */
    HTTP_SMALL = 2
};

/* The most an answer may hold: no AWS answer stackhost asks for comes
 * near it, and a larger one (a hostile or broken endpoint) fails cleanly
 * rather than take the memory. Credentials are a few kilobytes. */
#define HTTP_MAX_ANSWER (16 * 1024 * 1024)
#define HTTP_SMALL_ANSWER (64 * 1024)

/* Sends one request. Returns HTTP_OK with the answer in resp (any status),
 * or the kind of failure with curl's reason in err. resp is initialised
 * either way; release it with http_response_free. */
enum http_failure http_send(struct http_client *c, unsigned flags, const char *method, const char *url,
                            const struct http_header *headers, size_t nheaders, const char *body, size_t body_len,
                            struct http_response *resp, struct strbuf *err);
void http_response_free(struct http_response *resp);

#endif
