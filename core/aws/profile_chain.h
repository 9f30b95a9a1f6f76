/* How a profile gets its credentials: worked out from the shared files
 * alone, so that every mistake (a role without a source, a source
 * profile that does not exist, a loop, an unknown credential_source, a
 * setting not supported here) is reported, naming the profile and the
 * key, before any request is sent; then run.
 *
 * A profile's settings, by precedence (aws-sdk-go-v2's):
 *   role_arn with one of source_profile (any chain of profiles, each
 *     resolved the same way; a profile may name itself when it has
 *     static keys), credential_source (Environment, EcsContainer,
 *     Ec2InstanceMetadata) or web_identity_token_file; role_session_name,
 *     external_id and duration_seconds shape the AssumeRole; mfa_serial
 *     is refused (interactive MFA is not supported);
 *   aws_access_key_id + aws_secret_access_key (+ aws_session_token);
 *   sso_session (+ [sso-session]) or the legacy sso_start_url /
 *     sso_region, with sso_account_id and sso_role_name;
 *   credential_process.
 * At most one of source_profile, credential_source,
 * web_identity_token_file and credential_process may be set. */
#ifndef CORE_AWS_PROFILE_CHAIN_H
#define CORE_AWS_PROFILE_CHAIN_H

#include "aws/http.h"
#include "aws/profile.h"
#include "aws/sso.h"
#include "aws/sts.h"

enum chain_base {
    CHAIN_NONE,         /* the profile has no credential settings */
    CHAIN_STATIC,       /* keys in the files */
    CHAIN_ENVIRONMENT,  /* credential_source = Environment */
    CHAIN_CONTAINER,    /* credential_source = EcsContainer */
    CHAIN_IMDS,         /* credential_source = Ec2InstanceMetadata */
    CHAIN_WEB_IDENTITY, /* role_arn + web_identity_token_file */
    CHAIN_SSO,
    CHAIN_PROCESS       /* credential_process */
};

struct chain_role {
    const char *profile; /* whose role_arn */
    struct sts_role role;
};

/* Every pointer points into the shared_files it was planned from. */
struct profile_chain {
    enum chain_base base;
    const char *base_profile;            /* the profile the base comes from */
    const char *key_id, *secret, *token; /* CHAIN_STATIC */
    const char *token_file;              /* CHAIN_WEB_IDENTITY, assuming web_role */
    struct sts_role web_role;
    struct sso_settings sso;             /* CHAIN_SSO */
    const char *command;                 /* CHAIN_PROCESS */
    struct chain_role *roles;            /* assumed in turn on top of the base */
    size_t nroles, alloc;
};

/* Returns 0 (base CHAIN_NONE when the profile names no credentials at
 * all), or -1 with why in err. The profile must exist. */
int profile_chain_plan(const struct shared_files *f, const char *profile, struct profile_chain *out,
                       struct strbuf *err);
/* The base's credentials, then each role's. region: where STS is asked;
 * skew: seconds to add to this machine's clock when signing. */
int profile_chain_run(const struct profile_chain *c, struct http_client *http, const char *region, long skew,
                      struct aws_credentials *out, struct strbuf *err);
void profile_chain_free(struct profile_chain *c);

#endif
