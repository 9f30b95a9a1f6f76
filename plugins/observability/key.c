/* observability: the customer-managed KMS key of the alarm topic and its
 * alias. Found by the alias, else searched for by its tags (obs.h says
 * why); one of ours pending deletion is taken back rather than another
 * made; the policy, rotation, alias and tags put back when they drifted;
 * with encrypt = false, or for a duplicate, its deletion scheduled. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obs.h"

/* KMS: Tags[i].TagKey / .TagValue, in answers and requests alike */

/* Lost CreateKey answers: passes that look for the key again (2 s apart)
 * before another is made, as AWS may list a new key a moment late. */
#define LOST_KEY_LOOKS 3

static const char *find_alias_target(struct obs *o)
{
    size_t n = o->aliases ? o->f.h->doc_count(o->aliases, "Aliases") : 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = shc_str(o->f.h, o->aliases, "Aliases[%zu].AliasName", i);
        if (name && !strcmp(name, o->alias))
            return shc_str(o->f.h, o->aliases, "Aliases[%zu].TargetKeyId", i);
    }
    return NULL;
}

static sh_doc *on_key(struct obs *o, const char *id)
{
    return shc_json(&o->f, "{'KeyId': '%s'}", id);
}

/* Queues the reads of key k: its tags, its state, and (full) its policy
 * and rotation. A key pending deletion may refuse the last two
 * (KMSInvalidStateException): they read as unknown, and are put once the
 * key is back. */
static void read_key(struct obs *o, struct obs_key *k, int tags, int full)
{
    const char *label = k->via_alias ? o->key_l.label : shc_text(o->f.h, o->f.ctx, "kms key %s", k->id);
    sh_doc *in = on_key(o, k->id);
    if (tags)
        shc_read(&o->f.q, "kms", "ListResourceTags", in, label, "NotFoundException", &k->tags);
    shc_read(&o->f.q, "kms", "DescribeKey", in, label, "NotFoundException", &k->meta);
    if (!full)
        return;
    sh_doc *policy = shc_json(&o->f, "{'KeyId': '%s', 'PolicyName': 'default'}", k->id);
    shc_read(&o->f.q, "kms", "GetKeyPolicy", policy, label, "NotFoundException|KMSInvalidStateException", &k->policy);
    shc_read(&o->f.q, "kms", "GetKeyRotationStatus", in, label, "NotFoundException|KMSInvalidStateException",
             &k->rotation);
}

/* Room for `more` keys; the array only grows between waves (the queued
 * reads point into it). */
static int keys_grow(struct obs *o, size_t more)
{
    struct obs_key *keys = realloc(o->keys, (o->nkeys + more) * sizeof(*keys));
    if (!keys) {
        return shc_fail(&o->f, SH_ERR_NOMEM, "out of memory listing kms keys");
    }
    memset(keys + o->nkeys, 0, more * sizeof(*keys));
    o->keys = keys;
    return 0;
}

/* The Resource Groups Tagging API's answers: ResourceTagMappingList[i].Tags[j].Key / .Value. */
static const shc_tag_shape tags_tagging = {"Tags", "Key", "Value"};

/* The alias, and every key tagged as ours (one paginated call), together. */
void obs_key_lookup(struct obs *o)
{
    shc_read_all(&o->f.q, "kms", "ListAliases", shc_doc(&o->f), "Aliases", o->key_l.label, &o->aliases);
    const char *const *keys, *const *values;
    size_t n = o->f.h->tags(o->f.ctx, &keys, &values);
    sh_doc *in = shc_json(&o->f, "{'ResourceTypeFilters': ['kms:key']}");
    for (size_t i = 0; i < n && i < 3; i++) { /* the ownership tags */
        shc_set(&o->f, in, keys[i], "TagFilters[%zu].Key", i);
        shc_set(&o->f, in, values[i], "TagFilters[%zu].Values[0]", i);
    }
    shc_set(&o->f, in, OBS_ALIAS_TAG, "TagFilters[%zu].Key", n < 3 ? n : 3);
    shc_set(&o->f, in, o->alias, "TagFilters[%zu].Values[0]", n < 3 ? n : 3);
    shc_read_all(&o->f.q, "tagging", "GetResources", in, "ResourceTagMappingList", o->key_l.label, &o->keys_listed);
}

