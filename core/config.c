#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <stackhost/config.h>

#include "aws/profile.h"
#include "aws/service.h"
#include "validate.h"
#include "xalloc.h"

/* --region: the process's choice, as the aws cli's flag */
static const char *region_flag;

void config_select_region(const char *region)
{
    region_flag = region && *region ? region : NULL;
}

static const sh_config_key top_keys[] = {
    {"plugin_path", SH_CONFIG_STRING, NULL, 0, 0, 0, NULL, SH_FORMAT_ANY, NULL,
     "directory searched for plugins after --plugin-path and STACKHOST_PLUGIN_PATH"},
    SH_CONFIG_END};
static const char *const top_reserved[] = {"stack", "plugins", "environments", NULL};

static const sh_config_key stack_keys[] = {
    {"name", SH_CONFIG_STRING, NULL, 1, 0, 0, NULL, SH_FORMAT_NAME, NULL,
     "the stack's name, the S in every resource name"},
    {"region", SH_CONFIG_STRING, NULL, 0, 0, 0, NULL, SH_FORMAT_NAME, NULL,
     "aws region; else AWS_REGION, AWS_DEFAULT_REGION, the aws profile's region, us-east-1"},
    SH_CONFIG_END};
static const char *const stack_reserved[] = {"tags", "outputs", NULL};

static const sh_config_key env_keys[] = {
    {"suffix", SH_CONFIG_STRING, NULL, 0, 0, 0, NULL, SH_FORMAT_NAME, NULL,
     "the E in every resource name; default the environment's name"},
    {"enable", SH_CONFIG_STRING_LIST, NULL, 0, 0, 0, NULL, SH_FORMAT_ANY, NULL,
     "plugins switched on in this environment"},
    {"disable", SH_CONFIG_STRING_LIST, NULL, 0, 0, 0, NULL, SH_FORMAT_ANY, NULL,
     "plugins switched off in this environment"},
    SH_CONFIG_END};
static const char *const env_reserved[] = {"plugins", NULL};

int config_read(const char *file, struct sh_value **root, struct diag_list *dl)
{
    return value_read_file(file, root, dl);
}

const char **config_environments(const struct sh_value *root, size_t *n)
{
    const struct sh_value *envs = value_get(root, "environments");
    size_t count = envs && envs->type == VALUE_GROUP ? envs->n : 0;
    const char **names = xcalloc(count + 1, sizeof(*names));
    for (size_t i = 0; i < count; i++)
        names[i] = envs->kids[i]->name;
    *n = count;
    return names;
}

void config_environment_list(const struct sh_value *root, const char *none, struct strbuf *out)
{
    size_t n;
    const char **names = config_environments(root, &n);
    for (size_t i = 0; i < n; i++)
        strbuf_addf(out, "%s%s", i ? ", " : "", names[i]);
    if (!n)
        strbuf_addstr(out, none);
    free(names);
}

/* A group-typed member, or an error when it is something else. */
static struct sh_value *group_member(struct sh_value *parent, const char *name, int required,
                                     struct diag_list *dl)
{
    struct sh_value *v = value_get(parent, name);
    if (!v) {
        if (required)
            value_diag(dl, parent, "missing required group '%s'", name);
        return NULL;
    }
    if (v->type != VALUE_GROUP) {
        value_diag(dl, v, "expected a group { ... }, found %s", value_type_name(v->type));
        return NULL;
    }
    return v;
}

/* AWS's tag rules (the same for every service stackhost uses): letters
 * and digits in UTF-8, spaces, and + - = . _ : / @. Returns the first
 * byte that breaks them, or NULL. */
static const char *tag_bad_char(const char *s)
{
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr(" +-=._:/@", c))
            continue;
        return p;
    }
    return NULL;
}

/* UTF-8 characters, as AWS counts a tag's length. */
static size_t utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void check_tag_text(const struct sh_value *t, const char *what, const char *text, size_t max,
                           struct diag_list *dl)
{
    const char *bad = tag_bad_char(text);
    if (utf8_length(text) > max)
        value_diag(dl, t, "tag %s is %zu characters, over aws's %zu", what, utf8_length(text), max);
    else if (bad && (*bad < 0x20 || *bad == 0x7f))
        value_diag(dl, t, "tag %s holds a control character (byte 0x%02x at %zu): aws allows letters, digits, "
                   "spaces and + - = . _ : / @",
                   what, (unsigned char)*bad, (size_t)(bad - text));
    else if (bad)
        value_diag(dl, t, "tag %s holds '%c', which aws does not allow in tags (letters, digits, spaces and "
                   "+ - = . _ : / @)",
                   what, *bad);
}

