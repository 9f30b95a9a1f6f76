/* IAM Identity Center (SSO) credentials, as the AWS CLI leaves them: the
 * access token `aws sso login` cached in ~/.aws/sso/cache/<sha1>.json
 * (the SHA-1 of the sso-session's name, or of the start URL for the
 * legacy sso_* keys), exchanged at the SSO portal's GetRoleCredentials
 * (https://portal.sso.<sso region>.amazonaws.com, or AWS_ENDPOINT_URL_SSO
 * / AWS_ENDPOINT_URL) for the role's credentials. The token is not
 * refreshed here: an expired or missing one asks for `aws sso login`. */
#ifndef CORE_AWS_SSO_H
#define CORE_AWS_SSO_H

#include "aws/http.h"
#include "aws/sigv4.h"
#include "strbuf.h"

struct sso_settings {
    const char *profile;    /* for messages: whose settings these are */
    const char *session;    /* sso_session, or NULL for the legacy keys */
    const char *start_url;
    const char *region;     /* sso_region */
    const char *account_id; /* sso_account_id */
    const char *role_name;  /* sso_role_name */
};

/* 0 with out filled, or -1 with why in err (never the token). */
int sso_role_credentials(struct http_client *http, const struct sso_settings *s, struct aws_credentials *out,
                         struct strbuf *err);

#endif
