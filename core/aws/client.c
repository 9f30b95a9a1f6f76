#include "client.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <stackhost/host.h>

#include "aws/rest.h"
#include "aws/secret.h"
#include "log.h"
#include "xalloc.h"

#define RETRY_QUOTA 500
#define RETRY_COST 5
#define TIMEOUT_RETRY_COST 10
#define NO_RETRY_REWARD 1

static long env_long(const char *name, long fallback, long min, long max)
{
    const char *v = getenv(name);
    char *end;
    long n = v && *v ? strtol(v, &end, 10) : 0;
    return v && *v && !*end && n >= min && n <= max ? n : fallback;
}

void aws_client_init(struct aws_client *c, const char *region, int max_in_flight)
{
    memset(c, 0, sizeof(*c));
    c->max_in_flight = max_in_flight > 0 ? max_in_flight : AWS_DEFAULT_IN_FLIGHT;
    c->slot_busy = xcalloc((size_t)c->max_in_flight, 1);
    pthread_mutex_init(&c->slot_lock, NULL);
    pthread_cond_init(&c->slot_free, NULL);
    pthread_mutex_init(&c->quota_lock, NULL);
    c->retry_tokens = RETRY_QUOTA;
    atomic_init(&c->skew, 0);
    http_client_init(&c->http);
    cred_provider_init(&c->creds, &c->http);
    c->region = xstrdup(region);
    c->max_attempts = AWS_DEFAULT_ATTEMPTS; /* aws_settings_apply: the aws cli's settings */
    c->retry_quota = 1;
    c->base_delay_ms = env_long("STACKHOST_RETRY_BASE_MS", 1000, 1, 60000);
    c->max_delay_ms = 20000;
}

void aws_client_free(struct aws_client *c)
{
    cred_provider_free(&c->creds);
    http_client_free(&c->http);
    xfree_wiped(c->region);
    xfree_wiped(c->slot_busy);
    pthread_cond_destroy(&c->slot_free);
    pthread_mutex_destroy(&c->slot_lock);
    pthread_mutex_destroy(&c->quota_lock);
    memset(c, 0, sizeof(*c));
}

int aws_operation_is_read(const char *op)
{
    return sh_operation_is_read(op);
}

int aws_replay_safe(const char *op, const struct sh_doc *input)
{
    /* Creates are not sent again even with an idempotency token: the
     * caller finds first, then creates again with the same token (AWS
     * honours it; an emulator that ignores tokens must not duplicate). */
    static const char *const creates[] = {"Create", "Allocate", "Run", "Request", "Import", "Copy", "Register",
                                          "Purchase", NULL};
    (void)input;
    if (aws_operation_is_read(op) || !strcmp(op, "CreateTags"))
        return 1;
    for (size_t i = 0; creates[i]; i++) {
        size_t n = strlen(creates[i]);
        if (!strncmp(op, creates[i], n) && op[n] >= 'A' && op[n] <= 'Z')
            return 0;
    }
    return 1;
}

/* Copies src into a fixed field, cut to fit (error fields are bounded
 * so an aws_error can live on the stack and be copied by value). */
static void copy(char *dst, size_t size, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= size)
        n = size - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

