/* `plugins` and `plugins NAME`: what is on the search path, and one
 * plugin's configuration keys. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "json_text.h"
#include "loader.h"
#include "log.h"
#include "validate.h"
#include "xalloc.h"

static void requires_text(const sh_plugin *d, struct strbuf *out)
{
    if (!d->requires || !d->requires[0]) {
        strbuf_addstr(out, "-");
        return;
    }
    for (size_t r = 0; d->requires[r]; r++)
        strbuf_addf(out, "%s%s", r ? "," : "", d->requires[r]);
}

static const char *abilities(const sh_plugin *d)
{
    if (d->create && d->destroy)
        return "deploy, destroy";
    if (d->create)
        return "deploy only";
    if (d->destroy)
        return "destroy only";
    return "none yet: configuration only";
}

/* A default as the value it stands for ("2" -> 2, "[5432]" -> [5432]):
 * the table holds it in libconfig syntax, checked when the plugin loaded. */
static json_t *default_json(const char *text)
{
    const char *why = NULL;
    struct sh_value *v = text ? value_parse(text, "default", &why) : NULL;
    json_t *j = v ? value_to_json(v) : text ? json_string(text) : json_null();
    value_free(v);
    return j;
}

static json_t *key_json(const sh_config_key *k)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(k->name));
    json_object_set_new(o, "type", json_string(validate_type_name(k->type)));
    json_object_set_new(o, "required", json_boolean(k->required));
    json_object_set_new(o, "default", default_json(k->default_value));
    if (k->min < k->max) {
        json_object_set_new(o, "min", json_integer(k->min));
        json_object_set_new(o, "max", json_integer(k->max));
    }
    if (k->allowed) {
        json_t *a = json_array();
        for (size_t i = 0; k->allowed[i]; i++)
            json_array_append_new(a, json_string(k->allowed[i]));
        json_object_set_new(o, "allowed", a);
    }
    if (validate_format_name(k->format))
        json_object_set_new(o, "format", json_string(validate_format_name(k->format)));
    json_object_set_new(o, "help", json_string(k->help ? k->help : ""));
    if (k->fields) {
        json_t *f = json_array();
        for (size_t i = 0; k->fields[i].name; i++)
            json_array_append_new(f, key_json(&k->fields[i]));
        json_object_set_new(o, "fields", f);
    }
    return o;
}

static json_t *plugin_json(const struct plugin *p, int with_keys)
{
    const sh_plugin *d = p->desc;
    json_t *o = json_object(), *req = json_array();
    json_object_set_new(o, "name", json_string(d->name));
    json_object_set_new(o, "version", json_string(d->version));
    json_object_set_new(o, "description", json_string(d->description));
    for (size_t r = 0; d->requires && d->requires[r]; r++)
        json_array_append_new(req, json_string(d->requires[r]));
    json_object_set_new(o, "requires", req);
    json_object_set_new(o, "file", json_string(p->path));
    json_object_set_new(o, "abi", json_sprintf("%u.%u", d->abi_major, d->abi_minor));
    json_t *can = json_array();
    if (d->create)
        json_array_append_new(can, json_string("deploy"));
    if (d->destroy)
        json_array_append_new(can, json_string("destroy"));
    json_object_set_new(o, "can", can);
    const char *const *outs = plugin_publishes(p);
    json_object_set_new(o, "publishes", json_null()); /* not declared */
    if (outs) {
        json_t *pub = json_array();
        for (size_t i = 0; outs[i]; i++)
            json_array_append_new(pub, json_string(outs[i]));
        json_object_set_new(o, "publishes", pub);
    }
    if (with_keys) {
        json_t *keys = json_array();
        for (size_t i = 0; d->keys && d->keys[i].name; i++)
            json_array_append_new(keys, key_json(&d->keys[i]));
        json_object_set_new(o, "keys", keys);
    }
    return o;
}

static void keys_text(const sh_config_key *keys, const char *prefix, struct strbuf *out)
{
    for (size_t i = 0; keys && keys[i].name; i++) {
        const sh_config_key *k = &keys[i];
        struct strbuf name = STRBUF_INIT;
        strbuf_addf(&name, "%s%s", prefix, k->name);
        strbuf_addf(out, "  %-22s %-16s", name.buf, validate_type_name(k->type));
        if (k->required)
            strbuf_addstr(out, " required");
        else if (k->default_value)
            strbuf_addf(out, " default %s", k->default_value);
        else
            strbuf_addstr(out, " optional");
        if (k->min < k->max)
            strbuf_addf(out, ", %lld to %lld", k->min, k->max);
        if (k->allowed) {
            strbuf_addstr(out, ", one of ");
            for (size_t a = 0; k->allowed[a]; a++)
                strbuf_addf(out, "%s%s", a ? "|" : "", k->allowed[a]);
        }
        if (validate_format_name(k->format))
            strbuf_addf(out, ", %s", validate_format_name(k->format));
        strbuf_addf(out, "\n      %s\n", k->help ? k->help : "");
        if (k->fields) {
            strbuf_addstr(&name, "[].");
            keys_text(k->fields, name.buf, out);
        }
        strbuf_release(&name);
    }
}

