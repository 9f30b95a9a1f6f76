/* secrets: SSM SecureString parameters of catalog-stack.md, named
 * /{stack}/{env}/{name}. Values come from environment variables or are
 * generated, never from the file. This version declares and checks the
 * configuration; the AWS work comes with the AWS client (README). */
#include <string.h>

#include <stackhost/stackhost.h>

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

static sh_status secrets_validate(const sh_host *host, sh_ctx *ctx)
{
    sh_status rc = SH_OK;
    const sh_value *params = host->config(ctx, "parameters");
    size_t n = host->value_count(params);
    for (size_t i = 0; i < n; i++) {
        const sh_value *p = host->value_at(params, i);
        int from_env = host->value_member(p, "env") != NULL;
        int generated = host->value_member(p, "generate") != NULL;
        if (from_env == generated)
            rc = host->config_error(ctx, p, "set exactly one of env (a variable name) or generate (a length)");
        const char *name = host->value_string(host->value_member(p, "name"));
        for (size_t k = 0; name && k < i; k++) {
            const char *other = host->value_string(host->value_member(host->value_at(params, k), "name"));
            if (other && !strcmp(name, other))
                rc = host->config_error(ctx, host->value_member(p, "name"), "parameter '%s' is declared twice", name);
        }
    }
    return rc;
}

SH_PLUGIN_EXPORT = {
    SH_PLUGIN_ABI,
    .name = "secrets",
    .version = "0.1.0",
    .description = "SSM SecureString parameters from environment variables or generated",
    .keys = secrets_keys,
    .validate = secrets_validate,
};
