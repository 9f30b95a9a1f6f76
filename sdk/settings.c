/* Settings written once in another plugin's section and read here: the
 * tasks' port is network.task_port (host->required_config, ABI 1.4). */
#include <stackhost/converge.h>

long long shc_task_port(const sh_host *h, const sh_ctx *ctx)
{
    const sh_value *v = SH_HOST_HAS(h, required_config) ? h->required_config(ctx, "network", "task_port") : NULL;
    return v ? h->value_int(v) : 8080;
}

sh_status shc_refuse_port_key(const sh_host *h, sh_ctx *ctx, const char *key)
{
    const sh_value *v = h->config(ctx, key);
    if (!v)
        return SH_OK;
    return h->config_error(ctx, v,
                           "the tasks' port is written once, as network.task_port (%lld), which the target group, "
                           "the security groups and the container all follow: remove %s and set "
                           "network.task_port = %lld instead",
                           shc_task_port(h, ctx), key, h->value_int(v));
}
