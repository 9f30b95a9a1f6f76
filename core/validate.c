#include "validate.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config_limits.h"
#include "xalloc.h"

const char *validate_type_name(sh_config_type type)
{
    switch (type) {
    case SH_CONFIG_STRING: return "string";
    case SH_CONFIG_INT: return "integer";
    case SH_CONFIG_BOOL: return "boolean";
    case SH_CONFIG_STRING_LIST: return "list of strings";
    case SH_CONFIG_INT_LIST: return "list of integers";
    case SH_CONFIG_GROUP_LIST: return "list of groups";
    }
    return "unknown type";
}

const char *validate_format_name(sh_config_format format)
{
    switch (format) {
    case SH_FORMAT_ANY: return NULL;
    case SH_FORMAT_CIDR: return "ipv4 cidr";
    case SH_FORMAT_EMAIL: return "e-mail address";
    case SH_FORMAT_ENV_NAME: return "environment variable name";
    case SH_FORMAT_NAME: return "name: a-z, 0-9, -";
    case SH_FORMAT_ARN: return "arn";
    case SH_FORMAT_PATH: return "url path";
    }
    return NULL;
}

/* Variables that hold the deployer's own credentials: a configuration
 * (which a pull request can change) must not copy them into the stack. */
static int credential_variable(const char *name)
{
    static const char *const prefixes[] = {"AWS_", "STACKHOST_", "ACTIONS_ID_TOKEN_", "ACTIONS_RUNTIME_",
                                           "CI_JOB_", "GOOGLE_APPLICATION_", "AZURE_", NULL};
    static const char *const names[] = {"GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN", "CI_REGISTRY_PASSWORD",
                                        "BUILDKITE_AGENT_ACCESS_TOKEN", "CIRCLE_TOKEN", "SSH_AUTH_SOCK", NULL};
    char upper[128];
    size_t len = strlen(name);
    if (len >= sizeof(upper))
        len = sizeof(upper) - 1;
    for (size_t i = 0; i < len; i++)
        upper[i] = (char)toupper((unsigned char)name[i]);
    upper[len] = '\0';
    for (size_t i = 0; prefixes[i]; i++)
        if (!strncmp(upper, prefixes[i], strlen(prefixes[i])))
            return 1;
    for (size_t i = 0; names[i]; i++)
        if (!strcmp(upper, names[i]))
            return 1;
    return 0;
}

static int check_cidr(const char *s, const char **why)
{
    unsigned a[4], prefix;
    char tail;
    if (sscanf(s, "%u.%u.%u.%u/%u%c", &a[0], &a[1], &a[2], &a[3], &prefix, &tail) != 5 ||
        strspn(s, "0123456789./") != strlen(s)) {
        *why = "not an ipv4 cidr such as 10.0.0.0/16";
        return -1;
    }
    for (int i = 0; i < 4; i++) {
        if (a[i] > 255) {
            *why = "an address octet is above 255";
            return -1;
        }
    }
    if (prefix > 32) {
        *why = "the prefix length must be 0 to 32";
        return -1;
    }
    unsigned long addr = ((unsigned long)a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3];
    unsigned long mask = prefix ? (0xffffffffUL << (32 - prefix)) & 0xffffffffUL : 0;
    if (addr & ~mask & 0xffffffffUL) {
        *why = "host bits are set after the prefix (use the network address)";
        return -1;
    }
    return 0;
}

int validate_format(sh_config_format format, const char *s, const char **why)
{
    size_t len = strlen(s);
    switch (format) {
    case SH_FORMAT_ANY:
        return 0;
    case SH_FORMAT_CIDR:
        return check_cidr(s, why);
    case SH_FORMAT_EMAIL: {
        const char *at = strchr(s, '@');
        if (!at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.') ||
            s[len - 1] == '.' || at[1] == '.' || strpbrk(s, " \t,;<>")) {
            *why = "not an e-mail address such as ops@example.com";
            return -1;
        }
        return 0;
    }
    case SH_FORMAT_ENV_NAME:
        if (!len || isdigit((unsigned char)s[0]) ||
            strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != len) {
            *why = "not an environment variable name (letters, digits and _, not starting with a digit)";
            return -1;
        }
        if (credential_variable(s)) {
            *why = "names a variable that holds the deployer's credentials (AWS_*, a CI token): its value would be "
                   "copied into the stack; give the value its own variable";
            return -1;
        }
        return 0;
    case SH_FORMAT_NAME:
        if (len > 63) {
            *why = "names are at most 63 characters (they become parts of aws resource names)";
            return -1;
        }
        if (!len || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != len || s[0] == '-' ||
            s[len - 1] == '-') {
            *why = "names use only lower-case letters, digits and '-', and do not start or end with '-'";
            return -1;
        }
        return 0;
    case SH_FORMAT_ARN: {
        int colons = 0;
        for (const char *p = s; *p; p++)
            colons += *p == ':';
        if (strncmp(s, "arn:", 4) || colons < 5) {
            *why = "not an arn such as arn:aws:acm:us-east-1:123456789012:certificate/...";
            return -1;
        }
        return 0;
    }
    case SH_FORMAT_PATH:
        if (s[0] != '/' || strpbrk(s, " \t?#")) {
            *why = "not a url path such as /health";
            return -1;
        }
        return 0;
    }
    *why = "unknown format";
    return -1;
}

