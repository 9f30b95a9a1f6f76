/* registry: removing the repository (with its images and lifecycle
 * policy) and the push policy (detached, its other versions first). What
 * is removed is what carries the ownership tags; destroy ends when a
 * lookup finds nothing owned, so a second destroy finds nothing. */
#include <stdio.h>
#include <string.h>

#include "reg.h"

#define DESTROY_PASSES 10

struct gone {
    struct reg *r;
    const char *label;
};

static int report_gone(void *arg, const sh_doc *out)
{
    struct gone *g = arg;
    (void)out;
    g->r->h->report(g->r->ctx, SH_CHANGE_DELETE, g->label, NULL);
    return 0;
}

static const char *const entity_lists[] = {"PolicyUsers.member", "PolicyGroups.member", "PolicyRoles.member"};
static const char *const entity_filters[] = {"User", "Group", "Role"};

/* The users, groups and roles the policy is attached to: one paginated
 * ListEntitiesForPolicy per kind (pagination follows one list). */
static void list_entities(struct reg *r, const sh_doc **entities)
{
    for (size_t k = 0; k < 3; k++) {
        sh_doc *in = reg_req(r);
        r->h->doc_set_string(in, "PolicyArn", r->policy_arn);
        r->h->doc_set_string(in, "EntityFilter", entity_filters[k]);
        shc_read_pages(&r->q, "iam", "ListEntitiesForPolicy", in, entity_lists[k], r->policy_l.label, "NoSuchEntity",
                       &entities[k]);
    }
}

/* Users, groups and roles the policy is attached to: detached. */
static void detach_all(struct reg *r, const sh_doc *const *entities)
{
    static const char *const names[] = {"UserName", "GroupName", "RoleName"};
    static const char *const ops[] = {"DetachUserPolicy", "DetachGroupPolicy", "DetachRolePolicy"};
    char path[96];
    for (size_t k = 0; k < 3; k++) {
        if (!entities[k])
            continue;
        for (size_t i = 0; i < r->h->doc_count(entities[k], entity_lists[k]); i++) {
            sh_doc *in = reg_req(r);
            r->h->doc_set_string(in, "PolicyArn", r->policy_arn);
            r->h->doc_set_string(in, names[k],
                                 r->h->doc_string(entities[k], shc_path(path, sizeof(path), "%s[%zu].%s", entity_lists[k], i, names[k])));
            shc_queue_add_accepting(&r->q, "iam", ops[k], in, r->policy_l.label, "NoSuchEntity", NULL, NULL);
        }
    }
}

/* One pass; *found gets how many owned resources the lookups listed. */
static int destroy_pass(void *arg, size_t *found)
{
    struct reg *r = arg;
    r->failed = 0;
    const sh_doc *entities[3] = {NULL, NULL, NULL};
    *found = 0;
    *found = 1; /* until the lookups have answered: a lost answer means look again */
    if (reg_lookup(r))
        return r->failed ? -1 : 0;
    reg_repo_reads(r);
    r->lifecycle_out = NULL; /* goes with the repository */
    shc_queue_clear(&r->q);
    if (r->repo) {
        sh_doc *tags = reg_req(r);
        r->h->doc_set_string(tags, "resourceArn", r->repo_arn);
        reg_read(r, "ecr", "ListTagsForResource", tags, "RepositoryNotFoundException", &r->repo_tags);
    }
    reg_policy_reads(r);
    if (r->policy && !r->plan)
        list_entities(r, entities);
    const sh_doc *images = NULL;
    if (r->repo) {
        /* one detail per image, whatever its tags */
        sh_doc *in = reg_req(r);
        r->h->doc_set_string(in, "repositoryName", r->repo_name);
        shc_read_pages(&r->q, "ecr", "DescribeImages", in, "imageDetails", r->repo_l.label,
                       "RepositoryNotFoundException", &images);
    }
    if (reg_run(r))
        return r->failed ? -1 : 0;
    int repo = r->repo && shc_owned(r->h, r->ctx, r->repo_tags, &shc_tags_json);
    int policy = r->policy && shc_owned(r->h, r->ctx, r->policy_tags, &shc_tags_query);
    if (r->repo && !repo)
        r->h->log(r->ctx, SH_LOG_WARN, "%s is not this stack's (no ownership tags): left alone", r->repo_l.label);
    if (r->policy && !policy)
        r->h->log(r->ctx, SH_LOG_WARN, "%s is not this stack's (no ownership tags): left alone", r->policy_l.label);
    *found = (size_t)(repo + policy);
    size_t nimages = images ? r->h->doc_count(images, "imageDetails") : 0;
    if (repo && nimages && !r->cfg.delete_images) {
        r->h->fail(r->ctx, SH_ERR_CONFLICT,
                   "%s holds %zu image%s: destroy will not delete %s; set registry.delete_images = true for this "
                   "environment (or delete the images: aws ecr batch-delete-image), then destroy",
                   r->repo_l.label, nimages, nimages == 1 ? "" : "s", nimages == 1 ? "it" : "them");
        r->failed = 1;
        return -1;
    }
    if (r->plan) {
        if (repo)
            r->h->report(r->ctx, SH_CHANGE_DELETE, r->repo_l.label,
                         nimages ? shc_text(r->h, r->ctx, "with its %zu image%s", nimages, nimages == 1 ? "" : "s")
                                 : NULL);
        if (policy)
            r->h->report(r->ctx, SH_CHANGE_DELETE, r->policy_l.label, NULL);
        return 0;
    }
    struct gone repo_gone = {r, r->repo_l.label}, policy_gone = {r, r->policy_l.label};
    if (repo) {
        sh_doc *in = reg_req(r);
        r->h->doc_set_string(in, "repositoryName", r->repo_name);
        r->h->doc_set_bool(in, "force", 1); /* images and all */
        shc_queue_add_accepting(&r->q, "ecr", "DeleteRepository", in, r->repo_l.label, "RepositoryNotFoundException",
                                report_gone, &repo_gone);
    }
    if (policy) {
        const char *old[REG_VERSIONS];
        size_t n = reg_policy_old_versions(r, r->versions, old, REG_VERSIONS);
        for (size_t i = 0; i < n; i++) {
            sh_doc *in = reg_req(r);
            r->h->doc_set_string(in, "PolicyArn", r->policy_arn);
            r->h->doc_set_string(in, "VersionId", old[i]);
            shc_queue_add_accepting(&r->q, "iam", "DeletePolicyVersion", in, r->policy_l.label, "NoSuchEntity", NULL,
                                    NULL);
        }
        detach_all(r, entities);
    }
    if (reg_run(r) || !policy)
        return r->failed ? -1 : 0;
    sh_doc *in = reg_req(r);
    r->h->doc_set_string(in, "PolicyArn", r->policy_arn);
    shc_queue_add_accepting(&r->q, "iam", "DeletePolicy", in, r->policy_l.label, "NoSuchEntity", report_gone,
                            &policy_gone);
    return reg_run(r) && r->failed ? -1 : 0;
}

int reg_destroy_all(struct reg *r)
{
    return shc_destroy_until_gone(r->h, r->ctx, "the registry's resources", DESTROY_PASSES, 0, destroy_pass, r);
}
