/* scaling: removing the policies and the scalable target together. AWS's
 * DeregisterScalableTarget deletes the target's policies and their alarms
 * itself, but moto's keeps them: the policies are deleted explicitly too
 * (which removes their alarms). A delete's "not found" means gone;
 * destroy ends when a lookup finds nothing, so a second destroy finds
 * nothing and succeeds.
 *
 * Ownership: the target and policies are on the stack's own service,
 * by name. When that service exists and is live but does not carry the
 * stack's ownership tags, it is someone else's, and so is its scaling:
 * left alone. Runs in destroy, and in deploy when the environment
 * disables scaling (then beside compute's deploy, so the service's
 * desired count stays whatever it is). */
#include <string.h>

#include "scaling.h"

/* ECS answers tags as tags[i].key / .value. */

/* A live service by our name without our tags: not ours to change. */
static int foreign_service(struct scal *s)
{
    const sh_host *h = s->f.h;
    const sh_doc *svc = h->doc_count(s->services_out, "services") ? h->doc_get(s->services_out, "services[0]") : NULL;
    const char *status = svc ? h->doc_string(svc, "status") : NULL;
    if (!svc || (status && !strcmp(status, "INACTIVE")))
        return 0;
    return !shc_owned(h, s->f.ctx, svc, &shc_tags_ecs);
}

/* One pass; *found gets how many of the plugin's resources the lookups listed. */
int scal_destroy_pass(shc_frame *f, size_t *found)
{
    struct scal *s = (struct scal *)f;
    const sh_host *h = s->f.h;
    if (scal_lookup(s, 1))
        return -1;
    if (foreign_service(s)) {
        h->log(s->f.ctx, SH_LOG_WARN,
               "ecs service %s in cluster %s is not this stack's (no ownership tags): its scalable target and "
               "policies are left alone",
               s->service, s->cluster);
        return 0;
    }
    *found = s->target != NULL;
    for (size_t i = 0; i < SCAL_POLICIES; i++)
        *found += s->policies[i].found != NULL;
    for (size_t i = 0; i < SCAL_POLICIES; i++)
        if (s->policies[i].found)
            shc_delete(&s->f.q, s->policies[i].line.label, NULL, SCAL_SERVICE, "DeleteScalingPolicy",
                       scal_policy_ref(s, &s->policies[i]), SCAL_GONE_CODES);
    /* With the policies: a policy the target's deregistration removed
     * first answers "not found", gone (SCAL_GONE_CODES); a pending change
     * is waited out (scal_not_yet). A lost answer: the next pass's lookups
     * tell what is left. */
    if (s->target)
        shc_delete(&s->f.q, s->target_l.label, NULL, SCAL_SERVICE, "DeregisterScalableTarget", scal_on_target(s),
                   SCAL_GONE_CODES);
    if (s->f.plan)
        return 0;
    if (shc_wave(f))
        return -1;
    /* nothing scales compute's service any more: it may go */
    shc_destroy_released(f);
    return 0;
}
