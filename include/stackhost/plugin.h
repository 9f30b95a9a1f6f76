/*
 * stackhost SDK: the plugin descriptor.
 *
 * A plugin is one shared object exporting one data symbol,
 * `stackhost_plugin`, of type sh_plugin (use SH_PLUGIN_EXPORT). The host
 * reads abi_major, abi_minor and size first and refuses the plugin, without
 * calling anything in it, when the major differs from the host's, the
 * minor is newer than the host's, or the size is not that of a known
 * descriptor. Fields are only ever appended (bumping the minor).
 *
 * The descriptor and everything it points to are owned by the plugin and
 * must stay valid while it is loaded: use static storage.
 *
 * Callbacks receive the host table and a context (see host.h) and return
 * an sh_status; on failure they record why with host->fail().
 */
#ifndef STACKHOST_PLUGIN_H
#define STACKHOST_PLUGIN_H

#include <stdint.h>
#include "config.h"
#include "host.h"
#include "service.h"

#define STACKHOST_ABI_MAJOR 1
#define STACKHOST_ABI_MINOR 7

#define SH_PLUGIN_SYMBOL "stackhost_plugin"

typedef sh_status (*sh_plugin_fn)(const sh_host *host, sh_ctx *ctx);

/* A resource the plugin manages (ABI 1.2), for `stackhost graph
 * --resources`: the picture of what a stack is made of. Static, like the
 * rest of the descriptor. */
typedef struct sh_resource_decl {
    const char *id;   /* [a-z0-9_]+, unique in the plugin: "alb" */
    /* What it is, "{S}" and "{E}" replaced by the stack's name and the
     * environment's suffix: "load balancer alb-{S}-{E}". */
    const char *label;
    /* What must exist first: ids of this plugin's resources, or
     * "plugin.id" for a resource of a plugin it requires. NULL-terminated;
     * NULL for none. */
    const char *const *after;
} sh_resource_decl;

/* An `after` list in C: {"sg", "table", SH_AFTER("vpc", "network.sg_alb")}
 * (a compound literal; at file scope it lives as long as the plugin). */
#define SH_AFTER(...) ((const char *const[]){__VA_ARGS__, NULL})