/* stackhost's own tags: Name (EC2), Project, Environment, ManagedBy. */
#define OWN_TAGS 4
/* The fewest tags any resource stackhost makes may carry (50 on every
 * service it uses). */
#define AWS_MAX_TAGS 50

static void check_tags(const struct sh_value *tags, struct diag_list *dl)
{
    if (tags->n > AWS_MAX_TAGS - OWN_TAGS)
        value_diag(dl, tags, "%zu tags, but aws allows %d a resource and stackhost sets %d itself "
                   "(Name, Project, Environment, ManagedBy): keep stack.tags to %d",
                   tags->n, AWS_MAX_TAGS, OWN_TAGS, AWS_MAX_TAGS - OWN_TAGS);
    for (size_t i = 0; i < tags->n; i++) {
        const struct sh_value *t = tags->kids[i];
        if (t->type != VALUE_STRING)
            value_diag(dl, t, "expected a string tag value, found %s", value_type_name(t->type));
        else
            check_tag_text(t, "value", t->u.s, 256, dl);
        check_tag_text(t, "key", t->name, 128, dl);
        if (!strncasecmp(t->name, "aws:", 4))
            value_diag(dl, t, "tag keys starting with 'aws:' are reserved by aws");
        static const char *const ours[] = {"Name", "Project", "Environment", "ManagedBy"};
        for (size_t k = 0; k < OWN_TAGS; k++)
            if (!strcmp(t->name, ours[k]))
                value_diag(dl, t, "tag '%s' is set by stackhost itself and cannot be overridden", t->name);
    }
}

/* stack.outputs: name = "plugin.key" for the outputs a stack is read by
 * (alb_url = "lb.alb_url"). The plugin must be one of the stack's; the
 * key is checked against what it publishes once it is loaded (stack.c). */
static void read_outputs(struct stack_config *cfg, const struct sh_value *outputs, const struct sh_value *plugins,
                         struct diag_list *dl)
{
    cfg->outputs = xcalloc(outputs->n + 1, sizeof(*cfg->outputs));
    for (size_t i = 0; i < outputs->n; i++) {
        const struct sh_value *o = outputs->kids[i];
        const char *dot = o->type == VALUE_STRING ? strchr(o->u.s, '.') : NULL;
        size_t len = strlen(o->name);
        if (strspn(o->name, "abcdefghijklmnopqrstuvwxyz0123456789_") != len || len > 64) {
            value_diag(dl, o, "an output's name is [a-z0-9_]+, at most 64 characters");
            continue;
        }
        if (!dot || dot == o->u.s || !dot[1] || strspn(dot + 1, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(dot + 1)) {
            value_diag(dl, o, "expected \"plugin.key\" naming a plugin's output, e.g. \"lb.alb_url\"");
            continue;
        }
        char *plugin = xstrndup(o->u.s, (size_t)(dot - o->u.s));
        const struct section *from = config_section(cfg, plugin);
        if (!from)
            value_diag(dl, o, "plugin '%s' is not in the plugins group", plugin);
        else if (plugins && value_get(plugins, o->name))
            value_diag(dl, o, "the output '%s' has the name of a plugin: the json of outputs could not tell them apart",
                       o->name);
        else
            cfg->outputs[cfg->noutputs++] = (struct output_alias){o->name, from->name, dot + 1, o};
        free(plugin);
    }
}

static int name_listed(const struct sh_value *list, const char *name, const struct sh_value **at)
{
    for (size_t i = 0; list && i < list->n; i++) {
        if (list->kids[i]->type == VALUE_STRING && !strcmp(list->kids[i]->u.s, name)) {
            if (at)
                *at = list->kids[i];
            return 1;
        }
    }
    return 0;
}

/* Every name in an enable/disable list must be a plugin in `plugins`. */
static void check_listed_names(const struct sh_value *list, const struct sh_value *plugins,
                               struct diag_list *dl)
{
    const char **names = xcalloc(plugins->n + 1, sizeof(*names));
    for (size_t i = 0; i < plugins->n; i++)
        names[i] = plugins->kids[i]->name;
    for (size_t i = 0; list && i < list->n; i++) {
        const struct sh_value *item = list->kids[i];
        if (item->type != VALUE_STRING || value_get(plugins, item->u.s))
            continue;
        struct strbuf hint = STRBUF_INIT;
        suggest_hint(&hint, item->u.s, names, plugins->n);
        value_diag(dl, item, "'%s' is not a plugin of this stack's plugins group%s", item->u.s, hint.buf);
        strbuf_release(&hint);
    }
    free(names);
}

static void resolve_env(struct stack_config *cfg, struct sh_value *plugins, struct sh_value *env,
                        struct diag_list *dl)
{
    const struct sh_value *enable = value_get(env, "enable");
    const struct sh_value *disable = value_get(env, "disable");
    check_listed_names(enable, plugins, dl);
    check_listed_names(disable, plugins, dl);
    for (size_t i = 0; enable && i < enable->n; i++)
        if (enable->kids[i]->type == VALUE_STRING && name_listed(disable, enable->kids[i]->u.s, NULL))
            value_diag(dl, enable->kids[i], "'%s' is both enabled and disabled in this environment",
                       enable->kids[i]->u.s);

