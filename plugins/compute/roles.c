/* compute: the task execution role and the task role. Both trust
 * ecs-tasks.amazonaws.com only. The execution role's one inline policy
 * grants exactly what starting a task needs (the image, the log streams,
 * the parameters); the task role's grants what the configuration's
 * task_policy says, or nothing. Any other inline policy is deleted and
 * any attached managed policy detached: the roles hold nothing else. */
#include <stdio.h>
#include <string.h>

#include "compute.h"

/* ECS of this account only (the confused-deputy guard AWS documents for
 * task roles: aws:SourceAccount, and for the task role aws:SourceArn of
 * the account's ECS, any cluster: AWS cannot scope it to one). The
 * execution role carries the account alone, as AWS documents no source
 * arn for it. */
static const char *trust_text(struct cmp *c, int task)
{
    const sh_host *h = c->f.h;
    sh_doc *d = shc_json(&c->f, "{'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', "
                                "'Principal': {'Service': 'ecs-tasks.amazonaws.com'}, 'Action': 'sts:AssumeRole', "
                                "'Condition': {'StringEquals': {'aws:SourceAccount': '%s'}}}]}",
                         h->account_id(c->f.ctx));
    if (task)
        shc_set(&c->f, d, shc_text(h, c->f.ctx, "arn:%s:ecs:%s:%s:*", h->partition(c->f.ctx), h->region(c->f.ctx),
                                   h->account_id(c->f.ctx)), "Statement[0].Condition.ArnLike.aws:SourceArn");
    return h->doc_json(c->f.ctx, d);
}

/* Pull from exactly the repository, a registry token (the action has no
 * resource), the log group's streams, and exactly the parameters. */
static const char *execution_text(struct cmp *c)
{
    sh_doc *d = shc_json(&c->f, "{'Version': '2012-10-17', 'Statement': ["
                                "{'Sid': 'PullImage', 'Effect': 'Allow', 'Action': ['ecr:BatchCheckLayerAvailability', "
                                "'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], 'Resource': '%s'}, "
                                "{'Sid': 'RegistryLogin', 'Effect': 'Allow', 'Action': 'ecr:GetAuthorizationToken', "
                                "'Resource': '*'}, "
                                "{'Sid': 'WriteLogs', 'Effect': 'Allow', 'Action': ['logs:CreateLogStream', "
                                "'logs:PutLogEvents'], 'Resource': '%s'}]}",
                         c->repo_arn, c->log_streams_arn);
    if (c->nsecrets) {
        shc_set(&c->f, d, "ReadParameters", "Statement[3].Sid");
        shc_set(&c->f, d, "Allow", "Statement[3].Effect");
        shc_set(&c->f, d, "ssm:GetParameters", "Statement[3].Action");
        for (size_t i = 0; i < c->nsecrets; i++)
            shc_set(&c->f, d, c->secrets[i].value_from, "Statement[3].Resource[%zu]", i);
    }
    return c->f.h->doc_json(c->f.ctx, d);
}

void cmp_roles_prepare(struct cmp *c)
{
    c->exec.trust = trust_text(c, 0);
    c->task.trust = trust_text(c, 1);
    c->exec.policy = execution_text(c);
    c->task.policy = c->cfg.task_policy; /* checked by validate */
}

void cmp_role_reads(struct cmp *c, struct cmp_role *r)
{
    if (!r->role)
        return;
    sh_doc *in = shc_json(&c->f, "{'RoleName': '%s'}", r->name);
    cmp_read(c, "iam", "ListRolePolicies", in, "PolicyNames.member", r->line->label, NULL, &r->inline_names);
    cmp_read(c, "iam", "ListAttachedRolePolicies", in, "AttachedPolicies.member", r->line->label, NULL, &r->attached);
    if (r->policy && !c->destroying) {
        sh_doc *get = shc_json(&c->f, "{'RoleName': '%s', 'PolicyName': '%s'}", r->name, r->policy_name);
        cmp_read(c, "iam", "GetRolePolicy", get, NULL, r->line->label, "NoSuchEntity", &r->policy_out);
    }
}

static sh_doc *on_role(struct cmp *c, struct cmp_role *r)
{
    return shc_json(&c->f, "{'RoleName': '%s'}", r->name);
}