int obs_key_reads(struct obs *o, int full)
{
    o->alias_target = find_alias_target(o);
    size_t listed = o->keys_listed ? o->f.h->doc_count(o->keys_listed, "ResourceTagMappingList") : 0;
    /* grown once: the queued reads point into the array */
    if (listed + (o->alias_target != NULL) && keys_grow(o, listed + (o->alias_target != NULL)))
        return -1;
    if (o->alias_target) {
        struct obs_key *k = &o->keys[o->nkeys++];
        k->id = o->alias_target;
        k->via_alias = 1;
    }
    for (size_t i = 0; i < listed; i++) {
        const sh_doc *item = shc_node(o->f.h, o->keys_listed, "ResourceTagMappingList[%zu]", i);
        const char *arn = o->f.h->doc_string(item, "ResourceARN"), *slash = arn ? strstr(arn, ":key/") : NULL;
        const char *id = slash ? slash + 5 : NULL;
        /* the alias's own key is read already; the filter is checked again here */
        if (!id || (o->alias_target && !strcmp(id, o->alias_target)) || !shc_owned(o->f.h, o->f.ctx, item, &tags_tagging))
            continue;
        const char *tagged = shc_tag(o->f.h, item, &tags_tagging, OBS_ALIAS_TAG);
        if (!tagged || strcmp(tagged, o->alias))
            continue;
        struct obs_key *k = &o->keys[o->nkeys++];
        k->id = id;
        k->ours = 1;
    }
    /* tags in KMS's shape, for ownership and drift */
    for (size_t i = 0; i < o->nkeys; i++)
        read_key(o, &o->keys[i], 1, full);
    return 0;
}

const char *obs_key_state(struct obs *o, const struct obs_key *k)
{
    const char *state = k->meta ? o->f.h->doc_string(k->meta, "KeyMetadata.KeyState") : NULL;
    return state ? state : "";
}

static int state_rank(struct obs *o, const struct obs_key *k)
{
    static const char *const order[] = {"Enabled", "Disabled", "PendingDeletion", NULL};
    const char *state = obs_key_state(o, k);
    int i = 0;
    while (order[i] && strcmp(order[i], state))
        i++;
    return i;
}

/* The key to keep among ours found by the search: enabled before
 * disabled before pending deletion, then the oldest. */
static int better(struct obs *o, const struct obs_key *a, const struct obs_key *b)
{
    int ra = state_rank(o, a), rb = state_rank(o, b);
    if (ra != rb)
        return ra < rb;
    const char *ca = o->f.h->doc_string(a->meta, "KeyMetadata.CreationDate");
    const char *cb = o->f.h->doc_string(b->meta, "KeyMetadata.CreationDate");
    return ca && cb && strtod(ca, NULL) < strtod(cb, NULL);
}

int obs_key_choose(struct obs *o)
{
    const sh_host *h = o->f.h;
    struct obs_key *by_alias = o->nkeys && o->keys[0].via_alias ? &o->keys[0] : NULL;
    if (by_alias && !by_alias->meta) {
        h->fail(o->f.ctx, SH_ERR_AWS, "%s points at kms key %s, which does not exist: delete the alias, then deploy again",
                o->alias, by_alias->id);
        return -1;
    }
    if (by_alias && !shc_owned(h, o->f.ctx, by_alias->tags, &shc_tags_kms)) {
        if (o->cfg.encrypt)
            return shc_refuse_foreign(h, o->f.ctx, "kms key behind alias", o->alias);
        /* nothing of ours needs it: left as it is */
        h->log(o->f.ctx, SH_LOG_WARN, "%s points at a key without this stack's ownership tags: left alone", o->alias);
        by_alias = NULL;
    }
    if (by_alias) {
        by_alias->ours = 1;
        if (o->cfg.encrypt)
            o->key = by_alias;
    }
    for (size_t i = 0; o->cfg.encrypt && i < o->nkeys; i++)
        if (o->keys[i].ours && o->keys[i].meta && (!o->key || (!o->key->via_alias && better(o, &o->keys[i], o->key))))
            o->key = &o->keys[i];
    /* the others of ours are retired: duplicates, or all with encrypt = false */
    for (size_t i = 0; i < o->nkeys; i++) {
        struct obs_key *k = &o->keys[i];
        if (!k->ours || k == o->key || !k->meta || !strcmp(obs_key_state(o, k), "PendingDeletion"))
            continue;
        k->extra = 1;
        if (o->cfg.encrypt)
            h->log(o->f.ctx, SH_LOG_WARN,
                   "kms key %s is a second key tagged for %s (a create whose answer was lost): its deletion is "
                   "scheduled", k->id, o->alias);
    }
    if (o->key) {
        o->key_id = o->key->id;
        o->key_arn = h->doc_string(o->key->meta, "KeyMetadata.Arn");
        if (o->run.key_create_sent) /* a create of this run, its answer lost or the pass cut short */
            shc_line_note(&o->key_l, SH_CHANGE_CREATE, NULL);
    } else if (o->cfg.encrypt && !o->f.plan && o->run.key_create_lost && o->run.key_lost_looks < LOST_KEY_LOOKS) {
        o->run.key_lost_looks++;
        o->f.again = 1;
        o->f.again_why = shc_text(h, o->f.ctx, "kms key %s: its CreateKey answer was lost and the key is not listed yet", o->alias);
    }
    return 0;
}

