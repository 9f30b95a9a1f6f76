/* registry: the ECR repository, its lifecycle policy and the IAM push
 * policy of catalog-stack.md. This version declares the configuration;
 * the AWS work comes with the AWS client (README). */
#include <stackhost/stackhost.h>

static const char *const mutability[] = {"IMMUTABLE", "MUTABLE", NULL};

static const sh_config_key registry_keys[] = {
    {.name = "keep_images", .type = SH_CONFIG_INT, .default_value = "5", .min = 1, .max = 1000,
     .help = "images kept by the lifecycle policy; older ones expire"},
    {.name = "tag_mutability", .type = SH_CONFIG_STRING, .default_value = "\"IMMUTABLE\"", .allowed = mutability,
     .help = "IMMUTABLE: a pushed tag can never point at another image"},
    SH_CONFIG_END};

SH_PLUGIN_EXPORT = {
    SH_PLUGIN_ABI,
    .name = "registry",
    .version = "0.1.0",
    .description = "ECR repository with scan on push, lifecycle policy, IAM push policy",
    .keys = registry_keys,
};