static void role_wave(struct cmp *c, struct cmp_role *r)
{
    const sh_host *h = c->f.h;
    if (!r->role) {
        sh_doc *in = shc_json(&c->f, "{'RoleName': '%s', 'Path': '/', 'AssumeRolePolicyDocument': '%s', "
                                     "'Description': '%s role of the %s ecs tasks of %s-%s'}",
                              r->name, r->trust, !strcmp(r->purpose, "exec") ? "task execution" : "application",
                              c->family, c->stack, h->environment(c->f.ctx));
        shc_put_tags(h, c->f.ctx, in, &shc_tags_query_put, NULL);
        shc_change(&c->f.q, r->line, SH_CHANGE_CREATE, NULL, "iam", "CreateRole", in, "EntityAlreadyExists",
                   shc_created, &c->f);
        return;
    }
    /* IAM answers documents percent-encoded (moto too, for roles) */
    const char *trust = shc_url_decode(h, c->f.ctx, h->doc_string(r->role, "AssumeRolePolicyDocument"));
    if (!shc_json_same(h, c->f.ctx, trust, r->trust)) {
        shc_line_diff(h, c->f.ctx, r->line, SH_CHANGE_UPDATE, "trust policy", trust, r->trust);
        shc_change(&c->f.q, r->line, SH_CHANGE_UPDATE, NULL, "iam", "UpdateAssumeRolePolicy",
                   shc_json(&c->f, "{'RoleName': '%s', 'PolicyDocument': '%s'}", r->name, r->trust), NULL, NULL, NULL);
    }
    shc_tags_change(&c->f, r->line, r->role, &shc_tags_query, &shc_tags_query_put, "iam", "TagRole", on_role(c, r));
    for (size_t i = 0; i < h->doc_count(r->inline_names, "PolicyNames.member"); i++) {
        const char *name = shc_str(h, r->inline_names, "PolicyNames.member[%zu]", i);
        if (!name || (r->policy && !strcmp(name, r->policy_name)))
            continue;
        sh_doc *in = shc_json(&c->f, "{'RoleName': '%s', 'PolicyName': '%s'}", r->name, name);
        shc_change(&c->f.q, r->line, SH_CHANGE_UPDATE, shc_text(h, c->f.ctx, "inline policy %s deleted", name), "iam",
                   "DeleteRolePolicy", in, "NoSuchEntity", NULL, NULL);
    }
    for (size_t i = 0; i < h->doc_count(r->attached, "AttachedPolicies.member"); i++) {
        const char *arn =
            shc_str(h, r->attached, "AttachedPolicies.member[%zu].PolicyArn", i);
        if (!arn)
            continue;
        sh_doc *in = shc_json(&c->f, "{'RoleName': '%s', 'PolicyArn': '%s'}", r->name, arn);
        shc_change(&c->f.q, r->line, SH_CHANGE_UPDATE, shc_text(h, c->f.ctx, "managed policy %s detached", arn), "iam",
                   "DetachRolePolicy", in, "NoSuchEntity", NULL, NULL);
    }
}

void cmp_roles_wave(struct cmp *c)
{
    role_wave(c, &c->exec);
    role_wave(c, &c->task);
}

/* After a wave that neither failed nor looked again, a role GetRole did
 * not find was made: its policy is put (in a plan nothing is sent). */
static void policy_wave(struct cmp *c, struct cmp_role *r)
{
    if (!r->policy || (!r->role && c->f.plan))
        return; /* a role to create (in a plan) gets its policy with it */
    const char *is =
        r->policy_out ? shc_url_decode(c->f.h, c->f.ctx, c->f.h->doc_string(r->policy_out, "PolicyDocument")) : NULL;
    if (r->role && is && shc_json_same(c->f.h, c->f.ctx, is, r->policy))
        return;
    sh_doc *in = shc_json(&c->f, "{'RoleName': '%s', 'PolicyName': '%s', 'PolicyDocument': '%s'}", r->name,
                          r->policy_name, r->policy);
    if (r->role)
        shc_line_diff(c->f.h, c->f.ctx, r->line, SH_CHANGE_UPDATE,
                      shc_text(c->f.h, c->f.ctx, "inline policy %s", r->policy_name), is, r->policy);
    shc_change(&c->f.q, r->line, r->role ? SH_CHANGE_UPDATE : SH_CHANGE_CREATE, NULL, "iam", "PutRolePolicy", in, NULL,
               NULL, NULL);
}

void cmp_roles_policy_wave(struct cmp *c)
{
    policy_wave(c, &c->exec);
    policy_wave(c, &c->task);
}
