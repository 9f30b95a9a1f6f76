#include "profile.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/secret.h"
#include "log.h"
#include "strbuf.h"
#include "xalloc.h"

static const char *nonempty_env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* --profile: the process's choice, as the aws cli's flag, over AWS_PROFILE */
static const char *selected;

void profile_select(const char *name)
{
    selected = name && *name ? name : NULL;
}

const char *profile_name(void)
{
    return selected ? selected : nonempty_env("AWS_PROFILE") ? nonempty_env("AWS_PROFILE") : "default";
}

const char *profile_chosen_by(void)
{
    return selected ? "--profile" : nonempty_env("AWS_PROFILE") ? "AWS_PROFILE" : NULL;
}

static char *file_path(const char *var, const char *name)
{
    struct strbuf sb = STRBUF_INIT;
    if (nonempty_env(var))
        strbuf_addstr(&sb, nonempty_env(var));
    else
        strbuf_addf(&sb, "%s/.aws/%s", nonempty_env("HOME") ? nonempty_env("HOME") : "", name);
    return strbuf_detach(&sb);
}

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* The section a header names, or kind INI_OTHER for one the SDKs skip
 * ([services x], [plugins], or an unprefixed name in the config file). */
static void classify(char *header, int in_config, enum ini_section_kind *kind, char **name, int *rank)
{
    *kind = INI_OTHER;
    *rank = 0;
    if (!in_config) {
        *kind = INI_PROFILE;
        *name = header;
        *rank = 3;
        return;
    }
    if (!strcmp(header, "default")) {
        *kind = INI_PROFILE;
        *name = header;
        *rank = 1;
        return;
    }
    const char *prefixes[] = {"profile", "sso-session"};
    for (int i = 0; i < 2; i++) {
        size_t n = strlen(prefixes[i]);
        if (!strncmp(header, prefixes[i], n) && isspace((unsigned char)header[n])) {
            *kind = i ? INI_SSO_SESSION : INI_PROFILE;
            *name = str_trim(header + n);
            *rank = 2;
            return;
        }
    }
    *name = header;
}

static int is_secret_key(const char *key)
{
    return !strcmp(key, "aws_secret_access_key") || !strcmp(key, "aws_session_token") ||
           !strcmp(key, "aws_security_token");
}

static void add_setting(struct ini_section *s, const char *key, const char *value)
{
    XGROW(s->settings, s->alloc, s->n + 1);
    s->settings[s->n].key = xstrdup(key);
    s->settings[s->n].value = xstrdup(value);
    s->n++;
    if (is_secret_key(key))
        redact_add(value);
}

/* Parses one file's text, which it cuts up in place. */
static int parse(struct shared_files *f, const char *path, int in_config, char *text, struct strbuf *err)
{
    struct ini_section *cur = NULL;
    int skipping = 0;          /* inside a section the SDKs ignore */
    int key_indent = -1;       /* indent of the section's last key; -1: none yet */
    char *parent = NULL;       /* last key, when its value was empty: a nested block */
    size_t last = 0;           /* index of that key's setting */
    int lineno = 0;
    for (char *line = text, *next; line; line = next) {
        lineno++;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        int indent = (int)strspn(line, " \t");
        char *l = str_trim(line);
        if (!*l || *l == '#' || *l == ';')
            continue;
        if (*l == '[') {
            char *end = strrchr(l, ']');
            if (!end) {
                strbuf_addf(err, "%s:%d: a section header without ']'", path, lineno);
                xfree_wiped(parent);
                return -1;
            }
            *end = '\0';
            enum ini_section_kind kind;
            char *name;
            int rank;
            classify(str_trim(l + 1), in_config, &kind, &name, &rank);
            skipping = kind == INI_OTHER;
            key_indent = -1;
            xfree_wiped(parent);
            parent = NULL;
            if (skipping)
                continue;
            XGROW(f->sections, f->alloc, f->n + 1);
            cur = &f->sections[f->n++];
            memset(cur, 0, sizeof(*cur));
            cur->kind = kind;
            cur->name = xstrdup(name);
            cur->file = path;
            cur->rank = rank;
            continue;
        }
        if (!cur && !skipping) {
            strbuf_addf(err, "%s:%d: a setting before any [section]", path, lineno);
            return -1;
        }
        if (key_indent >= 0 && indent > key_indent) {
            /* A continuation: a nested setting under an empty key, else
             * more of the last value. */
            if (skipping)
                continue;
            if (parent) {
                size_t d = strcspn(l, "=");
                if (l[d]) {
                    l[d] = '\0';
                    char *k = str_trim(l);
                    lower(k);
                    struct strbuf nested = STRBUF_INIT;
                    strbuf_addf(&nested, "%s.%s", parent, k);
                    add_setting(cur, nested.buf, str_trim(l + d + 1));
                    strbuf_release(&nested);
                }
            } else {
                struct strbuf joined = STRBUF_INIT;
                strbuf_addf(&joined, "%s\n%s", cur->settings[last].value, l);
                xfree_wiped(cur->settings[last].value);
                cur->settings[last].value = strbuf_detach(&joined);
                if (is_secret_key(cur->settings[last].key))
                    redact_add(cur->settings[last].value);
            }
            continue;
        }
        size_t d = strcspn(l, "=:");
        if (!l[d]) {
            strbuf_addf(err, "%s:%d: expected 'key = value'", path, lineno);
            xfree_wiped(parent);
            return -1;
        }
        l[d] = '\0';
        char *k = str_trim(l), *v = str_trim(l + d + 1);
        lower(k);
        key_indent = indent;
        xfree_wiped(parent);
        parent = NULL;
        if (skipping)
            continue;
        if (!*v)
            parent = xstrdup(k);
        last = cur->n;
        add_setting(cur, k, v);
    }
    xfree_wiped(parent);
    return 0;
}