/* The stack's tags and the one naming the alias, for CreateKey. */
static void put_key_tags(struct obs *o, sh_doc *in)
{
    const char *const *keys, *const *values;
    size_t n = o->f.h->tags(o->f.ctx, &keys, &values);
    shc_put_tags(o->f.h, o->f.ctx, in, &shc_tags_kms, NULL);
    shc_set(&o->f, in, OBS_ALIAS_TAG, "Tags[%zu].TagKey", n);
    shc_set(&o->f, in, o->alias, "Tags[%zu].TagValue", n);
}

static int key_created(void *arg, const sh_doc *out)
{
    struct obs *o = arg;
    o->key_new = 1;
    o->key_id = o->f.h->doc_string(out, "KeyMetadata.KeyId");
    o->key_arn = o->f.h->doc_string(out, "KeyMetadata.Arn");
    if (!o->key_id || !o->key_arn) {
        o->f.h->fail(o->f.ctx, SH_ERR_AWS, "%s: CreateKey answered without the key's id and arn", o->key_l.label);
        return -1;
    }
    return 0;
}

int obs_key_state_step(struct obs *o)
{
    const sh_host *h = o->f.h;
    if (!o->cfg.encrypt)
        return 0;
    if (!o->key) {
        sh_doc *in = shc_json(&o->f, "{'KeySpec': 'SYMMETRIC_DEFAULT', 'KeyUsage': 'ENCRYPT_DECRYPT', "
                                     "'Description': '%s', 'Policy': '%s'}",
                              shc_text(h, o->f.ctx, "%s %s: encrypts the alarm topic %s, which cloudwatch alarms publish to "
                                   "(stackhost)", o->stack, o->env, o->topic_name),
                              o->policy);
        put_key_tags(o, in);
        shc_change(&o->f.q, &o->key_l, SH_CHANGE_CREATE, NULL, "kms", "CreateKey", in, NULL, key_created, o);
        if (!o->f.plan)
            o->run.key_create_sent = 1;
        int rc = shc_wave(&o->f);
        if (rc && o->f.q.lost) /* look for it (and only then make another) */
            o->run.key_create_lost = 1;
        return rc;
    }
    const char *state = obs_key_state(o, o->key);
    if (!strcmp(state, "PendingDeletion")) {
        /* a destroy (or encrypt = false) within the last 7 days: the same key back */
        shc_line_diff(h, o->f.ctx, &o->key_l, SH_CHANGE_UPDATE, "state", state, "Enabled");
        shc_change(&o->f.q, &o->key_l, SH_CHANGE_UPDATE, NULL, "kms", "CancelKeyDeletion", on_key(o, o->key_id),
                   "KMSInvalidStateException(is not pending deletion)", NULL, NULL);
        o->key_revived = 1;
    } else if (!strcmp(state, "Disabled")) {
        shc_line_diff(h, o->f.ctx, &o->key_l, SH_CHANGE_UPDATE, "state", state, "Enabled");
        shc_change(&o->f.q, &o->key_l, SH_CHANGE_UPDATE, NULL, "kms", "EnableKey", on_key(o, o->key_id), NULL, NULL,
                   NULL);
    } else if (strcmp(state, "Enabled")) {
        return shc_fail(&o->f, SH_ERR_CONFLICT, "%s: kms key %s is %s; the topic needs it enabled", o->key_l.label,
                        o->key_id, state);
    }
    return shc_wave(&o->f);
}

/* A key whose deletion was cancelled is disabled: enabled again. */
void obs_key_enable_wave(struct obs *o)
{
    if (o->key_revived)
        shc_queue_add_accepting(&o->f.q, "kms", "EnableKey", on_key(o, o->key_id), o->key_l.label, NULL, NULL, NULL);
}

/* Notes a setting of the kept key that changes, unless the key's line
 * is a create (made by this pass: its settings go with it). */
static void key_diff(struct obs *o, const char *field, const char *before, const char *after)
{
    if (o->key_l.change != SH_CHANGE_CREATE)
        shc_line_diff(o->f.h, o->f.ctx, &o->key_l, SH_CHANGE_UPDATE, field, before, after);
}

