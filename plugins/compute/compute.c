/* compute: the ECS cluster, log group, roles, task definition and
 * Fargate service of catalog-stack.md: the descriptor, the keys and their
 * checks, and the callbacks that run the waves (compute.h) and destroy. */
#include <stdio.h>
#include <string.h>

#include <stackhost/stackhost.h>

#include "compute.h"

static const char *const compute_requires[] = {"network", "registry", "secrets", "lb", NULL};
static const char *const fargate_cpu[] = {"256", "512", "1024", "2048", "4096", "8192", "16384", NULL};
static const char *const retention_days[] = {"1", "3", "5", "7", "14", "30", "60", "90", "120", "150", "180",
                                             "365", "400", "545", "731", "1096", "1827", "2192", "2557",
                                             "2922", "3288", "3653", NULL};

static const sh_config_key compute_keys[] = {
    {.name = "image_tag", .type = SH_CONFIG_STRING, .required = 1,
     .help = "tag of the image in the stack's repository to run"},
    {.name = "cpu", .type = SH_CONFIG_INT, .default_value = "1024", .allowed = fargate_cpu,
     .help = "task cpu units (Fargate sizes)"},
    {.name = "memory", .type = SH_CONFIG_INT, .default_value = "2048", .min = 512, .max = 122880,
     .help = "task memory in MiB; must fit the cpu size (Fargate's table)"},
    {.name = "desired_count", .type = SH_CONFIG_INT, .default_value = "2", .min = 0, .max = 1000,
     .help = "tasks at creation; once scaling owns the service a redeploy leaves the count alone"},
    {.name = "container_port", .type = SH_CONFIG_INT, .min = 1, .max = 65535,
     .help = "not a setting any more: the container listens on network.task_port (PORT in its environment; "
             "refused when set)"},
    {.name = "keep_revisions", .type = SH_CONFIG_INT, .default_value = "5", .min = 1, .max = 100,
     .help = "ACTIVE task definition revisions kept for a rollback; older ones are deregistered once the "
             "service runs the new one"},
    {.name = "log_retention_days", .type = SH_CONFIG_INT, .default_value = "7", .allowed = retention_days,
     .help = "days CloudWatch Logs keeps the container logs"},
    {.name = "task_policy", .type = SH_CONFIG_STRING,
     .help = "IAM policy document (JSON text with Version and Statement) granted to the application through "
             "the task role as its one inline policy; unset: the task role grants nothing"},
    {.name = "task_policy_wildcards", .type = SH_CONFIG_BOOL, .default_value = "false",
     .help = "let task_policy allow every action (\"*\"), or every action of a service on every resource "
             "(\"s3:*\" on \"*\"); false: such a statement is refused"},
    {.name = "log_gb_per_month", .type = SH_CONFIG_INT, .default_value = "5", .min = 0, .max = 10000000,
     .help = "cost estimate only: GB a month the tasks write to the log group"},
    {.name = "insights_metrics", .type = SH_CONFIG_INT, .default_value = "35", .min = 0, .max = 10000,
     .help = "cost estimate only: CloudWatch metrics Container Insights publishes for the cluster, service and task "
             "family (billed as custom metrics)"},
    SH_CONFIG_END};

#define CMP_BIND(key) SH_BIND(struct cmp_config, key, #key)
static const sh_config_bind compute_bind[] = {
    CMP_BIND(image_tag), CMP_BIND(cpu), CMP_BIND(memory), CMP_BIND(desired_count), CMP_BIND(keep_revisions),
    CMP_BIND(log_retention_days), CMP_BIND(task_policy), CMP_BIND(task_policy_wildcards),
    SH_BIND(struct cmp_config, log_gb, "log_gb_per_month"), CMP_BIND(insights_metrics), SH_BIND_END};

/* Fargate's valid memory for each cpu size, in MiB: [lo, hi] in steps. */
static const struct {
    long long cpu, lo, hi, step;
} fargate_sizes[] = {
    {256, 512, 2048, 512},     /* 512, 1024, 2048 */
    {512, 1024, 4096, 1024},   {1024, 2048, 8192, 1024},    {2048, 4096, 16384, 1024},
    {4096, 8192, 30720, 1024}, {8192, 16384, 61440, 4096}, {16384, 32768, 122880, 8192},
};