void aws_error_parse(enum aws_protocol protocol, long status, const char *body, size_t len,
                     const char *header_request_id, struct aws_error *err)
{
    err->http_status = status;
    copy(err->request_id, sizeof(err->request_id), header_request_id);
    if (protocol == AWS_PROTO_JSON || protocol == AWS_PROTO_REST_JSON) {
        struct sh_doc *d = doc_from_json(body, len);
        const char *type = doc_text(d, "__type");
        if (!type)
            type = doc_text(d, "code");
        if (type) {
            /* "com.amazon.coral.validate#ValidationException:http://..." */
            char buf[256];
            copy(buf, sizeof(buf), type);
            buf[strcspn(buf, ":")] = '\0';
            char *hash = strrchr(buf, '#');
            copy(err->code, sizeof(err->code), hash ? hash + 1 : buf);
        }
        const char *msg = doc_text(d, "message");
        copy(err->message, sizeof(err->message), msg ? msg : doc_text(d, "Message"));
        doc_free(d);
    } else {
        char *root = NULL;
        struct sh_doc *d = doc_from_xml(body, len, &root);
        if (d && root && !strcmp(root, "Response")) { /* EC2 */
            copy(err->code, sizeof(err->code), doc_text(d, "Errors.Error[0].Code"));
            copy(err->message, sizeof(err->message), doc_text(d, "Errors.Error[0].Message"));
            if (!*err->request_id)
                copy(err->request_id, sizeof(err->request_id), doc_text(d, "RequestID"));
        } else if (d && root && !strcmp(root, "Error")) { /* rest-xml without a wrapper (S3) */
            copy(err->code, sizeof(err->code), doc_text(d, "Code"));
            copy(err->message, sizeof(err->message), doc_text(d, "Message"));
            if (!*err->request_id)
                copy(err->request_id, sizeof(err->request_id), doc_text(d, "RequestId"));
        } else if (d) { /* query and rest-xml: ErrorResponse */
            copy(err->code, sizeof(err->code), doc_text(d, "Error.Code"));
            copy(err->message, sizeof(err->message), doc_text(d, "Error.Message"));
            if (!*err->request_id)
                copy(err->request_id, sizeof(err->request_id), doc_text(d, "RequestId"));
        }
        xfree_wiped(root);
        doc_free(d);
    }
    if (!*err->code) {
        /* Not an AWS error document (a proxy, a load balancer): say what came. */
        snprintf(err->code, sizeof(err->code), "Http%ld", status);
        if (!*err->message)
            snprintf(err->message, sizeof(err->message), "an answer that is not an aws error: %.200s",
                     len ? body : "(empty)");
    }
}

int aws_error_retryable(const struct aws_error *err)
{
    static const char *const throttling[] = {"Throttling", "ThrottlingException", "ThrottledException",
                                             "RequestThrottledException", "TooManyRequestsException",
                                             "RequestLimitExceeded", "PriorRequestNotComplete",
                                             "RequestThrottled", "SlowDown", "EC2ThrottledException",
                                             "ProvisionedThroughputExceededException", "BandwidthLimitExceeded",
                                             "TransactionInProgressException", "LimitExceededException",
                                             "Throttled", "RequestTimeout", "RequestTimeoutException", NULL};
    if (!strcmp(err->code, "NetworkError") || !strcmp(err->code, "Timeout"))
        return 1;
    if (err->http_status == 429 || err->http_status == 500 || err->http_status == 502 || err->http_status == 503 ||
        err->http_status == 504)
        return 1;
    for (size_t i = 0; throttling[i]; i++)
        if (!strcmp(err->code, throttling[i]))
            return 1;
    return 0;
}

void aws_error_format(const struct aws_error *err, struct strbuf *out)
{
    strbuf_addf(out, "%s %s: %s", err->service, err->operation, err->code);
    if (*err->message)
        strbuf_addf(out, ": %s", err->message);
    strbuf_addstr(out, " (");
    if (err->http_status)
        strbuf_addf(out, "http %ld, ", err->http_status);
    if (*err->request_id)
        strbuf_addf(out, "request id %s, ", err->request_id);
    strbuf_addf(out, "%d attempt%s)", err->attempts, err->attempts == 1 ? "" : "s");
}

int aws_error_is_skew(const char *code)
{
    static const char *const codes[] = {"RequestTimeTooSkewed", "SignatureDoesNotMatch", "InvalidSignatureException",
                                        "AuthFailure", "RequestExpired", "RequestInTheFuture", NULL};
    for (size_t i = 0; codes[i]; i++)
        if (!strcmp(code, codes[i]))
            return 1;
    return 0;
}

/* Takes the cost of one more retry from the quota; 0 when it ran out. */
static int quota_take(struct aws_client *c, int cost)
{
    if (!c->retry_quota)
        return 1;
    pthread_mutex_lock(&c->quota_lock);
    int ok = c->retry_tokens >= cost;
    if (ok)
        c->retry_tokens -= cost;
    pthread_mutex_unlock(&c->quota_lock);
    return ok;
}