void obs_key_settings_wave(struct obs *o)
{
    const sh_host *h = o->f.h;
    if (!o->cfg.encrypt || (!o->key && !o->key_new))
        return; /* a plan of a new key: its create line says it all */
    struct obs_key *k = o->key; /* NULL: made by this pass, its policy sent with it */
    const char *policy = k && k->policy ? h->doc_string(k->policy, "Policy") : NULL;
    if (k && !shc_json_same(h, o->f.ctx, policy, o->policy)) {
        sh_doc *in = shc_json(&o->f, "{'KeyId': '%s', 'PolicyName': 'default', 'Policy': '%s'}", o->key_id, o->policy);
        key_diff(o, "key policy", policy, o->policy);
        shc_change(&o->f.q, &o->key_l, SH_CHANGE_UPDATE, NULL, "kms", "PutKeyPolicy", in, NULL, NULL, NULL);
    }
    const char *rotation = k && k->rotation ? h->doc_string(k->rotation, "KeyRotationEnabled") : NULL;
    if (!rotation || strcmp(rotation, "true")) {
        key_diff(o, "rotation", rotation, "true");
        shc_change(&o->f.q, &o->key_l, SH_CHANGE_UPDATE, NULL, "kms", "EnableKeyRotation", on_key(o, o->key_id), NULL,
                   NULL, NULL);
    }
    if (!k || !k->via_alias) {
        sh_doc *in = shc_json(&o->f, "{'AliasName': '%s', 'TargetKeyId': '%s'}", o->alias, o->key_id);
        /* the alias points at no key (or at one that is not ours: never) */
        key_diff(o, "alias target", o->alias_target, o->key_id);
        shc_change(&o->f.q, &o->key_l, SH_CHANGE_UPDATE, NULL, "kms", "CreateAlias", in, "AlreadyExistsException",
                   shc_created, &o->f);
    }
    if (!k)
        return;
    char detail[SHC_DETAIL];
    sh_doc *in = on_key(o, o->key_id);
    size_t n = shc_tags_drift(h, o->f.ctx, k->tags, &shc_tags_kms, NULL, in, &shc_tags_kms, detail, sizeof(detail));
    if (n && o->key_l.change != SH_CHANGE_CREATE)
        shc_line_note(&o->key_l, SH_CHANGE_UPDATE, detail);
    const char *tagged = shc_tag(h, k->tags, &shc_tags_kms, OBS_ALIAS_TAG);
    if (!tagged || strcmp(tagged, o->alias)) {
        shc_set(&o->f, in, OBS_ALIAS_TAG, "Tags[%zu].TagKey", n);
        shc_set(&o->f, in, o->alias, "Tags[%zu].TagValue", n++);
        key_diff(o, "tag " OBS_ALIAS_TAG, tagged, o->alias);
    }
    if (n)
        shc_change(&o->f.q, &o->key_l, SH_CHANGE_UPDATE, NULL, "kms", "TagResource", in, NULL, NULL, NULL);
}

void obs_key_retire_wave(struct obs *o)
{
    const sh_host *h = o->f.h;
    const char *what = shc_text(h, o->f.ctx, "%sdeletion scheduled in %d days", o->cfg.encrypt ? "" : "encrypt = false: ",
                                OBS_PENDING_DAYS);
    for (size_t i = 0; i < o->nkeys; i++) {
        struct obs_key *k = &o->keys[i];
        if (!k->extra)
            continue;
        shc_line *line = &o->key_l;
        if (!k->via_alias) {
            line = &k->line;
            line->label = shc_text(h, o->f.ctx, "kms key %s", k->id);
        }
        sh_doc *in = shc_json(&o->f, "{'KeyId': '%s', 'PendingWindowInDays': %d}", k->id, OBS_PENDING_DAYS);
        /* already pending (a retried request): done */
        shc_change(&o->f.q, line, SH_CHANGE_DELETE,
                   k->via_alias ? what : shc_text(h, o->f.ctx, "tagged for %s, %s", o->alias, what), "kms",
                   "ScheduleKeyDeletion", in, "KMSInvalidStateException(is pending deletion)|NotFoundException", NULL, NULL);
    }
}

void obs_key_alias_wave(struct obs *o)
{
    if (o->cfg.encrypt || !o->nkeys || !o->keys[0].via_alias || !o->keys[0].ours)
        return;
    sh_doc *in = shc_json(&o->f, "{'AliasName': '%s'}", o->alias);
    shc_change(&o->f.q, &o->key_l, SH_CHANGE_DELETE, "alias removed", "kms", "DeleteAlias", in, "NotFoundException",
               NULL, NULL);
}
