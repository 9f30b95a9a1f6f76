/* The AWS client: one request/response model (documents, doc.h) over
 * the EC2, query and JSON 1.1 protocols, signed with SigV4, sent over one
 * shared connection pool, retried as the SDKs' standard mode does, with
 * every failure turned into one aws_error. Thread-safe: the engine's
 * plugins share one client, and a set of requests can be sent at once
 * (aws_send_all). Every HTTP attempt holds one of the client's request
 * slots while it is on the wire, so the requests in flight in a run never
 * exceed max_in_flight, whoever sends them. */
#ifndef CORE_AWS_CLIENT_H
#define CORE_AWS_CLIENT_H

#include <pthread.h>
#include <stdatomic.h>

#include "aws/credentials.h"
#include "aws/doc.h"
#include "aws/http.h"
#include "aws/read_cache.h"
#include "aws/service.h"

struct aws_error {
    char service[32];
    char operation[64];
    long http_status;       /* 0: no answer */
    char code[128];         /* AWS's code, or ours: NetworkError, Timeout, ... */
    char message[512];
    char request_id[128];
    int attempts;
    /* A mutating request that failed after it was sent (connection lost,
     * timeout, an internal error): it may have been applied. A create is
     * then not sent again: the caller finds what it was creating first
     * (aws_replay_safe). */
    int maybe_applied;
};

struct aws_request;

/* One HTTP attempt of a request, as the observer sees it. Times are
 * CLOCK_MONOTONIC. Holds nothing secret (no body, no signature). */
struct aws_attempt {
    const struct aws_request *request;
    int attempt;  /* 1-based */
    int slot;     /* which request slot it held, 0 .. max_in_flight-1 */
    struct timespec start, end;
    long http_status; /* 0: no answer */
    const char *code; /* "" on success */
    const char *request_id;
};

/* Called after every attempt, from the thread that made it. */
typedef void (*aws_observer)(void *arg, const struct aws_attempt *attempt);

/* Attempts per request when neither the environment nor the profile sets
 * a retry mode or max attempts. */
#define AWS_DEFAULT_ATTEMPTS 5

struct aws_client {
    struct http_client http;
    struct cred_provider creds;
    char *region;
    int max_attempts;   /* AWS_DEFAULT_ATTEMPTS, or the aws cli's settings (aws/settings.h) */
    int retry_quota;    /* 0: retry_mode legacy, no quota */
    long base_delay_ms; /* STACKHOST_RETRY_BASE_MS, default 1000 */
    long max_delay_ms;  /* 20 s, as the SDKs */
    /* Set by the caller: non-zero stops retries and backoff (the engine
     * points it at its interrupt flag); NULL: never cancelled. */
    const atomic_int *cancel;
    aws_observer observe; /* NULL: nobody watches */
    /* The plan's reads for the apply (read_cache.h); NULL: none. Set
     * between runs, not while requests are in flight. */
    struct read_cache *reads;
    void *observe_arg;
    /* The server's clock minus ours, learnt from an answer refusing a
     * signature as too old or new: every later request is signed with it. */
    atomic_long skew;
    /* The retry quota (the SDKs' standard mode): a retry costs 5 tokens (10
     * after a timeout) out of 500, a success gives them back, so an
     * outage is not hammered by every call and thread. */
    pthread_mutex_t quota_lock;
    int retry_tokens;
    /* Request slots: at most max_in_flight attempts on the wire at once. */
    int max_in_flight;
    pthread_mutex_t slot_lock;
    pthread_cond_t slot_free;
    unsigned char *slot_busy;
};

#define AWS_DEFAULT_IN_FLIGHT 64

/* max_in_flight < 1 means AWS_DEFAULT_IN_FLIGHT. */
void aws_client_init(struct aws_client *c, const char *region, int max_in_flight);
void aws_client_free(struct aws_client *c);

/* Non-zero for operations that only read (Describe*, List*, Get*, ...). */
int aws_operation_is_read(const char *operation);

enum aws_call_flags {
    AWS_CALL_READ_ONLY = 1, /* plan mode: refuse every mutating operation */
    AWS_CALL_NO_CACHE = 2   /* past the plan's reads (read_cache.h): always sent, never kept */
};

/* One call, with its answer. The caller fills the fields above `out`;
 * aws_send fills out, err and rc. */
struct aws_request {
    const char *service, *operation;
    const struct sh_doc *input; /* NULL: no parameters */
    const char *items_path;     /* non-NULL: follow pagination, gathering these */
    unsigned flags;
    const char *origin;   /* who asks (a plugin), for the observer; may be NULL */
    const char *resource; /* what the call is about, for the observer; may be NULL */
    struct sh_doc *out;   /* the answer (caller frees with doc_free), or NULL */
    struct aws_error err;
    int rc;               /* 0, or -1 with err filled in */
};

void aws_send(struct aws_client *c, struct aws_request *r);
/* Sends the n requests together, each exactly as aws_send would (retries
 * included), bounded by the client's request slots; returns when all are
 * answered. Answers stay with their requests, in the order given.
 * Returns how many failed. */
size_t aws_send_all(struct aws_client *c, struct aws_request *reqs, size_t n);

/* Calls service:operation with input (NULL: no parameters). Returns 0
 * with *out (the answer; caller frees with doc_free), or -1 with err
 * filled in (code "PlanRefused" when a read-only call would mutate). */
int aws_call(struct aws_client *c, const char *service, const char *operation, const struct sh_doc *input,
             unsigned flags, struct sh_doc **out, struct aws_error *err);
/* As aws_call, following the service's pagination tokens and gathering
 * the items at items_path of every page into the first page's answer. */
int aws_call_all(struct aws_client *c, const char *service, const char *operation, const struct sh_doc *input,
                 const char *items_path, unsigned flags, struct sh_doc **out, struct aws_error *err);

/* "ec2 DescribeVpcs: InvalidVpcID.NotFound: the vpc 'x' does not exist
 * (http 400, request id ..., 1 attempt)". */
void aws_error_format(const struct aws_error *err, struct strbuf *out);

/* Parses an error answer into err (code, message, request id): the EC2,
 * query and JSON shapes of aws-api.md section 2. */
void aws_error_parse(enum aws_protocol protocol, long status, const char *body, size_t len,
                     const char *header_request_id, struct aws_error *err);
/* Whether sending op again after a lost answer cannot make a second
 * resource: reads, and operations that do not create (a delete, a modify,
 * an attach that answers "already" the second time). A create is never
 * sent again after a lost answer, even with an idempotency token: the
 * caller finds first, then creates again with the same token. */
int aws_replay_safe(const char *operation, const struct sh_doc *input);
/* Non-zero for the codes of a signature refused for its time (the
 * clock is off): RequestTimeTooSkewed, SignatureDoesNotMatch,
 * InvalidSignatureException, AuthFailure, RequestExpired, ... */
int aws_error_is_skew(const char *code);
/* Throttling codes, HTTP 429, 500/502/503/504, timeouts and dropped
 * connections: worth another attempt. Unknown hosts, TLS failures and
 * malformed URLs never heal: not retried. */
int aws_error_retryable(const struct aws_error *err);

#endif