static void detail_text(const struct plugin *p, struct strbuf *out)
{
    const sh_plugin *d = p->desc;
    strbuf_addf(out, "%s %s: %s\n  file:     %s\n  abi:      %u.%u\n  requires: ", d->name, d->version,
                d->description, p->path, d->abi_major, d->abi_minor);
    requires_text(d, out);
    strbuf_addstr(out, "\n  outputs:  ");
    const char *const *outs = plugin_publishes(p);
    for (size_t i = 0; outs && outs[i]; i++)
        strbuf_addf(out, "%s%s", i ? ", " : "", outs[i]);
    if (!outs)
        strbuf_addstr(out, "(not declared: whatever it publishes)");
    static const char *const protocols[] = {[SH_PROTOCOL_QUERY] = "query", [SH_PROTOCOL_EC2] = "ec2",
                                            [SH_PROTOCOL_JSON_1_0] = "json 1.0", [SH_PROTOCOL_JSON_1_1] = "json 1.1",
                                            [SH_PROTOCOL_REST_XML] = "rest-xml", [SH_PROTOCOL_REST_JSON] = "rest-json"};
    const sh_service_decl *svc = plugin_services(p);
    for (size_t i = 0; svc && svc[i].name; i++)
        strbuf_addf(out, "%s%s (%s, declared by the plugin)", i ? ", " : "\n  calls:    ", svc[i].name,
                    protocols[svc[i].protocol]);
    strbuf_addf(out, "\n  can:      %s\nkeys (plus enabled, boolean, default true):\n", abilities(d));
    if (!d->keys || !d->keys[0].name)
        strbuf_addstr(out, "  (none)\n");
    keys_text(d->keys, "", out);
}

/* The search path, with plugin_path from -c's file when -c was given;
 * 0, or -1 with the problems logged (a file that cannot be read, a named
 * directory that is not one). */
static int search_path_of(const struct cli *cli, struct search_path *sp)
{
    struct diag_list dl = DIAG_LIST_INIT;
    struct sh_value *root = NULL;
    if (cli->config && config_read(cli->config, &root, &dl)) {
        diag_log(&dl);
        diag_clear(&dl);
        return -1;
    }
    char *cfg_dir = root ? config_plugin_path(root, cli->config) : NULL;
    search_path_build(sp, cli->plugin_path, getenv("STACKHOST_PLUGIN_PATH"), cfg_dir);
    free(cfg_dir);
    int rc = search_path_check(sp, root ? value_get(root, "plugin_path") : NULL, &dl) ? -1 : 0;
    value_free(root);
    diag_log(&dl);
    diag_clear(&dl);
    if (rc)
        search_path_free(sp);
    return rc;
}

int cmd_plugins(const struct cli *cli)
{
    struct search_path sp;
    if (search_path_of(cli, &sp))
        return EXIT_USAGE;
    struct plugin_list list = {0};
    struct diag_list dl = DIAG_LIST_INIT;
    struct strbuf out = STRBUF_INIT;
    int rc = EXIT_OK;
    if (cli->arg) {
        struct strbuf refused = STRBUF_INIT;
        char *path = search_path_find(&sp, cli->arg, &refused);
        struct plugin *p = NULL;
        if (!path && refused.len) {
            diag_add(&dl, NULL, 0, NULL, "%s", refused.buf);
            rc = EXIT_ERROR;
        } else if (!path) {
            struct strbuf dirs = STRBUF_INIT;
            for (size_t k = 0; k < sp.n; k++)
                strbuf_addf(&dirs, "%s%s", k ? ", " : "", sp.dirs[k]);
            struct strbuf hint = STRBUF_INIT;
            search_path_suggest(&sp, cli->arg, &hint);
            diag_add(&dl, NULL, 0, NULL, "plugin '%s' not found%s: no %s.so in %s", cli->arg, hint.buf, cli->arg,
                     dirs.buf);
            strbuf_release(&hint);
            strbuf_release(&dirs);
            rc = EXIT_USAGE;
        } else if (plugin_open(path, cli->arg, &list, &p, &dl)) {
            rc = EXIT_ERROR;
        } else if (cli->json) {
            json_t *doc = json_document();
            json_object_set_new(doc, "plugin", plugin_json(p, 1));
            json_text(&out, doc);
        } else {
            detail_text(p, &out);
        }
        free(path);
        strbuf_release(&refused);
    } else {
        if (plugin_scan(&sp, &list, &dl))
            rc = EXIT_ERROR;
        if (cli->json) {
            json_t *arr = json_array();
            for (size_t i = 0; i < list.n; i++)
                json_array_append_new(arr, plugin_json(list.items[i], 0));
            json_t *doc = json_document();
            json_object_set_new(doc, "plugins", arr);
            json_text(&out, doc);
        } else {
            strbuf_addf(&out, "%-14s %-8s %-36s %s\n", "NAME", "VERSION", "REQUIRES", "DESCRIPTION");
            for (size_t i = 0; i < list.n; i++) {
                const sh_plugin *d = list.items[i]->desc;
                struct strbuf req = STRBUF_INIT;
                requires_text(d, &req);
                strbuf_addf(&out, "%-14s %-8s %-36s %s\n", d->name, d->version, req.buf, d->description);
                strbuf_release(&req);
            }
            if (!list.n)
                strbuf_addstr(&out, "(no plugins found; see --plugin-path)\n");
        }
    }
    emit_stdout(&out);
    diag_log(&dl);
    diag_clear(&dl);
    strbuf_release(&out);
    plugin_list_close(&list);
    search_path_free(&sp);
    return rc;
}
