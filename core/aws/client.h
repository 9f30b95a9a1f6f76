/* The AWS client: one request/response model (documents, doc.h) over
 * the EC2, query and JSON 1.1 protocols, signed with SigV4, sent over one
 * shared connection pool, retried as the SDKs' standard mode does, with
 * every failure turned into one aws_error. Thread-safe: the engine's
 * plugins share one client. */
#ifndef CORE_AWS_CLIENT_H
#define CORE_AWS_CLIENT_H

#include "aws/credentials.h"
#include "aws/doc.h"
#include "aws/http.h"
#include "aws/service.h"

struct aws_error {
    char service[32];
    char operation[64];
    long http_status;       /* 0: no answer */
    char code[128];         /* AWS's code, or ours: NetworkError, Timeout, ... */
    char message[512];
    char request_id[128];
    int attempts;
};

struct aws_client {
    struct http_client http;
    struct cred_provider creds;
    char *region;
    int max_attempts;   /* AWS_MAX_ATTEMPTS, default 5 */
    long base_delay_ms; /* STACKHOST_RETRY_BASE_MS, default 1000 */
    long max_delay_ms;  /* 20 s, as the SDKs */
};

void aws_client_init(struct aws_client *c, const char *region);
void aws_client_free(struct aws_client *c);

/* Non-zero for operations that only read (Describe*, List*, Get*, ...). */
int aws_operation_is_read(const char *operation);

enum aws_call_flags {
    AWS_CALL_READ_ONLY = 1 /* plan mode: refuse every mutating operation */
};

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
/* Throttling codes and 500/502/503/504: worth another attempt. */
int aws_error_retryable(const struct aws_error *err);

#endif
