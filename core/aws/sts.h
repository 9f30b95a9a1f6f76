/* STS's role operations for the credential chain: AssumeRole, signed
 * with the source credentials, and AssumeRoleWithWebIdentity, unsigned
 * (the token is the proof). Both go where the client would send STS
 * (aws_endpoint: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, else
 * https://sts.<region>.amazonaws.com) in the query protocol, and read
 * Credentials out of the XML answer. A signature refused for its time is
 * signed again once with the clock of the answer's Date, as the client
 * does. */
#ifndef CORE_AWS_STS_H
#define CORE_AWS_STS_H

#include "aws/http.h"
#include "aws/sigv4.h"
#include "strbuf.h"

struct sts_role {
    const char *role_arn;
    const char *session_name; /* NULL: "stackhost-<unix time>" */
    const char *external_id;  /* AssumeRole only; NULL: none */
    int duration_seconds;     /* 0: STS's default (one hour) */
};

/* Each returns 0 with out filled (source: `label`), or -1 with why in err
 * ("sts AssumeRole of ROLE: CODE: MESSAGE (http N, request id ...)"). */
int sts_assume_role(struct http_client *http, const char *region, long skew, const struct aws_credentials *source,
                    const struct sts_role *role, const char *label, struct aws_credentials *out, struct strbuf *err);
int sts_assume_role_with_web_identity(struct http_client *http, const char *region, const struct sts_role *role,
                                      const char *token, const char *label, struct aws_credentials *out,
                                      struct strbuf *err);
/* AssumeRoleWithWebIdentity with the token read from token_file (read
 * at each call: the platform rotates it). */
int sts_web_identity_from_file(struct http_client *http, const char *region, const struct sts_role *role,
                               const char *token_file, const char *label, struct aws_credentials *out,
                               struct strbuf *err);

#endif
