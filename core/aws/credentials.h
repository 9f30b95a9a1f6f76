/* AWS credentials, in the order of the SDKs (aws-sdk-go-v2's; botocore
 * agrees but for where the profile's roles come):
 *
 *   1. the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 *      AWS_SESSION_TOKEN;
 *   2. web identity from the environment: AWS_ROLE_ARN with
 *      AWS_WEB_IDENTITY_TOKEN_FILE (and AWS_ROLE_SESSION_NAME), through
 *      STS AssumeRoleWithWebIdentity;
 *   (1 is skipped when --profile chose the profile, as botocore does)
 *   3. the profile (--profile, AWS_PROFILE, else default) of the shared files
 *      (profile.h), as profile_chain.h works it out: static keys, roles
 *      assumed from a source profile or a credential_source, web
 *      identity, SSO, credential_process. A profile that asks for
 *      something unsupported, or whose source is missing, is an error
 *      naming the profile and the key, found before any request;
 *   4. the container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI /
 *      _FULL_URI) and 5. instance metadata (metadata.h): only when no
 *      profile asks for anything (AWS_PROFILE unset, and the default
 *      profile, if there is one, has no credential settings).
 *
 * Every secret found is registered for redaction at once and wiped
 * before it is freed. A provider is shared by the threads of a run.
 * Credentials that expire are fetched again five minutes before they
 * do, by one thread while the others go on with the current ones; when
 * that fails and the current ones are still valid, they are kept. */
#ifndef CORE_AWS_CREDENTIALS_H
#define CORE_AWS_CREDENTIALS_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "aws/http.h"
#include "aws/sigv4.h"
#include "strbuf.h"

struct cred_provider {
    pthread_mutex_t lock;
    pthread_cond_t fetched; /* a fetch ended, well or not */
    struct http_client *http;
    char *region;            /* where STS is asked; NULL: credentials_region() */
    const atomic_long *skew; /* the client's learnt clock skew, or NULL */
    struct aws_credentials current;
    int have;
    int fetching;            /* one thread is fetching, without the lock */
    unsigned long fetches;   /* fetches ended, so a waiter knows its fetch is over */
    char *last_error;        /* why the last fetch failed */
    time_t next_try;         /* after a failed refresh: not again before this */
    int warned;              /* a failed refresh was reported for the current ones */
};

void cred_provider_init(struct cred_provider *p, struct http_client *http);
/* The region whose STS endpoint the roles are assumed at (the client's),
 * and the client's clock skew to sign with; either may be NULL. */
void cred_provider_configure(struct cred_provider *p, const char *region, const atomic_long *skew);
void cred_provider_free(struct cred_provider *p);
/* Copies valid credentials into out (free with aws_credentials_free).
 * Returns 0, or -1 with why in err (naming every place looked in). */
int cred_provider_get(struct cred_provider *p, struct aws_credentials *out, struct strbuf *err);

/* Runs the chain once; region (NULL: credentials_region()) is where STS
 * is asked, skew seconds are added to this machine's clock when signing.
 * Returns 0, or -1 with the reason in err. */
int credentials_resolve(struct http_client *http, const char *region, long skew, struct aws_credentials *out,
                        struct strbuf *err);
/* Without the client's: AWS_REGION, AWS_DEFAULT_REGION, the profile's
 * region, else us-east-1. Caller frees. */
char *credentials_region(void);

/* Fills c with copies; registers the secret and the token for redaction.
 * expiration 0: they do not expire. */
void aws_credentials_set(struct aws_credentials *c, const char *id, const char *secret, const char *token,
                         time_t expiration, const char *source);
/* Wipes the secret and the token, frees everything; c is then empty. */
void aws_credentials_free(struct aws_credentials *c);
void aws_credentials_copy(struct aws_credentials *dst, const struct aws_credentials *src);

/* An ISO 8601 UTC time as AWS writes them ("2024-05-01T12:00:00Z",
 * with fractions of a second, a "+HH:MM" offset, or the AWS CLI v1's
 * "UTC" suffix), or (time_t)-1. */
time_t aws_time_parse(const char *s);

#endif
