/* registry plugin internals: the desired state of the ECR repository, its
 * lifecycle policy and the IAM push policy, what the lookups found, and
 * the helpers every step uses. One `struct reg` lives for one pass of a
 * callback.
 *
 * Deploy runs in waves (shc_queue, each sent together):
 *   lookups: DescribeRepositories, GetPolicy (absent = not found)
 *   -> reads: repository tags, lifecycle policy, policy tags, the default
 *      version's document, the versions; ownership checked
 *   -> repository created or its settings and tags put back; policy
 *      created or tagged, and at IAM's limit of 5 versions its oldest
 *      deleted when the document changed
 *   -> lifecycle policy; a new default policy version (the earlier ones
 *      kept, as Terraform keeps them).
 * A wave that loses an answer (or hears "already exists") ends the pass:
 * the lifecycle starts again from the lookups, which find it. */
#ifndef PLUGINS_REGISTRY_REG_H
#define PLUGINS_REGISTRY_REG_H

#include <stddef.h>

#include <stackhost/lifecycle.h>
#include <stackhost/stackhost.h>

#define REG_TEXT 512
#define REG_VERSIONS 16
#define REG_IAM_VERSIONS 5 /* versions IAM keeps of a managed policy */

struct reg {
    shc_frame f; /* first: the lifecycle's (lifecycle.h) */
    /* desired; cfg: the configuration, filled by host->config_read (registry.c binds it) */
    const char *repo_name, *policy_name;
    struct reg_config { const char *mutability; long long keep, image_mb; int delete_images; } cfg;
    char repo_arn[REG_TEXT], repo_uri[REG_TEXT], policy_arn[REG_TEXT];
    const char *lifecycle; /* the lifecycle policy's JSON text */
    const char *document;  /* the push policy's JSON text */
    /* the run's lines, labelled by reg_load: a pass after a lost answer adds to them */
    shc_line repo_l, life_l, policy_l;
    /* per pass, from here on (reg_begin clears it): the lookups' answers (NULL: absent) */
    const sh_doc *repo, *repo_tags, *lifecycle_out, *policy, *policy_tags, *version, *versions;
    int new_version; /* the document differs: a new default version */
};

/* ---- common.c ---- */
/* The answers ECR and IAM give while something propagates. */
extern const shc_not_yet reg_not_yet[];
int reg_load(shc_frame *f, int destroy);
void reg_begin(shc_frame *f);
/* Queues a read whose answer lands in *out; an error in `absent` codes
 * leaves *out NULL (the resource is not there). */
void reg_read(struct reg *r, const char *service, const char *op, const sh_doc *in, const char *absent,
              const sh_doc **out);
/* DescribeRepositories and GetPolicy together; -1 on a failure. */
int reg_lookup(struct reg *r);

/* ---- repo.c ---- */
void reg_repo_reads(struct reg *r);
void reg_repo_wave(struct reg *r);      /* create, or settings and tags put back */
void reg_lifecycle_wave(struct reg *r); /* the lifecycle policy */
int reg_repo_encryption(struct reg *r); /* -1: a replacement is refused */

/* ---- policy.c ---- */
void reg_policy_reads(struct reg *r);
void reg_policy_wave(struct reg *r);         /* create, or tags and (at the limit) the oldest version */
void reg_policy_version_wave(struct reg *r); /* a new default version */
/* The non-default versions of a ListPolicyVersions answer. */
size_t reg_policy_old_versions(struct reg *r, const sh_doc *versions, const char **ids, size_t max);

/* ---- destroy.c ---- */
int reg_destroy_pass(shc_frame *f, size_t *found);

/* ---- cost.c ---- */
sh_status reg_cost(const sh_host *h, sh_ctx *ctx);

#endif
