#define _GNU_SOURCE /* dladdr1 */
#include "loader.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/service.h"
#include "outputs.h"
#include "strbuf.h"
#include "validate.h"
#include "xalloc.h"

#ifndef STACKHOST_PLUGIN_DIR
#define STACKHOST_PLUGIN_DIR "/usr/local/lib/stackhost/plugins"
#endif
/* The installed plugin directory relative to the installed binary's
 * directory (computed at configure time), so an installation moved to
 * another prefix still finds its plugins. */
#ifndef STACKHOST_PLUGIN_RELDIR
#define STACKHOST_PLUGIN_RELDIR "../lib/stackhost/plugins"
#endif

void search_path_add(struct search_path *sp, const char *colon_list)
{
    if (!colon_list)
        return;
    const char *p = colon_list;
    while (*p) {
        size_t len = strcspn(p, ":");
        if (len) {
            XGROW(sp->dirs, sp->alloc, sp->n + 1);
            sp->dirs[sp->n++] = xstrndup(p, len);
        }
        p += len;
        if (*p == ':')
            p++;
    }
}

void search_path_build(struct search_path *sp, const char *cli, const char *env, const char *config_dir)
{
    memset(sp, 0, sizeof(*sp));
    search_path_add(sp, cli);
    sp->from_cli = sp->n;
    search_path_add(sp, env);
    sp->from_env = sp->n - sp->from_cli;
    if (config_dir) {
        XGROW(sp->dirs, sp->alloc, sp->n + 1);
        sp->dirs[sp->n++] = xstrdup(config_dir);
        sp->config_dir = sp->n;
    }
    /* Running from the build tree just works: plugins sit beside the
     * binary. Installed (at any prefix), they sit in <bindir>/<reldir>. */
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            struct strbuf sb = STRBUF_INIT;
            strbuf_addf(&sb, "%s/plugins", exe);
            XGROW(sp->dirs, sp->alloc, sp->n + 1);
            sp->dirs[sp->n++] = strbuf_detach(&sb);
            strbuf_addf(&sb, "%s/%s", exe, STACKHOST_PLUGIN_RELDIR);
            XGROW(sp->dirs, sp->alloc, sp->n + 1);
            sp->dirs[sp->n++] = strbuf_detach(&sb);
        }
    }
    XGROW(sp->dirs, sp->alloc, sp->n + 1);
    sp->dirs[sp->n++] = xstrdup(STACKHOST_PLUGIN_DIR);
}

/* Why dir is no directory to search, in why; 0 when it is one. */
static int dir_problem(const char *dir, struct strbuf *why)
{
    struct stat st;
    strbuf_reset(why);
    if (stat(dir, &st)) {
        int err = errno;
        if (err == ENOENT || err == ENOTDIR)
            strbuf_addstr(why, "does not exist");
        else
            strbuf_addf(why, "cannot be read (%s)", strerror(err));
    } else if (!S_ISDIR(st.st_mode)) {
        strbuf_addstr(why, "is not a directory");
    }
    return why->len > 0;
}

/* A directory the user named but that is not there would be skipped in
 * silence: the plugin would then be "not found" among other places, or
 * one of the same name found further down the path would run instead. */
size_t search_path_check(const struct search_path *sp, const struct sh_value *config_at, struct diag_list *dl)
{
    static const char what_to_do[] = "name the directory that holds the plugin's .so (build the plugin first)";
    size_t before = diag_count(dl);
    struct strbuf why = STRBUF_INIT;
    for (size_t i = 0; i < sp->from_cli + sp->from_env; i++)
        if (dir_problem(sp->dirs[i], &why))
            diag_add(dl, NULL, 0, NULL, "plugin directory '%s' (from %s) %s: %s", sp->dirs[i],
                     i < sp->from_cli ? "--plugin-path" : "STACKHOST_PLUGIN_PATH", why.buf, what_to_do);
    if (sp->config_dir && dir_problem(sp->dirs[sp->config_dir - 1], &why)) {
        const char *dir = sp->dirs[sp->config_dir - 1];
        if (config_at)
            value_diag(dl, config_at, "plugin directory '%s' %s: %s", dir, why.buf, what_to_do);
        else
            diag_add(dl, NULL, 0, NULL, "plugin directory '%s' (from the configuration's plugin_path) %s: %s", dir,
                     why.buf, what_to_do);
    }
    strbuf_release(&why);
    return diag_count(dl) - before;
}

