/* compute: the container's log group: created with its tags when missing,
 * then its retention; retention and tags put back when they drifted. */
#include <stdio.h>
#include <string.h>

#include "compute.h"

static sh_doc *retention(struct cmp *c)
{
    return shc_json(&c->f, "{'logGroupName': '%s', 'retentionInDays': %lld}",
                    c->log_name, c->cfg.log_retention_days);
}

static const char *retention_text(struct cmp *c)
{
    return shc_text(c->f.h, c->f.ctx, "%lld days", c->cfg.log_retention_days);
}

void cmp_log_wave(struct cmp *c)
{
    shc_line *line = &c->log_l;
    if (!c->log_group) {
        sh_doc *in = shc_json(&c->f, "{'logGroupName': '%s'}", c->log_name);
        cmp_logs_put_tags(c, in, "tags");
        shc_change(&c->f.q, line, SH_CHANGE_CREATE, shc_text(c->f.h, c->f.ctx, "retention %s", retention_text(c)),
                   "logs", "CreateLogGroup", in, "ResourceAlreadyExistsException", shc_created, &c->f);
        return;
    }
    const char *days = c->f.h->doc_string(c->log_group, "retentionInDays");
    if (!days || strcmp(days, shc_text(c->f.h, c->f.ctx, "%lld", c->cfg.log_retention_days))) {
        /* no retention: the group keeps its events forever */
        shc_line_diff(c->f.h, c->f.ctx, line, SH_CHANGE_UPDATE, "retention",
                      days ? shc_text(c->f.h, c->f.ctx, "%s days", days) : NULL, retention_text(c));
        shc_change(&c->f.q, line, SH_CHANGE_UPDATE, NULL, "logs", "PutRetentionPolicy", retention(c), NULL, NULL, NULL);
    }
    /* the drifted tags as a list, then as the map Logs takes */
    char detail[SHC_DETAIL];
    sh_doc *drift = shc_doc(&c->f);
    size_t n = shc_tags_drift(c->f.h, c->f.ctx, c->log_tags, &shc_tags_json, NULL, drift, &shc_tags_json, detail,
                              sizeof(detail));
    if (!n)
        return;
    sh_doc *in = shc_json(&c->f, "{'resourceArn': '%s'}", c->log_arn);
    for (size_t i = 0; i < n; i++) {
        const char *key = shc_str(c->f.h, drift, "tags[%zu].Key", i);
        const char *value = shc_str(c->f.h, drift, "tags[%zu].Value", i);
        shc_set(&c->f, in, value, "tags.%s", key);
    }
    shc_change(&c->f.q, line, SH_CHANGE_UPDATE, detail, "logs", "TagResource", in, NULL, NULL, NULL);
}

/* A new group's retention (the group has none until it is set): after a
 * wave that neither failed nor looked again, a group the lookup did not
 * find was made (in a plan nothing is sent). */
void cmp_log_retention_wave(struct cmp *c)
{
    if (!c->log_group)
        shc_queue_add(&c->f.q, "logs", "PutRetentionPolicy", retention(c), NULL, c->log_l.label, NULL, NULL);
}
