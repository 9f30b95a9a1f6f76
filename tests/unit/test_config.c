/* Configuration: environments, merge, and every validation error, through
 * stack_open against the fixture plugins (alpha, beta requires alpha, ...). */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stack.h"

static struct stack st;
static struct diag_list dl;

/* Opens `text` as a config for `env`; returns stack_open's result. */
static int open_text(const char *text, const char *env)
{
    const char *path = test_write_file("stack.cfg", text);
    struct stack_options opt = {path, env, FIXTURE_GOOD, NULL, NULL, 0};
    return stack_open(&st, &opt, &dl);
}

static int teardown(void **state)
{
    (void)state;
    if (st.cfg.file)
        stack_close(&st);
    diag_clear(&dl);
    test_cleanup_files();
    return 0;
}

#define HEAD "stack = { name = \"shop\"; tags = { CostCenter = \"42\"; }; };\n"

static const struct sh_value *setting(const char *plugin, const char *key)
{
    struct stack_item *it = stack_find(&st, plugin);
    assert_non_null(it);
    return value_get(it->section->settings, key);
}

static void test_merge_env_over_base(void **state)
{
    (void)state;
    const char *cfg = HEAD
        "plugins = { alpha = { delay_ms = 5; mode = \"slow\"; }; beta = {}; };\n"
        "environments = { dev = { plugins = { alpha = { delay_ms = 7; }; }; };\n"
        "                 prod = { suffix = \"live\"; }; };\n";
    assert_int_equal(open_text(cfg, "dev"), 0);
    assert_int_equal(setting("alpha", "delay_ms")->u.i, 7);      /* override */
    assert_string_equal(setting("alpha", "mode")->u.s, "slow");  /* base kept */
    assert_int_equal(setting("alpha", "fail")->u.b, 0);          /* default */
    assert_string_equal(setting("beta", "mode")->u.s, "fast");
    assert_string_equal(st.cfg.suffix, "dev");                  /* suffix defaults to the name */
    assert_null(setting("alpha", "enabled"));                    /* the host's key, not the plugin's */
    stack_close(&st);
    assert_int_equal(open_text(cfg, "prod"), 0);
    assert_int_equal(setting("alpha", "delay_ms")->u.i, 5);
    assert_string_equal(st.cfg.suffix, "live");
}

static void test_order_requirements_first(void **state)
{
    (void)state;
    assert_int_equal(open_text(HEAD "plugins = { delta = {}; gamma = {}; beta = {}; alpha = {}; };\n"
                               "environments = { dev = {}; };\n", "dev"), 0);
    /* delta requires beta and gamma; beta requires alpha. */
    size_t pos[4];
    for (size_t k = 0; k < st.n; k++)
        pos[st.order[k]] = k;
    size_t delta = (size_t)(stack_find(&st, "delta") - st.items), beta = (size_t)(stack_find(&st, "beta") - st.items),
           gamma = (size_t)(stack_find(&st, "gamma") - st.items), alpha = (size_t)(stack_find(&st, "alpha") - st.items);
    assert_true(pos[alpha] < pos[beta]);
    assert_true(pos[beta] < pos[delta]);
    assert_true(pos[gamma] < pos[delta]);
}

static void test_unknown_key_suggests(void **state)
{
    (void)state;
    assert_int_equal(open_text(HEAD "plugins = {\n  alpha = {\n    delay_mss = 5;\n  };\n};\n"
                               "environments = { dev = {}; };\n", "dev"), -1);
    assert_diag_has(&dl, "stack.cfg:4: plugins.alpha.delay_mss: unknown key, did you mean 'delay_ms'?");
}

static void test_unknown_key_without_suggestion_lists_keys(void **state)
{
    (void)state;
    assert_int_equal(open_text(HEAD "plugins = { alpha = { zzzzzz = 5; }; };\nenvironments = { dev = {}; };\n", "dev"), -1);
    assert_diag_has(&dl, "unknown key (known keys: delay_ms, fail, incomplete, secret_env, mode, read_undeclared, enabled)");
}

static void test_wrong_type(void **state)
{
    (void)state;
    assert_int_equal(open_text(HEAD "plugins = { alpha = { delay_ms = \"5\"; }; };\nenvironments = { dev = {}; };\n", "dev"), -1);
    assert_diag_has(&dl, "plugins.alpha.delay_ms: expected an integer, found a string (\"5\")");
}

static void test_out_of_range(void **state)
{
    (void)state;
    assert_int_equal(open_text(HEAD "plugins = { alpha = { delay_ms = 20000; }; };\nenvironments = { dev = {}; };\n", "dev"), -1);
    assert_diag_has(&dl, "plugins.alpha.delay_ms: 20000 is out of range: use 0 to 10000");
}

static void test_not_allowed_suggests(void **state)
{
    (void)state;
    assert_int_equal(open_text(HEAD "plugins = { alpha = { mode = \"fats\"; }; };\nenvironments = { dev = {}; };\n", "dev"), -1);
    assert_diag_has(&dl, "'fats' is not allowed, did you mean 'fast'? (allowed: fast, slow)");
}

