/*
 * stackhost SDK: the host function table.
 *
 * Everything a plugin needs from the host comes through one sh_host table
 * handed to every callback; plugins never link the host's code (the model
 * is redismodule.h and sqlite3ext.h). Members are only ever appended, and
 * `size` is the host's sizeof(sh_host): before calling a member that your
 * SDK marks as newer than ABI 1.0, check SH_HOST_HAS(host, member).
 *
 * Lifetimes and ownership:
 *  - sh_ctx is owned by the host; it is valid only during the callback it
 *    was passed to. One context per plugin per run; callbacks of different
 *    plugins may run at the same time on different threads, so a plugin
 *    keeps no mutable global state.
 *  - Strings and values returned by the host are owned by the host. Unless
 *    a member says otherwise they stay valid until the callback returns.
 *  - Strings passed to the host are copied; the plugin keeps ownership.
 */
#ifndef STACKHOST_HOST_H
#define STACKHOST_HOST_H

#include <stddef.h>
#include <stdint.h>
#include "status.h"

#if defined(__GNUC__)
#define SH_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SH_PRINTF(f, a)
#endif

typedef struct sh_ctx sh_ctx;
typedef struct sh_value sh_value; /* a validated configuration value */
/* A document: the body of an AWS request or answer, whatever the
 * protocol (JSON, or the XML of the query APIs, read the same way). */
typedef struct sh_doc sh_doc;
/* A set of AWS calls sent together (ABI 1.1, see batch_new). */
typedef struct sh_batch sh_batch;

/* A wait's poll (ABI 1.1, see wait): returns 1 when what is awaited holds,
 * 0 not yet, -1 on an error it recorded with host->fail. It may write a
 * short progress text ("2 of 3 available") into progress. */
typedef int (*sh_poll_fn)(void *arg, char *progress, size_t len);

/* One priced part of a resource, for the monthly estimate (ABI 1.6): a
 * quantity of one price of the host's price table (pricing/prices.json:
 * per hour, month, GB, ...). The host multiplies it by the region's
 * price, and an hourly price by the hours of a month (730). */
typedef struct sh_cost {
    /* The resource as its plan line names it ("nat gateway
     * nat-catalog-a-dev"): the plan shows its cost beside its change. */
    const char *resource;
    const char *price; /* a key of the price table: "nat_gateway_hour" */
    /* How many of the price's unit: for an hourly price, how many at once
     * (2 tasks of 0.25 vCPU: 0.5); for a monthly one, how many; for a
     * usage price (GB, notifications), a month's. */
    double quantity;
    /* Above quantity: the most it may be (tasks at scaling's max); 0: none. */
    double quantity_max;
    /* NULL: a fixed part, which the configuration decides. Else a usage
     * part, and the assumption it rests on with the key that sets it:
     * "100 GB a month through the gateways (network.nat_gb_per_month)". */
    const char *usage;
} sh_cost;

/* The last failed AWS call of a context. Host-owned; valid until the
 * context's next AWS call or the end of the callback. */
typedef struct sh_aws_error {
    const char *service;    /* "ec2" */
    const char *operation;  /* "DescribeVpcs" */
    long http_status;       /* 0: no answer (network, timeout, no credentials) */
    const char *code;       /* AWS's error code ("InvalidVpcID.NotFound"), or
                               NetworkError, Timeout, NoCredentials,
                               UnparseableResponse, PlanRefused */
    const char *message;
    const char *request_id; /* "" when none */
    int attempts;
    /* ABI 1.1: non-zero when the request may have been applied although it
     * failed (its answer was lost: connection dropped, timeout, internal
     * error). A create (Create*, Allocate*, Run*, Register*, ...) is then
     * not sent again by the host, token or not: find what it was creating
     * before creating it again, with the same idempotency token (the
     * converge layer's queues report it, see converge.h). Read only when
     * SH_HOST_HAS(host, wait). */
    int maybe_applied;
} sh_aws_error;

typedef enum sh_log_level {
    SH_LOG_ERROR = 0,
    SH_LOG_WARN = 1,
    SH_LOG_INFO = 2,  /* default: progress, one line per resource action */
    SH_LOG_DEBUG = 3, /* -v */
    SH_LOG_TRACE = 4  /* -v -v */
} sh_log_level;

