/*
 * stackhost SDK: the declarative configuration key table.
 *
 * A plugin describes every key of its configuration section in a static
 * table; the host parses the file, checks every key against the table
 * (type, bounds, allowed values, format, required) and fills in defaults
 * before any plugin code runs, so a plugin holds no parsing code (the
 * model is nginx's ngx_command_t). The table is owned by the plugin and
 * must stay valid while the plugin is loaded (static storage).
 *
 * Every section also accepts the host's own key `enabled` (bool).
 */
#ifndef STACKHOST_CONFIG_H
#define STACKHOST_CONFIG_H

#include <limits.h>
#include <stddef.h>

typedef enum sh_config_type {
    SH_CONFIG_STRING = 1,
    SH_CONFIG_INT = 2,         /* 64-bit signed */
    SH_CONFIG_BOOL = 3,
    SH_CONFIG_STRING_LIST = 4, /* ["a", "b"] */
    SH_CONFIG_INT_LIST = 5,    /* [1, 2] */
    SH_CONFIG_GROUP_LIST = 6   /* ( { k = v; }, ... ), members checked against `fields` */
} sh_config_type;

/* Formats the host checks for strings and string-list items. */
typedef enum sh_config_format {
    SH_FORMAT_ANY = 0,
    SH_FORMAT_CIDR = 1,     /* IPv4 CIDR with the host bits clear: 10.0.0.0/16 */
    SH_FORMAT_EMAIL = 2,    /* local@domain.tld */
    SH_FORMAT_ENV_NAME = 3, /* an environment variable name: [A-Za-z_][A-Za-z0-9_]*, not one holding
                             * the deployer's credentials (AWS_*, STACKHOST_*, CI tokens) */
    SH_FORMAT_NAME = 4,     /* a resource name part: [a-z0-9-], not starting or ending with '-' */
    SH_FORMAT_ARN = 5,      /* arn:partition:service:region:account:resource */
    SH_FORMAT_PATH = 6      /* a URL path: starts with '/' */
} sh_config_format;

typedef struct sh_config_key {
    const char *name;          /* [a-z0-9_]+; NULL ends the table */
    sh_config_type type;
    /* Default in libconfig value syntax ("3", "true", "\"IMMUTABLE\"",
     * "[5432]"), or NULL for none. Checked against the key when the plugin
     * is loaded; a bad default refuses the plugin. */
    const char *default_value;
    int required;              /* non-zero: the user must set it */
    /* For SH_CONFIG_INT and the items of SH_CONFIG_INT_LIST: inclusive
     * bounds, checked only when min < max. */
    long long min, max;
    /* NULL-terminated list of allowed values for strings, ints (decimal
     * text) and list items; NULL allows any. */
    const char *const *allowed;
    sh_config_format format;
    /* SH_CONFIG_GROUP_LIST only: the table of each element's keys. */
    const struct sh_config_key *fields;
    const char *help;          /* one line, shown by `stackhost plugins NAME` */
} sh_config_key;

#define SH_CONFIG_END { NULL, (sh_config_type)0, NULL, 0, 0, 0, NULL, SH_FORMAT_ANY, NULL, NULL }

/* ---- ABI 1.5: typed configuration ----
 *
 * A plugin binds its keys to the fields of its own struct (as nginx's
 * ngx_command_t does, with an offset) in the descriptor's config_bind,
 * and host->config_read fills the struct: no key is read by a name typed
 * again in the code. The loader checks the binding against the key table
 * (every key bound declared, each field the size its type needs, none
 * bound twice) and refuses the plugin otherwise.
 *
 *   struct scaling_config { long long min, max; };
 *   static const sh_config_bind bind[] = {
 *       SH_BIND(struct scaling_config, min, "min"), SH_BIND(struct scaling_config, max, "max"), SH_BIND_END};
 *
 * The field of each key type: string `const char *`, integer `long long`,
 * boolean `int`, list of strings `sh_string_list`, list of integers
 * `sh_int_list`, list of groups `const sh_value *` (read with value_*).
 * Strings and lists are the host's, valid until the callback returns. */
typedef struct sh_config_bind {
    const char *key; /* a key of the table; NULL ends the binding */
    size_t offset;   /* of the field in the plugin's struct */
    size_t size;     /* of the field */
} sh_config_bind;

typedef struct sh_string_list {
    const char *const *items;
    size_t n;
} sh_string_list;

typedef struct sh_int_list {
    const long long *items;
    size_t n;
} sh_int_list;

#define SH_BIND(type, field, key) { (key), offsetof(type, field), sizeof(((type *)0)->field) }
#define SH_BIND_END { NULL, 0, 0 }

#endif
