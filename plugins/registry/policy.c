/* registry: the customer-managed IAM push policy: created when missing,
 * tags put back, a changed document made the new default version. The
 * earlier versions are kept, as Terraform keeps them (a rollback is
 * SetDefaultPolicyVersion away); only when IAM's limit of 5 is reached is
 * the oldest one that is not the default deleted first. Deleting the
 * version just replaced would race IAM's propagation of the new default
 * (DeleteConflict). */
#include <stdio.h>
#include <string.h>

#include "reg.h"


static sh_doc *on_policy(struct reg *r)
{
    return shc_json(&r->f, "{'PolicyArn': '%s'}", r->policy_arn);
}

void reg_policy_reads(struct reg *r)
{
    if (!r->policy)
        return;
    const char *def = r->f.h->doc_string(r->policy, "DefaultVersionId");
    reg_read(r, "iam", "ListPolicyTags", on_policy(r), NULL, &r->policy_tags);
    reg_read(r, "iam", "GetPolicyVersion",
             shc_json(&r->f, "{'PolicyArn': '%s', 'VersionId': '%s'}", r->policy_arn, def ? def : "v1"), NULL,
             &r->version);
    shc_read_all(&r->f.q, "iam", "ListPolicyVersions", on_policy(r), "Versions.member", r->policy_l.label, &r->versions);
}

size_t reg_policy_old_versions(struct reg *r, const sh_doc *versions, const char **ids, size_t max)
{
    size_t count = versions ? r->f.h->doc_count(versions, "Versions.member") : 0, k = 0;
    for (size_t i = 0; i < count && k < max; i++) {
        const char *id = shc_str(r->f.h, versions, "Versions.member[%zu].VersionId", i);
        const char *def = shc_str(r->f.h, versions, "Versions.member[%zu].IsDefaultVersion", i);
        if (id && (!def || strcmp(def, "true")))
            ids[k++] = id;
    }
    return k;
}

/* The oldest version that is not the default (by CreateDate, ISO 8601:
 * sorts as text), or NULL. */
static const char *oldest_version(struct reg *r)
{
    const char *oldest = NULL, *oldest_date = NULL;
    size_t count = r->versions ? r->f.h->doc_count(r->versions, "Versions.member") : 0;
    for (size_t i = 0; i < count; i++) {
        const char *id = shc_str(r->f.h, r->versions, "Versions.member[%zu].VersionId", i);
        const char *def =
            shc_str(r->f.h, r->versions, "Versions.member[%zu].IsDefaultVersion", i);
        const char *date = shc_str(r->f.h, r->versions, "Versions.member[%zu].CreateDate", i);
        if (!id || (def && !strcmp(def, "true")))
            continue;
        if (!oldest || (date && oldest_date && strcmp(date, oldest_date) < 0)) {
            oldest = id;
            oldest_date = date;
        }
    }
    return oldest;
}

void reg_policy_wave(struct reg *r)
{
    if (!r->policy) {
        sh_doc *in = shc_json(&r->f, "{'PolicyName': '%s', 'Path': '/', 'Description': '%s', 'PolicyDocument': '%s'}",
                              r->policy_name, shc_text(r->f.h, r->f.ctx, "push and pull images of %s", r->repo_name),
                              r->document);
        shc_put_tags(r->f.h, r->f.ctx, in, &shc_tags_query_put, NULL);
        shc_change(&r->f.q, &r->policy_l, SH_CHANGE_CREATE, NULL, "iam", "CreatePolicy", in, "EntityAlreadyExists",
                   shc_created, &r->f);
        return;
    }
    shc_tags_change(&r->f, &r->policy_l, r->policy_tags, &shc_tags_query, &shc_tags_query_put, "iam", "TagPolicy", on_policy(r));
    const char *doc = shc_url_decode(r->f.h, r->f.ctx, r->f.h->doc_string(r->version, "PolicyVersion.Document"));
    if (shc_json_same(r->f.h, r->f.ctx, doc, r->document))
        return;
    shc_line_diff(r->f.h, r->f.ctx, &r->policy_l, SH_CHANGE_UPDATE, "document", doc, r->document);
    r->new_version = 1;
    size_t count = r->versions ? r->f.h->doc_count(r->versions, "Versions.member") : 0;
    const char *oldest = count >= REG_IAM_VERSIONS ? oldest_version(r) : NULL;
    if (oldest) {
        sh_doc *in = shc_json(&r->f, "{'PolicyArn': '%s', 'VersionId': '%s'}", r->policy_arn, oldest);
        shc_change(&r->f.q, &r->policy_l, SH_CHANGE_UPDATE,
                   shc_text(r->f.h, r->f.ctx, "the oldest version %s deleted (iam keeps %d)", oldest, REG_IAM_VERSIONS),
                   "iam", "DeletePolicyVersion", in, "NoSuchEntity", NULL, NULL);
    }
    shc_line_note(&r->policy_l, SH_CHANGE_UPDATE, "a new default version");
}

void reg_policy_version_wave(struct reg *r)
{
    if (!r->new_version)
        return;
    sh_doc *in = shc_json(&r->f, "{'PolicyArn': '%s', 'PolicyDocument': '%s', 'SetAsDefault': true}", r->policy_arn,
                          r->document);
    shc_queue_add(&r->f.q, "iam", "CreatePolicyVersion", in, NULL, r->policy_l.label, NULL, NULL);
}
