/* The AWS CLI's client settings, read as it reads them: the environment
 * first, then the active profile of the shared files.
 *
 *   AWS_MAX_ATTEMPTS / max_attempts  attempts per request, the first included
 *   AWS_RETRY_MODE / retry_mode      standard (3 attempts unless set) or
 *                                    legacy (5, no retry quota); adaptive
 *                                    (client-side rate limiting) is refused,
 *                                    not silently run as standard
 *   AWS_CA_BUNDLE / ca_bundle        the CA certificates to trust
 *
 * With none of them set, stackhost makes 5 attempts with the retry quota.
 * An invalid value is an error naming where it was set, before any request. */
#ifndef CORE_AWS_SETTINGS_H
#define CORE_AWS_SETTINGS_H

#include "aws/client.h"
#include "strbuf.h"

/* Reads the settings and applies them to c. Returns 0, or -1 with the
 * problem in err (c is then as aws_client_init left it). */
int aws_settings_apply(struct aws_client *c, struct strbuf *err);

#endif
