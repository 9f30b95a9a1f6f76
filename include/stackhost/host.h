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
    SH_MODE_OUTPUTS = 4  /* outputs() only: read-only lookups */
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
} sh_host;

/* Non-zero when the host's table has member `m` (a host older than the
 * plugin's SDK may not). */
#define SH_HOST_HAS(host, m) \
    ((host)->size >= offsetof(sh_host, m) + sizeof(((sh_host *)0)->m))

#endif
