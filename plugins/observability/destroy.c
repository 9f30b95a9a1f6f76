/* observability: removing the alarms, the topic (its subscriptions go
 * with it) and the key together, the key's deletion scheduled with the
 * shortest window (a key pending deletion counts as destroyed); only then
 * its alias, so a key not yet pending is always found by the alias (the
 * tags that find a key no alias points at, a lost CreateKey's, can lag
 * behind). Only what carries this stack's ownership tags is touched;
 * destroy ends when a lookup finds nothing owned, so a second destroy
 * finds nothing. */
#include <stdio.h>
#include <string.h>

#include "obs.h"


/* What of ours the lookups found: the alarms and topic to delete, the
 * alias to remove; the keys to schedule are marked `extra`. */
struct doomed {
    const struct obs_alarm *alarms[OBS_ALARMS];
    size_t nalarms, nkeys;
    int topic, alias;
};

static void sort_out(struct obs *o, struct doomed *d)
{
    const sh_host *h = o->f.h;
    for (size_t i = 0; i < OBS_ALARMS; i++)
        if (shc_ours(&o->f, o->alarm[i].item != NULL, o->alarm[i].tags, &shc_tags_query, o->alarm[i].line.label))
            d->alarms[d->nalarms++] = &o->alarm[i];
    d->topic = shc_ours(&o->f, o->topic != NULL, o->topic_tags, &shc_tags_query, o->topic_l.label);
    for (size_t i = 0; i < o->nkeys; i++) {
        struct obs_key *k = &o->keys[i];
        if (k->via_alias) {
            k->ours = k->meta && shc_owned(h, o->f.ctx, k->tags, &shc_tags_kms);
            if (!k->ours && k->meta)
                h->log(o->f.ctx, SH_LOG_WARN, "%s points at a key without this stack's ownership tags: left alone",
                       o->alias);
            d->alias = k->ours;
        }
        /* a key pending deletion counts as destroyed */
        k->extra = k->ours && k->meta && strcmp(obs_key_state(o, k), "PendingDeletion");
        d->nkeys += (size_t)k->extra;
    }
}

static const char *key_label(struct obs *o, const struct obs_key *k)
{
    return k->via_alias ? o->key_l.label : shc_text(o->f.h, o->f.ctx, "kms key %s", k->id);
}

static const char *key_detail(struct obs *o, const struct obs_key *k)
{
    return k->via_alias ? shc_text(o->f.h, o->f.ctx, "deletion scheduled in %d days", OBS_PENDING_DAYS)
                        : shc_text(o->f.h, o->f.ctx, "tagged for %s, deletion scheduled in %d days", o->alias,
                                   OBS_PENDING_DAYS);
}

/* One pass; *found gets how many owned resources the lookups listed. */
int obs_destroy_pass(shc_frame *f, size_t *found)
{
    struct obs *o = (struct obs *)f;
    struct doomed d;
    memset(&d, 0, sizeof(d));
    obs_key_lookup(o);
    obs_topic_lookup(o);
    obs_alarms_lookup(o);
    if (shc_wave(&o->f))
        return -1;
    if (obs_key_reads(o, 0))
        return -1;
    obs_topic_reads(o, 0);
    obs_alarms_reads(o);
    if (shc_wave(&o->f))
        return -1;
    sort_out(o, &d);
    *found = d.nalarms + (size_t)d.topic + d.nkeys + (size_t)d.alias;
    if (d.nalarms) { /* one request names them all */
        sh_doc *in = shc_doc(&o->f);
        const char *labels[OBS_ALARMS];
        for (size_t i = 0; i < d.nalarms; i++) {
            shc_set(&o->f, in, d.alarms[i]->name, "AlarmNames[%zu]", i);
            labels[i] = d.alarms[i]->line.label;
        }
        shc_delete_each(&o->f.q, "cloudwatch alarms", labels, d.nalarms, "cloudwatch", "DeleteAlarms", in,
                        "ResourceNotFound");
    }
    if (d.topic)
        shc_delete(&o->f.q, o->topic_l.label, "with its subscriptions", "sns", "DeleteTopic",
                   shc_json(&o->f, "{'TopicArn': '%s'}", o->topic_arn), "NotFound");
    for (size_t i = 0; i < o->nkeys; i++)
        if (o->keys[i].extra) /* already pending (a retried request): done */
            shc_delete(&o->f.q, key_label(o, &o->keys[i]), key_detail(o, &o->keys[i]), "kms", "ScheduleKeyDeletion",
                       shc_json(&o->f, "{'KeyId': '%s', 'PendingWindowInDays': %d}", o->keys[i].id, OBS_PENDING_DAYS),
                       "KMSInvalidStateException(is pending deletion)|NotFoundException");
    if (shc_wave(&o->f))
        return -1;
    if (!d.alias)
        return 0;
    sh_doc *in = shc_json(&o->f, "{'AliasName': '%s'}", o->alias);
    if (o->keys[0].extra) /* the key's line says it */
        shc_queue_add_accepting(&o->f.q, "kms", "DeleteAlias", in, o->key_l.label, "NotFoundException", NULL, NULL);
    else
        shc_delete(&o->f.q, o->key_l.label, "alias removed", "kms", "DeleteAlias", in, "NotFoundException");
    return shc_wave(&o->f);
}
