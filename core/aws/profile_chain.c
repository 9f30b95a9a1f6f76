#include "profile_chain.h"

#include <stdlib.h>
#include <string.h>

#include "aws/credentials.h"
#include "aws/metadata.h"
#include "aws/process.h"
#include "xalloc.h"

/* The profiles followed so far through source_profile, to find loops. */
struct trail {
    const char **names;
    size_t n, alloc;
};

static const char *get(const struct shared_files *f, const char *profile, const char *key)
{
    return profile_get(f, profile, key, NULL);
}

static void where(const struct shared_files *f, struct strbuf *err)
{
    strbuf_addf(err, " (in %s or %s)", f->config_path, f->credentials_path);
}

/* At most one source of credentials to assume a role with, or to use. */
static int check_one_source(const struct shared_files *f, const char *p, struct strbuf *err)
{
    static const char *const keys[] = {"source_profile", "credential_source", "web_identity_token_file",
                                       "credential_process"};
    const char *first = NULL;
    for (size_t i = 0; i < 4; i++) {
        if (!get(f, p, keys[i]))
            continue;
        if (first) {
            strbuf_addf(err, "profile %s: %s and %s are both set; a profile takes its credentials from one source",
                        p, first, keys[i]);
            return -1;
        }
        first = keys[i];
    }
    return 0;
}

static int role_settings(const struct shared_files *f, const char *p, struct sts_role *r, struct strbuf *err)
{
    memset(r, 0, sizeof(*r));
    r->role_arn = get(f, p, "role_arn");
    r->session_name = get(f, p, "role_session_name");
    r->external_id = get(f, p, "external_id");
    if (get(f, p, "mfa_serial")) {
        strbuf_addf(err, "profile %s: mfa_serial is set, and interactive mfa is not supported; use credentials that "
                         "need no mfa code (e.g. a credential_process such as aws-vault that asks for it)", p);
        return -1;
    }
    const char *d = get(f, p, "duration_seconds");
    if (d) {
        char *end;
        long seconds = strtol(d, &end, 10);
        if (*end || seconds < 900 || seconds > 43200) {
            strbuf_addf(err, "profile %s: duration_seconds is '%s'; expected seconds from 900 to 43200", p, d);
            return -1;
        }
        r->duration_seconds = (int)seconds;
    }
    return 0;
}

static void add_missing(struct strbuf *missing, const char *value, const char *key)
{
    if (!value)
        strbuf_addf(missing, "%s%s", missing->len ? ", " : "", key);
}

static int plan_sso(const struct shared_files *f, const char *p, struct profile_chain *c, struct strbuf *err)
{
    struct sso_settings *s = &c->sso;
    s->profile = p;
    s->session = get(f, p, "sso_session");
    s->account_id = get(f, p, "sso_account_id");
    s->role_name = get(f, p, "sso_role_name");
    const char *own_url = get(f, p, "sso_start_url"), *own_region = get(f, p, "sso_region");
    struct strbuf missing = STRBUF_INIT;
    int rc = -1;
    if (s->session) {
        if (!sso_session_exists(f, s->session)) {
            strbuf_addf(err, "profile %s: sso_session %s has no [sso-session %s] section in %s", p, s->session,
                        s->session, f->config_path);
            return -1;
        }
        s->start_url = sso_session_get(f, s->session, "sso_start_url");
        s->region = sso_session_get(f, s->session, "sso_region");
        const char *differs = own_url && s->start_url && strcmp(own_url, s->start_url) ? "sso_start_url"
                              : own_region && s->region && strcmp(own_region, s->region) ? "sso_region"
                                                                                         : NULL;
        if (differs) {
            strbuf_addf(err, "profile %s: %s differs from the one of [sso-session %s]", p, differs, s->session);
            return -1;
        }
        add_missing(&missing, s->start_url, "sso_start_url (in its sso-session)");
        add_missing(&missing, s->region, "sso_region (in its sso-session)");
    } else {
        s->start_url = own_url;
        s->region = own_region;
        add_missing(&missing, s->start_url, "sso_start_url");
        add_missing(&missing, s->region, "sso_region");
    }
    add_missing(&missing, s->account_id, "sso_account_id");
    add_missing(&missing, s->role_name, "sso_role_name");
    if (missing.len) {
        strbuf_addf(err, "profile %s: sso settings without %s", p, missing.buf);
    } else {
        c->base = CHAIN_SSO;
        c->base_profile = p;
        rc = 0;
    }
    strbuf_release(&missing);
    return rc;
}

static int uses_sso(const struct shared_files *f, const char *p)
{
    return get(f, p, "sso_session") || get(f, p, "sso_start_url") || get(f, p, "sso_account_id") ||
           get(f, p, "sso_role_name");
}

/* A profile without role_arn: keys, SSO, or a program. */
/* The profile's own keys are the chain's base. */
static int use_keys(const struct shared_files *f, const char *p, const char *id, const char *secret,
                    struct profile_chain *c)
{
    c->base = CHAIN_STATIC;
    c->base_profile = p;
    c->key_id = id;
    c->secret = secret;
    c->token = get(f, p, "aws_session_token");
    return 0;
}

