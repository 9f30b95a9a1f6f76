#include "cred_http.h"

#include <time.h>

#include "aws/secret.h"

#define ATTEMPTS 3

static int worth_another_try(enum http_failure f, long status)
{
    if (f != HTTP_OK)
        return f == HTTP_TIMEOUT || f == HTTP_CONNECT;
    return status == 429 || status >= 500;
}

enum http_failure cred_http_send(struct http_client *http, const char *method, const char *url,
                                 const struct http_header *headers, size_t nheaders, const char *body,
                                 size_t body_len, struct http_response *resp, struct strbuf *err)
{
    enum http_failure f = HTTP_OTHER;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
        strbuf_reset(err);
        f = http_send(http, HTTP_SMALL, method, url, headers, nheaders, body, body_len, resp, err);
        if (attempt == ATTEMPTS || !worth_another_try(f, resp->status))
            break;
        cred_http_response_free(resp);
        struct timespec pause = {0, 200000000L * attempt};
        nanosleep(&pause, NULL);
    }
    return f;
}

void cred_http_response_free(struct http_response *resp)
{
    strbuf_release(&resp->body);
    http_response_free(resp);
}