void search_path_free(struct search_path *sp)
{
    for (size_t i = 0; i < sp->n; i++)
        free(sp->dirs[i]);
    free(sp->dirs);
    memset(sp, 0, sizeof(*sp));
}

/* The first directory from `from` on with name.so, or n. */
static size_t first_with(const struct search_path *sp, size_t from, const char *name, struct strbuf *path)
{
    for (size_t i = from; i < sp->n; i++) {
        strbuf_reset(path);
        strbuf_addf(path, "%s/%s", sp->dirs[i], name);
        struct stat st;
        if (!stat(path->buf, &st) && S_ISREG(st.st_mode))
            return i;
    }
    strbuf_reset(path);
    return sp->n;
}

/* The config's plugin_path comes before the built-in and installed
 * directories, which follow it: a file of the same name there is shadowed. */
static int shadows_builtin(const struct search_path *sp, size_t dir, const char *file, const char *path,
                           struct strbuf *why)
{
    if (!sp->config_dir || dir != sp->config_dir - 1)
        return 0;
    struct strbuf builtin = STRBUF_INIT;
    int shadows = first_with(sp, dir + 1, file, &builtin) < sp->n;
    if (shadows)
        strbuf_addf(why, "plugin refused: %s, found through the configuration's plugin_path, would replace the "
                    "built-in or installed plugin %s; a configuration cannot replace a plugin: rename it, or pass "
                    "its directory with --plugin-path or STACKHOST_PLUGIN_PATH if you trust it", path, builtin.buf);
    strbuf_release(&builtin);
    return shadows;
}

char *search_path_find(const struct search_path *sp, const char *name, struct strbuf *why)
{
    struct strbuf file = STRBUF_INIT, path = STRBUF_INIT;
    strbuf_addf(&file, "%s.so", name);
    size_t dir = first_with(sp, 0, file.buf, &path);
    char *found = dir < sp->n && !shadows_builtin(sp, dir, file.buf, path.buf, why) ? strbuf_detach(&path) : NULL;
    strbuf_release(&path);
    strbuf_release(&file);
    return found;
}

static int writable_by_others(const struct stat *st)
{
    return (st->st_mode & (S_IWGRP | S_IWOTH)) || (st->st_uid != geteuid() && st->st_uid != 0);
}

int plugin_file_safe(const char *path, struct strbuf *why)
{
    struct stat st;
    if (stat(path, &st) || !S_ISREG(st.st_mode)) {
        strbuf_addf(why, "plugin refused: %s is not a regular file", path);
        return -1;
    }
    if (writable_by_others(&st)) {
        strbuf_addf(why, "plugin refused before loading: %s can be written by others (mode %03o, owner uid %u): "
                    "a plugin runs code with the deployer's credentials; make it owned by you or root and not "
                    "group- or world-writable (chmod go-w)", path, (unsigned)(st.st_mode & 0777), (unsigned)st.st_uid);
        return -1;
    }
    struct strbuf dir = STRBUF_INIT;
    const char *slash = strrchr(path, '/');
    if (slash)
        strbuf_add(&dir, path, slash == path ? 1 : (size_t)(slash - path));
    else
        strbuf_addch(&dir, '.');
    int rc = 0;
    if (stat(dir.buf, &st) || writable_by_others(&st)) {
        strbuf_addf(why, "plugin refused before loading: its directory %s can be written by others (mode %03o, "
                    "owner uid %u), who could replace it; make the directory owned by you or root and not group- "
                    "or world-writable (chmod go-w)", dir.buf, (unsigned)(st.st_mode & 0777), (unsigned)st.st_uid);
        rc = -1;
    }
    strbuf_release(&dir);
    return rc;
}

struct plugin *plugin_list_find(const struct plugin_list *list, const char *name)
{
    for (size_t i = 0; i < list->n; i++)
        if (!strcmp(list->items[i]->desc->name, name))
            return list->items[i];
    return NULL;
}

