/* observability: the desired state, the passes' bookkeeping, and the
 * helpers every step uses: requests, waves, ownership, lines, outputs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obs.h"


/* Statement 1 keeps the key manageable by the account (without it no one
 * could change or delete it); statement 2 lets CloudWatch use it to
 * publish to the encrypted topic. */
static const char *policy_text(struct obs *o)
{
    const sh_host *h = o->f.h;
    const char *part = h->partition(o->f.ctx), *account = h->account_id(o->f.ctx);
    /* the account's own alarms only (the confused-deputy guard) */
    sh_doc *d = shc_json(&o->f, "{'Version': '2012-10-17', 'Statement': [{'Sid': 'AccountAdministersTheKey', "
                                "'Effect': 'Allow', 'Principal': {'AWS': 'arn:%s:iam::%s:root'}, 'Action': 'kms:*', "
                                "'Resource': '*'}, {'Sid': 'CloudWatchAlarmsPublishToTheTopic', 'Effect': 'Allow', "
                                "'Principal': {'Service': 'cloudwatch.amazonaws.com'}, 'Action': ['kms:Decrypt', "
                                "'kms:GenerateDataKey*'], 'Resource': '*', 'Condition': {"
                                "'StringEquals': {'aws:SourceAccount': '%s'}, "
                                "'ArnLike': {'aws:SourceArn': 'arn:%s:cloudwatch:%s:%s:alarm:*'}}}]}",
                         part, account, account, part, h->region(o->f.ctx), account);
    return h->doc_json(o->f.ctx, d);
}

/* The answers KMS, SNS and CloudWatch give while something propagates
 * (aws-api.md section 13; Terraform polls DescribeKey for the same). */
const shc_not_yet obs_not_yet[] = {
    /* A key whose deletion was cancelled a moment ago still reads pending
     * deletion to EnableKey and the settings calls ... */
    {"EnableKey|PutKeyPolicy|EnableKeyRotation|CreateAlias|UpdateAlias|TagResource", "KMSInvalidStateException",
     "pending deletion", 120, NULL},
    /* ... and a key enabled a moment ago still reads disabled. */
    {"PutKeyPolicy|EnableKeyRotation|CreateAlias|UpdateAlias|TagResource", "DisabledException", NULL, 120, NULL},
    /* a key or topic made a moment ago, unknown to the next call */
    {"Put*|Enable*|Create*|Update*|Tag*|Subscribe|SetTopicAttributes",
     "NotFoundException|NotFound|*ResourceNotFound|*ResourceNotFoundException", NULL, 120, NULL},
    SHC_NOT_YET_END};

int obs_load(shc_frame *f, int destroy)
{
    struct obs *o = (struct obs *)f;
    const sh_host *h = f->h;
    sh_ctx *ctx = f->ctx;
    o->destroy = destroy;
    o->stack = h->stack_name(ctx);
    o->env = h->environment(ctx);
    o->alias = shc_text(h, ctx, "alias/%s", h->resource_name(ctx, "kms", shc_text(h, ctx, "%s-alarms", o->stack)));
    o->topic_name = h->resource_name(ctx, "sns", shc_text(h, ctx, "%s-alarms", o->stack));
    snprintf(o->topic_arn, sizeof(o->topic_arn), "arn:%s:sns:%s:%s:%s", h->partition(ctx), h->region(ctx),
             h->account_id(ctx), o->topic_name);
    h->config_read(ctx, &o->cfg);
    o->policy = policy_text(o);
    o->key_l.label = shc_text(h, ctx, "kms key %s", o->alias);
    o->topic_l.label = shc_text(h, ctx, "sns topic %s", o->topic_name);
    obs_alarms_init(o);
    return 0;
}

void obs_begin(shc_frame *f)
{
    struct obs *o = (struct obs *)f;
    free(o->keys);
    free(o->subs);
    o->aliases = o->keys_listed = NULL;
    o->alias_target = NULL;
    o->keys = o->key = NULL;
    o->nkeys = 0;
    o->key_id = o->key_arn = NULL;
    o->key_new = o->key_revived = 0;
    o->topic = o->topic_tags = o->subs_listed = NULL;
    o->topic_new = 0;
    o->subs = NULL;
    o->nsubs = 0;
    o->alarms_listed = NULL;
    /* the lines are the run's: a pass after a lost answer adds to them */
    for (size_t i = 0; i < OBS_ALARMS; i++)
        o->alarm[i].item = o->alarm[i].tags = NULL;
}

void obs_free(shc_frame *f)
{
    struct obs *o = (struct obs *)f;
    free(o->keys);
    free(o->subs);
    o->keys = NULL;
    o->subs = NULL;
}

void obs_report(struct obs *o)
{
    const sh_host *h = o->f.h;
    if (h->mode(o->f.ctx) == SH_MODE_OUTPUTS)
        return;
    if (o->key_l.change != SH_CHANGE_NONE || o->key)
        shc_line_report(h, o->f.ctx, &o->key_l);
    for (size_t i = 0; i < o->nkeys; i++)
        if (o->keys[i].line.label)
            shc_line_report(h, o->f.ctx, &o->keys[i].line);
    shc_line_report(h, o->f.ctx, &o->topic_l);
    for (size_t i = 0; i < o->nsubs; i++)
        if (o->subs[i].line.label)
            shc_line_report(h, o->f.ctx, &o->subs[i].line);
    for (size_t i = 0; i < OBS_ALARMS; i++)
        shc_line_report(h, o->f.ctx, &o->alarm[i].line);
}

/* Outputs by what the lookups found or this pass made: in a plan before
 * the first deploy there is nothing to publish yet. alarm_key_arn is ""
 * when the topic is not encrypted (the key is there, empty, rather than
 * absent: "no key" is a value, not a missing output). */
sh_status obs_publish(shc_frame *f)
{
    struct obs *o = (struct obs *)f;
    const sh_host *h = o->f.h;
    int topic = o->topic || o->topic_new;
    int alarms = 1;
    for (size_t i = 0; i < OBS_ALARMS; i++)
        alarms = alarms && (o->alarm[i].item || (!o->f.plan && o->alarm[i].line.change == SH_CHANGE_CREATE));
    if (topic)
        h->output_string(o->f.ctx, "alarm_topic_arn", o->topic_arn);
    if (alarms) {
        const char *names[OBS_ALARMS];
        for (size_t i = 0; i < OBS_ALARMS; i++)
            names[i] = o->alarm[i].name;
        h->output_list(o->f.ctx, "alarm_names", names, OBS_ALARMS);
    }
    if (!o->cfg.encrypt)
        return h->output_string(o->f.ctx, "alarm_key_arn", "");
    if (o->key_arn)
        return h->output_string(o->f.ctx, "alarm_key_arn", o->key_arn);
    return SH_OK;
}