static int is_allowed(const char *const *allowed, const char *text)
{
    if (!allowed)
        return 1;
    for (size_t i = 0; allowed[i]; i++)
        if (!strcmp(allowed[i], text))
            return 1;
    return 0;
}

static void allowed_list(const char *const *allowed, struct strbuf *out)
{
    for (size_t i = 0; allowed[i]; i++)
        strbuf_addf(out, "%s%s", i ? ", " : "", allowed[i]);
}

/* Checks one scalar (a key's value, or a list item) against the key. */
static void check_scalar(const sh_config_key *key, const struct sh_value *v, struct diag_list *dl)
{
    struct strbuf text = STRBUF_INIT;
    if (v->type == VALUE_INT)
        strbuf_addf(&text, "%lld", v->u.i);
    else if (v->type == VALUE_STRING)
        strbuf_addstr(&text, v->u.s);
    if (v->type == VALUE_INT && key->min < key->max && (v->u.i < key->min || v->u.i > key->max))
        value_diag(dl, v, "%lld is out of range: use %lld to %lld", v->u.i, key->min, key->max);
    if (!is_allowed(key->allowed, text.buf)) {
        struct strbuf list = STRBUF_INIT;
        allowed_list(key->allowed, &list);
        const char *near = NULL;
        size_t n = 0;
        while (key->allowed[n])
            n++;
        if (v->type == VALUE_STRING)
            near = suggest_closest(text.buf, (const char *const *)key->allowed, n);
        struct strbuf quoted = STRBUF_INIT;
        config_quote(&quoted, text.buf, '\'');
        if (near)
            value_diag(dl, v, "%s is not allowed, did you mean '%s'? (allowed: %s)", quoted.buf, near, list.buf);
        else
            value_diag(dl, v, "%s is not allowed (allowed: %s)", quoted.buf, list.buf);
        strbuf_release(&quoted);
        strbuf_release(&list);
    }
    const char *why = NULL;
    if (v->type == VALUE_STRING && validate_format(key->format, v->u.s, &why)) {
        struct strbuf quoted = STRBUF_INIT;
        config_quote(&quoted, v->u.s, '\'');
        value_diag(dl, v, "%s: %s", quoted.buf, why);
        strbuf_release(&quoted);
    }
    strbuf_release(&text);
}

static enum value_type item_type(sh_config_type type)
{
    switch (type) {
    case SH_CONFIG_STRING:
    case SH_CONFIG_STRING_LIST: return VALUE_STRING;
    case SH_CONFIG_INT:
    case SH_CONFIG_INT_LIST: return VALUE_INT;
    case SH_CONFIG_BOOL: return VALUE_BOOL;
    case SH_CONFIG_GROUP_LIST: return VALUE_GROUP;
    }
    return VALUE_STRING;
}

static int is_list_type(sh_config_type type)
{
    return type == SH_CONFIG_STRING_LIST || type == SH_CONFIG_INT_LIST || type == SH_CONFIG_GROUP_LIST;
}

static void type_mismatch(const sh_config_key *key, const struct sh_value *v, const char *what,
                          struct diag_list *dl)
{
    struct strbuf shown = STRBUF_INIT;
    if (v->type == VALUE_STRING) {
        strbuf_addstr(&shown, " (");
        config_quote(&shown, v->u.s, '"');
        strbuf_addch(&shown, ')');
    } else if (v->type != VALUE_LIST && v->type != VALUE_GROUP) {
        strbuf_addstr(&shown, " (");
        value_format(v, &shown);
        strbuf_addch(&shown, ')');
    }
    value_diag(dl, v, "expected %s %s, found %s%s", what, validate_type_name(key->type),
               value_type_name(v->type), shown.buf);
    strbuf_release(&shown);
}

static void check_value(const sh_config_key *key, struct sh_value *v, struct diag_list *dl)
{
    enum value_type want = item_type(key->type);
    if (!is_list_type(key->type)) {
        if (v->type != want) {
            type_mismatch(key, v, key->type == SH_CONFIG_INT ? "an" : "a", dl);
            return;
        }
        check_scalar(key, v, dl);
        return;
    }
    if (v->type != VALUE_LIST) {
        type_mismatch(key, v, "a", dl);
        return;
    }
    for (size_t i = 0; i < v->n; i++) {
        struct sh_value *item = v->kids[i];
        if (item->type != want) {
            value_diag(dl, item, "expected %s in this %s, found %s", value_type_name(want),
                       validate_type_name(key->type), value_type_name(item->type));
        } else if (want == VALUE_GROUP) {
            validate_group(key->fields, item, NULL, dl);
        } else {
            check_scalar(key, item, dl);
        }
    }
}

