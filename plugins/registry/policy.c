/* registry: the customer-managed IAM push policy: created when missing,
 * tags put back, a changed document made the new default version, and
 * the versions that are not the default pruned so the limit of 5 never
 * blocks a change. */
#include <stdio.h>
#include <string.h>

#include "reg.h"


void reg_policy_reads(struct reg *r)
{
    if (!r->policy)
        return;
    const char *def = r->h->doc_string(r->policy, "DefaultVersionId");
    sh_doc *tags = reg_req(r), *version = reg_req(r), *versions = reg_req(r);
    r->h->doc_set_string(tags, "PolicyArn", r->policy_arn);
    r->h->doc_set_string(versions, "PolicyArn", r->policy_arn);
    r->h->doc_set_string(version, "PolicyArn", r->policy_arn);
    r->h->doc_set_string(version, "VersionId", def ? def : "v1");
    reg_read(r, "iam", "ListPolicyTags", tags, NULL, &r->policy_tags);
    reg_read(r, "iam", "GetPolicyVersion", version, NULL, &r->version);
    reg_read(r, "iam", "ListPolicyVersions", versions, NULL, &r->versions);
}

size_t reg_policy_old_versions(struct reg *r, const sh_doc *versions, const char **ids, size_t max)
{
    char path[96];
    size_t count = versions ? r->h->doc_count(versions, "Versions.member") : 0, k = 0;
    for (size_t i = 0; i < count && k < max; i++) {
        const char *id = r->h->doc_string(versions, shc_path(path, sizeof(path), "Versions.member[%zu].VersionId", i));
        const char *def = r->h->doc_string(versions, shc_path(path, sizeof(path), "Versions.member[%zu].IsDefaultVersion", i));
        if (id && (!def || strcmp(def, "true")))
            ids[k++] = id;
    }
    return k;
}

static int created(void *arg, const sh_doc *out)
{
    struct reg *r = arg;
    if (out)
        r->policy_new = 1;
    else /* it exists, though GetPolicy did not find it: look again */
        r->again = 1;
    return 0;
}

static sh_doc *on_policy(struct reg *r)
{
    sh_doc *in = reg_req(r);
    r->h->doc_set_string(in, "PolicyArn", r->policy_arn);
    return in;
}

void reg_policy_wave(struct reg *r)
{
    if (!r->policy) {
        sh_doc *in = reg_req(r);
        r->h->doc_set_string(in, "PolicyName", r->policy_name);
        r->h->doc_set_string(in, "Path", "/");
        r->h->doc_set_string(in, "Description", shc_text(r->h, r->ctx, "push and pull images of %s", r->repo_name));
        r->h->doc_set_string(in, "PolicyDocument", r->document);
        shc_put_tags(r->h, r->ctx, in, &shc_tags_query_put, NULL);
        shc_change(&r->q, &r->policy_l, SH_CHANGE_CREATE, NULL, "iam", "CreatePolicy", in, "EntityAlreadyExists",
                   created, r);
        return;
    }
    reg_tags(r, &r->policy_l, r->policy_tags, &shc_tags_query, &shc_tags_query_put, "iam", "TagPolicy", on_policy(r));
    const char *old[REG_VERSIONS];
    size_t n = reg_policy_old_versions(r, r->versions, old, REG_VERSIONS);
    for (size_t i = 0; i < n; i++) {
        sh_doc *in = on_policy(r);
        r->h->doc_set_string(in, "VersionId", old[i]);
        shc_change(&r->q, &r->policy_l, SH_CHANGE_UPDATE, shc_text(r->h, r->ctx, "%zu old version%s pruned", n, n == 1 ? "" : "s"),
                   "iam", "DeletePolicyVersion", in, "NoSuchEntity", NULL, NULL);
    }
    const char *doc = shc_url_decode(r->h, r->ctx, r->h->doc_string(r->version, "PolicyVersion.Document"));
    if (!shc_json_same(r->h, r->ctx, doc, r->document)) {
        const char *def = r->h->doc_string(r->policy, "DefaultVersionId");
        snprintf(r->old_default, sizeof(r->old_default), "%s", def ? def : "");
        r->policy_l.change = r->policy_l.change == SH_CHANGE_NONE ? SH_CHANGE_UPDATE : r->policy_l.change;
        size_t used = strlen(r->policy_l.detail);
        snprintf(r->policy_l.detail + used, sizeof(r->policy_l.detail) - used, "%sdocument: a new default version",
                 used ? ", " : "");
    }
}

void reg_policy_version_wave(struct reg *r)
{
    if (!r->old_default[0])
        return;
    sh_doc *in = on_policy(r);
    r->h->doc_set_string(in, "PolicyDocument", r->document);
    r->h->doc_set_bool(in, "SetAsDefault", 1);
    shc_queue_add(&r->q, "iam", "CreatePolicyVersion", in, NULL, r->policy_l.label, NULL, NULL);
}

void reg_policy_prune_wave(struct reg *r)
{
    if (!r->old_default[0])
        return;
    sh_doc *in = on_policy(r);
    r->h->doc_set_string(in, "VersionId", r->old_default);
    shc_queue_add_accepting(&r->q, "iam", "DeletePolicyVersion", in, r->policy_l.label, "NoSuchEntity", NULL, NULL);
}
