/* The HTTP request of a call to a rest-xml or rest-json service: its
 * operation's binding (sh_rest_op) filled from the input document. */
#ifndef CORE_AWS_REST_H
#define CORE_AWS_REST_H

#include "aws/doc.h"
#include "aws/service.h"
#include "strbuf.h"

struct aws_rest_request {
    const char *method;
    struct strbuf path;  /* URI-encoded, as sent */
    struct strbuf query; /* encoded, without '?'; empty when none */
    struct strbuf body;  /* empty when the operation has none */
};

/* Builds the request of `op`. Returns 0, or -1 with why (an operation the
 * service does not declare, a path member the input lacks). Release with
 * aws_rest_request_release either way. */
int aws_rest_build(const struct aws_service *svc, const char *op, const struct sh_doc *input,
                   struct aws_rest_request *out, struct strbuf *why);
void aws_rest_request_release(struct aws_rest_request *r);

#endif