static int valid_plugin_name(const char *name)
{
    return name && *name && strlen(name) <= 64 &&
           strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(name);
}

static const sh_resource_decl *resources_of(const sh_plugin *d)
{
    return d->size >= offsetof(sh_plugin, resources) + sizeof(d->resources) ? d->resources : NULL;
}

static const char *const *publishes_of(const sh_plugin *d)
{
    return d->size >= offsetof(sh_plugin, publishes) + sizeof(d->publishes) ? d->publishes : NULL;
}

/* Output keys the registry takes, each once: a read is checked against
 * this list, so it must be right. */
static const char *const *owns_of(const sh_plugin *d)
{
    return d->size >= offsetof(sh_plugin, owns) + sizeof(d->owns) ? d->owns : NULL;
}

const char *const *plugin_owns(const struct plugin *p)
{
    return owns_of(p->desc);
}

/* "plugin.key" of a plugin it requires. */
static int check_owns(const sh_plugin *d, struct strbuf *why)
{
    const char *const *owns = owns_of(d);
    for (size_t i = 0; owns && owns[i]; i++) {
        const char *dot = strchr(owns[i], '.');
        size_t len = dot ? (size_t)(dot - owns[i]) : 0;
        int required = 0;
        for (size_t r = 0; len && d->requires && d->requires[r]; r++)
            required |= strlen(d->requires[r]) == len && !strncmp(d->requires[r], owns[i], len);
        if (!required || !dot[1]) {
            strbuf_addf(why, "it owns '%s', which is not 'plugin.key' of a plugin it requires", owns[i]);
            return -1;
        }
    }
    return 0;
}

/* The size of the field a key of `type` is bound to (config.h). */
static size_t bound_size(sh_config_type type)
{
    switch (type) {
    case SH_CONFIG_STRING: return sizeof(const char *);
    case SH_CONFIG_INT: return sizeof(long long);
    case SH_CONFIG_BOOL: return sizeof(int);
    case SH_CONFIG_STRING_LIST: return sizeof(sh_string_list);
    case SH_CONFIG_INT_LIST: return sizeof(sh_int_list);
    case SH_CONFIG_GROUP_LIST: return sizeof(const sh_value *);
    }
    return 0;
}

/* Every key bound is declared, once, to a field of its type's size: a
 * binding that would write the wrong bytes refuses the plugin. */
static int check_binding(const sh_plugin *d, struct strbuf *why)
{
    const sh_config_bind *b = d->size >= offsetof(sh_plugin, config_bind) + sizeof(d->config_bind)
                                  ? d->config_bind : NULL;
    for (size_t i = 0; b && b[i].key; i++) {
        const sh_config_key *k = validate_key_find(d->keys, b[i].key);
        if (!k) {
            strbuf_addf(why, "its config_bind names the key '%s', which its key table does not declare", b[i].key);
            return -1;
        }
        if (b[i].size != bound_size(k->type)) {
            strbuf_addf(why, "its config_bind puts the key '%s' (%s) in a field of %zu bytes; that type needs %zu",
                        b[i].key, validate_type_name(k->type), b[i].size, bound_size(k->type));
            return -1;
        }
        for (size_t j = 0; j < i; j++)
            if (!strcmp(b[j].key, b[i].key)) {
                strbuf_addf(why, "its config_bind binds the key '%s' twice", b[i].key);
                return -1;
            }
    }
    return 0;
}

static int check_publishes(const sh_plugin *d, struct strbuf *why)
{
    const char *const *keys = publishes_of(d);
    for (size_t i = 0; keys && keys[i]; i++) {
        if (!outputs_key_valid(keys[i] + (keys[i][0] == '*'))) {
            strbuf_addf(why, "its published output '%s' is not a key of [a-z0-9_]+ (at most 64), nor * and the end "
                        "of one", keys[i]);
            return -1;
        }
        for (size_t k = 0; k < i; k++)
            if (!strcmp(keys[k], keys[i])) {
                strbuf_addf(why, "it lists the published output '%s' twice", keys[i]);
                return -1;
            }
    }
    return 0;
}

static int requires_plugin(const sh_plugin *d, const char *name, size_t len)
{
    for (size_t i = 0; d->requires && d->requires[i]; i++)
        if (strlen(d->requires[i]) == len && !strncmp(d->requires[i], name, len))
            return 1;
    return 0;
}

