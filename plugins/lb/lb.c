/* lb: the application load balancer, target group and listeners of
 * catalog-stack.md. This version declares and checks the configuration;
 * the AWS work comes with the AWS client (README). */
#include <string.h>

#include <stackhost/stackhost.h>

static const char *const lb_requires[] = {"network", NULL};

static const sh_config_key lb_keys[] = {
    {.name = "certificate_arn", .type = SH_CONFIG_STRING, .format = SH_FORMAT_ARN,
     .help = "ACM certificate: adds HTTPS on 443 and redirects HTTP 80 to it"},
    {.name = "deletion_protection", .type = SH_CONFIG_BOOL, .default_value = "false",
     .help = "refuse deleting the ALB (destroy turns it off first)"},
    {.name = "health_path", .type = SH_CONFIG_STRING, .default_value = "\"/health\"", .format = SH_FORMAT_PATH,
     .help = "target group health check path; healthy = HTTP 200"},
    {.name = "target_port", .type = SH_CONFIG_INT, .default_value = "8080", .min = 1, .max = 65535,
     .help = "port the tasks listen on"},
    SH_CONFIG_END};

/* ELBv2 names are at most 32 characters: refuse before any request
 * rather than truncate into a name that no longer says what it is. */
static sh_status lb_validate(const sh_host *host, sh_ctx *ctx)
{
    sh_status rc = SH_OK;
    const char *names[] = {host->resource_name(ctx, "alb", host->stack_name(ctx)),
                           host->resource_name(ctx, "tg", host->stack_name(ctx))};
    for (size_t i = 0; i < 2; i++)
        if (strlen(names[i]) > 32)
            rc = host->config_error(ctx, NULL,
                                    "the name %s is %zu characters, over elastic load balancing's 32: "
                                    "shorten stack.name or the environment's suffix",
                                    names[i], strlen(names[i]));
    return rc;
}

SH_PLUGIN_EXPORT = {
    SH_PLUGIN_ABI,
    .name = "lb",
    .version = "0.1.0",
    .description = "internet-facing application load balancer, target group, listeners",
    .requires = lb_requires,
    .keys = lb_keys,
    .validate = lb_validate,
};
