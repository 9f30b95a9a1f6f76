/* scaling: the outputs. After a deploy (or in a plan) the account holds
 * the desired state, so it is published; `stackhost outputs` publishes
 * what the lookups found (nothing of a target that does not exist). */
#include <stdio.h>

#include "scaling.h"

static sh_status publish(struct scal *s, const char *id, const char *min, const char *max, const char **names,
                         size_t n)
{
    const sh_host *h = s->f.h;
    sh_status rc = SH_OK;
    if (id && (h->output_string(s->f.ctx, "scalable_target_resource_id", id) != SH_OK ||
               h->output_string(s->f.ctx, "min_capacity", min) != SH_OK ||
               h->output_string(s->f.ctx, "max_capacity", max) != SH_OK))
        rc = SH_ERR;
    if (h->output_list(s->f.ctx, "policy_names", names, n) != SH_OK)
        rc = SH_ERR;
    return rc;
}

sh_status scal_publish(shc_frame *f)
{
    struct scal *s = (struct scal *)f;
    const sh_host *h = s->f.h;
    const char *names[SCAL_POLICIES];
    size_t n = 0;
    if (s->f.mode != SH_MODE_OUTPUTS) {
        for (size_t i = 0; i < SCAL_POLICIES; i++)
            if (s->policies[i].target)
                names[n++] = s->policies[i].name;
        return publish(s, s->resource_id, shc_text(h, s->f.ctx, "%lld", s->cfg.min), shc_text(h, s->f.ctx, "%lld", s->cfg.max),
                       names, n);
    }
    for (size_t i = 0; i < SCAL_POLICIES; i++)
        if (s->policies[i].found)
            names[n++] = s->policies[i].name;
    const char *min = s->target ? h->doc_string(s->target, "MinCapacity") : NULL;
    const char *max = s->target ? h->doc_string(s->target, "MaxCapacity") : NULL;
    return publish(s, s->target ? s->resource_id : NULL, min ? min : "", max ? max : "", names, n);
}