static const sh_resource_decl *resource_find(const sh_resource_decl *r, const char *id)
{
    for (; r && r->id; r++)
        if (!strcmp(r->id, id))
            return r;
    return NULL;
}

/* Ids valid and unique, labels present, each `after` a resource of the
 * plugin or "plugin.id" of a plugin it requires (that plugin's table is
 * checked when the graph is drawn: it may not be loaded yet). */
static int check_resources(const sh_plugin *d, struct strbuf *why)
{
    const sh_resource_decl *res = resources_of(d);
    for (const sh_resource_decl *r = res; r && r->id; r++) {
        if (!*r->id || strspn(r->id, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(r->id) || !r->label) {
            strbuf_addf(why, "plugin '%s' declares a resource '%s' %s", d->name, r->id,
                        r->label ? "whose id is not [a-z0-9_]+" : "without a label");
            return -1;
        }
        if (resource_find(res, r->id) != r) {
            strbuf_addf(why, "plugin '%s' declares the resource '%s' twice", d->name, r->id);
            return -1;
        }
        for (size_t i = 0; r->after && r->after[i]; i++) {
            const char *a = r->after[i], *dot = strchr(a, '.');
            if (dot ? !requires_plugin(d, a, (size_t)(dot - a)) : !resource_find(res, a)) {
                strbuf_addf(why, "plugin '%s': resource '%s' comes after '%s', which is %s", d->name, r->id, a,
                            dot ? "not in a plugin it requires" : "not one of its resources");
                return -1;
            }
        }
    }
    return 0;
}

/* Every check that needs no call into the plugin. Returns 0 or -1 with
 * the reason in why. */
static int check_descriptor(const sh_plugin *d, size_t symbol_size, const char *expect_name,
                            const struct plugin_list *list, struct strbuf *why)
{
    if (symbol_size && symbol_size < 3 * sizeof(uint32_t)) {
        strbuf_addf(why, "its descriptor is %zu bytes, too small to hold a version", symbol_size);
        return -1;
    }
    if (d->abi_major != STACKHOST_ABI_MAJOR) {
        strbuf_addf(why, "it was built for plugin abi %u.%u, this host speaks %d.%d; rebuild it against this stackhost's sdk",
                    d->abi_major, d->abi_minor, STACKHOST_ABI_MAJOR, STACKHOST_ABI_MINOR);
        return -1;
    }
    if (d->abi_minor > STACKHOST_ABI_MINOR) {
        strbuf_addf(why, "it was built for plugin abi %u.%u, newer than this host's %d.%d; upgrade stackhost",
                    d->abi_major, d->abi_minor, STACKHOST_ABI_MAJOR, STACKHOST_ABI_MINOR);
        return -1;
    }
    if (d->size < SH_PLUGIN_SIZE_1_0 || d->size > sizeof(sh_plugin) ||
        (symbol_size && symbol_size < d->size)) {
        strbuf_addf(why, "its descriptor claims %u bytes (the symbol has %zu); abi %d.%d needs %zu to %zu",
                    d->size, symbol_size, STACKHOST_ABI_MAJOR, d->abi_minor, (size_t)SH_PLUGIN_SIZE_1_0,
                    sizeof(sh_plugin));
        return -1;
    }
    if (!valid_plugin_name(d->name)) {
        strbuf_addf(why, "its name '%s' is not a plugin name ([a-z0-9_-], at most 64 characters)",
                    d->name ? d->name : "(null)");
        return -1;
    }
    if (!d->version || !d->description) {
        strbuf_addf(why, "plugin '%s' has no %s", d->name, d->version ? "description" : "version");
        return -1;
    }
    if (expect_name && strcmp(d->name, expect_name)) {
        strbuf_addf(why, "it declares the name '%s', but was looked up as '%s' (the file must be named %s.so)",
                    d->name, expect_name, d->name);
        return -1;
    }
    const struct plugin *other = plugin_list_find(list, d->name);
    if (other) {
        strbuf_addf(why, "duplicate plugin name '%s': already loaded from %s", d->name, other->path);
        return -1;
    }
    for (size_t i = 0; d->requires && d->requires[i]; i++) {
        const char *r = d->requires[i];
        if (!valid_plugin_name(r) || !strcmp(r, d->name)) {
            strbuf_addf(why, "plugin '%s' requires '%s', which is %s", d->name, r ? r : "(null)",
                        valid_plugin_name(r) ? "itself" : "not a plugin name");
            return -1;
        }
        for (size_t k = 0; k < i; k++) {
            if (!strcmp(d->requires[k], r)) {
                strbuf_addf(why, "plugin '%s' lists the requirement '%s' twice", d->name, r);
                return -1;
            }
        }
    }
    return check_resources(d, why) || check_publishes(d, why) || check_binding(d, why) || check_owns(d, why)
               ? -1
               : validate_table(d->keys, why);
}

const sh_resource_decl *plugin_resources(const struct plugin *p)
{
    return resources_of(p->desc);
}

const char *const *plugin_publishes(const struct plugin *p)
{
    return publishes_of(p->desc);
}

int publishes_key(const char *const *keys, const char *key)
{
    size_t klen = key ? strlen(key) : 0;
    for (size_t i = 0; key && keys && keys[i]; i++) {
        if (keys[i][0] != '*' ? !strcmp(keys[i], key)
                              : klen >= strlen(keys[i]) && !strcmp(key + klen - strlen(keys[i] + 1), keys[i] + 1))
            return 1;
    }
    return 0;
}

static const sh_service_decl *services_of(const sh_plugin *d)
{
    return d->size >= offsetof(sh_plugin, services) + sizeof(d->services) ? d->services : NULL;
}

/* The AWS services the plugin declares (ABI 1.5), all or none: the
 * client finds them by name from here on. */
static int declare_services(const sh_plugin *d, struct strbuf *why)
{
    const sh_service_decl *s = services_of(d);
    for (size_t i = 0; s && s[i].name; i++) {
        if (aws_service_declare(&s[i], d->name, why)) {
            aws_services_forget(d->name);
            return -1;
        }
    }
    return 0;
}

const sh_service_decl *plugin_services(const struct plugin *p)
{
    return services_of(p->desc);
}

static const sh_config_bind *bind_of(const sh_plugin *d)
{
    return d->size >= offsetof(sh_plugin, config_bind) + sizeof(d->config_bind) ? d->config_bind : NULL;
}

const sh_config_bind *plugin_config_bind(const struct plugin *p)
{
    return bind_of(p->desc);
}

int plugin_destroy_alongside(const struct plugin *p)
{
    const sh_plugin *d = p->desc;
    return d->size >= offsetof(sh_plugin, destroy_alongside) + sizeof(d->destroy_alongside) && d->destroy_alongside;
}

sh_plugin_fn plugin_cost(const struct plugin *p)
{
    const sh_plugin *d = p->desc;
    return d->size >= offsetof(sh_plugin, cost) + sizeof(d->cost) ? d->cost : NULL;
}

sh_plugin_fn plugin_names(const struct plugin *p)
{
    const sh_plugin *d = p->desc;
    return d->size >= offsetof(sh_plugin, names) + sizeof(d->names) ? d->names : NULL;
}

int plugin_open(const char *path, const char *expect_name, struct plugin_list *list,
                struct plugin **out, struct diag_list *dl)
{
    struct strbuf unsafe = STRBUF_INIT;
    if (plugin_file_safe(path, &unsafe)) {
        diag_add(dl, path, 0, NULL, "%s", unsafe.buf);
        strbuf_release(&unsafe);
        return -1;
    }
    strbuf_release(&unsafe);
    /* Each plugin keeps its own symbols: RTLD_LOCAL, so two plugins with
     * a helper of the same name do not bind to each other's. */
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *err = dlerror();
        diag_add(dl, path, 0, NULL, "plugin refused: cannot load it: %s", err ? err : "unknown dlopen error");
        return -1;
    }
    dlerror();
    void *sym = dlsym(handle, SH_PLUGIN_SYMBOL);
    if (!sym) {
        diag_add(dl, path, 0, NULL,
                 "plugin refused: it does not export the symbol '%s' (declare the descriptor with SH_PLUGIN_EXPORT)",
                 SH_PLUGIN_SYMBOL);
        dlclose(handle);
        return -1;
    }
    /* The ELF symbol's size tells how many bytes the descriptor really
     * has, so a short one is refused before its fields are read. */
    Dl_info info;
    const ElfW(Sym) *elf = NULL;
    size_t symbol_size = 0;
    if (dladdr1(sym, &info, (void **)&elf, RTLD_DL_SYMENT) && elf)
        symbol_size = (size_t)elf->st_size;
    struct strbuf why = STRBUF_INIT;
    if (check_descriptor(sym, symbol_size, expect_name, list, &why) || declare_services(sym, &why)) {
        diag_add(dl, path, 0, NULL, "plugin refused: %s", why.buf);
        strbuf_release(&why);
        dlclose(handle);
        return -1;
    }
    strbuf_release(&why);
    struct plugin *p = xcalloc(1, sizeof(*p));
    p->path = xstrdup(path);
    p->handle = handle;
    p->desc = sym;
    const sh_service_decl *svc = services_of(sym);
    p->declared = svc && svc->name ? xstrdup(p->desc->name) : NULL;
    XGROW(list->items, list->alloc, list->n + 1);
    list->items[list->n++] = p;
    if (out)
        *out = p;
    return 0;
}

