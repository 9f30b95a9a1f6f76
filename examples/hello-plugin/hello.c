/* hello: a small out-of-tree stackhost plugin.
 *
 * It declares a configuration table (one key, `greeting`), requires the
 * network plugin, reads network's `vpc_id` output and publishes its own
 * output `message` = "<greeting> from <vpc_id>". It owns no AWS resource,
 * so destroy has nothing to do (and succeeds: destroy is idempotent). */
#include <stdio.h>

#include <stackhost/stackhost.h>

static const char *const hello_requires[] = {"network", NULL};

static const sh_config_key hello_keys[] = {
    /* Defaults are written as in the configuration file: a quoted string. */
    {.name = "greeting", .type = SH_CONFIG_STRING, .default_value = "\"hello\"",
     .help = "the first word of the message"},
    SH_CONFIG_END};

/* validate: what the key table cannot say (here: not empty). */
static sh_status hello_validate(const sh_host *host, sh_ctx *ctx)
{
    const char *greeting = host->config_string(ctx, "greeting");
    if (!greeting || !*greeting)
        return host->config_error(ctx, host->config(ctx, "greeting"), "greeting must not be empty");
    return SH_OK;
}

/* Publishes `message`; shared by create and outputs. */
static sh_status publish(const sh_host *host, sh_ctx *ctx)
{
    const char *vpc_id = host->input_string(ctx, "network", "vpc_id");
    if (!vpc_id) {
        /* In a plan the network may not exist yet: nothing to say. */
        if (host->mode(ctx) != SH_MODE_DEPLOY)
            return SH_OK;
        return host->fail(ctx, SH_ERR_NOT_FOUND, "network published no vpc_id");
    }
    char message[512];
    snprintf(message, sizeof(message), "%s from %s", host->config_string(ctx, "greeting"), vpc_id);
    return host->output_string(ctx, "message", message);
}

static sh_status hello_create(const sh_host *host, sh_ctx *ctx)
{
    host->log(ctx, SH_LOG_DEBUG, "greeting the network");
    return publish(host, ctx);
}

static sh_status hello_destroy(const sh_host *host, sh_ctx *ctx)
{
    (void)host;
    (void)ctx;
    return SH_OK; /* owns nothing */
}

static sh_status hello_outputs(const sh_host *host, sh_ctx *ctx)
{
    return publish(host, ctx);
}

/* Every key it publishes (ABI 1.3): `validate` checks a stack output
 * naming hello.<key> against it, and a dependent reading a key not
 * listed is told at once. */
static const char *const hello_publishes[] = {"message", NULL};

SH_PLUGIN_EXPORT = {
    SH_PLUGIN_ABI,
    .name = "hello",
    .version = "1.0.0",
    .description = "says hello from the stack's VPC (an example plugin)",
    .requires = hello_requires,
    .keys = hello_keys,
    .validate = hello_validate,
    .create = hello_create,
    .destroy = hello_destroy,
    .outputs = hello_outputs,
    .publishes = hello_publishes,
};