static int is_reserved(const char *const *reserved, const char *name)
{
    for (size_t i = 0; reserved && reserved[i]; i++)
        if (!strcmp(reserved[i], name))
            return 1;
    return 0;
}

const sh_config_key *validate_key_find(const sh_config_key *table, const char *name)
{
    for (size_t i = 0; table && name && table[i].name; i++)
        if (!strcmp(table[i].name, name))
            return &table[i];
    return NULL;
}

size_t validate_group(const sh_config_key *table, struct sh_value *group,
                      const char *const *reserved, struct diag_list *dl)
{
    size_t before = diag_count(dl);
    size_t nknown = 0;
    while (table && table[nknown].name)
        nknown++;
    const char **known = xcalloc(nknown + 8, sizeof(*known));
    size_t nk = 0;
    for (size_t i = 0; i < nknown; i++)
        known[nk++] = table[i].name;
    for (size_t i = 0; reserved && reserved[i] && nk < nknown + 8; i++)
        known[nk++] = reserved[i];

    for (size_t i = 0; i < group->n; i++) {
        struct sh_value *m = group->kids[i];
        if (is_reserved(reserved, m->name))
            continue;
        const sh_config_key *key = validate_key_find(table, m->name);
        if (key) {
            check_value(key, m, dl);
            continue;
        }
        const char *near = suggest_closest(m->name, known, nk);
        if (near) {
            value_diag(dl, m, "unknown key, did you mean '%s'?", near);
        } else {
            struct strbuf list = STRBUF_INIT;
            for (size_t k = 0; k < nk; k++)
                strbuf_addf(&list, "%s%s", k ? ", " : "", known[k]);
            value_diag(dl, m, "unknown key (known keys: %s)", nk ? list.buf : "none");
            strbuf_release(&list);
        }
    }
    free(known);

    for (size_t i = 0; i < nknown; i++) {
        const sh_config_key *key = &table[i];
        if (value_get(group, key->name))
            continue;
        if (key->required) {
            value_diag(dl, group, "missing required key '%s' (%s): %s", key->name,
                       validate_type_name(key->type), key->help ? key->help : "");
            continue;
        }
        if (key->default_value) {
            const char *why = NULL;
            struct sh_value *d = value_parse(key->default_value, key->name, &why);
            if (d) /* validate_table checked it when the plugin loaded */
                value_add(group, d);
        }
    }
    return diag_count(dl) - before;
}

int validate_table(const sh_config_key *table, struct strbuf *why)
{
    for (size_t i = 0; table && table[i].name; i++) {
        const sh_config_key *key = &table[i];
        const char *name = key->name;
        if (!*name || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(name) ||
            !strcmp(name, "enabled")) {
            strbuf_addf(why, "configuration key '%s' is not a valid key name ([a-z0-9_]+, not 'enabled')", name);
            return -1;
        }
        if (validate_key_find(table, name) != key) {
            strbuf_addf(why, "configuration key '%s' is declared twice", name);
            return -1;
        }
        if (key->type < SH_CONFIG_STRING || key->type > SH_CONFIG_GROUP_LIST) {
            strbuf_addf(why, "configuration key '%s' has unknown type %d", name, (int)key->type);
            return -1;
        }
        if ((unsigned)key->format > SH_FORMAT_PATH) {
            strbuf_addf(why, "configuration key '%s' has unknown format %d", name, (int)key->format);
            return -1;
        }
        if (key->min > key->max) {
            strbuf_addf(why, "configuration key '%s' has min %lld above max %lld", name, key->min, key->max);
            return -1;
        }
        if ((key->type == SH_CONFIG_GROUP_LIST) != (key->fields != NULL)) {
            strbuf_addf(why, "configuration key '%s': fields are required for a list of groups and only there", name);
            return -1;
        }
        if (key->fields && validate_table(key->fields, why))
            return -1;
        if (key->default_value) {
            const char *perr = NULL;
            struct sh_value *holder = value_new(VALUE_GROUP, NULL);
            struct sh_value *d = value_parse(key->default_value, name, &perr);
            if (!d) {
                strbuf_addf(why, "configuration key '%s' has a default that does not parse: %s", name,
                            key->default_value);
                value_free(holder);
                return -1;
            }
            value_add(holder, d);
            struct diag_list dl = DIAG_LIST_INIT;
            check_value(key, d, &dl);
            if (dl.n) {
                strbuf_addf(why, "configuration key '%s' has an invalid default %s: %s", name,
                            key->default_value, dl.items[0].msg);
                diag_clear(&dl);
                value_free(holder);
                return -1;
            }
            value_free(holder);
        }
    }
    return 0;
}