static int plan_direct(const struct shared_files *f, const char *p, struct profile_chain *c, struct strbuf *err)
{
    static const char *const need_role[] = {"source_profile", "credential_source", "web_identity_token_file"};
    for (size_t i = 0; i < 3; i++) {
        if (get(f, p, need_role[i])) {
            strbuf_addf(err, "profile %s: %s is set without role_arn (the role to assume with it)", p, need_role[i]);
            return -1;
        }
    }
    const char *id = get(f, p, "aws_access_key_id"), *secret = get(f, p, "aws_secret_access_key");
    if (id && secret)
        return use_keys(f, p, id, secret, c);
    if (id || secret) {
        strbuf_addf(err, "profile %s has %s but not %s", p, id ? "aws_access_key_id" : "aws_secret_access_key",
                    id ? "aws_secret_access_key" : "aws_access_key_id");
        where(f, err);
        return -1;
    }
    if (uses_sso(f, p))
        return plan_sso(f, p, c, err);
    if (get(f, p, "credential_process")) {
        c->base = CHAIN_PROCESS;
        c->base_profile = p;
        c->command = get(f, p, "credential_process");
        return 0;
    }
    c->base = CHAIN_NONE;
    return 0;
}

static int plan(const struct shared_files *f, const char *p, struct trail *trail, struct profile_chain *c,
                struct strbuf *err);

static int plan_source_profile(const struct shared_files *f, const char *p, const char *source, struct trail *trail,
                               struct profile_chain *c, struct strbuf *err)
{
    if (!strcmp(source, p)) {
        /* A profile may name itself to keep its keys and its role together. */
        const char *id = get(f, p, "aws_access_key_id"), *secret = get(f, p, "aws_secret_access_key");
        if (!id || !secret) {
            strbuf_addf(err, "profile %s: source_profile names the profile itself, which has no aws_access_key_id "
                             "and aws_secret_access_key", p);
            return -1;
        }
        return use_keys(f, p, id, secret, c);
    }
    for (size_t i = 0; i < trail->n; i++) {
        if (!strcmp(trail->names[i], source)) {
            strbuf_addstr(err, "profiles loop through source_profile: ");
            for (size_t j = i; j < trail->n; j++)
                strbuf_addf(err, "%s -> ", trail->names[j]);
            strbuf_addf(err, "%s; profile %s's source_profile must lead to credentials", source, p);
            return -1;
        }
    }
    if (!profile_exists(f, source)) {
        strbuf_addf(err, "profile %s: source_profile %s does not exist", p, source);
        where(f, err);
        return -1;
    }
    if (plan(f, source, trail, c, err))
        return -1;
    if (c->base == CHAIN_NONE) {
        strbuf_addf(err, "profile %s: source_profile %s has no credentials (no keys, role, sso or "
                         "credential_process)", p, source);
        return -1;
    }
    return 0;
}

static int plan(const struct shared_files *f, const char *p, struct trail *trail, struct profile_chain *c,
                struct strbuf *err)
{
    XGROW(trail->names, trail->alloc, trail->n + 1);
    trail->names[trail->n++] = p;
    if (check_one_source(f, p, err))
        return -1;
    if (!get(f, p, "role_arn"))
        return plan_direct(f, p, c, err);
    struct sts_role role;
    if (role_settings(f, p, &role, err))
        return -1;
    if (get(f, p, "web_identity_token_file")) {
        c->base = CHAIN_WEB_IDENTITY;
        c->base_profile = p;
        c->token_file = get(f, p, "web_identity_token_file");
        c->web_role = role;
        return 0;
    }
    const char *source = get(f, p, "credential_source");
    if (source) {
        static const struct {
            const char *name;
            enum chain_base base;
        } sources[] = {{"Environment", CHAIN_ENVIRONMENT},
                       {"EcsContainer", CHAIN_CONTAINER},
                       {"Ec2InstanceMetadata", CHAIN_IMDS}};
        c->base = CHAIN_NONE;
        for (size_t i = 0; i < 3; i++)
            if (!strcmp(source, sources[i].name))
                c->base = sources[i].base;
        if (c->base == CHAIN_NONE) {
            strbuf_addf(err, "profile %s: credential_source is '%s'; expected Environment, EcsContainer or "
                             "Ec2InstanceMetadata", p, source);
            return -1;
        }
        c->base_profile = p;
    } else if (get(f, p, "source_profile")) {
        if (plan_source_profile(f, p, get(f, p, "source_profile"), trail, c, err))
            return -1;
    } else {
        strbuf_addf(err, "profile %s: role_arn is set without source_profile, credential_source or "
                         "web_identity_token_file (the credentials to assume the role with)", p);
        where(f, err);
        return -1;
    }
    XGROW(c->roles, c->alloc, c->nroles + 1);
    c->roles[c->nroles].profile = p;
    c->roles[c->nroles].role = role;
    c->nroles++;
    return 0;
}