typedef struct sh_plugin {
    uint32_t abi_major; /* STACKHOST_ABI_MAJOR the plugin was built with */
    uint32_t abi_minor; /* STACKHOST_ABI_MINOR the plugin was built with */
    uint32_t size;      /* sizeof(sh_plugin) the plugin was built with */

    /* ---- ABI 1.0 ---- */
    const char *name;        /* [a-z0-9_-]+, unique among loaded plugins */
    const char *version;     /* the plugin's own version, e.g. "1.2.0" */
    const char *description; /* one line */
    /* Names of the plugins whose outputs this plugin reads; they start
     * first on deploy and run last on destroy. NULL-terminated; NULL for
     * none. A plugin built for ABI 1.3 or later starts while those that
     * declare `publishes` still run, its reads of their outputs waiting
     * for the values (dataflow); otherwise it starts once they are done. */
    const char *const *requires;
    /* The configuration keys; ends with SH_CONFIG_END; NULL for none. */
    const sh_config_key *keys;

    /* Optional: checks across keys that the table cannot express (report
     * with host->config_error). Runs on every command, before any request. */
    sh_plugin_fn validate;
    /* Converges the concern's resources to the configuration; safe to run
     * any number of times. NULL: the plugin cannot deploy yet. */
    sh_plugin_fn create;
    /* Removes what the plugin owns; succeeds when nothing exists. NULL:
     * the plugin cannot destroy yet. */
    sh_plugin_fn destroy;
    /* Publishes outputs (host->output_*) by looking resources up; may be
     * NULL when create() publishes them all. */
    sh_plugin_fn outputs;

    /* ---- ABI 1.2 ---- */
    /* The resources it manages, ending with an entry whose id is NULL;
     * NULL when not declared (the graph then shows the plugin alone). */
    const sh_resource_decl *resources;

    /* ---- ABI 1.3 ---- */
    /* The output keys it publishes ([a-z0-9_]+; from ABI 1.7 also "*" and
     * the end of one, "*_arn", for keys its configuration names), NULL-terminated; NULL
     * when not declared. When declared, a dependent (itself built for 1.3
     * or later) starts while this plugin still runs, and its reads wait
     * for the keys they name (dataflow): until published, or until this
     * plugin's callback returns without it; reading a key not listed is an
     * error at once. So publish each output as soon as what it names
     * exists and is usable, and never publish a value you may replace
     * later in the run. When not declared, dependents start once this
     * plugin is done. */
    const char *const *publishes;
    /* The AWS services it calls that the host does not know (ABI 1.5;
     * service.h), ending with an entry whose name is NULL; NULL for none.
     * Checked when the plugin is loaded: a malformed declaration, or a
     * name another plugin or the host already has, refuses the plugin. */
    const sh_service_decl *services;
    /* Where host->config_read puts each key's value in the plugin's own
     * struct (ABI 1.5; config.h), ending with SH_BIND_END; NULL: none. */
    const sh_config_bind *config_bind;
    /* Publishes the outputs its configuration alone decides (the names it
     * gives its resources), with host->output_* and no AWS call (ABI 1.5).
     * The host calls it before every deploy, plan and destroy (from ABI
     * 1.7; before, in a destroy only), so that a dependent reads those
     * names as outputs at once (compute.cluster_name), for its lookups,
     * and in a destroy, where create does not run, instead of making them
     * again: names are given in one place. A name says nothing of whether
     * the resource exists yet: a dependent that needs it to exist reads
     * an output published once it does (compute.service_arn). NULL: none. */
    sh_plugin_fn names;
    /* Keys of a plugin it requires whose value it decides once the
     * resource exists ("compute.desired_count": scaling's target tracking
     * sets the count), NULL-terminated; NULL for none (ABI 1.5). That
     * plugin asks host->owner(ctx, "desired_count") and leaves the value
     * to the owner: a contract declared, not read from AWS behind its back. */
    const char *const *owns;

    /* ---- ABI 1.6 ---- */
    /* Says what its resources cost a month, from the configuration alone
     * (no AWS call): host->cost_add once for each priced part (host.h,
     * sh_cost). Runs in `stackhost cost` and in plan, deploy and destroy
     * plans (mode SH_MODE_COST). NULL: the plugin is "not priced". */
    sh_plugin_fn cost;

    /* ---- ABI 1.7 ---- */
    /* Non-zero: its destroy starts together with the destroys of the
     * plugins that require it, not after they are done: it deletes at once
     * what they do not use, and calls host->await_destroyed before what
     * they may still use (network: the NAT gateways at once, the subnets,
     * groups and VPC once the load balancer's and the tasks' interfaces
     * are gone). 0: its destroy starts when theirs are done. */
    int destroy_alongside;
} sh_plugin;

/* Exports the descriptor with the ABI fields filled in:
 *   SH_PLUGIN_EXPORT = { .name = "network", ..., .create = network_create };
 * The designated initialisers after the macro set the other fields. */
#if defined(__GNUC__)
#define SH_PLUGIN_VISIBLE __attribute__((visibility("default")))
#else
#define SH_PLUGIN_VISIBLE
#endif
#ifdef __cplusplus
/* C linkage (the host looks the symbol up by its C name), and extern: a
 * namespace-scope const has internal linkage in C++. */
#define SH_PLUGIN_EXPORT                                                    \
    extern "C" SH_PLUGIN_VISIBLE const sh_plugin stackhost_plugin;          \
    extern "C" const sh_plugin stackhost_plugin
#else
#define SH_PLUGIN_EXPORT                                                    \
    SH_PLUGIN_VISIBLE const sh_plugin stackhost_plugin;                     \
    const sh_plugin stackhost_plugin
#endif

#define SH_PLUGIN_ABI \
    .abi_major = STACKHOST_ABI_MAJOR, .abi_minor = STACKHOST_ABI_MINOR, .size = sizeof(sh_plugin)

#endif
