/* registry: removing the repository (with its images and lifecycle
 * policy) and the push policy (detached, its other versions first). What
 * is removed is what carries the ownership tags; destroy ends when a
 * lookup finds nothing owned, so a second destroy finds nothing. */
#include <stdio.h>
#include <string.h>

#include "reg.h"

static const char *const entity_lists[] = {"PolicyUsers.member", "PolicyGroups.member", "PolicyRoles.member"};
static const char *const entity_filters[] = {"User", "Group", "Role"};

/* The users, groups and roles the policy is attached to: one paginated
 * ListEntitiesForPolicy per kind (pagination follows one list). */
static void list_entities(struct reg *r, const sh_doc **entities)
{
    for (size_t k = 0; k < 3; k++) {
        sh_doc *in = shc_json(&r->f, "{'PolicyArn': '%s', 'EntityFilter': '%s'}", r->policy_arn, entity_filters[k]);
        shc_read_pages(&r->f.q, "iam", "ListEntitiesForPolicy", in, entity_lists[k], r->policy_l.label, "NoSuchEntity",
                       &entities[k]);
    }
}

/* Users, groups and roles the policy is attached to: detached. */
static void detach_all(struct reg *r, const sh_doc *const *entities)
{
    static const char *const names[] = {"UserName", "GroupName", "RoleName"};
    static const char *const ops[] = {"DetachUserPolicy", "DetachGroupPolicy", "DetachRolePolicy"};
    for (size_t k = 0; k < 3; k++) {
        if (!entities[k])
            continue;
        for (size_t i = 0; i < r->f.h->doc_count(entities[k], entity_lists[k]); i++) {
            sh_doc *in = shc_json(&r->f, "{'PolicyArn': '%s'}", r->policy_arn);
            r->f.h->doc_set_string(in, names[k],
                                 shc_str(r->f.h, entities[k], "%s[%zu].%s", entity_lists[k], i, names[k]));
            shc_queue_add_accepting(&r->f.q, "iam", ops[k], in, r->policy_l.label, "NoSuchEntity", NULL, NULL);
        }
    }
}

/* One pass; *found gets how many owned resources the lookups listed. */
int reg_destroy_pass(shc_frame *f, size_t *found)
{
    struct reg *r = (struct reg *)f;
    const sh_doc *entities[3] = {NULL, NULL, NULL};
    if (reg_lookup(r))
        return -1;
    reg_repo_reads(r);
    r->lifecycle_out = NULL; /* goes with the repository */
    shc_queue_clear(&r->f.q);
    if (r->repo) {
        sh_doc *tags = shc_json(&r->f, "{'resourceArn': '%s'}", r->repo_arn);
        reg_read(r, "ecr", "ListTagsForResource", tags, "RepositoryNotFoundException", &r->repo_tags);
    }
    reg_policy_reads(r);
    if (r->policy && !r->f.plan)
        list_entities(r, entities);
    const sh_doc *images = NULL;
    if (r->repo) {
        /* one detail per image, whatever its tags */
        sh_doc *in = shc_json(&r->f, "{'repositoryName': '%s'}", r->repo_name);
        shc_read_pages(&r->f.q, "ecr", "DescribeImages", in, "imageDetails", r->repo_l.label,
                       "RepositoryNotFoundException", &images);
    }
    if (shc_wave(f))
        return -1;
    int repo = shc_ours(f, r->repo != NULL, r->repo_tags, &shc_tags_json, r->repo_l.label);
    int policy = shc_ours(f, r->policy != NULL, r->policy_tags, &shc_tags_query, r->policy_l.label);
    *found = (size_t)(repo + policy);
    size_t nimages = images ? r->f.h->doc_count(images, "imageDetails") : 0;
    if (repo && nimages && !r->cfg.delete_images) {
        return shc_fail(&r->f, SH_ERR_CONFLICT,
                        "%s holds %zu image%s: destroy will not delete %s; set registry.delete_images = true for this "
                        "environment (or delete the images: aws ecr batch-delete-image), then destroy",
                        r->repo_l.label, nimages, nimages == 1 ? "" : "s", nimages == 1 ? "it" : "them");
    }
    if (repo) {
        /* force: images and all */
        sh_doc *in = shc_json(&r->f, "{'repositoryName': '%s', 'force': true}", r->repo_name);
        shc_delete(&f->q, r->repo_l.label,
                   nimages ? shc_text(f->h, f->ctx, "with its %zu image%s", nimages, nimages == 1 ? "" : "s") : NULL,
                   "ecr", "DeleteRepository", in, "RepositoryNotFoundException");
    }
    /* in a plan the queue sends none of these: the lines are the deletes' */
    if (policy) {
        const char *old[REG_VERSIONS];
        size_t n = reg_policy_old_versions(r, r->versions, old, REG_VERSIONS);
        for (size_t i = 0; i < n; i++) {
            sh_doc *in = shc_json(&r->f, "{'PolicyArn': '%s', 'VersionId': '%s'}", r->policy_arn, old[i]);
            shc_queue_add_accepting(&r->f.q, "iam", "DeletePolicyVersion", in, r->policy_l.label, "NoSuchEntity", NULL,
                                    NULL);
        }
        detach_all(r, entities);
    }
    if (shc_wave(f))
        return -1;
    if (policy) {
        sh_doc *in = shc_json(&r->f, "{'PolicyArn': '%s'}", r->policy_arn);
        shc_delete(&f->q, r->policy_l.label, NULL, "iam", "DeletePolicy", in, "NoSuchEntity");
    }
    return shc_wave(f);
}
