/* The shared AWS config and credentials files, read as the SDKs read
 * them. The config file (AWS_CONFIG_FILE, default ~/.aws/config) has
 * [default], [profile NAME] and [sso-session NAME] sections; the
 * credentials file (AWS_SHARED_CREDENTIALS_FILE, default
 * ~/.aws/credentials) has [NAME] sections. A key in the credentials file
 * wins over the same key in the config file, [profile default] over
 * [default], a later line over an earlier one. Key names are
 * case-insensitive; an indented block under `key =` (e.g. `s3 =`) is a
 * nested setting, kept out of the profile's own keys.
 *
 * The files hold secrets: the values of aws_secret_access_key and
 * aws_session_token are registered for redaction as they are read, and
 * every buffer is wiped before it is freed. */
#ifndef CORE_AWS_PROFILE_H
#define CORE_AWS_PROFILE_H

#include <stddef.h>

#include "strbuf.h"

enum ini_section_kind { INI_PROFILE, INI_SSO_SESSION, INI_OTHER };

struct ini_setting {
    char *key;   /* lower case; "parent.child" for a nested setting */
    char *value; /* trimmed; may be empty */
};

struct ini_section {
    enum ini_section_kind kind;
    char *name;       /* the profile's or the sso session's name */
    const char *file; /* the path it was read from (owned by shared_files) */
    int rank;         /* who wins a key: credentials 3, [profile X] 2, [default] 1 */
    struct ini_setting *settings;
    size_t n, alloc;
};

struct shared_files {
    char *config_path, *credentials_path;
    struct ini_section *sections; /* both files, in the order read */
    size_t n, alloc;
};

/* Reads both files (a missing file is an empty one). Returns 0, or -1
 * with the file, line and problem in err; f is then empty but may still
 * be freed. */
int shared_files_load(struct shared_files *f, struct strbuf *err);
void shared_files_free(struct shared_files *f);

/* Chooses the profile for the rest of the process (--profile); NULL
 * clears the choice. The name is borrowed: it must outlive its use. */
void profile_select(const char *name);
/* --profile, else AWS_PROFILE, else "default". */
const char *profile_name(void);
/* What named the profile: "--profile", "AWS_PROFILE", or NULL for the default. */
const char *profile_chosen_by(void);

/* Non-zero when either file has a section for the profile. */
int profile_exists(const struct shared_files *f, const char *profile);
/* The profile's value for key, or NULL when unset or empty. When file is
 * not NULL it gets the path of the file that set it. */
const char *profile_get(const struct shared_files *f, const char *profile, const char *key, const char **file);
int sso_session_exists(const struct shared_files *f, const char *session);
const char *sso_session_get(const struct shared_files *f, const char *session, const char *key);

/* The active profile's `region`, or NULL. where (may be NULL) gets
 * "profile NAME in FILE". Never fails: a file that cannot be read has no
 * region here, and the credential chain reports it. Caller frees. */
char *profile_region(struct strbuf *where);

#endif