static void quota_give(struct aws_client *c, int amount)
{
    pthread_mutex_lock(&c->quota_lock);
    c->retry_tokens = c->retry_tokens + amount > RETRY_QUOTA ? RETRY_QUOTA : c->retry_tokens + amount;
    pthread_mutex_unlock(&c->quota_lock);
}

static int cancelled(const struct aws_client *c)
{
    return c->cancel && atomic_load(c->cancel);
}

/* Sleeps up to ms, waking early when the caller cancels. */
static void pause_ms(const struct aws_client *c, long ms)
{
    while (ms > 0 && !cancelled(c)) {
        long step = ms < 50 ? ms : 50;
        struct timespec ts = {0, step * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
}

static long backoff_ms(const struct aws_client *c, int attempt, unsigned *seed)
{
    /* Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))]. */
    long ceiling = c->base_delay_ms;
    for (int i = 1; i < attempt && ceiling < c->max_delay_ms; i++)
        ceiling *= 2;
    if (ceiling > c->max_delay_ms)
        ceiling = c->max_delay_ms;
    return (long)((double)rand_r(seed) / RAND_MAX * (double)ceiling);
}

static int slot_take(struct aws_client *c)
{
    pthread_mutex_lock(&c->slot_lock);
    for (;;) {
        for (int i = 0; i < c->max_in_flight; i++) {
            if (!c->slot_busy[i]) {
                c->slot_busy[i] = 1;
                pthread_mutex_unlock(&c->slot_lock);
                return i;
            }
        }
        pthread_cond_wait(&c->slot_free, &c->slot_lock);
    }
}

static void slot_give(struct aws_client *c, int slot)
{
    pthread_mutex_lock(&c->slot_lock);
    c->slot_busy[slot] = 0;
    pthread_cond_signal(&c->slot_free);
    pthread_mutex_unlock(&c->slot_lock);
}

static double seconds_between(const struct timespec *a)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - a->tv_sec) + (double)(now.tv_nsec - a->tv_nsec) / 1e9;
}

/* Builds the body and headers of one request. */
static void serialize(const struct aws_service *svc, const char *op, const struct sh_doc *input, struct strbuf *body,
                      struct strbuf *target)
{
    if (svc->protocol == AWS_PROTO_JSON) {
        if (input && input->type == DOC_OBJECT)
            doc_to_json(input, body);
        else
            strbuf_addstr(body, "{}");
        strbuf_addf(target, "%s%s", svc->target, op);
        return;
    }
    strbuf_addf(body, "Action=%s&Version=%s", op, svc->api_version);
    if (input)
        doc_flatten(input, svc->protocol == AWS_PROTO_EC2 ? DOC_FLAT_EC2 : DOC_FLAT_QUERY, body);
}

/* Parses a 2xx answer. For the query protocol the answer is the content
 * of <OpResult>, so plugins read the same paths as in AWS's docs. */
static int json_answers(const struct aws_service *svc)
{
    return svc->protocol == AWS_PROTO_JSON || svc->protocol == AWS_PROTO_REST_JSON;
}

static struct sh_doc *parse_answer(const struct aws_service *svc, const char *op, const struct strbuf *body)
{
    if (svc->protocol == AWS_PROTO_REST_XML && !body->len)
        return doc_new(DOC_OBJECT);
    if (json_answers(svc)) {
        if (!body->len)
            return doc_new(DOC_OBJECT);
        return doc_from_json(body->buf, body->len);
    }
    struct sh_doc *d = doc_from_xml(body->buf, body->len, NULL);
    if (d && svc->protocol == AWS_PROTO_QUERY) {
        struct strbuf result = STRBUF_INIT;
        strbuf_addf(&result, "%sResult", op);
        const struct sh_doc *r = doc_get(d, result.buf);
        struct sh_doc *inner = r ? doc_copy(r) : doc_new(DOC_OBJECT);
        if (inner->type != DOC_OBJECT) { /* <OpResult/> */
            doc_free(inner);
            inner = doc_new(DOC_OBJECT);
        }
        strbuf_release(&result);
        doc_free(d);
        d = inner;
    }
    return d;
}

