/* The stack configuration file: `stack`, `plugin_path`, `plugins`,
 * `environments`, resolved for one environment.
 *
 * config_open reads the file, checks the host's own keys, and for the
 * chosen environment merges its per-plugin overrides over the base
 * sections and decides which plugins are enabled. Checking each section
 * against its plugin's table happens later (stack.c), once the plugins
 * are loaded. */
#ifndef CORE_CONFIG_H
#define CORE_CONFIG_H

#include <stddef.h>

#include "diag.h"
#include "outputs.h"
#include "value.h"

struct section {
    char *name;                        /* the plugin's name */
    int enabled;                       /* in the chosen environment */
    const struct sh_value *declared;   /* plugins.<name> in the file */
    struct sh_value *settings;         /* merged copy, `enabled` removed; owned */
    const struct sh_value *switched;   /* what disabled it (a list item or `enabled`) */
};

struct stack_config {
    char *file;
    struct sh_value *root;      /* the whole file; owned */
    char *env;                  /* the chosen environment */
    char *suffix;               /* environments.<env>.suffix, default env */
    const char *name;           /* stack.name */
    const char *region_setting; /* stack.region, or NULL */
    char *profile_region;       /* the AWS profile's region when stack.region is unset, or NULL */
    char *profile_region_where; /* "profile NAME in FILE", with profile_region */
    const struct sh_value *tags;/* stack.tags group, or NULL */
    struct output_alias *outputs; /* stack.outputs, in file order; owned array, strings in root */
    size_t noutputs;
    char *plugin_path;          /* plugin_path, relative to the file's dir; or NULL */
    struct section *sections;   /* in file order */
    size_t nsections;
};

/* Reads and resolves `file` for environment `env`. Returns 0, or -1 with
 * every problem found in dl (out is then empty). */
int config_open(const char *file, const char *env, struct stack_config *out, struct diag_list *dl);
void config_close(struct stack_config *cfg);

/* Names of the environments in the file, in order; *n set. Pointers into
 * the tree; free() only the array. */
const char **config_environments(const struct sh_value *root, size_t *n);
/* Appends the environments' names joined with ", ", or `none` when the
 * file has none. */
void config_environment_list(const struct sh_value *root, const char *none, struct strbuf *out);
/* Reads only the file (for commands that need no environment); 0 or -1. */
int config_read(const char *file, struct sh_value **root, struct diag_list *dl);

/* plugin_path of the file, made relative to the file's directory; NULL
 * when unset. Caller frees. */
char *config_plugin_path(const struct sh_value *root, const char *file);

/* stack.region, else --region (config_select_region), else AWS_REGION,
 * else AWS_DEFAULT_REGION, else the AWS profile's region (read by
 * config_open), else us-east-1. */
const char *config_region(const struct stack_config *cfg);
/* --region for the rest of the process (borrowed); config_open refuses a
 * file whose stack.region differs. */
void config_select_region(const char *region);
/* Where config_region's answer comes from: "stack.region", "--region", "AWS_REGION",
 * "AWS_DEFAULT_REGION", "profile NAME in FILE" or "the default". */
const char *config_region_source(const struct stack_config *cfg);
struct section *config_section(const struct stack_config *cfg, const char *name);

#endif