static void test_format(void **state)
{
    (void)state;
    assert_int_equal(open_text(HEAD "plugins = { alpha = { secret_env = \"1-BAD\"; }; };\nenvironments = { dev = {}; };\n", "dev"), -1);
    assert_diag_has(&dl, "plugins.alpha.secret_env: '1-BAD': not an environment variable name");
}

static void test_override_error_names_env_path(void **state)
{
    (void)state;
    assert_int_equal(open_text(HEAD "plugins = { alpha = {}; };\n"
                               "environments = {\n  dev = {\n    plugins = { alpha = { fail = 3; }; };\n  };\n};\n", "dev"), -1);
    assert_diag_has(&dl, "stack.cfg:5: environments.dev.plugins.alpha.fail: expected a boolean, found an integer (3)");
}

static void test_missing_required(void **state)
{
    (void)state;
    assert_int_equal(open_text("stack = { region = \"eu-west-1\"; };\nplugins = { alpha = {}; };\n"
                               "environments = { dev = {}; };\n", "dev"), -1);
    assert_diag_has(&dl, "stack: missing required key 'name'");
}

static void test_unknown_environment(void **state)
{
    (void)state;
    assert_int_equal(open_text(HEAD "plugins = { alpha = {}; };\nenvironments = { dev = {}; prod = {}; };\n", "prdo"), -1);
    assert_diag_has(&dl, "unknown environment 'prdo' (did you mean 'prod'?); this file defines: dev, prod");
}

static void test_requires_disabled(void **state)
{
    (void)state;
    assert_int_equal(open_text(HEAD "plugins = { alpha = {}; beta = {}; };\n"
                               "environments = { dev = { disable = [\"alpha\"]; }; };\n", "dev"), -1);
    assert_diag_has(&dl, "plugin 'beta' requires plugin 'alpha', which is disabled in environment 'dev' by "
                         "environments.dev.disable[0]");
}

static void test_requires_disabled_by_enabled_false(void **state)
{
    (void)state;
    assert_int_equal(open_text(HEAD "plugins = { alpha = { enabled = false; }; beta = {}; };\n"
                               "environments = { dev = {}; };\n", "dev"), -1);
    assert_diag_has(&dl, "which is disabled in environment 'dev' by plugins.alpha.enabled");
}

static void test_enable_list_switches_on(void **state)
{
    (void)state;
    assert_int_equal(open_text(HEAD "plugins = { alpha = { enabled = false; }; beta = {}; };\n"
                               "environments = { dev = { enable = [\"alpha\"]; }; prod = { disable = [\"beta\"]; }; };\n",
                               "dev"), 0);
    assert_true(stack_find(&st, "alpha")->section->enabled);
    stack_close(&st);
    assert_int_equal(open_text(HEAD "plugins = { alpha = {}; beta = {}; };\n"
                               "environments = { prod = { disable = [\"beta\"]; }; };\n", "prod"), 0);
    assert_false(stack_find(&st, "beta")->section->enabled);
    assert_true(stack_find(&st, "alpha")->section->enabled);
}

static void test_requires_missing(void **state)
{
    (void)state;
    assert_int_equal(open_text(HEAD "plugins = { needs_ghost = {}; };\nenvironments = { dev = {}; };\n", "dev"), -1);
    assert_diag_has(&dl, "plugin 'needs_ghost' requires plugin 'ghost', which is not in the plugins group");
}

static void test_cycle(void **state)
{
    (void)state;
    assert_int_equal(open_text(HEAD "plugins = { cyc_a = {}; cyc_b = {}; };\nenvironments = { dev = {}; };\n", "dev"), -1);
    assert_diag_has(&dl, "plugin requirements form a cycle: cyc_a -> cyc_b -> cyc_a");
}

static void test_plugin_not_found(void **state)
{
    (void)state;
    assert_int_equal(open_text(HEAD "plugins = { nope = {}; };\nenvironments = { dev = {}; };\n", "dev"), -1);
    assert_diag_has(&dl, "plugins.nope: plugin 'nope' not found: no nope.so in " FIXTURE_GOOD);
}

static void test_env_lists_unknown_and_conflicting(void **state)
{
    (void)state;
    assert_int_equal(open_text(HEAD "plugins = { alpha = {}; beta = {}; };\n"
                               "environments = { dev = { disable = [\"alhpa\"]; enable = [\"beta\"];\n"
                               "  plugins = { gamma = {}; }; }; prod = { enable = [\"beta\"]; disable = [\"beta\"]; }; };\n",
                               "dev"), -1);
    assert_diag_has(&dl, "environments.dev.disable[0]: 'alhpa' is not a plugin of this stack's plugins group (did you mean 'alpha'?)");
    assert_diag_has(&dl, "environments.dev.plugins.gamma: plugin 'gamma' is not in the top-level plugins group");
    diag_clear(&dl);
    assert_int_equal(open_text(HEAD "plugins = { alpha = {}; beta = {}; };\n"
                               "environments = { prod = { enable = [\"beta\"]; disable = [\"beta\"]; }; };\n", "prod"), -1);
    assert_diag_has(&dl, "'beta' is both enabled and disabled in this environment");
}