/* One page: every attempt of one HTTP request. */
static int send_page(struct aws_client *c, const struct aws_request *r, const struct sh_doc *input,
                     struct sh_doc **out, struct aws_error *err)
{
    const char *service = r->service, *op = r->operation;
    unsigned flags = r->flags;
    memset(err, 0, sizeof(*err));
    *out = NULL;
    copy(err->service, sizeof(err->service), service);
    copy(err->operation, sizeof(err->operation), op);
    const struct aws_service *svc = aws_service_find(service);
    if (!svc) {
        struct strbuf names = STRBUF_INIT;
        aws_service_names(&names);
        copy(err->code, sizeof(err->code), "UnknownService");
        snprintf(err->message, sizeof(err->message), "no service '%s'; known: %s", service, names.buf);
        strbuf_release(&names);
        return -1;
    }
    if ((flags & AWS_CALL_READ_ONLY) && !aws_operation_is_read(op)) {
        copy(err->code, sizeof(err->code), "PlanRefused");
        copy(err->message, sizeof(err->message), "plan sends no mutating request");
        return -1;
    }
    const char *signing_region;
    struct strbuf url = STRBUF_INIT;
    if (aws_endpoint(svc, c->region, &url, &signing_region)) {
        copy(err->code, sizeof(err->code), "InvalidRegion");
        snprintf(err->message, sizeof(err->message), "region '%.64s' is not an aws region name (a-z, 0-9, -)",
                 c->region);
        strbuf_release(&url);
        return -1;
    }
    struct strbuf host = STRBUF_INIT, path = STRBUF_INIT, body = STRBUF_INIT, target = STRBUF_INIT;
    aws_url_split(url.buf, &host, &path);
    const char *method = "POST", *query = NULL;
    const char *content_type =
        svc->protocol == AWS_PROTO_JSON ? svc->content_type : "application/x-www-form-urlencoded; charset=utf-8";
    struct aws_rest_request rest = {0};
    int is_rest = svc->protocol == AWS_PROTO_REST_XML || svc->protocol == AWS_PROTO_REST_JSON;
    if (is_rest) {
        struct strbuf why = STRBUF_INIT;
        int bad = aws_rest_build(svc, op, input, &rest, &why);
        if (bad) {
            copy(err->code, sizeof(err->code), "InvalidRequest");
            copy(err->message, sizeof(err->message), why.buf);
        }
        strbuf_release(&why);
        if (bad) {
            aws_rest_request_release(&rest);
            strbuf_release(&url);
            strbuf_release(&host);
            strbuf_release(&path);
            return -1;
        }
        /* the endpoint's own path (an AWS_ENDPOINT_URL with one) before the operation's */
        if (path.len && path.buf[path.len - 1] == '/')
            strbuf_setlen(&path, path.len - 1);
        strbuf_addstr(&path, rest.path.buf);
        while (url.len && url.buf[url.len - 1] == '/')
            strbuf_setlen(&url, url.len - 1);
        strbuf_addstr(&url, rest.path.buf);
        if (rest.query.len)
            strbuf_addf(&url, "?%s", rest.query.buf);
        strbuf_add(&body, rest.body.buf, rest.body.len);
        method = rest.method;
        query = rest.query.len ? rest.query.buf : NULL;
        content_type = body.len ? svc->content_type : NULL;
    } else {
        serialize(svc, op, input, &body, &target);
    }
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)err;
    int replay_safe = aws_replay_safe(op, input);
    int skew_fixed = 0, retry_cost = 0;
    int rc = -1;
    for (int attempt = 1; attempt <= c->max_attempts; attempt++) {
        err->attempts = attempt;
        struct aws_credentials cred;
        struct strbuf why = STRBUF_INIT;
        if (cred_provider_get(&c->creds, &cred, &why)) {
            copy(err->code, sizeof(err->code), "NoCredentials");
            copy(err->message, sizeof(err->message), why.buf);
            strbuf_release(&why);
            break;
        }
        struct http_header headers[6] = {{"Host", host.buf}};
        size_t nh = 1;
        if (content_type)
            headers[nh++] = (struct http_header){"Content-Type", (char *)content_type};
        if (target.len)
            headers[nh++] = (struct http_header){"X-Amz-Target", target.buf};
        struct sigv4_request req = {method, path.buf, query, headers, nh, body.buf, body.len};
        /* S3 signs its path as sent and the payload's hash as a header */
        int s3 = !strcmp(svc->signing_name, "s3");
        struct sigv4_params params = {SIGV4_HEADERS, signing_region, svc->signing_name,
                                      time(NULL) + (time_t)atomic_load(&c->skew), !s3, s3, 0, 0};
        struct sigv4_result sig;
        sigv4_sign(&req, &cred, &params, &sig);
        log_msg(SH_LOG_TRACE, "aws", "%s %s attempt %d: canonical request:\n%s", service, op, attempt,
                sig.canonical_request);
        struct http_header all[12];
        size_t n = 0;
        for (size_t i = 1; i < nh; i++) /* curl writes Host from the url */
            all[n++] = headers[i];
        for (size_t i = 0; i < sig.nadd; i++)
            all[n++] = sig.add[i];
        struct http_response resp;
        struct aws_attempt seen = {.request = r, .attempt = attempt};
        seen.slot = slot_take(c);
        clock_gettime(CLOCK_MONOTONIC, &seen.start);
        /* a rest GET or DELETE has no body (curl would add a form's Content-Type) */
        enum http_failure f = http_send(&c->http, replay_safe ? 0 : HTTP_FRESH_CONNECTION, method, url.buf, all, n,
                                        is_rest && !body.len ? NULL : body.buf, body.len, &resp, &why);
        clock_gettime(CLOCK_MONOTONIC, &seen.end);
        slot_give(c, seen.slot);
        sigv4_result_free(&sig);
        aws_credentials_free(&cred);
        if (f != HTTP_OK) {
            copy(err->code, sizeof(err->code),
                 f == HTTP_TIMEOUT ? "Timeout" : f == HTTP_CONNECT ? "NetworkError"
                 : f == HTTP_UNKNOWN_HOST ? "UnknownHost" : f == HTTP_TOO_LARGE ? "AnswerTooLarge" : "RequestFailed");
            snprintf(err->message, sizeof(err->message), "%s: %s", url.buf, why.buf);
            err->http_status = 0;
            err->maybe_applied |= resp.request_sent && !aws_operation_is_read(op);
        } else if (resp.status >= 200 && resp.status < 300) {
            *out = parse_answer(svc, op, &resp.body);
            copy(err->request_id, sizeof(err->request_id), resp.request_id);
            if (!*out) {
                copy(err->code, sizeof(err->code), "UnparseableResponse");
                /* The body is not quoted: it could hold a decrypted secret. */
                snprintf(err->message, sizeof(err->message), "http %ld with a body of %zu bytes that is not %s",
                         resp.status, resp.body.len, json_answers(svc) ? "json" : "xml");
                err->http_status = resp.status;
            } else {
                if (!json_answers(svc) && !*err->request_id) {
                    const char *rid = doc_text(*out, "requestId");
                    copy(err->request_id, sizeof(err->request_id), rid);
                }
                err->http_status = resp.status;
                rc = 0;
            }
        } else {
            err->code[0] = err->message[0] = '\0';
            aws_error_parse(svc->protocol, resp.status, resp.body.buf, resp.body.len, resp.request_id, err);
            /* An answer may echo the request: for one that carried a
             * secret (a parameter's value), its text is never quoted,
             * whatever form the secret took in it. */
            if (redact_found(body.buf, body.len))
                snprintf(err->message, sizeof(err->message), "(the answer's text is not shown: the request "
                         "carried a secret)");
            /* An internal error or a gateway timeout may come after the
             * service acted; 503 is "unavailable" or throttling: not done. */
            err->maybe_applied |= (resp.status == 500 || resp.status == 502 || resp.status == 504) &&
                                 !aws_operation_is_read(op);
        }
        if (c->observe) {
            seen.http_status = f == HTTP_OK ? resp.status : 0;
            seen.code = rc == 0 ? "" : err->code;
            seen.request_id = *err->request_id ? err->request_id : (resp.request_id ? resp.request_id : "");
            c->observe(c->observe_arg, &seen);
        }
        time_t resp_date = f == HTTP_OK ? resp.date : 0;
        http_response_free(&resp);
        strbuf_release(&why);
        if (rc && !skew_fixed && f == HTTP_OK && aws_error_is_skew(err->code) && resp_date) {
            /* The SDKs' correction: sign again with the server's clock, once. */
            long skew = (long)(resp_date - time(NULL));
            if (labs(skew - atomic_load(&c->skew)) >= 60) {
                atomic_store(&c->skew, skew);
                skew_fixed = 1;
                log_msg(SH_LOG_WARN, "aws", "this machine's clock is %lds %s aws's: signing with aws's time", labs(skew),
                        skew > 0 ? "behind" : "ahead of");
                attempt--; /* not a retry: the same attempt, signed right */
                continue;
            }
        }
        if (rc == 0) {
            quota_give(c, retry_cost ? retry_cost : NO_RETRY_REWARD);
            break;
        }
        if (!aws_error_retryable(err) || attempt == c->max_attempts || cancelled(c))
            break;
        if (err->maybe_applied && !replay_safe) {
            size_t used = strlen(err->message);
            snprintf(err->message + used, sizeof(err->message) - used,
                     "; it may have been applied: a create is not sent again before looking for what it made");
            break;
        }
        retry_cost = !strcmp(err->code, "Timeout") ? TIMEOUT_RETRY_COST : RETRY_COST;
        if (!quota_take(c, retry_cost)) {
            size_t used = strlen(err->message);
            snprintf(err->message + used, sizeof(err->message) - used,
                     "; not retried: the retry quota ran out (too many failures across the run)");
            break;
        }
        long delay = backoff_ms(c, attempt, &seed);
        log_msg(SH_LOG_DEBUG, "aws", "%s %s: %s (http %ld), attempt %d of %d, retrying in %.2fs", service, op,
                err->code, err->http_status, attempt, c->max_attempts, (double)delay / 1000);
        pause_ms(c, delay);
    }
    log_msg(SH_LOG_DEBUG, "aws", "%s %s: http %ld, %d attempt%s, %.3fs, request id %s%s%s", service, op,
            err->http_status, err->attempts, err->attempts == 1 ? "" : "s", seconds_between(&start),
            *err->request_id ? err->request_id : "-", rc ? ", " : "", rc ? err->code : "");
    strbuf_release(&url);
    strbuf_release(&host);
    strbuf_release(&path);
    strbuf_release(&body);
    strbuf_release(&target);
    aws_rest_request_release(&rest);
    return rc;
}