static sh_status check_memory(const sh_host *host, sh_ctx *ctx, long long cpu, long long mem)
{
    for (size_t i = 0; i < sizeof(fargate_sizes) / sizeof(fargate_sizes[0]); i++) {
        if (fargate_sizes[i].cpu != cpu)
            continue;
        int ok = mem >= fargate_sizes[i].lo && mem <= fargate_sizes[i].hi &&
                 (cpu == 256 ? (mem == 512 || mem == 1024 || mem == 2048) : mem % fargate_sizes[i].step == 0);
        if (!ok)
            return host->config_error(ctx, host->config(ctx, "memory"),
                                      "fargate with cpu %lld takes memory %lld to %lld MiB in steps of %lld, "
                                      "not %lld",
                                      cpu, fargate_sizes[i].lo, fargate_sizes[i].hi, fargate_sizes[i].step, mem);
    }
    return SH_OK;
}

/* ECR's rule for a tag: [a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127}. */
static sh_status check_image_tag(const sh_host *host, sh_ctx *ctx, const char *tag)
{
    size_t n = tag ? strlen(tag) : 0;
    int ok = n >= 1 && n <= 128 && tag[0] != '.' && tag[0] != '-';
    for (size_t i = 0; ok && i < n; i++)
        ok = (tag[i] >= 'a' && tag[i] <= 'z') || (tag[i] >= 'A' && tag[i] <= 'Z') || (tag[i] >= '0' && tag[i] <= '9') ||
             tag[i] == '_' || tag[i] == '.' || tag[i] == '-';
    if (ok)
        return SH_OK;
    return host->config_error(ctx, host->config(ctx, "image_tag"),
                              "'%s' is not an image tag: 1 to 128 of [A-Za-z0-9_.-], not starting with '.' or '-'",
                              tag ? tag : "");
}

/* A text or each text of a list at path matches: "*" (any), or a
 * service's every action "svc:*" when service_wide. */
static int any_wildcard(const sh_host *host, const sh_doc *st, const char *key, int service_wide)
{
    char path[64];
    size_t n = host->doc_count(st, key);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s[%zu]", key, i);
        const char *v = host->doc_string(st, path);
        size_t len = v ? strlen(v) : 0;
        if (v && (!strcmp(v, "*") || (service_wide && len > 2 && !strcmp(v + len - 2, ":*"))))
            return 1;
    }
    return 0;
}

/* The first Allow statement (1-based; 0: none) granting every action, or
 * a service's every action on every resource; what it allows in why. */
static size_t wildcard_statement(const sh_host *host, const sh_doc *doc, char *why, size_t len)
{
    char path[64];
    size_t n = host->doc_count(doc, "Statement");
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "Statement[%zu]", i);
        const sh_doc *st = host->doc_get(doc, path);
        const char *effect = host->doc_string(st, "Effect");
        if (!effect || strcmp(effect, "Allow"))
            continue;
        int every_resource = any_wildcard(host, st, "Resource", 0);
        if (any_wildcard(host, st, "Action", 0)) {
            snprintf(why, len, "every action (\"*\")");
            return i + 1;
        }
        if (every_resource && any_wildcard(host, st, "Action", 1)) {
            snprintf(why, len, "every action of a service on every resource");
            return i + 1;
        }
    }
    return 0;
}

/* The task role's policy is checked as a document before any request. */
static sh_status check_task_policy(const sh_host *host, sh_ctx *ctx, const char *text, int wildcards)
{
    if (!text)
        return SH_OK;
    const sh_value *at = host->config(ctx, "task_policy");
    const sh_doc *doc = host->doc_parse(ctx, text);
    if (!doc || text[strspn(text, " \t\r\n")] != '{')
        return host->config_error(ctx, at, "is not a JSON object (an IAM policy document)");
    if (!host->doc_string(doc, "Version"))
        return host->config_error(ctx, at, "has no Version (an IAM policy document has \"Version\": \"2012-10-17\")");
    if (!host->doc_count(doc, "Statement") || host->doc_string(doc, "Statement"))
        return host->config_error(ctx, at, "has no Statement (an IAM policy document grants through its statements)");
    if (!wildcards) {
        char why[256];
        size_t i = wildcard_statement(host, doc, why, sizeof(why));
        if (i)
            return host->config_error(ctx, at, "statement %zu allows %s: the application could do anything its "
                                      "credentials reach; name the actions and resources, or set "
                                      "task_policy_wildcards = true if that is meant", i - 1, why);
    }
    return SH_OK;
}

