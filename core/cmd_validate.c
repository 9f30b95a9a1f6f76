/* `validate` and `graph`: everything up to the first request. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "graph_resources.h"
#include "json_text.h"
#include "log.h"
#include "stack.h"
#include "xalloc.h"

static void describe_text(struct stack *st, struct strbuf *out)
{
    strbuf_addf(out, "%s: valid", st->cfg.file);
    if (st->cfg.env)
        strbuf_addf(out, " for environment %s (suffix %s)", st->cfg.env, st->cfg.suffix);
    strbuf_addf(out, ", stack %s, region %s\nexecution order:\n", st->cfg.name, config_region(&st->cfg));
    size_t rank = 0;
    struct strbuf disabled = STRBUF_INIT;
    for (size_t k = 0; k < st->n; k++) {
        struct stack_item *it = &st->items[st->order[k]];
        if (!it->section->enabled) {
            strbuf_addf(&disabled, "%s%s", disabled.len ? ", " : "", it->section->name);
            continue;
        }
        const char *const *req = it->plugin->desc->requires;
        strbuf_addf(out, "  %zu. %s", ++rank, it->section->name);
        if (req && req[0]) {
            strbuf_addf(out, "%*s requires ", (int)(14 - strlen(it->section->name)), "");
            for (size_t r = 0; req[r]; r++)
                strbuf_addf(out, "%s%s", r ? ", " : "", req[r]);
        }
        strbuf_addch(out, '\n');
    }
    if (!rank)
        strbuf_addstr(out, "  (no plugin enabled)\n");
    if (disabled.len)
        strbuf_addf(out, "disabled: %s\n", disabled.buf);
    strbuf_release(&disabled);
}

static json_t *describe_json(struct stack *st)
{
    json_t *o = json_object(), *order = json_array(), *disabled = json_array();
    json_object_set_new(o, "environment", st->cfg.env ? json_string(st->cfg.env) : json_null());
    json_object_set_new(o, "suffix", st->cfg.suffix ? json_string(st->cfg.suffix) : json_null());
    json_object_set_new(o, "stack", json_string(st->cfg.name));
    json_object_set_new(o, "region", json_string(config_region(&st->cfg)));
    for (size_t k = 0; k < st->n; k++) {
        struct stack_item *it = &st->items[st->order[k]];
        json_array_append_new(it->section->enabled ? order : disabled, json_string(it->section->name));
    }
    json_object_set_new(o, "order", order);
    json_object_set_new(o, "disabled", disabled);
    return o;
}

int cmd_validate(const struct cli *cli)
{
    const char *file = cli_config_file(cli);
    struct diag_list dl = DIAG_LIST_INIT;
    size_t nenv = 0;
    const char **envs = NULL;
    if (!cli->env) {
        /* No -e: check every environment, since each merges differently. */
        struct sh_value *root = NULL;
        if (config_read(file, &root, &dl)) {
            diag_log(&dl);
            diag_clear(&dl);
            return EXIT_USAGE;
        }
        const char **names = config_environments(root, &nenv);
        envs = xcalloc(nenv + 1, sizeof(*envs));
        for (size_t i = 0; i < nenv; i++)
            envs[i] = xstrdup(names[i]);
        free(names);
        value_free(root);
    }
    size_t runs = cli->env || !nenv ? 1 : nenv;
    struct strbuf out = STRBUF_INIT;
    json_t *all = json_array();
    int failed = 0;
    for (size_t i = 0; i < runs; i++) {
        struct stack st;
        struct stack_options opt = {file, cli->env ? cli->env : (nenv ? envs[i] : NULL), cli->plugin_path, cli->only, cli->sets, cli->nsets};
        size_t before = diag_count(&dl);
        if (stack_open(&st, &opt, &dl)) {
            failed = 1;
            if (!cli->env && nenv && diag_count(&dl) > before)
                log_msg(SH_LOG_ERROR, NULL, "environment %s:", envs[i]);
            diag_log(&dl);
            diag_clear(&dl);
            continue;
        }
        if (cli->json)
            json_array_append_new(all, describe_json(&st));
        else
            describe_text(&st, &out);
        stack_close(&st);
    }
    if (cli->json && !failed) {
        json_t *doc = json_document();
        json_object_set_new(doc, "file", json_string(file));
        json_object_set(doc, "environments", all);
        json_text(&out, doc);
    }
    json_decref(all);
    if (!failed)
        emit_stdout(&out);
    strbuf_release(&out);
    for (size_t i = 0; i < nenv; i++)
        free((char *)envs[i]);
    free(envs);
    return failed ? EXIT_USAGE : EXIT_OK;
}

int command_stack_open(const struct cli *cli, struct stack *st)
{
    struct diag_list dl = DIAG_LIST_INIT;
    struct stack_options opt = {cli_config_file(cli), cli->env, cli->plugin_path, cli->only, cli->sets, cli->nsets};
    if (!stack_open(st, &opt, &dl))
        return 0;
    diag_log(&dl);
    diag_clear(&dl);
    return EXIT_USAGE;
}

int cmd_graph(const struct cli *cli)
{
    struct diag_list dl = DIAG_LIST_INIT;
    struct stack st;
    if (command_stack_open(cli, &st))
        return EXIT_USAGE;
    int *disabled = xcalloc(st.n + 1, sizeof(*disabled));
    for (size_t i = 0; i < st.n; i++)
        disabled[i] = !st.items[i].section->enabled;
    struct strbuf out = STRBUF_INIT;
    int rc = EXIT_OK;
    if (!cli->resources) {
        graph_dot(&st.graph, st.cfg.name, disabled, &out);
    } else if (graph_resources_dot(&st, &out, &dl)) {
        diag_log(&dl);
        diag_clear(&dl);
        rc = EXIT_ERROR;
    }
    free(disabled);
    if (rc == EXIT_OK)
        emit_stdout(&out);
    strbuf_release(&out);
    stack_close(&st);
    return rc;
}
