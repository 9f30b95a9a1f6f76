/* observability: the SNS alarm topic (encrypted with the stack's key, or
 * not), its tags, and one e-mail subscription per address in notify. A
 * removed address is unsubscribed once it has confirmed: a subscription
 * pending confirmation has no ARN to unsubscribe (AWS drops it when it
 * lapses, or with the topic). Subscriptions of other protocols are not
 * stackhost's and are left alone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obs.h"

#define PENDING "PendingConfirmation"

static sh_doc *on_topic(struct obs *o, const char *param)
{
    sh_doc *in = shc_doc(&o->f);
    o->f.h->doc_set_string(in, param, o->topic_arn);
    return in;
}

void obs_topic_lookup(struct obs *o)
{
    shc_read(&o->f.q, "sns", "GetTopicAttributes", on_topic(o, "TopicArn"), o->topic_l.label, "NotFound", &o->topic);
}

void obs_topic_reads(struct obs *o, int subs)
{
    if (!o->topic)
        return;
    o->topic = o->f.h->doc_get(o->topic, "Attributes");
    shc_read(&o->f.q, "sns", "ListTagsForResource", on_topic(o, "ResourceArn"), o->topic_l.label, NULL, &o->topic_tags);
    if (subs)
        shc_read_all(&o->f.q, "sns", "ListSubscriptionsByTopic", on_topic(o, "TopicArn"), "Subscriptions.member",
                     o->topic_l.label, &o->subs_listed);
}

const char *obs_topic_attr(struct obs *o, const char *name)
{
    size_t n = o->topic ? o->f.h->doc_count(o->topic, "entry") : 0;
    for (size_t i = 0; i < n; i++) {
        const char *key = shc_str(o->f.h, o->topic, "entry[%zu].key", i);
        if (key && !strcmp(key, name))
            return shc_str(o->f.h, o->topic, "entry[%zu].value", i);
    }
    return NULL;
}

static struct obs_sub *sub_of(struct obs *o, const char *endpoint)
{
    for (size_t i = 0; i < o->nsubs; i++)
        if (!strcmp(o->subs[i].endpoint, endpoint))
            return &o->subs[i];
    return NULL;
}

/* The addresses wanted and the e-mail subscriptions listed, matched. */
static int subs_match(struct obs *o)
{
    const sh_host *h = o->f.h;
    size_t listed = o->subs_listed ? h->doc_count(o->subs_listed, "Subscriptions.member") : 0;
    if (o->cfg.notify.n + listed) {
        o->subs = calloc(o->cfg.notify.n + listed, sizeof(*o->subs));
        if (!o->subs) {
            h->fail(o->f.ctx, SH_ERR_NOMEM, "out of memory listing subscriptions");
            return -1;
        }
    }
    for (size_t i = 0; i < o->cfg.notify.n; i++) {
        if (sub_of(o, o->cfg.notify.items[i]))
            continue;
        o->subs[o->nsubs].endpoint = o->cfg.notify.items[i];
        o->subs[o->nsubs++].wanted = 1;
    }
    for (size_t i = 0; i < listed; i++) {
        const char *protocol =
            shc_str(h, o->subs_listed, "Subscriptions.member[%zu].Protocol", i);
        const char *endpoint =
            shc_str(h, o->subs_listed, "Subscriptions.member[%zu].Endpoint", i);
        const char *arn =
            shc_str(h, o->subs_listed, "Subscriptions.member[%zu].SubscriptionArn", i);
        /* "Deleted": unsubscribed (from the mail's link); not a subscription any more */
        if (!protocol || strcmp(protocol, "email") || !endpoint || !arn || !strcmp(arn, "Deleted"))
            continue;
        struct obs_sub *s = sub_of(o, endpoint);
        if (!s) {
            s = &o->subs[o->nsubs++];
            s->endpoint = endpoint;
        }
        if (!s->arn || !strcmp(s->arn, PENDING)) /* a confirmed one first */
            s->arn = arn;
    }
    for (size_t i = 0; i < o->nsubs; i++)
        o->subs[i].line.label = shc_text(h, o->f.ctx, "email subscription %s to %s", o->subs[i].endpoint, o->topic_name);
    return 0;
}

int obs_topic_check(struct obs *o)
{
    if (o->topic && shc_ensure_owned(&o->f, o->topic_tags, &shc_tags_query, "sns topic", o->topic_name))
        return -1;
    if (o->topic && o->run.topic_create_sent) /* made by this run, its answer lost or the pass cut short */
        shc_line_note(&o->topic_l, SH_CHANGE_CREATE, NULL);
    return subs_match(o);
}

