/* AWS credentials, in the SDKs' order: the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN); the
 * shared credentials and config files (AWS_PROFILE,
 * AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE); the container endpoint
 * (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI); IMDSv2 (token
 * first; AWS_EC2_METADATA_SERVICE_ENDPOINT, AWS_EC2_METADATA_DISABLED).
 *
 * Every secret found is registered for redaction at once. A provider is
 * shared by the threads of a run; expiring credentials are fetched again
 * five minutes before they expire. */
#ifndef CORE_AWS_CREDENTIALS_H
#define CORE_AWS_CREDENTIALS_H

#include <pthread.h>

#include "aws/http.h"
#include "aws/sigv4.h"
#include "strbuf.h"

struct cred_provider {
    pthread_mutex_t lock;
    struct http_client *http;
    struct aws_credentials current;
    int have;
};

void cred_provider_init(struct cred_provider *p, struct http_client *http);
void cred_provider_free(struct cred_provider *p);
/* Copies valid credentials into out (free with aws_credentials_free).
 * Returns 0, or -1 with why in err (naming every place looked in). */
int cred_provider_get(struct cred_provider *p, struct aws_credentials *out, struct strbuf *err);

/* Runs the chain once. Returns 0, or -1 with the reason in err. */
int credentials_resolve(struct http_client *http, struct aws_credentials *out, struct strbuf *err);
void aws_credentials_free(struct aws_credentials *c);
void aws_credentials_copy(struct aws_credentials *dst, const struct aws_credentials *src);

#endif
