/* scaling: Application Auto Scaling of the ECS service on CPU, as in
 * catalog-stack.md. This version declares and checks the configuration;
 * the AWS work comes with the AWS client (README). */
#include <stackhost/stackhost.h>

static const char *const scaling_requires[] = {"compute", NULL};

static const sh_config_key scaling_keys[] = {
    {.name = "min", .type = SH_CONFIG_INT, .default_value = "2", .min = 0, .max = 1000,
     .help = "fewest tasks"},
    {.name = "max", .type = SH_CONFIG_INT, .default_value = "10", .min = 1, .max = 1000,
     .help = "most tasks"},
    {.name = "cpu_target", .type = SH_CONFIG_INT, .default_value = "70", .min = 10, .max = 90,
     .help = "average service CPU percentage that target tracking holds"},
    {.name = "scale_out_cooldown", .type = SH_CONFIG_INT, .default_value = "60", .min = 0, .max = 3600,
     .help = "seconds after a scale-out before another"},
    {.name = "scale_in_cooldown", .type = SH_CONFIG_INT, .default_value = "300", .min = 0, .max = 3600,
     .help = "seconds after a scale-in before another"},
    SH_CONFIG_END};

static sh_status scaling_validate(const sh_host *host, sh_ctx *ctx)
{
    long long min = host->config_int(ctx, "min"), max = host->config_int(ctx, "max");
    if (min > max)
        return host->config_error(ctx, host->config(ctx, "min"), "min %lld is above max %lld", min, max);
    return SH_OK;
}

SH_PLUGIN_EXPORT = {
    SH_PLUGIN_ABI,
    .name = "scaling",
    .version = "0.1.0",
    .description = "target tracking auto scaling of the service on CPU",
    .requires = scaling_requires,
    .keys = scaling_keys,
    .validate = scaling_validate,
};