/* IAM role names are at most 64 characters: refused before any request
 * rather than cut into a name that no longer says what it is. */
static sh_status check_names(const sh_host *host, sh_ctx *ctx)
{
    sh_status rc = SH_OK;
    const char *stack = host->stack_name(ctx);
    const char *purposes[] = {"exec", "task"};
    for (size_t i = 0; i < 2; i++) {
        char purpose[256];
        snprintf(purpose, sizeof(purpose), "%s-%s", stack, purposes[i]);
        const char *name = host->resource_name(ctx, "role", purpose);
        if (strlen(name) > 64)
            rc = host->config_error(ctx, NULL,
                                    "the role name %s is %zu characters, over iam's 64: shorten stack.name or the "
                                    "environment's suffix",
                                    name, strlen(name));
    }
    return rc;
}

static sh_status compute_validate(const sh_host *host, sh_ctx *ctx)
{
    struct cmp_config cfg;
    host->config_read(ctx, &cfg);
    sh_status rc = check_memory(host, ctx, cfg.cpu, cfg.memory);
    rc = check_image_tag(host, ctx, cfg.image_tag) == SH_OK ? rc : SH_ERR_CONFIG;
    rc = check_task_policy(host, ctx, cfg.task_policy, cfg.task_policy_wildcards) == SH_OK ? rc : SH_ERR_CONFIG;
    rc = check_names(host, ctx) == SH_OK ? rc : SH_ERR_CONFIG;
    rc = shc_refuse_port_key(host, ctx, "container_port") == SH_OK ? rc : SH_ERR_CONFIG;
    return rc;
}

/* The outputs: names always (dependents' plans name the resources), ARNs
 * of what exists (or was made). A deploy that left the service as it was
 * for its image publishes nothing: what reads the outputs (scaling, the
 * alarms) needs the service, and is cut short; the rest of the stack goes
 * on converging. */
static sh_status publish(shc_frame *f)
{
    struct cmp *c = (struct cmp *)f;
    const sh_host *h = f->h;
    if (c->not_rolled_out) {
        cmp_image_push_error(c);
        return SH_ERR_INCOMPLETE;
    }
    sh_status rc = SH_OK;
    const char *keys[] = {"cluster_name", "service_name", "log_group_name"};
    const char *names[] = {c->cluster_name, c->service_name, c->log_name};
    for (size_t i = 0; i < 3; i++)
        if (h->output_string(f->ctx, keys[i], names[i]) != SH_OK)
            rc = SH_ERR;
    const char *arn_keys[] = {"cluster_arn", "service_arn", "task_definition_arn", "execution_role_arn",
                              "task_role_arn"};
    /* a deploy's pass that converged made what it did not find */
    const char *arns[] = {c->cluster || !f->plan ? c->cluster_arn : "", c->service_arn, c->td_arn,
                          c->exec.role || !f->plan ? c->exec.arn : "", c->task.role || !f->plan ? c->task.arn : ""};
    for (size_t i = 0; i < 5; i++)
        if (arns[i][0] && h->output_string(f->ctx, arn_keys[i], arns[i]) != SH_OK)
            rc = SH_ERR;
    return rc;
}

/* Every line (in a plan, the plan's lines); a service left as it is for
 * its image is named by the error instead. */
static void report(struct cmp *c)
{
    shc_report_lines(&c->f, (shc_line *[]){&c->cluster_l, &c->log_l, &c->exec_l, &c->task_l, &c->td_l, &c->svc_l},
                     c->not_rolled_out ? 5 : 6);
}

/* The waves of compute.h. Nothing mutating is sent before every found
 * resource's ownership, the image and the quotas are known. */