/* What the run is doing; a plugin's create() runs in PLAN and DEPLOY,
 * destroy() in PLAN (of a destroy or of a disabled plugin) and DESTROY. */
typedef enum sh_mode {
    SH_MODE_VALIDATE = 0,
    SH_MODE_PLAN = 1,    /* look, compare, report(); never change anything */
    SH_MODE_DEPLOY = 2,
    SH_MODE_DESTROY = 3,
    SH_MODE_OUTPUTS = 4, /* outputs() only: read-only lookups */
    SH_MODE_COST = 5     /* cost() only: the configuration, no AWS call (ABI 1.6) */
} sh_mode;

typedef enum sh_change {
    SH_CHANGE_NONE = 0,
    SH_CHANGE_CREATE = 1,
    SH_CHANGE_UPDATE = 2,
    SH_CHANGE_REPLACE = 3,
    SH_CHANGE_DELETE = 4
} sh_change;

typedef struct sh_host {
    uint32_t size;      /* sizeof(sh_host) in the host */
    uint32_t abi_major; /* STACKHOST_ABI_MAJOR of the host */
    uint32_t abi_minor; /* STACKHOST_ABI_MINOR of the host */

    /* ---- ABI 1.0 ---- */

    /* Logs one line to stderr, prefixed with the plugin's name, with every
     * registered secret replaced by "***". */
    void (*log)(sh_ctx *ctx, sh_log_level level, const char *fmt, ...) SH_PRINTF(3, 4);

    /* Records the error of this callback (lower case: what failed and why)
     * and returns `status`, so a plugin writes
     *   return host->fail(ctx, SH_ERR_AWS, "creating vpc %s: %s", name, why);
     * Several calls record several errors; all are reported. */
    sh_status (*fail)(sh_ctx *ctx, sh_status status, const char *fmt, ...) SH_PRINTF(3, 4);

    /* Registers a secret (a parameter value, a generated key): from now on
     * no log line, error or output of the process shows it. Copied. */
    void (*redact)(sh_ctx *ctx, const char *secret);

    sh_mode (*mode)(const sh_ctx *ctx);

    /* Non-zero once the run is stopping (SIGINT/SIGTERM, or another plugin
     * failed): finish the request in flight, then return SH_ERR_CANCELLED. */
    int (*cancelled)(const sh_ctx *ctx);

    /* The stack: names for resources and the tags every resource carries. */
    const char *(*stack_name)(const sh_ctx *ctx);  /* stack.name, e.g. "catalog" */
    const char *(*environment)(const sh_ctx *ctx); /* the suffix, e.g. "dev" */
    const char *(*region)(const sh_ctx *ctx);
    /* "{type}-{purpose}-{suffix}", e.g. ("vpc", "catalog") -> "vpc-catalog-dev".
     * Owned by the context: valid until the callback returns. */
    const char *(*resource_name)(sh_ctx *ctx, const char *type, const char *purpose);
    /* The ownership tags (Project, Environment, ManagedBy) followed by
     * stack.tags. Stores host-owned arrays in *keys and *values and returns
     * their length. */
    size_t (*tags)(const sh_ctx *ctx, const char *const **keys, const char *const **values);

    /* The plugin's configuration section after the environment's overrides
     * were merged and the defaults filled in. Every declared key with a
     * default or set by the user is present; the others return NULL, 0 or
     * 0. A key of the wrong type is a plugin bug: logged, and 0/NULL. */
    const sh_value *(*config)(const sh_ctx *ctx, const char *key);
    const char *(*config_string)(const sh_ctx *ctx, const char *key);
    long long (*config_int)(const sh_ctx *ctx, const char *key);
    int (*config_bool)(const sh_ctx *ctx, const char *key);
    /* Walking lists and group-list elements. */
    size_t (*value_count)(const sh_value *v);
    const sh_value *(*value_at)(const sh_value *v, size_t i);
    const sh_value *(*value_member)(const sh_value *group, const char *key);
    const char *(*value_string)(const sh_value *v);
    long long (*value_int)(const sh_value *v);
    int (*value_bool)(const sh_value *v);

    /* From validate(): records a configuration error located at `at` (the
     * host adds file, line and key path) and returns SH_ERR_CONFIG. `at` may
     * be NULL for the section itself. */
    sh_status (*config_error)(sh_ctx *ctx, const sh_value *at, const char *fmt, ...) SH_PRINTF(3, 4);

    /* Outputs: values this plugin publishes, under its own name. Keys are
     * [a-z0-9_]+. Setting a key again replaces it. Copied. */
    sh_status (*output_string)(sh_ctx *ctx, const char *key, const char *value);
    sh_status (*output_list)(sh_ctx *ctx, const char *key, const char *const *items, size_t n);
    /* Reading the outputs of a plugin this plugin `requires` (only those:
     * outputs are the one channel between plugins). NULL / 0 when absent.
     * Host-owned, valid until the end of the run. */
    const char *(*input_string)(sh_ctx *ctx, const char *plugin, const char *key);
    size_t (*input_list)(sh_ctx *ctx, const char *plugin, const char *key, const char *const **items);

    /* Reports one resource's state. In PLAN, call it for every resource
     * with what deploy would do: it is the plan line. Otherwise call it
     * when the action is done: it prints a progress line with the time
     * since the context's previous report (or since the callback began),
     * so report each action as it finishes. `resource`
     * is the resource's kind and name ("vpc vpc-catalog-dev"); `detail`
     * (may be NULL) says which fields change. Never pass secret values. */
    void (*report)(sh_ctx *ctx, sh_change change, const char *resource, const char *detail);

    /* AWS. Documents made with doc_new and answers of aws_call are owned
     * by the context and freed when the callback returns.
     *
     * Paths name a place in a document: "Filter[0].Name", "tags[1].key",
     * "vpcSet.item[2].vpcId". Setting creates what is missing (an index
     * may be the list's length: that appends). In a request, write the
     * names the protocol uses: query and EC2 requests flatten lists by the
     * protocol's rule ("Subnets[0]" is Subnets.member.1 for ELBv2 and
     * SubnetId.1 for EC2), JSON requests are sent as built. In an XML
     * answer a list with one item reads like a list: "item[0]" works and
     * doc_count says 1. The answer of a query API is the content of its
     * <OperationResult> element. */
    sh_doc *(*doc_new)(sh_ctx *ctx);
    sh_status (*doc_set_string)(sh_doc *doc, const char *path, const char *value);
    sh_status (*doc_set_number)(sh_doc *doc, const char *path, long long value);
    sh_status (*doc_set_bool)(sh_doc *doc, const char *path, int value);
    /* An empty list (JSON []) or object ({}) at path; list != 0 for a list. */
    sh_status (*doc_set_empty)(sh_doc *doc, const char *path, int list);
    const sh_doc *(*doc_get)(const sh_doc *doc, const char *path);
    /* The text of a string, number or boolean at path; NULL when absent. */
    const char *(*doc_string)(const sh_doc *doc, const char *path);
    /* A list's length, 1 for any other node, 0 when absent. */
    size_t (*doc_count)(const sh_doc *doc, const char *path);
    /* The document as compact JSON text; context-owned. */
    const char *(*doc_json)(sh_ctx *ctx, const sh_doc *doc);

    /* Calls an AWS operation: service is one of ec2, elbv2, ecr, ecs, iam,
     * ssm, logs, cloudwatch, application-autoscaling, sns, kms, sts,
     * service-quotas, tagging (the Resource Groups Tagging API).
     * Signing, endpoints, retries (throttling, 5xx, network) and the
     * protocol are the host's. Returns SH_OK with *output set, or
     * SH_ERR_AWS with the details in aws_error(). In SH_MODE_PLAN (and
     * validate, outputs) an operation that is not a read (Describe*,
     * List*, Get*) is never sent: it is recorded as a pending change and
     * SH_OK returns an empty answer. */
    sh_status (*aws_call)(sh_ctx *ctx, const char *service, const char *operation, const sh_doc *input,
                          const sh_doc **output);
    /* As aws_call, following the service's pagination: the items at
     * items_path of every page are gathered into the one answer. */
    sh_status (*aws_call_all)(sh_ctx *ctx, const char *service, const char *operation, const sh_doc *input,
                              const char *items_path, const sh_doc **output);
    const sh_aws_error *(*aws_error)(const sh_ctx *ctx);
    /* "ec2 DescribeVpcs: Code: message (http 400, request id x, 1 attempt)",
     * for host->fail(); context-owned. */
    const char *(*aws_error_text)(sh_ctx *ctx);
    /* The account being changed (STS GetCallerIdentity at the run's start)
     * and its partition ("aws", "aws-cn", "aws-us-gov"), for ARNs. */
    const char *(*account_id)(const sh_ctx *ctx);
    const char *(*partition)(const sh_ctx *ctx);

    /* Non-zero when the user passed --allow-replace: a resource whose
     * setting cannot change in place may be deleted and created again.
     * Without it, report SH_CHANGE_REPLACE in the plan and fail the deploy
     * with a message naming the resource and the setting. */
    int (*allow_replace)(const sh_ctx *ctx);

    /* ---- ABI 1.1 ---- */

    /* Requests in flight at once. A batch is a set of AWS calls that do
     * not depend on each other (six subnets, three addresses, the lookups
     * of a stack): batch_add queues them, batch_run sends every queued
     * call together and returns when all are answered. Each call behaves
     * exactly as aws_call (retries, errors, redaction, plan refusal); the
     * run bounds how many are on the wire at once, across all plugins
     * (stackhost --requests N, default 16).
     *
     * The batch and its answers are owned by the context (freed when the
     * callback returns). A batch can be run again after more calls are
     * added: only the new ones are sent. */
    sh_batch *(*batch_new)(sh_ctx *ctx);
    /* Queues service:operation (input may be NULL; it is read when the
     * batch runs, so keep it unchanged until then). items_path non-NULL:
     * follow pagination as aws_call_all. resource (may be NULL) names what
     * the call is about ("subnet subnet-catalog-public-a-dev") in --trace.
     * Returns the call's index in the batch, from 0. */
    size_t (*batch_add)(sh_batch *batch, const char *service, const char *operation, const sh_doc *input,
                        const char *items_path, const char *resource);
    /* Sends the queued calls. SH_OK when every call succeeded, SH_ERR_AWS
     * when one or more failed (see batch_result), SH_ERR_CANCELLED when
     * the run is stopping (nothing sent). */
    sh_status (*batch_run)(sh_batch *batch);
    /* The answer of call i: SH_OK with *output set; or SH_ERR_AWS, and the
     * call's error becomes the context's aws_error() / aws_error_text(). */
    sh_status (*batch_result)(sh_batch *batch, size_t i, const sh_doc **output);

    /* Polls until poll says done: at once, then after a tenth of the time
     * already waited (at least 0.5 s, at most 15 s: what becomes ready is
     * seen under 10 % + 0.5 s late; 45 polls for a 2-minute wait, 117 for
     * 20 minutes), the last poll on the deadline. Logs "waiting for
     * <what>: <progress> (Ns)" after the first poll, then about every 5 s.
     * Gives up after timeout_seconds (error recorded: what and the last
     * progress) or when the run is cancelled (the pause ends within
     * 0.1 s). Returns SH_OK, or the poll's error, SH_ERR_TIMEOUT or
     * SH_ERR_CANCELLED. Shown in --trace (with the number of polls). */
    sh_status (*wait)(sh_ctx *ctx, const char *what, int timeout_seconds, sh_poll_fn poll, void *arg);

    /* ---- ABI 1.2 ---- */

    /* Parses JSON text (a policy document, a definition read back) into a
     * document owned by the context; NULL when the text is not JSON. */
    sh_doc *(*doc_parse)(sh_ctx *ctx, const char *json);
    /* Non-zero when `want` equals `have`: objects member by member in any
     * order, lists item by item in order, scalars by their text (8080 and
     * "8080" are equal: the query APIs answer in XML, untyped), a node
     * equal to a list holding only that node (an XML list of one). With
     * subset non-zero, `have` may hold members `want` lacks, at any depth:
     * what AWS fills in by default is not a difference. NULL equals only
     * NULL. */
    int (*doc_equal)(const sh_doc *want, const sh_doc *have, int subset);
    /* In a deploy run: how long deploy may wait for what it started to be
     * ready (an ECS service's rollout completed, its targets healthy),
     * printing progress: 900 s by default, --wait=SECONDS; 0 with
     * --no-wait (and outside deploy): return once the resources are
     * created or updated. */
    int (*wait_ready)(const sh_ctx *ctx);

    /* ---- ABI 1.4 ---- */

    /* The configuration value `key` of plugin `plugin` (its section after
     * the environment's overrides, defaults filled in), for checks across
     * plugins in validate() and later: one setting written in one place
     * and checked where another plugin depends on it (lb refuses a
     * certificate whose 443 network does not open). Only a plugin this
     * one `requires`: NULL otherwise, or when the key is absent or the
     * plugin disabled. An error about it names its file and line when
     * passed to config_error as `at`. Host-owned, valid for the run. */
    const sh_value *(*required_config)(const sh_ctx *ctx, const char *plugin, const char *key);
    /* Non-zero in a deploy run with --restart: the user asks every service
     * to start a new deployment (new tasks, the same definition), even
     * when nothing changed. */
    int (*restart)(const sh_ctx *ctx);

    /* ---- ABI 1.5 ---- */

    /* Fills `into` (the plugin's struct) with every key its descriptor's
     * config_bind names, typed as config.h says, from the configuration
     * after the environment's overrides and --set, defaults filled in.
     * SH_OK, or SH_ERR_INVALID when the plugin binds nothing. */
    sh_status (*config_read)(sh_ctx *ctx, void *into);
    /* Who decides the value of this plugin's `key` once the resource
     * exists: NULL when no plugin of the stack lists "<this plugin>.<key>"
     * in its descriptor's owns; else that plugin's name while it decides
     * (the environment enables it), "" while it does not (disabled). In a
     * destroy (ABI 1.7; before, ""), its name too: await_destroyed(ctx,
     * name) tells whether its destroy ran in this run. */
    const char *(*owner)(const sh_ctx *ctx, const char *key);

    /* ---- ABI 1.6 ---- */

    /* Adds a priced part of one of the plugin's resources (in its cost
     * callback; strings copied). SH_ERR_INVALID for a price the table does
     * not have or a negative quantity (the error names them), or outside
     * the cost callback. */
    sh_status (*cost_add)(sh_ctx *ctx, const sh_cost *part);

    /* ---- ABI 1.7 ---- */

    /* In a destroy by a plugin that declares destroy_alongside: waits until
     * the destroy of `plugin` (NULL: of every plugin that requires this
     * one) has ended. 1 when it succeeded (every one waited for); 0 when
     * none is destroyed in this run (nor in a plan, whose destroys only
     * look); -1 when one failed or will not run: then delete nothing it
     * may use, and return SH_ERR without recording an error (the run
     * reports that failure and says this destroy was cut short by it). */
    int (*await_destroyed)(sh_ctx *ctx, const char *plugin);
    /* In a destroy: nothing this plugin still deletes uses what the
     * plugins it requires made (compute: its service is inactive, its
     * tasks stopping or stopped; what is left, the cluster, stands alone), so a
     * requirement waiting for this destroy in await_destroyed goes on
     * without waiting for the rest of it. Once a run; a later failure of
     * this destroy is still reported. */
    void (*destroy_released)(sh_ctx *ctx);
} sh_host;

/* Non-zero for an operation that only reads (Describe*, List*, Get*,
 * BatchGet*, Lookup*): the calls plan mode sends. The host and the SDK's
 * helpers share this one rule. */
static inline int sh_operation_is_read(const char *op)
{
    static const char *const reads[] = {"Describe", "List", "Get", "BatchGet", "Lookup", NULL};
    for (size_t i = 0; op && reads[i]; i++) {
        size_t n = 0;
        while (reads[i][n] && op[n] == reads[i][n])
            n++;
        /* the prefix must end a word: GetParameter, not Getaway */
        if (!reads[i][n] && op[n] >= 'A' && op[n] <= 'Z')
            return 1;
    }
    return 0;
}

/* Non-zero when the host's table has member `m` (a host older than the
 * plugin's SDK may not). */
#define SH_HOST_HAS(host, m) \
    ((host)->size >= offsetof(sh_host, m) + sizeof(((sh_host *)0)->m))

#endif
