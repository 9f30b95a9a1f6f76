/* observability: the KMS-encrypted SNS alarm topic, e-mail
 * subscriptions and the CPU and healthy-task alarms of catalog-stack.md.
 * This version declares the configuration; the AWS work comes with the
 * AWS client (README). */
#include <stackhost/stackhost.h>

static const char *const observability_requires[] = {"compute", "lb", NULL};

static const sh_config_key observability_keys[] = {
    {.name = "notify", .type = SH_CONFIG_STRING_LIST, .default_value = "[]", .format = SH_FORMAT_EMAIL,
     .help = "e-mail addresses subscribed to the alarm topic"},
    {.name = "encrypt", .type = SH_CONFIG_BOOL, .default_value = "true",
     .help = "encrypt the topic with a customer-managed KMS key that CloudWatch may use"},
    {.name = "cpu_alarm", .type = SH_CONFIG_INT, .default_value = "80", .min = 1, .max = 100,
     .help = "alarm when the service's average CPU percentage is above this for 3 minutes"},
    {.name = "min_healthy", .type = SH_CONFIG_INT, .default_value = "2", .min = 1, .max = 1000,
     .help = "alarm when fewer healthy targets than this for 2 minutes"},
    SH_CONFIG_END};

SH_PLUGIN_EXPORT = {
    SH_PLUGIN_ABI,
    .name = "observability",
    .version = "0.1.0",
    .description = "alarm topic with KMS and e-mail, CPU and healthy-task alarms",
    .requires = observability_requires,
    .keys = observability_keys,
};
