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
    sh_doc *d = shc_doc(&c->f);
    h->doc_set_string(d, "Version", "2012-10-17");
    h->doc_set_string(d, "Statement[0].Effect", "Allow");
    h->doc_set_string(d, "Statement[0].Principal.Service", "ecs-tasks.amazonaws.com");
    h->doc_set_string(d, "Statement[0].Action", "sts:AssumeRole");
    h->doc_set_string(d, "Statement[0].Condition.StringEquals.aws:SourceAccount", h->account_id(c->f.ctx));
    if (task)
        h->doc_set_string(d, "Statement[0].Condition.ArnLike.aws:SourceArn",
                          shc_text(h, c->f.ctx, "arn:%s:ecs:%s:%s:*", h->partition(c->f.ctx), h->region(c->f.ctx),
                                   h->account_id(c->f.ctx)));
    return h->doc_json(c->f.ctx, d);
}

/* Pull from exactly the repository, a registry token (the action has no
 * resource), the log group's streams, and exactly the parameters. */
static const char *execution_text(struct cmp *c)
{
    static const char *const pull[] = {"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                                       "ecr:GetDownloadUrlForLayer"};
    const sh_host *h = c->f.h;
    sh_doc *d = shc_doc(&c->f);
    char path[64];
    h->doc_set_string(d, "Version", "2012-10-17");
    h->doc_set_string(d, "Statement[0].Sid", "PullImage");
    h->doc_set_string(d, "Statement[0].Effect", "Allow");
    for (size_t i = 0; i < sizeof(pull) / sizeof(pull[0]); i++)
        h->doc_set_string(d, shc_path(path, sizeof(path), "Statement[0].Action[%zu]", i), pull[i]);
    h->doc_set_string(d, "Statement[0].Resource", c->repo_arn);
    h->doc_set_string(d, "Statement[1].Sid", "RegistryLogin");
    h->doc_set_string(d, "Statement[1].Effect", "Allow");
    h->doc_set_string(d, "Statement[1].Action", "ecr:GetAuthorizationToken");
    h->doc_set_string(d, "Statement[1].Resource", "*");
    h->doc_set_string(d, "Statement[2].Sid", "WriteLogs");
    h->doc_set_string(d, "Statement[2].Effect", "Allow");
    h->doc_set_string(d, "Statement[2].Action[0]", "logs:CreateLogStream");
    h->doc_set_string(d, "Statement[2].Action[1]", "logs:PutLogEvents");
    h->doc_set_string(d, "Statement[2].Resource", c->log_streams_arn);
    if (c->nsecrets) {
        h->doc_set_string(d, "Statement[3].Sid", "ReadParameters");
        h->doc_set_string(d, "Statement[3].Effect", "Allow");
        h->doc_set_string(d, "Statement[3].Action", "ssm:GetParameters");
        for (size_t i = 0; i < c->nsecrets; i++)
            h->doc_set_string(d, shc_path(path, sizeof(path), "Statement[3].Resource[%zu]", i),
                              c->secrets[i].value_from);
    }
    return h->doc_json(c->f.ctx, d);
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
    sh_doc *in = shc_doc(&c->f);
    c->f.h->doc_set_string(in, "RoleName", r->name);
    cmp_read(c, "iam", "ListRolePolicies", in, "PolicyNames.member", r->line->label, NULL, &r->inline_names);
    cmp_read(c, "iam", "ListAttachedRolePolicies", in, "AttachedPolicies.member", r->line->label, NULL, &r->attached);
    if (r->policy && !c->destroying) {
        sh_doc *get = shc_doc(&c->f);
        c->f.h->doc_set_string(get, "RoleName", r->name);
        c->f.h->doc_set_string(get, "PolicyName", r->policy_name);
        cmp_read(c, "iam", "GetRolePolicy", get, NULL, r->line->label, "NoSuchEntity", &r->policy_out);
    }
}

static sh_doc *on_role(struct cmp *c, struct cmp_role *r)
{
    sh_doc *in = shc_doc(&c->f);
    c->f.h->doc_set_string(in, "RoleName", r->name);
    return in;
}

static void role_wave(struct cmp *c, struct cmp_role *r)
{
    const sh_host *h = c->f.h;
    char path[96];
    if (!r->role) {
        sh_doc *in = on_role(c, r);
        h->doc_set_string(in, "Path", "/");
        h->doc_set_string(in, "AssumeRolePolicyDocument", r->trust);
        h->doc_set_string(in, "Description",
                          shc_text(h, c->f.ctx, "%s role of the %s ecs tasks of %s-%s",
                                   !strcmp(r->purpose, "exec") ? "task execution" : "application", c->family, c->stack,
                                   h->environment(c->f.ctx)));
        shc_put_tags(h, c->f.ctx, in, &shc_tags_query_put, NULL);
        shc_change(&c->f.q, r->line, SH_CHANGE_CREATE, NULL, "iam", "CreateRole", in, "EntityAlreadyExists",
                   shc_created, &c->f);
        return;
    }
    /* IAM answers documents percent-encoded (moto too, for roles) */
    const char *trust = shc_url_decode(h, c->f.ctx, h->doc_string(r->role, "AssumeRolePolicyDocument"));
    if (!shc_json_same(h, c->f.ctx, trust, r->trust)) {
        sh_doc *in = on_role(c, r);
        h->doc_set_string(in, "PolicyDocument", r->trust);
        shc_line_diff(h, c->f.ctx, r->line, SH_CHANGE_UPDATE, "trust policy", trust, r->trust);
        shc_change(&c->f.q, r->line, SH_CHANGE_UPDATE, NULL, "iam", "UpdateAssumeRolePolicy", in, NULL, NULL, NULL);
    }
    shc_tags_change(&c->f, r->line, r->role, &shc_tags_query, &shc_tags_query_put, "iam", "TagRole", on_role(c, r));
    for (size_t i = 0; i < h->doc_count(r->inline_names, "PolicyNames.member"); i++) {
        const char *name = h->doc_string(r->inline_names, shc_path(path, sizeof(path), "PolicyNames.member[%zu]", i));
        if (!name || (r->policy && !strcmp(name, r->policy_name)))
            continue;
        sh_doc *in = on_role(c, r);
        h->doc_set_string(in, "PolicyName", name);
        shc_change(&c->f.q, r->line, SH_CHANGE_UPDATE, shc_text(h, c->f.ctx, "inline policy %s deleted", name), "iam",
                   "DeleteRolePolicy", in, "NoSuchEntity", NULL, NULL);
    }
    for (size_t i = 0; i < h->doc_count(r->attached, "AttachedPolicies.member"); i++) {
        const char *arn =
            h->doc_string(r->attached, shc_path(path, sizeof(path), "AttachedPolicies.member[%zu].PolicyArn", i));
        if (!arn)
            continue;
        sh_doc *in = on_role(c, r);
        h->doc_set_string(in, "PolicyArn", arn);
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
    sh_doc *in = on_role(c, r);
    c->f.h->doc_set_string(in, "PolicyName", r->policy_name);
    c->f.h->doc_set_string(in, "PolicyDocument", r->policy);
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