int profile_chain_plan(const struct shared_files *f, const char *profile, struct profile_chain *out,
                       struct strbuf *err)
{
    memset(out, 0, sizeof(*out));
    struct trail trail = {0};
    int rc = plan(f, profile, &trail, out, err);
    xfree_wiped(trail.names);
    if (rc)
        profile_chain_free(out);
    return rc;
}

void profile_chain_free(struct profile_chain *c)
{
    xfree_wiped(c->roles);
    memset(c, 0, sizeof(*c));
}

static int from_environment(const char *p, struct aws_credentials *out, struct strbuf *err)
{
    const char *id = getenv("AWS_ACCESS_KEY_ID"), *secret = getenv("AWS_SECRET_ACCESS_KEY");
    if (!id || !*id || !secret || !*secret) {
        strbuf_addf(err, "profile %s: credential_source is Environment, but AWS_ACCESS_KEY_ID and "
                         "AWS_SECRET_ACCESS_KEY are not both set", p);
        return -1;
    }
    aws_credentials_set(out, id, secret, getenv("AWS_SESSION_TOKEN"), 0, "environment");
    return 0;
}

/* The container endpoint or instance metadata, which the profile asks
 * for: not being there is an error, not a reason to go on. */
static int from_machine(const struct profile_chain *c, struct http_client *http, struct aws_credentials *out,
                        struct strbuf *err)
{
    struct strbuf looked = STRBUF_INIT, why = STRBUF_INIT;
    int container = c->base == CHAIN_CONTAINER;
    int rc = container ? metadata_container(http, out, &looked, &why) : metadata_imds(out, &looked, &why);
    const char *name = container ? "EcsContainer" : "Ec2InstanceMetadata";
    if (rc < 0)
        strbuf_addf(err, "profile %s: credential_source is %s, but %s", c->base_profile, name, why.buf);
    else if (rc == 0 && container)
        strbuf_addf(err, "profile %s: credential_source is %s, but neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI "
                         "nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set", c->base_profile, name);
    else if (rc == 0)
        strbuf_addf(err, "profile %s: credential_source is %s, but nothing came from %s", c->base_profile, name,
                    looked.buf);
    strbuf_release(&looked);
    strbuf_release(&why);
    return rc == 1 ? 0 : -1;
}

static int run_base(const struct profile_chain *c, struct http_client *http, const char *region,
                    struct aws_credentials *out, struct strbuf *err)
{
    struct strbuf label = STRBUF_INIT, why = STRBUF_INIT;
    strbuf_addf(&label, "profile %s", c->base_profile);
    int rc = -1;
    switch (c->base) {
    case CHAIN_NONE: strbuf_addf(err, "profile %s has no credentials", c->base_profile); break;
    case CHAIN_STATIC:
        aws_credentials_set(out, c->key_id, c->secret, c->token, 0, label.buf);
        rc = 0;
        break;
    case CHAIN_ENVIRONMENT: rc = from_environment(c->base_profile, out, err); break;
    case CHAIN_CONTAINER:
    case CHAIN_IMDS: rc = from_machine(c, http, out, err); break;
    case CHAIN_WEB_IDENTITY:
        strbuf_addf(&label, " (web identity, role %s)", c->web_role.role_arn);
        rc = sts_web_identity_from_file(http, region, &c->web_role, c->token_file, label.buf, out, &why);
        if (rc)
            strbuf_addf(err, "profile %s: %s", c->base_profile, why.buf);
        break;
    case CHAIN_SSO: rc = sso_role_credentials(http, &c->sso, out, err); break;
    case CHAIN_PROCESS: rc = process_credentials(c->base_profile, c->command, out, err); break;
    }
    strbuf_release(&label);
    strbuf_release(&why);
    return rc;
}

int profile_chain_run(const struct profile_chain *c, struct http_client *http, const char *region, long skew,
                      struct aws_credentials *out, struct strbuf *err)
{
    memset(out, 0, sizeof(*out));
    struct aws_credentials cur;
    memset(&cur, 0, sizeof(cur));
    if (run_base(c, http, region, &cur, err))
        return -1;
    for (size_t i = 0; i < c->nroles; i++) {
        const struct chain_role *r = &c->roles[i];
        struct strbuf label = STRBUF_INIT, why = STRBUF_INIT;
        strbuf_addf(&label, "profile %s (role %s)", r->profile, r->role.role_arn);
        struct aws_credentials next;
        memset(&next, 0, sizeof(next));
        int rc = sts_assume_role(http, region, skew, &cur, &r->role, label.buf, &next, &why);
        if (rc)
            strbuf_addf(err, "profile %s: %s", r->profile, why.buf);
        aws_credentials_free(&cur);
        cur = next;
        strbuf_release(&label);
        strbuf_release(&why);
        if (rc)
            return -1;
    }
    *out = cur;
    return 0;
}