/* Every page, gathering the items at items_path into the first page. */
static int send_pages(struct aws_client *c, const struct aws_request *r, struct sh_doc **out, struct aws_error *err)
{
    const struct sh_doc *input = r->input;
    const char *items_path = r->items_path;
    const struct aws_service *svc = aws_service_find(r->service);
    if (send_page(c, r, input, out, err))
        return -1;
    if (!svc || !svc->token_in)
        return 0;
    struct sh_doc *request = input ? doc_copy(input) : doc_new(DOC_OBJECT);
    const struct sh_doc *first = *out;
    char *token = doc_text(first, svc->token_out) ? xstrdup(doc_text(first, svc->token_out)) : NULL;
    const char *truncated = doc_text(first, "IsTruncated") ? doc_text(first, "IsTruncated") : doc_text(first, "Truncated");
    if (truncated && strcmp(truncated, "true")) {
        xfree_wiped(token);
        token = NULL;
    }
    int rc = 0;
    for (int page = 2; token && *token; page++) {
        if (page > 10000) {
            copy(err->code, sizeof(err->code), "PaginationRunaway");
            copy(err->message, sizeof(err->message), "more than 10000 pages: the service keeps answering a token");
            rc = -1;
            break;
        }
        doc_set(request, svc->token_in, DOC_STRING, token);
        struct sh_doc *next = NULL;
        if (send_page(c, r, request, &next, err)) {
            rc = -1;
            break;
        }
        const struct sh_doc *items = doc_get(next, items_path);
        if (items && !(items->type == DOC_STRING && (!items->text || !*items->text)) &&
            doc_append_items(*out, items_path, items)) {
            /* Dropping a page silently would make find-before-create duplicate. */
            copy(err->code, sizeof(err->code), "PaginationFailed");
            snprintf(err->message, sizeof(err->message), "page %d's items at %s cannot join the first page's", page,
                     items_path);
            doc_free(next);
            rc = -1;
            break;
        }
        const char *t = doc_text(next, svc->token_out);
        truncated = doc_text(next, "IsTruncated") ? doc_text(next, "IsTruncated") : doc_text(next, "Truncated");
        char *following = t && *t && (!truncated || !strcmp(truncated, "true")) ? xstrdup(t) : NULL;
        if (following && !strcmp(following, token)) {
            /* The same token again would loop for ever, or end short. */
            copy(err->code, sizeof(err->code), "PaginationLoop");
            snprintf(err->message, sizeof(err->message), "page %d answered the token it was sent: the list is "
                     "incomplete", page);
            xfree_wiped(following);
            doc_free(next);
            rc = -1;
            break;
        }
        xfree_wiped(token);
        token = following;
        doc_free(next);
    }
    xfree_wiped(token);
    doc_free(request);
    if (rc) {
        doc_free(*out);
        *out = NULL;
    }
    return rc;
}

