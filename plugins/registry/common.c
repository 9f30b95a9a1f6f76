/* registry: the desired state, the lookups, and the helpers of every
 * step: reads, ownership, tag drift, the lines. */
#include <stdio.h>
#include <string.h>

#include "reg.h"


/* {"rules":[{"rulePriority":1,"selection":{...,"countNumber":N},"action":{"type":"expire"}}]} */
static const char *lifecycle_text(struct reg *r)
{
    sh_doc *d = shc_json(&r->f, "{'rules': [{'rulePriority': 1, 'selection': {'tagStatus': 'any', "
                                "'countType': 'imageCountMoreThan', 'countNumber': %lld}, "
                                "'action': {'type': 'expire'}}]}",
                         r->cfg.keep);
    return r->f.h->doc_json(r->f.ctx, d);
}

/* Push and pull on exactly the repository; a token for any (it has no resource). */
static const char *document_text(struct reg *r)
{
    sh_doc *d = shc_json(&r->f, "{'Version': '2012-10-17', 'Statement': ["
                                "{'Sid': 'PushPull', 'Effect': 'Allow', 'Action': ['ecr:BatchCheckLayerAvailability', "
                                "'ecr:BatchGetImage', 'ecr:CompleteLayerUpload', 'ecr:GetDownloadUrlForLayer', "
                                "'ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:UploadLayerPart'], 'Resource': '%s'}, "
                                "{'Sid': 'Login', 'Effect': 'Allow', 'Action': 'ecr:GetAuthorizationToken', "
                                "'Resource': '*'}]}",
                         r->repo_arn);
    return r->f.h->doc_json(r->f.ctx, d);
}

/* The answers ECR and IAM give while something propagates (aws-api.md
 * section 13). */
const shc_not_yet reg_not_yet[] = {
    /* a repository or policy made a moment ago, unknown to the next call */
    {"PutLifecyclePolicy|TagResource|UntagResource|PutImageTagMutability|SetRepositoryPolicy",
     "RepositoryNotFoundException", NULL, 120, NULL},
    {"CreatePolicyVersion|TagPolicy|UntagPolicy|DeletePolicyVersion", "NoSuchEntity", NULL, 120, NULL},
    /* destroy: a policy detached a moment ago still counts as attached;
     * its versions deleted a moment ago still count */
    {"DeletePolicy", "DeleteConflict", "attached to entities|more than one version", 120,
     "something outside this stack may have attached it again: detach it and run destroy again"},
    {"DeletePolicyVersion", "DeleteConflict", "default version", 120, NULL},
    SHC_NOT_YET_END};

int reg_load(shc_frame *f, int destroy)
{
    struct reg *r = (struct reg *)f;
    const sh_host *h = f->h;
    sh_ctx *ctx = f->ctx;
    (void)destroy;
    const char *stack = h->stack_name(ctx), *part = h->partition(ctx), *acct = h->account_id(ctx);
    r->repo_name = h->resource_name(ctx, "ecr", stack);
    r->policy_name = h->resource_name(ctx, "policy", shc_text(r->f.h, r->f.ctx, "%s-ecr-push", stack));
    h->config_read(ctx, &r->cfg);
    snprintf(r->repo_arn, sizeof(r->repo_arn), "arn:%s:ecr:%s:%s:repository/%s", part, h->region(ctx), acct,
             r->repo_name);
    snprintf(r->repo_uri, sizeof(r->repo_uri), "%s.dkr.ecr.%s.amazonaws.com%s/%s", acct, h->region(ctx),
             strcmp(part, "aws-cn") ? "" : ".cn", r->repo_name);
    snprintf(r->policy_arn, sizeof(r->policy_arn), "arn:%s:iam::%s:policy/%s", part, acct, r->policy_name);
    r->lifecycle = lifecycle_text(r);
    r->document = document_text(r);
    r->repo_l.label = shc_text(h, ctx, "ecr repository %s", r->repo_name);
    r->life_l.label = shc_text(h, ctx, "lifecycle policy of %s", r->repo_name);
    r->policy_l.label = shc_text(h, ctx, "iam policy %s", r->policy_name);
    return 0;
}

void reg_begin(shc_frame *f)
{
    struct reg *r = (struct reg *)f;
    memset(&r->repo, 0, sizeof(*r) - offsetof(struct reg, repo));
}

void reg_read(struct reg *r, const char *service, const char *op, const sh_doc *in, const char *absent,
              const sh_doc **out)
{
    const char *label = !strcmp(service, "iam") ? r->policy_l.label : r->repo_l.label;
    shc_read(&r->f.q, service, op, in, label, absent, out);
}

int reg_lookup(struct reg *r)
{
    reg_read(r, "ecr", "DescribeRepositories", shc_json(&r->f, "{'repositoryNames': ['%s']}", r->repo_name),
             "RepositoryNotFoundException", &r->repo);
    reg_read(r, "iam", "GetPolicy", shc_json(&r->f, "{'PolicyArn': '%s'}", r->policy_arn), "NoSuchEntity", &r->policy);
    int rc = shc_wave(&r->f);
    /* the repository itself, not the list around it */
    if (r->repo)
        r->repo = r->f.h->doc_count(r->repo, "repositories") ? r->f.h->doc_get(r->repo, "repositories[0]") : NULL;
    if (r->policy)
        r->policy = r->f.h->doc_get(r->policy, "Policy");
    return rc;
}
