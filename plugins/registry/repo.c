/* registry: the ECR repository (scan on push, tag mutability, AES256,
 * tags) and its lifecycle policy: created when missing, put back when
 * they drifted. Encryption cannot change in place: a replacement. */
#include <stdio.h>
#include <string.h>

#include "reg.h"

/* ECR: tags[i].Key / .Value, in answers and requests alike */

void reg_repo_reads(struct reg *r)
{
    if (!r->repo)
        return;
    const char *arn = r->f.h->doc_string(r->repo, "repositoryArn"), *uri = r->f.h->doc_string(r->repo, "repositoryUri");
    if (arn)
        snprintf(r->repo_arn, sizeof(r->repo_arn), "%s", arn);
    if (uri)
        snprintf(r->repo_uri, sizeof(r->repo_uri), "%s", uri);
    reg_read(r, "ecr", "ListTagsForResource", shc_json(&r->f, "{'resourceArn': '%s'}", r->repo_arn), NULL,
             &r->repo_tags);
    reg_read(r, "ecr", "GetLifecyclePolicy", shc_json(&r->f, "{'repositoryName': '%s'}", r->repo_name),
             "LifecyclePolicyNotFoundException", &r->lifecycle_out);
}

int reg_repo_encryption(struct reg *r)
{
    const char *is = r->repo ? r->f.h->doc_string(r->repo, "encryptionConfiguration.encryptionType") : NULL;
    if (!is || !strcmp(is, "AES256"))
        return 0;
    const char *what = shc_text(r->f.h, r->f.ctx, "encryption %s -> AES256", is);
    if (!r->f.h->allow_replace(r->f.ctx)) {
        return shc_fail(&r->f, SH_ERR_CONFLICT,
                        "%s: encryption is %s and must be AES256, which cannot change in place: deploy with "
                        "--allow-replace to delete the repository (and its images) and create it again",
                        r->repo_l.label, is);
    }
    sh_doc *in = shc_json(&r->f, "{'repositoryName': '%s', 'force': true}", r->repo_name);
    shc_change(&r->f.q, &r->repo_l, SH_CHANGE_REPLACE, what, "ecr", "DeleteRepository", in, "RepositoryNotFoundException",
               NULL, NULL);
    if (shc_wave(&r->f))
        return -1;
    r->repo = r->repo_tags = r->lifecycle_out = NULL;
    return 0;
}

void reg_repo_wave(struct reg *r)
{
    if (!r->repo) {
        sh_doc *in = shc_json(&r->f, "{'repositoryName': '%s', 'imageTagMutability': '%s', "
                                     "'imageScanningConfiguration': {'scanOnPush': true}, "
                                     "'encryptionConfiguration': {'encryptionType': 'AES256'}}",
                              r->repo_name, r->cfg.mutability);
        shc_put_tags(r->f.h, r->f.ctx, in, &shc_tags_json, NULL);
        shc_change(&r->f.q, &r->repo_l, SH_CHANGE_CREATE, NULL, "ecr", "CreateRepository", in,
                   "RepositoryAlreadyExistsException", shc_created, &r->f);
        shc_keep(&r->f.q, "repository.repositoryUri", r->repo_uri, sizeof(r->repo_uri));
        return;
    }
    shc_update_if(&r->f, &r->repo_l, "scan on push",
                  r->f.h->doc_string(r->repo, "imageScanningConfiguration.scanOnPush"), "true", "ecr",
                  "PutImageScanningConfiguration",
                  shc_json(&r->f, "{'repositoryName': '%s', 'imageScanningConfiguration': {'scanOnPush': true}}",
                           r->repo_name));
    shc_update_if(&r->f, &r->repo_l, "tag mutability", r->f.h->doc_string(r->repo, "imageTagMutability"),
                  r->cfg.mutability, "ecr", "PutImageTagMutability",
                  shc_json(&r->f, "{'repositoryName': '%s', 'imageTagMutability': '%s'}", r->repo_name,
                           r->cfg.mutability));
    sh_doc *t = shc_json(&r->f, "{'resourceArn': '%s'}", r->repo_arn);
    shc_tags_change(&r->f, &r->repo_l, r->repo_tags, &shc_tags_json, &shc_tags_json, "ecr", "TagResource", t);
}

/* "30 images": what a lifecycle policy of stackhost's shape (one rule
 * expiring images beyond a count) keeps; NULL for another policy. */
static const char *images_kept(struct reg *r, const char *text)
{
    const sh_doc *d = text && SH_HOST_HAS(r->f.h, doc_parse) ? r->f.h->doc_parse(r->f.ctx, text) : NULL;
    const char *type = d ? r->f.h->doc_string(d, "rules[0].selection.countType") : NULL;
    const char *count = d ? r->f.h->doc_string(d, "rules[0].selection.countNumber") : NULL;
    const char *action = d ? r->f.h->doc_string(d, "rules[0].action.type") : NULL;
    if (!d || r->f.h->doc_count(d, "rules") != 1 || !type || strcmp(type, "imageCountMoreThan") || !count || !action ||
        strcmp(action, "expire"))
        return NULL;
    return shc_text(r->f.h, r->f.ctx, "%s images", count);
}

void reg_lifecycle_wave(struct reg *r)
{
    const char *is = r->lifecycle_out ? r->f.h->doc_string(r->lifecycle_out, "lifecyclePolicyText") : NULL;
    if (is && shc_json_same(r->f.h, r->f.ctx, is, r->lifecycle))
        return;
    sh_doc *in = shc_json(&r->f, "{'repositoryName': '%s', 'lifecyclePolicyText': '%s'}", r->repo_name, r->lifecycle);
    const char *kept = images_kept(r, is), *want = shc_text(r->f.h, r->f.ctx, "%lld images", r->cfg.keep);
    if (!is)
        shc_line_note(&r->life_l, SH_CHANGE_CREATE, shc_text(r->f.h, r->f.ctx, "keep the newest %s", want));
    else if (kept) /* the count alone differs, or the tag status: the count says it */
        shc_line_diff(r->f.h, r->f.ctx, &r->life_l, SH_CHANGE_UPDATE, "keep the newest", kept, want);
    else /* another policy: its rules as they are, then the one rule */
        shc_line_diff(r->f.h, r->f.ctx, &r->life_l, SH_CHANGE_UPDATE, "rules", is, r->lifecycle);
    shc_change(&r->f.q, &r->life_l, is ? SH_CHANGE_UPDATE : SH_CHANGE_CREATE, NULL, "ecr", "PutLifecyclePolicy", in, NULL,
               NULL, NULL);
}
