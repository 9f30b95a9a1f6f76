/* HTTP for the credential sources (STS, the SSO portal, the container
 * endpoint): a failed credential fetch stops the whole run, so what may
 * heal (a timeout, a dropped connection, HTTP 429 and 5xx) is tried again
 * twice, quickly; anything else is answered at once. Answers hold
 * secrets: release them with cred_http_response_free, which wipes. */
#ifndef CORE_AWS_CRED_HTTP_H
#define CORE_AWS_CRED_HTTP_H

#include "aws/http.h"

enum http_failure cred_http_send(struct http_client *http, const char *method, const char *url,
                                 const struct http_header *headers, size_t nheaders, const char *body,
                                 size_t body_len, struct http_response *resp, struct strbuf *err);
void cred_http_response_free(struct http_response *resp);

#endif