static int load_one(struct shared_files *f, const char *path, int in_config, struct strbuf *err)
{
    struct strbuf text = STRBUF_INIT;
    int rc = secret_read_file(path, &text, err);
    if (rc > 0)
        rc = parse(f, path, in_config, text.buf, err);
    strbuf_release(&text);
    return rc < 0 ? -1 : 0;
}

int shared_files_load(struct shared_files *f, struct strbuf *err)
{
    memset(f, 0, sizeof(*f));
    f->config_path = file_path("AWS_CONFIG_FILE", "config");
    f->credentials_path = file_path("AWS_SHARED_CREDENTIALS_FILE", "credentials");
    if (load_one(f, f->config_path, 1, err) || load_one(f, f->credentials_path, 0, err)) {
        char *config = f->config_path, *credentials = f->credentials_path;
        f->config_path = f->credentials_path = NULL;
        shared_files_free(f);
        f->config_path = config;
        f->credentials_path = credentials;
        return -1;
    }
    return 0;
}

void shared_files_free(struct shared_files *f)
{
    for (size_t i = 0; i < f->n; i++) {
        struct ini_section *s = &f->sections[i];
        for (size_t j = 0; j < s->n; j++) {
            xfree_wiped(s->settings[j].key);
            xfree_wiped(s->settings[j].value);
        }
        xfree_wiped(s->settings);
        xfree_wiped(s->name);
    }
    xfree_wiped(f->sections);
    xfree_wiped(f->config_path);
    xfree_wiped(f->credentials_path);
    memset(f, 0, sizeof(*f));
}

static const char *lookup(const struct shared_files *f, enum ini_section_kind kind, const char *name,
                          const char *key, const char **file)
{
    const char *best = NULL;
    int best_rank = 0;
    for (size_t i = 0; i < f->n; i++) {
        const struct ini_section *s = &f->sections[i];
        if (s->kind != kind || strcmp(s->name, name) || s->rank < best_rank)
            continue;
        for (size_t j = 0; j < s->n; j++) {
            if (!strcmp(s->settings[j].key, key)) {
                best = s->settings[j].value;
                best_rank = s->rank;
                if (file)
                    *file = s->file;
            }
        }
    }
    return best && *best ? best : NULL;
}

static int exists(const struct shared_files *f, enum ini_section_kind kind, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->sections[i].kind == kind && !strcmp(f->sections[i].name, name))
            return 1;
    return 0;
}

int profile_exists(const struct shared_files *f, const char *profile)
{
    return exists(f, INI_PROFILE, profile);
}

const char *profile_get(const struct shared_files *f, const char *profile, const char *key, const char **file)
{
    return lookup(f, INI_PROFILE, profile, key, file);
}

int sso_session_exists(const struct shared_files *f, const char *session)
{
    return exists(f, INI_SSO_SESSION, session);
}

const char *sso_session_get(const struct shared_files *f, const char *session, const char *key)
{
    return lookup(f, INI_SSO_SESSION, session, key, NULL);
}

char *profile_region(struct strbuf *where)
{
    struct shared_files f;
    struct strbuf err = STRBUF_INIT;
    char *region = NULL;
    if (!shared_files_load(&f, &err)) {
        const char *file = NULL;
        const char *r = profile_get(&f, profile_name(), "region", &file);
        if (r) {
            region = xstrdup(r);
            if (where)
                strbuf_addf(where, "profile %s in %s", profile_name(), file);
        }
    }
    strbuf_release(&err);
    shared_files_free(&f);
    return region;
}
