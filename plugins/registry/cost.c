/* registry: what it costs a month (ABI 1.6): the images the lifecycle
 * policy keeps, stored (their size is an assumption: image_mb). The push
 * policy costs nothing. */
#include "reg.h"

sh_status reg_cost(const sh_host *h, sh_ctx *ctx)
{
    struct reg_config cfg;
    h->config_read(ctx, &cfg);
    const char *repo = shc_text(h, ctx, "ecr repository %s", h->resource_name(ctx, "ecr", h->stack_name(ctx)));
    return h->cost_add(ctx, &(sh_cost){repo, "ecr_storage_gb_month", (double)(cfg.keep * cfg.image_mb) / 1024.0, 0,
                                        shc_text(h, ctx, "%lld images of %lld MB stored (registry.keep_images, "
                                                 "registry.image_mb)", cfg.keep, cfg.image_mb)});
}
