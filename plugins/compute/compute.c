/* compute: the ECS cluster, log group, roles, task definition and
 * Fargate service of catalog-stack.md. This version declares and checks
 * the configuration; the AWS work comes with the AWS client (README). */
#include <stackhost/stackhost.h>

static const char *const compute_requires[] = {"network", "registry", "secrets", "lb", NULL};
static const char *const fargate_cpu[] = {"256", "512", "1024", "2048", "4096", "8192", "16384", NULL};
static const char *const retention_days[] = {"1", "3", "5", "7", "14", "30", "60", "90", "120", "150", "180",
                                             "365", "400", "545", "731", "1096", "1827", "2192", "2557",
                                             "2922", "3288", "3653", NULL};

static const sh_config_key compute_keys[] = {
    {.name = "image_tag", .type = SH_CONFIG_STRING, .required = 1,
     .help = "tag of the image in the stack's repository to run"},
    {.name = "cpu", .type = SH_CONFIG_INT, .default_value = "1024", .allowed = fargate_cpu,
     .help = "task cpu units (Fargate sizes)"},
    {.name = "memory", .type = SH_CONFIG_INT, .default_value = "2048", .min = 512, .max = 122880,
     .help = "task memory in MiB; must fit the cpu size (Fargate's table)"},
    {.name = "desired_count", .type = SH_CONFIG_INT, .default_value = "2", .min = 0, .max = 1000,
     .help = "tasks at creation; once scaling owns the service a redeploy leaves the count alone"},
    {.name = "container_port", .type = SH_CONFIG_INT, .default_value = "8080", .min = 1, .max = 65535,
     .help = "port the container listens on (PORT in its environment)"},
    {.name = "log_retention_days", .type = SH_CONFIG_INT, .default_value = "7", .allowed = retention_days,
     .help = "days CloudWatch Logs keeps the container logs"},
    SH_CONFIG_END};

/* Fargate's valid memory for each cpu size, in MiB: [lo, hi] in steps. */
static const struct {
    long long cpu, lo, hi, step;
} fargate_sizes[] = {
    {256, 512, 2048, 512},     /* 512, 1024, 2048 */
    {512, 1024, 4096, 1024},   {1024, 2048, 8192, 1024},    {2048, 4096, 16384, 1024},
    {4096, 8192, 30720, 1024}, {8192, 16384, 61440, 4096}, {16384, 32768, 122880, 8192},
};

static sh_status compute_validate(const sh_host *host, sh_ctx *ctx)
{
    long long cpu = host->config_int(ctx, "cpu"), mem = host->config_int(ctx, "memory");
    for (size_t i = 0; i < sizeof(fargate_sizes) / sizeof(fargate_sizes[0]); i++) {
        if (fargate_sizes[i].cpu != cpu)
            continue;
        int ok = mem >= fargate_sizes[i].lo && mem <= fargate_sizes[i].hi &&
                 (cpu == 256 ? (mem == 512 || mem == 1024 || mem == 2048) : mem % fargate_sizes[i].step == 0);
        if (!ok)
            return host->config_error(ctx, host->config(ctx, "memory"),
                                      "fargate with cpu %lld takes memory %lld to %lld MiB in steps of %lld, "
                                      "not %lld",
                                      cpu, fargate_sizes[i].lo, fargate_sizes[i].hi, fargate_sizes[i].step, mem);
    }
    return SH_OK;
}

SH_PLUGIN_EXPORT = {
    SH_PLUGIN_ABI,
    .name = "compute",
    .version = "0.1.0",
    .description = "ECS Fargate cluster, service, task definition, roles and logs",
    .requires = compute_requires,
    .keys = compute_keys,
    .validate = compute_validate,
};
