/* scaling: the scalable target of the service (namespace ecs, dimension
 * ecs:service:DesiredCount): registered when missing, registered again
 * when its min, max or suspended state differ (RegisterScalableTarget is
 * an upsert that changes only what it is given). */
#include <stdio.h>
#include <string.h>

#include "scaling.h"

static const char *const suspended[] = {"DynamicScalingInSuspended", "DynamicScalingOutSuspended",
                                        "ScheduledScalingSuspended"};
static const char *const suspended_what[] = {"scale-in", "scale-out", "scheduled"};

/* Tags go on the target when it is created (the API's Tags map; moto
 * ignores them and implements no tag call, so they are not read back). */
static void put_tags(struct scal *s, sh_doc *in)
{
    const char *const *keys, *const *values;
    size_t n = s->f.h->tags(s->f.ctx, &keys, &values);
    /* tag keys are libconfig names or stackhost's own: no '.' or '[' */
    for (size_t i = 0; i < n; i++)
        shc_set(&s->f, in, values[i], "Tags.%s", keys[i]);
}

/* Notes a capacity that differs ("max 10 -> 12"); 1 when it does. */
static int capacity(struct scal *s, const char *what, const char *path, long long want)
{
    return shc_number_differs(s->f.h, s->f.ctx, &s->target_l, what, s->f.h->doc_string(s->target, path),
                              (double)want, NULL);
}

void scal_target_wave(struct scal *s)
{
    const sh_host *h = s->f.h;
    char path[96];
    sh_doc *in = shc_json(&s->f, "{" SCAL_TARGET ", 'MinCapacity': %lld, 'MaxCapacity': %lld}", s->resource_id, s->cfg.min,
                          s->cfg.max);
    if (!s->target) {
        put_tags(s, in);
        shc_change(&s->f.q, &s->target_l, SH_CHANGE_CREATE, shc_text(h, s->f.ctx, "min %lld, max %lld", s->cfg.min, s->cfg.max),
                   SCAL_SERVICE, "RegisterScalableTarget", in, NULL, NULL, NULL);
        return;
    }
    int differs = capacity(s, "min", "MinCapacity", s->cfg.min) | capacity(s, "max", "MaxCapacity", s->cfg.max);
    /* Scaling suspended by hand would leave the policies doing nothing. */
    int resume = 0;
    char which[64] = ""; /* "scale-in/scheduled": what is suspended */
    for (size_t i = 0; i < sizeof(suspended) / sizeof(suspended[0]); i++) {
        const char *v = shc_str(h, s->target, "SuspendedState.%s", suspended[i]);
        if (!v || strcmp(v, "true"))
            continue;
        size_t used = strlen(which);
        snprintf(which + used, sizeof(which) - used, "%s%s", used ? "/" : "", suspended_what[i]);
        resume = 1;
    }
    if (resume) {
        for (size_t i = 0; i < sizeof(suspended) / sizeof(suspended[0]); i++)
            h->doc_set_bool(in, shc_path(path, sizeof(path), "SuspendedState.%s", suspended[i]), 0);
        shc_line_diff(h, s->f.ctx, &s->target_l, SH_CHANGE_UPDATE, "suspended", which, NULL);
    }
    if (differs || resume)
        shc_queue_add(&s->f.q, SCAL_SERVICE, "RegisterScalableTarget", in, NULL, s->target_l.label, NULL,
                      NULL);
}
