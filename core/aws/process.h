/* credential_process: a program the profile names (aws-vault, Granted,
 * a SAML helper), run through /bin/sh -c as the SDKs do, printing the
 * documented JSON on stdout:
 *   {"Version": 1, "AccessKeyId": ..., "SecretAccessKey": ...,
 *    "SessionToken": ..., "Expiration": "2024-05-01T12:00:00Z"}
 * Its stderr and stdin are the run's, so it can prompt. What it prints is
 * secret: never quoted in an error, wiped before it is freed. */
#ifndef CORE_AWS_PROCESS_H
#define CORE_AWS_PROCESS_H

#include "aws/sigv4.h"
#include "strbuf.h"

/* 0 with out filled, or -1 with why in err naming the profile. */
int process_credentials(const char *profile, const char *command, struct aws_credentials *out, struct strbuf *err);

#endif