static void test_syntax_error_has_line(void **state)
{
    (void)state;
    assert_int_equal(open_text(HEAD "plugins = {\n  alpha = { delay_ms = ; };\n};\n", "dev"), -1);
    assert_diag_has(&dl, "stack.cfg:3: syntax error");
}

static void test_reserved_tags_and_bad_stack_name(void **state)
{
    (void)state;
    assert_int_equal(open_text("stack = { name = \"Shop_1\"; tags = { Project = \"x\"; Owner = 7; }; };\n"
                               "plugins = { alpha = {}; };\nenvironments = { dev = {}; };\n", "dev"), -1);
    assert_diag_has(&dl, "stack.name: 'Shop_1': names use only lower-case letters");
    assert_diag_has(&dl, "stack.tags.Project: tag 'Project' is set by stackhost itself");
    assert_diag_has(&dl, "stack.tags.Owner: expected a string tag value, found an integer");
}

static void test_missing_file(void **state)
{
    (void)state;
    struct stack_options opt = {"/nonexistent/stack.cfg", "dev", FIXTURE_GOOD, NULL, NULL, 0};
    assert_int_equal(stack_open(&st, &opt, &dl), -1);
    assert_diag_has(&dl, "/nonexistent/stack.cfg: cannot read the configuration: No such file or directory");
}

static void test_every_problem_is_reported(void **state)
{
    (void)state;
    assert_int_equal(open_text(HEAD "plugins = { alpha = { delay_ms = -1; mode = 3; }; gamma = { fail = \"yes\"; }; };\n"
                               "environments = { dev = {}; };\n", "dev"), -1);
    assert_int_equal(dl.n, 3);
}

static void test_include_errors_name_the_included_file(void **state)
{
    (void)state;
    const char *inc = test_write_file("plugins.cfg", "plugins = {\n  alpha = { delay_mss = 1; };\n};\n");
    assert_int_equal(open_text(HEAD "@include \"plugins.cfg\"\nenvironments = { dev = {}; };\n", "dev"), -1);
    char want[600];
    snprintf(want, sizeof(want), "%s:2: plugins.alpha.delay_mss: unknown key", inc);
    assert_diag_has(&dl, want);
}

static void test_catalog_example_is_valid(void **state)
{
    (void)state;
    const char *envs[] = {"dev", "prod"};
    for (size_t i = 0; i < 2; i++) {
        struct stack_options opt = {SOURCE_DIR "/examples/catalog.cfg", envs[i], PLUGIN_DIR, NULL, NULL, 0};
        assert_int_equal(stack_open(&st, &opt, &dl), 0);
        assert_int_equal(st.n, 7);
        const struct sh_value *nat = value_get(stack_find(&st, "network")->section->settings, "nat_per_az");
        assert_int_equal(nat->u.b, i == 1); /* dev: one NAT; prod: one per AZ */
        const struct sh_value *dp = value_get(stack_find(&st, "lb")->section->settings, "deletion_protection");
        assert_int_equal(dp->u.b, i == 1);
        stack_close(&st);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_merge_env_over_base, teardown),
        cmocka_unit_test_teardown(test_order_requirements_first, teardown),
        cmocka_unit_test_teardown(test_unknown_key_suggests, teardown),
        cmocka_unit_test_teardown(test_unknown_key_without_suggestion_lists_keys, teardown),
        cmocka_unit_test_teardown(test_wrong_type, teardown),
        cmocka_unit_test_teardown(test_out_of_range, teardown),
        cmocka_unit_test_teardown(test_not_allowed_suggests, teardown),
        cmocka_unit_test_teardown(test_format, teardown),
        cmocka_unit_test_teardown(test_override_error_names_env_path, teardown),
        cmocka_unit_test_teardown(test_missing_required, teardown),
        cmocka_unit_test_teardown(test_unknown_environment, teardown),
        cmocka_unit_test_teardown(test_requires_disabled, teardown),
        cmocka_unit_test_teardown(test_requires_disabled_by_enabled_false, teardown),
        cmocka_unit_test_teardown(test_enable_list_switches_on, teardown),
        cmocka_unit_test_teardown(test_requires_missing, teardown),
        cmocka_unit_test_teardown(test_cycle, teardown),
        cmocka_unit_test_teardown(test_plugin_not_found, teardown),
        cmocka_unit_test_teardown(test_env_lists_unknown_and_conflicting, teardown),
        cmocka_unit_test_teardown(test_syntax_error_has_line, teardown),
        cmocka_unit_test_teardown(test_reserved_tags_and_bad_stack_name, teardown),
        cmocka_unit_test_teardown(test_missing_file, teardown),
        cmocka_unit_test_teardown(test_every_problem_is_reported, teardown),
        cmocka_unit_test_teardown(test_include_errors_name_the_included_file, teardown),
        cmocka_unit_test_teardown(test_catalog_example_is_valid, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