static int topic_created(void *arg, const sh_doc *out)
{
    struct obs *o = arg;
    const char *arn = out ? o->f.h->doc_string(out, "TopicArn") : NULL;
    o->topic_new = 1;
    if (arn && strcmp(arn, o->topic_arn)) {
        o->f.h->fail(o->f.ctx, SH_ERR_AWS, "%s: CreateTopic answered %s, not %s", o->topic_l.label, arn, o->topic_arn);
        return -1;
    }
    return 0;
}

void obs_topic_wave(struct obs *o)
{
    const sh_host *h = o->f.h;
    /* the key to encrypt with; NULL in a plan of a key to be made */
    const char *want = o->cfg.encrypt ? o->key_arn : "";
    if (!o->topic) {
        sh_doc *in = shc_json(&o->f, "{'Name': '%s'}", o->topic_name);
        if (want && *want) {
            h->doc_set_string(in, "Attributes.entry.1.key", "KmsMasterKeyId");
            h->doc_set_string(in, "Attributes.entry.1.value", want);
        }
        shc_put_tags(h, o->f.ctx, in, &shc_tags_query_put, NULL);
        shc_change(&o->f.q, &o->topic_l, SH_CHANGE_CREATE, NULL, "sns", "CreateTopic", in, NULL, topic_created, o);
        if (!o->f.plan)
            o->run.topic_create_sent = 1;
        return;
    }
    const char *have = obs_topic_attr(o, "KmsMasterKeyId");
    if (!have)
        have = "";
    if (!want || strcmp(have, want)) {
        sh_doc *in = on_topic(o, "TopicArn");
        h->doc_set_string(in, "AttributeName", "KmsMasterKeyId");
        h->doc_set_string(in, "AttributeValue", want ? want : "");
        /* no key: not encrypted; in a plan, the key deploy makes has no arn yet */
        shc_line_diff(h, o->f.ctx, &o->topic_l, SH_CHANGE_UPDATE, "encryption key", *have ? have : NULL,
                      !want ? "the new key" : *want ? want : NULL);
        shc_change(&o->f.q, &o->topic_l, SH_CHANGE_UPDATE, NULL, "sns", "SetTopicAttributes", in, NULL, NULL, NULL);
    }
    char detail[SHC_DETAIL];
    sh_doc *tags = on_topic(o, "ResourceArn");
    if (shc_tags_drift(h, o->f.ctx, o->topic_tags, &shc_tags_query, NULL, tags, &shc_tags_query_put, detail,
                       sizeof(detail)))
        shc_change(&o->f.q, &o->topic_l, SH_CHANGE_UPDATE, detail, "sns", "TagResource", tags, NULL, NULL, NULL);
}

void obs_subs_wave(struct obs *o)
{
    const sh_host *h = o->f.h;
    for (size_t i = 0; i < o->nsubs; i++) {
        struct obs_sub *s = &o->subs[i];
        if (s->wanted && !s->arn) {
            sh_doc *in = on_topic(o, "TopicArn");
            h->doc_set_string(in, "Protocol", "email");
            h->doc_set_string(in, "Endpoint", s->endpoint);
            h->doc_set_bool(in, "ReturnSubscriptionArn", 1);
            shc_change(&o->f.q, &s->line, SH_CHANGE_CREATE, "a confirmation mail is sent", "sns", "Subscribe", in,
                       NULL, NULL, NULL);
        } else if (s->wanted && !strcmp(s->arn, PENDING)) {
            h->log(o->f.ctx, SH_LOG_INFO, "%s awaits confirmation: alarms reach it once the mail's link is followed",
                   s->line.label);
        } else if (!s->wanted && !strcmp(s->arn, PENDING)) {
            h->log(o->f.ctx, SH_LOG_WARN,
                   "%s is no longer in notify but is pending confirmation: aws cannot unsubscribe it until it is "
                   "confirmed; it lapses unconfirmed, or goes with the topic", s->line.label);
        } else if (!s->wanted) {
            sh_doc *in = shc_json(&o->f, "{'SubscriptionArn': '%s'}", s->arn);
            shc_change(&o->f.q, &s->line, SH_CHANGE_DELETE, "no longer in notify", "sns", "Unsubscribe", in, "NotFound",
                       NULL, NULL);
        }
    }
}
