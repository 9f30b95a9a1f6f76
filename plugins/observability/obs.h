/* observability plugin internals: the desired state of the alarm topic's
 * KMS key, the SNS topic and its e-mail subscriptions and the two
 * CloudWatch alarms, what the lookups found, and the steps. One `struct
 * obs` lives for one callback; its per-pass fields are reset before each
 * pass (a pass starts again from the lookups after a lost answer).
 *
 * Deploy runs in waves (shc_queue, each sent together):
 *   lookups: ListAliases, GetTopicAttributes, DescribeAlarms
 *   -> reads: the key behind our alias (DescribeKey, its tags, policy and
 *      rotation), or, without the alias, ListKeys; the topic's tags and
 *      subscriptions; the alarms' tags
 *   -> without the alias: the tags of every key no alias points at, then
 *      the state, policy and rotation of those tagged for our alias
 *   -> ownership checked for everything found; nothing mutating before
 *   -> key: CreateKey, or CancelKeyDeletion, or EnableKey (disabled)
 *   -> key: EnableKey (after a cancelled deletion)
 *   -> key: PutKeyPolicy, EnableKeyRotation, CreateAlias, TagResource;
 *      topic: CreateTopic, or SetTopicAttributes and TagResource
 *   -> Subscribe / Unsubscribe; PutMetricAlarm, alarm TagResource
 *   -> keys to retire (a duplicate, or every key with encrypt = false):
 *      ScheduleKeyDeletion, then DeleteAlias (the alias last: a key not
 *      yet pending deletion can always be found by it).
 *
 * Finding the key: CreateKey has no idempotency token and keys have no
 * unique name, so every key stackhost makes carries the stack's tags and
 * a tag `Alias` = alias/kms-S-alarms-E. The alias finds it; on every
 * run the keys that carry the ownership tags and that Alias tag are also
 * listed, in one paginated call of the Resource Groups Tagging API
 * (GetResources, filtered by type kms:key and by those tags), not one
 * ListResourceTags per key of the region. When the alias is missing
 * (first deploy, after destroy, after a lost CreateKey or a lost
 * CreateAlias) one of ours is taken back (a key pending deletion has its
 * deletion cancelled) instead of making another. Tags rather than the
 * description: they are the ownership proof anyway. Because the search
 * runs on every deploy, a key whose CreateKey answer was lost and that
 * AWS listed only after this run's searches is found by a later deploy
 * and its deletion scheduled; and a pass that does not list the lost key
 * yet looks again (a few passes, 2 s apart) before making another. */
#ifndef PLUGINS_OBSERVABILITY_OBS_H
#define PLUGINS_OBSERVABILITY_OBS_H

#include <stddef.h>

#include <stackhost/lifecycle.h>
#include <stackhost/stackhost.h>

#define OBS_ARN 512
#define OBS_ALARMS 2
#define OBS_ALIAS_TAG "Alias"
#define OBS_PENDING_DAYS 7 /* the shortest window AWS allows */

/* One KMS key looked at: the one behind our alias, or one no alias
 * points at (the search). */
struct obs_key {
    const char *id;
    int via_alias;        /* our alias points at it */
    const sh_doc *tags;   /* ListResourceTags answer (NULL: gone meanwhile) */
    const sh_doc *meta;   /* DescribeKey's answer (KeyMetadata.*); NULL: gone meanwhile */
    const sh_doc *policy; /* GetKeyPolicy answer; NULL when unreadable in its state */
    const sh_doc *rotation;
    int ours;      /* carries the ownership tags and our alias tag (or the alias points at it) */
    int extra;     /* one of ours that is not kept: retired */
    shc_line line; /* a key found by the search: its own line when retired */
};

/* One e-mail subscription: wanted (in notify), found (listed), or both. */
struct obs_sub {
    const char *endpoint;
    const char *arn; /* as listed: an ARN, or "PendingConfirmation" */
    int wanted;
    shc_line line;
};

/* The configuration, filled by host->config_read (observability.c binds
 * it); alarm[0] is the cpu alarm's, alarm[1] the healthy-task alarm's. */
struct obs_alarm_config { long long threshold, period, evaluations, datapoints; };
struct obs_config {
    sh_string_list notify;
    int encrypt;
    struct obs_alarm_config alarm[OBS_ALARMS];
    long long notifications;
};

