#include "aws/settings.h"

#include <stdlib.h>
#include <string.h>

#include "aws/profile.h"
#include "xalloc.h"

#define MAX_ATTEMPTS_LIMIT 20
#define STANDARD_ATTEMPTS 3
#define LEGACY_ATTEMPTS 5

/* One setting: the environment variable's value, else the profile's.
 * where gets "AWS_X" or "max_attempts of profile P in FILE". */
static const char *setting(const struct shared_files *f, const char *var, const char *key, struct strbuf *where)
{
    const char *v = getenv(var);
    strbuf_reset(where);
    if (v && *v) {
        strbuf_addstr(where, var);
        return v;
    }
    const char *file = NULL;
    v = f ? profile_get(f, profile_name(), key, &file) : NULL;
    if (v)
        strbuf_addf(where, "%s of profile %s in %s", key, profile_name(), file);
    return v;
}

int aws_settings_apply(struct aws_client *c, struct strbuf *err)
{
    struct shared_files f;
    struct strbuf why = STRBUF_INIT, where = STRBUF_INIT;
    /* an unreadable file is the credential chain's to report */
    int have_files = !shared_files_load(&f, &why);
    int rc = 0;
    int legacy = 0, attempts = 0;
    const char *mode = setting(have_files ? &f : NULL, "AWS_RETRY_MODE", "retry_mode", &where);
    if (mode && !strcmp(mode, "legacy")) {
        legacy = 1;
    } else if (mode && !strcmp(mode, "adaptive")) {
        strbuf_addf(err, "retry mode 'adaptive' (%s) is not supported: stackhost retries in 'standard' or "
                    "'legacy' mode; set AWS_RETRY_MODE=standard for stackhost", where.buf);
        rc = -1;
    } else if (mode && strcmp(mode, "standard")) {
        strbuf_addf(err, "retry mode '%.32s' (%s) is not one of standard, legacy, adaptive", mode, where.buf);
        rc = -1;
    }
    if (mode && !rc)
        attempts = legacy ? LEGACY_ATTEMPTS : STANDARD_ATTEMPTS;
    const char *n = rc ? NULL : setting(have_files ? &f : NULL, "AWS_MAX_ATTEMPTS", "max_attempts", &where);
    if (n) {
        char *end;
        long v = strtol(n, &end, 10);
        if (*end || end == n || v < 1 || v > MAX_ATTEMPTS_LIMIT) {
            strbuf_addf(err, "max attempts '%.32s' (%s) is not a whole number from 1 to %d (attempts per request, "
                        "the first included)", n, where.buf, MAX_ATTEMPTS_LIMIT);
            rc = -1;
        }
        attempts = (int)v;
    }
    const char *ca = rc ? NULL : setting(have_files ? &f : NULL, "AWS_CA_BUNDLE", "ca_bundle", &where);
    if (!rc) {
        if (attempts)
            c->max_attempts = attempts;
        c->retry_quota = !legacy;
        if (ca) {
            xfree_wiped(c->http.ca_bundle);
            c->http.ca_bundle = xstrdup(ca);
        }
    }
    if (have_files)
        shared_files_free(&f);
    strbuf_release(&why);
    strbuf_release(&where);
    return rc;
}
