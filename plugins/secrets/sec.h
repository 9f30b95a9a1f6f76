/* secrets plugin internals: the parameters of one callback, what the
 * lookups found, and the steps. One `struct sec` lives for one callback;
 * its per-pass fields are reset before each pass (a pass starts again
 * from the lookups after a lost answer), the values are kept for the run.
 *
 * Deploy, in waves:
 *   GetParameters (all names, decrypted; 10 a request, sent together)
 *   -> ListTagsForResource of the ones that exist (together)
 *   -> PutParameter (create, or overwrite a value that differs) and
 *      AddTagsToResource (tags that drifted), together.
 * Destroy: DescribeParameters by the ownership tags under /{stack}/{env},
 * DeleteParameters (10 a request), looked up again until nothing is left.
 *
 * Values: read from the environment, generated, or read back decrypted,
 * each registered with host->redact at once; never logged, reported or
 * copied into a message. The plugin's own copies (generated values) are
 * wiped before free. */
#ifndef PLUGINS_SECRETS_SEC_H
#define PLUGINS_SECRETS_SEC_H

#include <stddef.h>

#include <stackhost/lifecycle.h>
#include <stackhost/stackhost.h>

#define SEC_NAME 1024 /* /{stack}/{env}/{name} */
#define SEC_DETAIL 256
#define SEC_PER_REQUEST 10 /* GetParameters and DeleteParameters take up to 10 names */
#define SEC_MIN_VALUE 8    /* characters of a value from the environment, at least */

struct sec_param {
    const char *name; /* as configured: "api-key" */
    char path[SEC_NAME]; /* "/catalog/dev/api-key" */
    const char *env; /* the variable's name, or NULL */
    int generate; /* the length to generate, or 0 */
    const char *env_value; /* the variable's value (the process's, not a copy), or NULL */
    char *generated; /* the plugin's copy, made once a run, wiped before free */
    char *kept; /* a replaced parameter's value, kept for the run, wiped before free */
    int value_changed; /* this run writes (or a plan would write) a new value over a stored one */
    /* per pass */
    const sh_doc *found; /* GetParameters' item, NULL when absent */
    const sh_doc *tags; /* ListTagsForResource's answer */
    shc_line line; /* the run's: a pass after a lost answer adds to it */
};

struct sec {
    shc_frame f; /* first: the lifecycle's (lifecycle.h) */
    struct sec_config { const sh_value *parameters; } cfg; /* host->config_read fills it (secrets.c binds it) */
    struct sec_param *p;
    size_t n;
};

/* ---- values.c ---- */
/* Reads the configuration and the environment (values redacted at once). */
int sec_load(shc_frame *f, int destroy);
/* The answers SSM gives while something propagates. */
extern const shc_not_yet sec_not_yet[];
/* The run's generated value of p (made once, redacted); NULL after an error it recorded. */
const char *sec_generated(struct sec *s, struct sec_param *p);
/* Keeps a copy of value as p's for the run (wiped by sec_free); -1 after recording an error. */
int sec_keep(struct sec *s, struct sec_param *p, const char *value);
/* Forgets the pass's findings (the values stay). */
void sec_begin(shc_frame *f);
/* "parameter /catalog/dev/api-key", owned by the context. */
const char *sec_label(struct sec *s, const char *path);
/* Wipes and frees the plugin's copies. */
void sec_free(shc_frame *f);

/* ---- lookup.c ---- */
/* GetParameters (decrypted) of every name, then the tags of those found;
 * stored values are redacted as soon as they are read. */
int sec_lookup(struct sec *s);
/* The stored value of a found parameter (host-owned), or NULL. */
const char *sec_stored(const struct sec *s, const struct sec_param *p);
/* Non-zero when a found parameter carries this stack's ownership tags. */
int sec_owned(const struct sec *s, const struct sec_param *p);
/* The tag shapes of SSM: answers (TagList) and requests (Tags). */

/* ---- converge.c ---- */
/* One pass of deploy (or plan): lookups, checks, the changes' wave. */
int sec_converge(shc_frame *f);

/* ---- destroy.c ---- */
int sec_destroy_pass(shc_frame *f, size_t *found);

/* ---- outputs.c ---- */
sh_status sec_publish(shc_frame *f);

/* ---- cost.c ---- */
sh_status sec_cost(const sh_host *h, sh_ctx *ctx);

#endif