static int converge(shc_frame *f)
{
    struct cmp *c = (struct cmp *)f;
    /* its own lookups first: the registry's and the secrets' outputs may
     * still be on their way */
    if (cmp_lookup(c) || cmp_inputs(c) || cmp_reads(c) || cmp_owned_all(c))
        return -1;
    cmp_image_check(c);
    cmp_td_compare(c);
    if (cmp_quotas(c))
        return -1;
    cmp_cluster_wave(c);
    cmp_log_wave(c);
    cmp_roles_wave(c);
    if (shc_wave(f) || f->again)
        return -1;
    /* what was just made can be unknown for a moment: cmp_not_yet */
    cmp_log_retention_wave(c);
    cmp_roles_policy_wave(c);
    if (shc_wave(f))
        return -1;
    /* A new or changed role can take seconds before ECS may pass it
     * (aws-api.md section 13): cmp_not_yet names those answers. */
    cmp_td_wave(c);
    if (shc_wave(f) || f->again)
        return -1;
    /* Never roll out what cannot start: tasks would fail to pull the image,
     * the circuit breaker would stop the service at 0 tasks. Everything else
     * is converged; the service is left as it is until the image is there
     * (publish says so). */
    if (c->image_missing && f->mode == SH_MODE_DEPLOY) {
        c->not_rolled_out = 1;
        report(c);
        return 0;
    }
    if (cmp_service_inputs(c) || cmp_service_prepare(c))
        return -1;
    cmp_service_wave(c);
    if (c->image_missing && f->plan)
        shc_line_note(&c->svc_l, c->svc_l.change,
                      shc_text(f->h, f->ctx, "not rolled out until image %s is pushed", c->image));
    if (shc_wave(f) || f->again)
        return -1;
    /* the service exists: its scalable target need not wait for the rollout */
    if (!f->plan && publish(f) != SH_OK)
        return -1;
    if (cmp_service_wait_steady(c))
        return -1;
    /* the service runs the new revision: the oldest beyond the few kept for a rollback go */
    if (f->mode != SH_MODE_OUTPUTS && !c->inputs_missing && cmp_td_prune(c))
        return -1;
    if (f->mode != SH_MODE_OUTPUTS)
        report(c);
    return 0;
}

static const shc_lifecycle compute_lifecycle = {
    .size = sizeof(struct cmp), .not_yet = cmp_not_yet, .load = cmp_load, .begin = cmp_begin,
    .converge = converge, .publish = publish, .destroy = cmp_destroy_pass,
    .destroy_what = "the compute resources", .free = cmp_free};

/* outputs: the same lookups as a plan */
SHC_LIFECYCLE(compute, compute_lifecycle)

static const sh_resource_decl compute_resources[] = {
    {"cluster", "ecs cluster cluster-{S}-{E} (container insights)", NULL},
    {"logs", "log group logs-{S}-{E}", NULL},
    {"exec_role", "iam role role-{S}-exec-{E} (pulls the image, writes the logs, reads the parameters)",
     SH_AFTER("logs", "registry.repository", "secrets.parameters")},
    {"task_role", "iam role role-{S}-task-{E} (task_policy, or nothing)", NULL},
    {"task_definition", "task definition task-{S}-{E} (a revision when it changes)",
     SH_AFTER("exec_role", "task_role", "logs", "registry.repository", "secrets.parameters")},
    {"service", "ecs service svc-{S}-{E} (fargate, private subnets, behind the target group)",
     SH_AFTER("cluster", "task_definition", "network.private_subnets", "network.sg_tasks", "lb.target_group")},
    {NULL, NULL, NULL}};

/* The names the configuration gives, published before the run: scaling's
 * scalable target is named after the cluster and service, and its
 * lookups need not wait for compute (nor does a destroy make them again). */
static sh_status compute_names(const sh_host *h, sh_ctx *ctx)
{
    const char *stack = h->stack_name(ctx);
    sh_status rc = h->output_string(ctx, "cluster_name", h->resource_name(ctx, "cluster", stack));
    if (rc == SH_OK)
        rc = h->output_string(ctx, "service_name", h->resource_name(ctx, "svc", stack));
    if (rc == SH_OK)
        rc = h->output_string(ctx, "log_group_name", h->resource_name(ctx, "logs", stack));
    return rc;
}

/* What it publishes: a dependent reading another key is told at once. */
static const char *const compute_publishes[] = {
    "cluster_name", "service_name", "log_group_name", "cluster_arn", "service_arn", "task_definition_arn",
    "execution_role_arn", "task_role_arn", NULL};

SH_PLUGIN_EXPORT = {
    SH_PLUGIN_ABI,
    .name = "compute",
    .version = "0.1.0",
    .description = "ECS Fargate cluster, service, task definition, roles and logs",
    .requires = compute_requires,
    .keys = compute_keys,
    .validate = compute_validate,
    SHC_CALLBACKS(compute),
    .resources = compute_resources,
    .publishes = compute_publishes,
    .names = compute_names,
    .config_bind = compute_bind,
    .cost = cmp_cost,
    /* its deletes start with its dependents'; the service waits for them (destroy.c) */
    .destroy_alongside = 1,
};
