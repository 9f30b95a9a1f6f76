/* registry: the ECR repository, its lifecycle policy and the IAM push
 * policy of catalog-stack.md: the descriptor, the keys, and the callbacks
 * that run the waves (repo.c, policy.c) and destroy (destroy.c). */
#include <stdio.h>

#include <stackhost/stackhost.h>

#include "reg.h"

static const char *const mutability[] = {"IMMUTABLE", "MUTABLE", NULL};
static const char *const no_requirements[] = {NULL};

static const sh_config_key registry_keys[] = {
    {.name = "keep_images", .type = SH_CONFIG_INT, .default_value = "5", .min = 1, .max = 1000,
     .help = "images kept by the lifecycle policy; older ones expire"},
    {.name = "tag_mutability", .type = SH_CONFIG_STRING, .default_value = "\"IMMUTABLE\"", .allowed = mutability,
     .help = "IMMUTABLE: a pushed tag can never point at another image"},
    {.name = "delete_images", .type = SH_CONFIG_BOOL, .default_value = "false",
     .help = "destroy may delete the repository while it holds images (false: destroy refuses, counting them)"},
    {.name = "image_mb", .type = SH_CONFIG_INT, .default_value = "200", .min = 1, .max = 100000,
     .help = "cost estimate only: an image's compressed size in MB (keep_images of them are stored)"},
    SH_CONFIG_END};

static const sh_config_bind registry_bind[] = {
    SH_BIND(struct reg_config, keep, "keep_images"), SH_BIND(struct reg_config, mutability, "tag_mutability"),
    SH_BIND(struct reg_config, delete_images, "delete_images"), SH_BIND(struct reg_config, image_mb, "image_mb"),
    SH_BIND_END};

/* The repository's outputs, published as soon as it exists: compute
 * waits for them (it looks for the image in it), not for the policies. */
static sh_status publish_repository(struct reg *r)
{
    const sh_host *h = r->f.h;
    h->output_string(r->f.ctx, "repository_uri", r->repo_uri);
    h->output_string(r->f.ctx, "repository_arn", r->repo_arn);
    return h->output_string(r->f.ctx, "repository_name", r->repo_name);
}

/* The waves of reg.h. Nothing mutating is sent before both resources'
 * ownership is known. */
static int converge(shc_frame *f)
{
    struct reg *r = (struct reg *)f;
    if (reg_lookup(r))
        return -1;
    reg_repo_reads(r);
    reg_policy_reads(r);
    if (shc_wave(f))
        return -1;
    if ((r->repo && shc_ensure_owned(f, r->repo_tags, &shc_tags_json, "repository", r->repo_name) < 0) |
        (r->policy && shc_ensure_owned(f, r->policy_tags, &shc_tags_query, "policy", r->policy_name) < 0))
        return -1;
    if (reg_repo_encryption(r))
        return -1;
    if (r->repo && !f->plan)
        publish_repository(r);
    int made = !r->repo;
    reg_repo_wave(r);
    reg_policy_wave(r);
    if (shc_wave(f) || f->again)
        return -1;
    if (made && !f->plan)
        publish_repository(r);
    /* new ids can be unknown for a moment (IAM is the slowest): reg_not_yet */
    reg_lifecycle_wave(r);
    reg_policy_version_wave(r);
    if (shc_wave(f))
        return -1;
    shc_report_lines(f, (shc_line *[]){&r->repo_l, &r->life_l, &r->policy_l}, 3);
    return 0;
}

static sh_status publish(shc_frame *f)
{
    struct reg *r = (struct reg *)f;
    publish_repository(r);
    return f->h->output_string(r->f.ctx, "push_policy_arn", r->policy_arn);
}

static const shc_lifecycle registry_lifecycle = {
    .size = sizeof(struct reg), .not_yet = reg_not_yet, .load = reg_load, .begin = reg_begin,
    .converge = converge, .publish = publish, .destroy = reg_destroy_pass,
    .destroy_what = "the registry's resources"};

/* outputs: the same lookups as a plan */
SHC_LIFECYCLE(registry, registry_lifecycle)

static const sh_resource_decl registry_resources[] = {
    {"repository", "ecr repository ecr-{S}-{E}", NULL},
    {"lifecycle", "lifecycle policy of ecr-{S}-{E}", SH_AFTER("repository")},
    {"push_policy", "iam policy policy-{S}-ecr-push-{E}", SH_AFTER("repository")},
    {NULL, NULL, NULL}};

/* What it publishes: a dependent reading another key is told at once. */
static const char *const registry_publishes[] = {
    "repository_uri", "repository_arn", "repository_name", "push_policy_arn", NULL};

SH_PLUGIN_EXPORT = {
    SH_PLUGIN_ABI,
    .name = "registry",
    .version = "0.1.0",
    .description = "ECR repository with scan on push, lifecycle policy, IAM push policy",
    .requires = no_requirements,
    .keys = registry_keys,
    .config_bind = registry_bind,
    .cost = reg_cost,
    /* the running tasks hold their image: nothing waits */
    .destroy_alongside = 1,
    SHC_CALLBACKS(registry),
    .resources = registry_resources,
    .publishes = registry_publishes,
};