    struct sh_value *overrides = group_member(env, "plugins", 0, dl);
    for (size_t i = 0; overrides && i < overrides->n; i++) {
        struct sh_value *o = overrides->kids[i];
        if (!value_get(plugins, o->name)) {
            const char **names = xcalloc(plugins->n + 1, sizeof(*names));
            for (size_t k = 0; k < plugins->n; k++)
                names[k] = plugins->kids[k]->name;
            struct strbuf hint = STRBUF_INIT;
            suggest_hint(&hint, o->name, names, plugins->n);
            value_diag(dl, o, "plugin '%s' is not in the top-level plugins group%s; add it there, "
                       "with enabled = false to use it only here", o->name, hint.buf);
            strbuf_release(&hint);
            free(names);
        } else if (o->type != VALUE_GROUP) {
            value_diag(dl, o, "expected a group of settings, found %s", value_type_name(o->type));
        }
    }

    for (size_t i = 0; i < cfg->nsections; i++) {
        struct section *s = &cfg->sections[i];
        struct sh_value *o = value_get(overrides, s->name);
        if (o && o->type == VALUE_GROUP && s->settings)
            value_merge(s->settings, o);
        const struct sh_value *item = NULL;
        if (name_listed(disable, s->name, &item)) {
            s->enabled = 0;
            s->switched = item;
        } else if (name_listed(enable, s->name, &item)) {
            s->enabled = 1;
            s->switched = NULL;
        }
    }
}

static void read_enabled(struct section *s, struct diag_list *dl)
{
    struct sh_value *en = value_get(s->settings, "enabled");
    s->enabled = 1;
    s->switched = NULL;
    if (!en)
        return;
    if (en->type != VALUE_BOOL) {
        value_diag(dl, en, "expected a boolean (true or false), found %s", value_type_name(en->type));
    } else {
        s->enabled = en->u.b;
        s->switched = en->origin ? en->origin : en;
    }
}

int config_open(const char *file, const char *env, struct stack_config *cfg, struct diag_list *dl)
{
    size_t before = diag_count(dl);
    memset(cfg, 0, sizeof(*cfg));
    cfg->file = xstrdup(file);
    if (config_read(file, &cfg->root, dl)) {
        config_close(cfg);
        return -1;
    }
    struct sh_value *root = cfg->root;
    validate_group(top_keys, root, top_reserved, dl);
    cfg->plugin_path = config_plugin_path(root, file);

    struct sh_value *stack = group_member(root, "stack", 1, dl);
    if (stack) {
        validate_group(stack_keys, stack, stack_reserved, dl);
        struct sh_value *v = value_get(stack, "name");
        cfg->name = v && v->type == VALUE_STRING ? v->u.s : NULL;
        v = value_get(stack, "region");
        cfg->region_setting = v && v->type == VALUE_STRING ? v->u.s : NULL;
        cfg->tags = group_member(stack, "tags", 0, dl);
        if (cfg->tags)
            check_tags(cfg->tags, dl);
    }

    if (cfg->region_setting && region_flag && strcmp(cfg->region_setting, region_flag))
        value_diag(dl, value_get(stack, "region"), "the stack lives in %s, but --region says %.64s: leave --region "
                   "out, or change stack.region (which moves the stack: destroy it first)", cfg->region_setting,
                   region_flag);
    if (!cfg->region_setting) {
        struct strbuf where = STRBUF_INIT;
        cfg->profile_region = profile_region(&where);
        cfg->profile_region_where = cfg->profile_region ? strbuf_detach(&where) : NULL;
        strbuf_release(&where);
        /* a region becomes part of every host name: checked before any is built */
        if (!aws_region_valid(config_region(cfg)))
            diag_add(dl, file, 0, NULL, "region '%.64s' (from %s) is not an aws region name: a-z, 0-9 and -, like "
                     "us-east-1", config_region(cfg), config_region_source(cfg));
    }

    struct sh_value *plugins = group_member(root, "plugins", 1, dl);
    if (plugins) {
        cfg->sections = xcalloc(plugins->n + 1, sizeof(*cfg->sections));
        for (size_t i = 0; i < plugins->n; i++) {
            struct sh_value *p = plugins->kids[i];
            if (p->type != VALUE_GROUP) {
                value_diag(dl, p, "expected a group of the plugin's settings, found %s", value_type_name(p->type));
                continue;
            }
            struct section *s = &cfg->sections[cfg->nsections++];
            s->name = xstrdup(p->name);
            s->declared = p;
            s->settings = value_copy(p);
        }
    }

    const struct sh_value *outputs = stack ? group_member(stack, "outputs", 0, dl) : NULL;
    if (outputs)
        read_outputs(cfg, outputs, plugins, dl);

    struct sh_value *envs = group_member(root, "environments", 0, dl);
    for (size_t i = 0; envs && i < envs->n; i++) {
        struct sh_value *e = envs->kids[i];
        if (e->type != VALUE_GROUP)
            value_diag(dl, e, "expected a group describing the environment, found %s", value_type_name(e->type));
        else
            validate_group(env_keys, e, env_reserved, dl);
    }

    if (env) {
        struct sh_value *e = value_get(envs, env);
        if (!e) {
            size_t n;
            const char **names = config_environments(root, &n);
            struct strbuf list = STRBUF_INIT, hint = STRBUF_INIT;
            config_environment_list(root, "none (add an environments group)", &list);
            suggest_hint(&hint, env, names, n);
            diag_add(dl, file, envs ? envs->line : 0, NULL, "unknown environment '%s'%s; this file defines: %s",
                     env, hint.buf, list.buf);
            strbuf_release(&hint);
            strbuf_release(&list);
            free(names);
        } else if (e->type == VALUE_GROUP) {
            cfg->env = xstrdup(env);
            const struct sh_value *suffix = value_get(e, "suffix");
            cfg->suffix = xstrdup(suffix && suffix->type == VALUE_STRING ? suffix->u.s : env);
            const char *why = NULL;
            if (!suffix && validate_format(SH_FORMAT_NAME, env, &why))
                value_diag(dl, e, "the environment's name is used as its suffix: %s; set suffix", why);
            for (size_t i = 0; i < cfg->nsections; i++)
                read_enabled(&cfg->sections[i], dl);
            if (plugins)
                resolve_env(cfg, plugins, e, dl);
        }
    } else {
        for (size_t i = 0; i < cfg->nsections; i++)
            read_enabled(&cfg->sections[i], dl);
    }
    /* `enabled` is the host's key: plugins never see it. */
    for (size_t i = 0; i < cfg->nsections; i++) {
        struct sh_value *en = value_get(cfg->sections[i].settings, "enabled");
        if (en)
            value_remove(en);
    }
    if (diag_count(dl) > before) {
        config_close(cfg);
        return -1;
    }
    return 0;
}

void config_close(struct stack_config *cfg)
{
    for (size_t i = 0; i < cfg->nsections; i++) {
        free(cfg->sections[i].name);
        value_free(cfg->sections[i].settings);
    }
    free(cfg->sections);
    free(cfg->outputs);
    value_free(cfg->root);
    free(cfg->file);
    free(cfg->env);
    free(cfg->suffix);
    free(cfg->plugin_path);
    free(cfg->profile_region);
    free(cfg->profile_region_where);
    memset(cfg, 0, sizeof(*cfg));
}

char *config_plugin_path(const struct sh_value *root, const char *file)
{
    const struct sh_value *pp = value_get(root, "plugin_path");
    if (!pp || pp->type != VALUE_STRING)
        return NULL;
    const char *slash = strrchr(file, '/');
    struct strbuf sb = STRBUF_INIT;
    if (pp->u.s[0] != '/' && slash)
        strbuf_add(&sb, file, (size_t)(slash - file + 1));
    strbuf_addstr(&sb, pp->u.s);
    return strbuf_detach(&sb);
}

const char *config_region(const struct stack_config *cfg)
{
    if (cfg->region_setting)
        return cfg->region_setting;
    if (region_flag)
        return region_flag;
    const char *r = getenv("AWS_REGION");
    if (r && *r)
        return r;
    r = getenv("AWS_DEFAULT_REGION");
    if (r && *r)
        return r;
    return cfg->profile_region ? cfg->profile_region : "us-east-1";
}

const char *config_region_source(const struct stack_config *cfg)
{
    if (cfg->region_setting)
        return "stack.region";
    if (region_flag)
        return "--region";
    const char *r = getenv("AWS_REGION");
    if (r && *r)
        return "AWS_REGION";
    r = getenv("AWS_DEFAULT_REGION");
    if (r && *r)
        return "AWS_DEFAULT_REGION";
    return cfg->profile_region ? cfg->profile_region_where : "the default";
}

struct section *config_section(const struct stack_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->nsections; i++)
        if (!strcmp(cfg->sections[i].name, name))
            return &cfg->sections[i];
    return NULL;
}