struct obs_alarm {
    const char *name, *purpose;
    /* desired */
    const char *namespace_, *metric, *statistic, *comparison, *missing_data, *description;
    const char *dim_name[2], *dim_value[2]; /* values NULL in a plan before compute and lb exist */
    struct obs_alarm_config cfg;
    /* found */
    const sh_doc *item, *tags;
    shc_line line;
};

/* What stays across the passes of one run. */
struct obs_run {
    int key_create_lost;   /* a CreateKey answer was lost: search for the key, and for duplicates */
    int key_lost_looks;    /* passes that searched for it since, without finding it */
    int key_create_sent;   /* made by this run (maybe): found later, reported as created */
    int topic_create_sent;
};

struct obs {
    shc_frame f; /* first: the lifecycle's (lifecycle.h) */
    int destroy; /* the destroy callback */
    struct obs_run run;
    /* desired */
    const char *stack, *env, *alias, *topic_name;
    char topic_arn[OBS_ARN];
    struct obs_config cfg;
    const char *policy; /* the key policy's JSON text */
    struct obs_alarm alarm[OBS_ALARMS];
    /* the key: lookups and search */
    const sh_doc *aliases, *keys_listed;
    const char *alias_target; /* the key our alias points at, or NULL */
    struct obs_key *keys;
    size_t nkeys;
    struct obs_key *key; /* the one kept; NULL: none (yet) */
    const char *key_id, *key_arn; /* the kept or created key; NULL when none (a plan: to be created) */
    int key_new, key_revived;
    /* the topic */
    const sh_doc *topic, *topic_tags, *subs_listed; /* topic: GetTopicAttributes' Attributes */
    int topic_new;
    struct obs_sub *subs;
    size_t nsubs;
    /* the alarms */
    const sh_doc *alarms_listed;
    shc_line key_l, topic_l;
};

/* ---- common.c ---- */
int obs_load(shc_frame *f, int destroy);
/* Forgets the pass's findings (the run's memory stays). */
void obs_begin(shc_frame *f);
void obs_free(shc_frame *f);
/* The answers KMS, SNS and CloudWatch give while something propagates. */
extern const shc_not_yet obs_not_yet[];
/* Prints every line (in a plan, the plan's lines). */
void obs_report(struct obs *o);
sh_status obs_publish(shc_frame *f);

/* ---- key.c ---- */
/* ListAliases, and the keys tagged as ours (tagging GetResources). */
void obs_key_lookup(struct obs *o);
/* After the lookups: the alias's key and every other key tagged as ours
 * read (full: policy and rotation as well). -1 after recording. */
int obs_key_reads(struct obs *o, int full);
/* Deploy: ownership of the alias's key, the one to keep and the extras. */
int obs_key_choose(struct obs *o);
const char *obs_key_state(struct obs *o, const struct obs_key *k);
/* CreateKey, or the kept key restored or enabled; sent and run. */
int obs_key_state_step(struct obs *o);
void obs_key_enable_wave(struct obs *o);
void obs_key_settings_wave(struct obs *o);
/* Schedules the deletion of every key found that is not kept. */
void obs_key_retire_wave(struct obs *o);
/* Removes our alias when no key is kept. */
void obs_key_alias_wave(struct obs *o);

/* ---- topic.c ---- */
void obs_topic_lookup(struct obs *o);
/* The topic's tags, and its subscriptions when `subs`. */
void obs_topic_reads(struct obs *o, int subs);
/* Ownership, and the subscriptions wanted matched with those listed. */
int obs_topic_check(struct obs *o);
void obs_topic_wave(struct obs *o);
void obs_subs_wave(struct obs *o);
/* The value of attribute `name` of a GetTopicAttributes answer. */
const char *obs_topic_attr(struct obs *o, const char *name);

/* ---- alarms.c ---- */
void obs_alarms_init(struct obs *o);
void obs_alarms_lookup(struct obs *o);
void obs_alarms_reads(struct obs *o);
int obs_alarms_check(struct obs *o);
void obs_alarms_wave(struct obs *o);
/* Reads the dimensions (compute's and lb's outputs, waiting for them);
 * in deploy -1 after recording each one that is missing. */
int obs_alarms_inputs(struct obs *o);

/* ---- destroy.c ---- */
int obs_destroy_pass(shc_frame *f, size_t *found);

/* ---- cost.c ---- */
/* The descriptor's cost callback: the key, the alarms, the e-mails. */
sh_status obs_cost(const sh_host *h, sh_ctx *ctx);

#endif
