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
        shc_put_tags(c->f.h, c->f.ctx, in, &shc_tags_map, NULL);
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
    shc_tags_change(&c->f, line, c->log_tags, &shc_tags_map, &shc_tags_map, "logs", "TagResource",
                    shc_json(&c->f, "{'resourceArn': '%s'}", c->log_arn));
}

/* A new group's retention (the group has none until it is set): after a
 * wave that neither failed nor looked again, a group the lookup did not
 * find was made (in a plan nothing is sent). */
void cmp_log_retention_wave(struct cmp *c)
{
    if (!c->log_group)
        shc_queue_add(&c->f.q, "logs", "PutRetentionPolicy", retention(c), NULL, c->log_l.label, NULL, NULL);
}