static int is_plugin_file(const struct dirent *e)
{
    size_t len = strlen(e->d_name);
    return len > 3 && !strcmp(e->d_name + len - 3, ".so");
}

size_t plugin_scan(const struct search_path *sp, struct plugin_list *list, struct diag_list *dl)
{
    size_t before = diag_count(dl);
    char **seen = NULL;
    size_t nseen = 0, seen_alloc = 0;
    for (size_t i = 0; i < sp->n; i++) {
        struct dirent **entries;
        int n = scandir(sp->dirs[i], &entries, is_plugin_file, alphasort);
        if (n < 0)
            continue; /* a directory that does not exist has nothing to offer */
        for (int k = 0; k < n; k++) {
            const char *file = entries[k]->d_name;
            int shadowed = 0;
            for (size_t s = 0; s < nseen && !shadowed; s++)
                shadowed = !strcmp(seen[s], file);
            struct strbuf path = STRBUF_INIT, why = STRBUF_INIT;
            strbuf_addf(&path, "%s/%s", sp->dirs[i], file);
            if (!shadowed && shadows_builtin(sp, i, file, path.buf, &why)) {
                diag_add(dl, path.buf, 0, NULL, "%s", why.buf);
            } else if (!shadowed) {
                XGROW(seen, seen_alloc, nseen + 1);
                seen[nseen++] = xstrdup(file);
                plugin_open(path.buf, NULL, list, NULL, dl);
            }
            strbuf_release(&path);
            strbuf_release(&why);
            free(entries[k]);
        }
        free(entries);
    }
    for (size_t s = 0; s < nseen; s++)
        free(seen[s]);
    free(seen);
    return diag_count(dl) - before;
}

void plugin_list_close(struct plugin_list *list)
{
    for (size_t i = 0; i < list->n; i++) {
        if (list->items[i]->declared)
            aws_services_forget(list->items[i]->declared);
        free(list->items[i]->declared);
        dlclose(list->items[i]->handle);
        free(list->items[i]->path);
        free(list->items[i]);
    }
    free(list->items);
    memset(list, 0, sizeof(*list));
}

void search_path_suggest(const struct search_path *sp, const char *name, struct strbuf *hint)
{
    const char **names = NULL;
    size_t n = 0, alloc = 0;
    for (size_t k = 0; k < sp->n; k++) {
        DIR *d = opendir(sp->dirs[k]);
        for (struct dirent *e; d && (e = readdir(d));) {
            size_t len = strlen(e->d_name);
            if (len <= 3 || strcmp(e->d_name + len - 3, ".so"))
                continue;
            XGROW(names, alloc, n + 1);
            names[n++] = xstrndup(e->d_name, len - 3);
        }
        if (d)
            closedir(d);
    }
    suggest_hint(hint, name, names, n);
    for (size_t i = 0; i < n; i++)
        free((char *)names[i]);
    free(names);
}
