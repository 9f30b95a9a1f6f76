/* Finding, opening and checking plugins.
 *
 * The search path, first match wins: --plugin-path, STACKHOST_PLUGIN_PATH,
 * the config's plugin_path, the `plugins` directory beside the executable
 * (the build tree), the installed plugin directory. A plugin named N is
 * the file N.so.
 *
 * A configuration file is trusted input: it can name plugins, and a plugin
 * runs code. Still, a plugin found through the config's plugin_path never
 * replaces a built-in or installed plugin of the same name (refused, both
 * files named), and no plugin file is loaded from a file or directory
 * that others could have written (group- or world-writable, or owned by
 * someone other than the user or root): checked before dlopen, which runs
 * the file's constructors.
 *
 * plugin_open checks everything about a plugin before calling anything
 * in it; a refused plugin is unloaded again at once, and its refusal,
 * naming the file and the reason, is added to the diag list. */
#ifndef CORE_LOADER_H
#define CORE_LOADER_H

#include <stddef.h>

#include <stackhost/plugin.h>

#include "diag.h"
#include "strbuf.h"

struct search_path {
    char **dirs;
    size_t n, alloc;
    size_t from_cli, from_env; /* how many of the first dirs came from each, in that order */
    size_t config_dir; /* index + 1 of the config's plugin_path in dirs; 0: none */
};

struct sh_value;

struct plugin {
    char *path;
    void *handle;
    const sh_plugin *desc; /* inside the loaded object */
    char *declared;        /* its name when it declared services (forgotten when it is closed), else NULL */
};

struct plugin_list {
    struct plugin **items;
    size_t n, alloc;
};

/* Builds the search path from the sources above; any argument may be
 * NULL. cli and env are colon-separated lists. */
void search_path_build(struct search_path *sp, const char *cli, const char *env, const char *config_dir);
void search_path_add(struct search_path *sp, const char *colon_list);
/* Every directory the user named (--plugin-path, STACKHOST_PLUGIN_PATH,
 * the config's plugin_path, written at config_at, which may be NULL) must
 * be one: one problem each in dl, naming it and where it came from.
 * Returns how many. */
size_t search_path_check(const struct search_path *sp, const struct sh_value *config_at, struct diag_list *dl);
void search_path_free(struct search_path *sp);
/* "<dir>/<name>.so" of the first directory that has it, or NULL. Caller
 * frees. NULL with why filled in when the first is the config's and would
 * shadow a built-in or installed one; NULL with why empty: none found. */
char *search_path_find(const struct search_path *sp, const char *name, struct strbuf *why);
/* Appends " (did you mean 'network'?)" when a plugin file on the path has
 * a name close to `name` (a misspelt section or `plugins NAME`). */
void search_path_suggest(const struct search_path *sp, const char *name, struct strbuf *hint);
/* 0 when the file at path, and its directory, can only have been written
 * by the user or root; else -1 with why. */
int plugin_file_safe(const char *path, struct strbuf *why);

/* Opens and checks the plugin at path. expect_name, when not NULL, is
 * the name it was looked up by. On success appends it to list, sets *out
 * and returns 0; else returns -1 with the refusal in dl. */
int plugin_open(const char *path, const char *expect_name, struct plugin_list *list,
                struct plugin **out, struct diag_list *dl);
/* Opens every *.so of every directory on the search path (a file name
 * found in an earlier directory shadows later ones). Refusals go to dl;
 * returns the number of refusals. */
size_t plugin_scan(const struct search_path *sp, struct plugin_list *list, struct diag_list *dl);

struct plugin *plugin_list_find(const struct plugin_list *list, const char *name);
/* Unloads every plugin and empties the list. */
void plugin_list_close(struct plugin_list *list);

/* The resources a plugin declares, or NULL (none, or a descriptor older
 * than ABI 1.2). */
const sh_resource_decl *plugin_resources(const struct plugin *p);
/* Its declared output keys (ABI 1.3), NULL-terminated; NULL when not
 * declared. "*_arn" stands for every key ending in "_arn" (keys made from
 * the configuration). */
const char *const *plugin_publishes(const struct plugin *p);
/* Whether key is one of keys (a declared publishes list, its "*" entries
 * matching their ends). */
int publishes_key(const char *const *keys, const char *key);
/* The AWS services it declares (ABI 1.5), or NULL. */
const sh_service_decl *plugin_services(const struct plugin *p);
/* Its typed configuration's binding (ABI 1.5), or NULL. */
const sh_config_bind *plugin_config_bind(const struct plugin *p);
/* Its names callback (ABI 1.5), or NULL. */
sh_plugin_fn plugin_names(const struct plugin *p);
/* Whether its destroy starts with its dependents' (ABI 1.7). */
int plugin_destroy_alongside(const struct plugin *p);
/* The descriptor's cost callback (ABI 1.6), or NULL. */
sh_plugin_fn plugin_cost(const struct plugin *p);
/* The keys of other plugins it owns (ABI 1.5), or NULL. */
const char *const *plugin_owns(const struct plugin *p);

/* The size of an ABI 1.0 descriptor: the smallest the host accepts. */
#define SH_PLUGIN_SIZE_1_0 (offsetof(sh_plugin, outputs) + sizeof(sh_plugin_fn))

#endif
