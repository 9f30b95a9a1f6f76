/* The credentials of the machine the run is on: the container endpoint
 * (ECS, EKS pod identity: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or
 * _FULL_URI, with AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]) and EC2's
 * instance metadata (IMDSv2: a session token first; when the token
 * request is refused with 403, 404 or 405 the SDKs' IMDSv1 fallback
 * asks without one, unless AWS_EC2_METADATA_V1_DISABLED=true; no answer
 * at all means not on EC2, and is no fallback; AWS_EC2_METADATA_DISABLED,
 * AWS_EC2_METADATA_SERVICE_ENDPOINT).
 *
 * Each returns 1 with out filled, 0 when there is nothing there (not
 * configured, not on EC2: the chain goes on), -1 when it is there but
 * failed (why in err). What was tried is appended to looked. */
#ifndef CORE_AWS_METADATA_H
#define CORE_AWS_METADATA_H

#include "aws/http.h"
#include "aws/sigv4.h"
#include "strbuf.h"

int metadata_container(struct http_client *http, struct aws_credentials *out, struct strbuf *looked,
                       struct strbuf *err);
/* 0 when the container endpoint may be asked: https, or http to loopback
 * or the ECS/EKS link-local addresses (as the SDKs allow); else -1 with why. */
int metadata_container_url_allowed(const char *url, struct strbuf *why);
int metadata_imds(struct aws_credentials *out, struct strbuf *looked, struct strbuf *err);

#endif
