/* secrets: SSM SecureString parameters of catalog-stack.md, named
 * /{stack}/{env}/{name}. Values come from environment variables or are
 * generated, never from the file. The descriptor, the keys and their
 * checks, and the callbacks that run the steps (values.c, lookup.c,
 * converge.c, destroy.c, outputs.c; see sec.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stackhost/stackhost.h>

#include "sec.h"

static const char *const no_requirements[] = {NULL};

static const sh_config_key parameter_fields[] = {
    {.name = "name", .type = SH_CONFIG_STRING, .required = 1, .format = SH_FORMAT_NAME,
     .help = "the parameter is /{stack}/{env}/{name}"},
    {.name = "env", .type = SH_CONFIG_STRING, .format = SH_FORMAT_ENV_NAME,
     .help = "environment variable holding the value (the value never lives in the file)"},
    {.name = "generate", .type = SH_CONFIG_INT, .min = 32, .max = 4096,
     .help = "generate a random value of this many characters on first deploy; never rotated"},
    SH_CONFIG_END};

static const sh_config_key secrets_keys[] = {
    {.name = "parameters", .type = SH_CONFIG_GROUP_LIST, .default_value = "()", .fields = parameter_fields,
     .help = "the SecureString parameters: each with name and either env or generate"},
    SH_CONFIG_END};

static const sh_config_bind secrets_bind[] = {SH_BIND(struct sec_config, parameters, "parameters"), SH_BIND_END};

static sh_status secrets_validate(const sh_host *host, sh_ctx *ctx)
{
    sh_status rc = SH_OK;
    struct sec_config cfg;
    host->config_read(ctx, &cfg);
    size_t n = host->value_count(cfg.parameters);
    for (size_t i = 0; i < n; i++) {
        const sh_value *p = host->value_at(cfg.parameters, i);
        int from_env = host->value_member(p, "env") != NULL;
        int generated = host->value_member(p, "generate") != NULL;
        if (from_env == generated)
            rc = host->config_error(ctx, p, "set exactly one of env (a variable name) or generate (a length)");
        /* a value is hidden from every line by matching it: a short one
         * would match everywhere (and be guessed) */
        const char *var = host->value_string(host->value_member(p, "env"));
        const char *value = var ? getenv(var) : NULL;
        if (value && *value && strlen(value) < SEC_MIN_VALUE)
            rc = host->config_error(ctx, host->value_member(p, "env"),
                                    "%s holds a value of %zu characters: a secret needs at least %d (a shorter one "
                                    "cannot be told from ordinary text, and would be hidden wherever it appears)",
                                    var, strlen(value), SEC_MIN_VALUE);
        const char *name = host->value_string(host->value_member(p, "name"));
        for (size_t k = 0; name && k < i; k++) {
            const char *other = host->value_string(host->value_member(host->value_at(cfg.parameters, k), "name"));
            if (other && !strcmp(name, other))
                rc = host->config_error(ctx, host->value_member(p, "name"), "parameter '%s' is declared twice", name);
        }
    }
    return rc;
}

/* The ARNs follow from the names: outputs looks nothing up. */
static int no_lookups(shc_frame *f)
{
    (void)f;
    return 0;
}

static const shc_lifecycle secrets_lifecycle = {
    .size = sizeof(struct sec), .not_yet = sec_not_yet, .load = sec_load, .begin = sec_begin,
    .converge = sec_converge, .publish = sec_publish, .outputs = no_lookups, .destroy = sec_destroy_pass,
    .destroy_what = "the stack's parameters", .free = sec_free};

SHC_LIFECYCLE(secrets, secrets_lifecycle)

static const sh_resource_decl secrets_resources[] = {
    {"parameters", "ssm parameters /{S}/{E}/<name> (SecureString)", NULL},
    {NULL, NULL, NULL}};

/* What it publishes (a dependent starts with it, its reads waiting for
 * these): one <name>_arn per parameter, the configuration's names. */
static const char *const secrets_publishes[] = {"parameter_arns", "changed_parameter_arns", "*_arn", NULL};

SH_PLUGIN_EXPORT = {
    SH_PLUGIN_ABI,
    .name = "secrets",
    .version = "0.1.0",
    .description = "SSM SecureString parameters from environment variables or generated",
    .keys = secrets_keys,
    .config_bind = secrets_bind,
    .cost = sec_cost,
    /* the running tasks hold their values: nothing waits */
    .destroy_alongside = 1,
    .requires = no_requirements,
    .validate = secrets_validate,
    SHC_CALLBACKS(secrets),
    .resources = secrets_resources,
    .publishes = secrets_publishes,
};