void aws_send(struct aws_client *c, struct aws_request *r)
{
    r->out = NULL;
    struct read_cache *reads = r->flags & AWS_CALL_NO_CACHE ? NULL : c->reads;
    int read = aws_operation_is_read(r->operation);
    if (read && read_cache_take(reads, r->service, r->operation, r->items_path, r->input, &r->rc, &r->out,
                                &r->err))
        return;
    if (!read && !(r->flags & AWS_CALL_READ_ONLY))
        read_cache_forget(reads, r->service);
    r->rc = r->items_path ? send_pages(c, r, &r->out, &r->err) : send_page(c, r, r->input, &r->out, &r->err);
    if (read)
        read_cache_keep(reads, r->service, r->operation, r->items_path, r->input, r->rc, r->out, &r->err);
}

struct send_set {
    struct aws_client *client;
    struct aws_request *reqs;
    size_t n;
    atomic_size_t next;
};

static void *send_worker(void *arg)
{
    struct send_set *set = arg;
    for (size_t i; (i = atomic_fetch_add(&set->next, 1)) < set->n;)
        aws_send(set->client, &set->reqs[i]);
    secret_burn_stack();
    return NULL;
}

size_t aws_send_all(struct aws_client *c, struct aws_request *reqs, size_t n)
{
    struct send_set set = {.client = c, .reqs = reqs, .n = n};
    atomic_init(&set.next, 0);
    /* Workers pull the next request; the slots, not the worker count,
     * bound what is on the wire across the run. The calling thread is
     * one of the workers. */
    size_t extra = n > (size_t)c->max_in_flight ? (size_t)c->max_in_flight - 1 : (n ? n - 1 : 0);
    pthread_t *threads = extra ? xcalloc(extra, sizeof(*threads)) : NULL;
    size_t started = 0;
    while (started < extra && !pthread_create(&threads[started], NULL, send_worker, &set))
        started++;
    send_worker(&set);
    for (size_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    xfree_wiped(threads);
    size_t failed = 0;
    for (size_t i = 0; i < n; i++)
        failed += reqs[i].rc != 0;
    return failed;
}

int aws_call(struct aws_client *c, const char *service, const char *op, const struct sh_doc *input, unsigned flags,
             struct sh_doc **out, struct aws_error *err)
{
    struct aws_request r = {.service = service, .operation = op, .input = input, .flags = flags};
    aws_send(c, &r);
    *out = r.out;
    *err = r.err;
    return r.rc;
}

int aws_call_all(struct aws_client *c, const char *service, const char *op, const struct sh_doc *input,
                 const char *items_path, unsigned flags, struct sh_doc **out, struct aws_error *err)
{
    struct aws_request r = {.service = service, .operation = op, .input = input, .items_path = items_path,
                            .flags = flags};
    aws_send(c, &r);
    *out = r.out;
    *err = r.err;
    return r.rc;
}
