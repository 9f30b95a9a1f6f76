/* The loader against fixture plugins, each refused for its own reason,
 * with the file named and nothing of it left loaded. */
#define _GNU_SOURCE
#include "helpers.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"
#include "xalloc.h"

static struct plugin_list list;
static struct diag_list dl;

static int teardown(void **state)
{
    (void)state;
    plugin_list_close(&list);
    diag_clear(&dl);
    test_cleanup_files();
    return 0;
}

/* Opening path is refused with `reason`, naming the file, and the object
 * is not left loaded. */
static void assert_refused(const char *path, const char *reason)
{
    assert_int_equal(plugin_open(path, NULL, &list, NULL, &dl), -1);
    assert_int_equal(dl.n, 1);
    assert_diag_has(&dl, path);
    assert_diag_has(&dl, "plugin refused: ");
    assert_diag_has(&dl, reason);
    void *still = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    if (still)
        dlclose(still);
    assert_null(still);
    diag_clear(&dl);
}

static void test_good_plugin(void **state)
{
    (void)state;
    struct plugin *p = NULL;
    assert_int_equal(plugin_open(FIXTURE_GOOD "/beta.so", "beta", &list, &p, &dl), 0);
    assert_string_equal(p->desc->name, "beta");
    assert_string_equal(p->desc->requires[0], "alpha");
    assert_ptr_equal(plugin_list_find(&list, "beta"), p);
}

/* A plugin built with the previous minor (ABI 1.0) loads in this host. */
static void test_previous_minor_loads(void **state)
{
    (void)state;
    struct plugin *p = NULL;
    assert_int_equal(plugin_open(FIXTURE_COMPAT "/compat_1_0.so", "compat_1_0", &list, &p, &dl), 0);
    assert_int_equal(p->desc->abi_major, STACKHOST_ABI_MAJOR);
    assert_int_equal(p->desc->abi_minor, 0);
    assert_true(STACKHOST_ABI_MINOR >= 1);
    assert_string_equal(p->desc->requires[0], "alpha");
}

static void test_wrong_abi_major(void **state)
{
    (void)state;
    assert_refused(FIXTURE_BAD "/old_abi.so", "built for plugin abi 0.7, this host speaks 1.7; rebuild it");
}

static void test_newer_minor(void **state)
{
    (void)state;
    assert_refused(FIXTURE_BAD "/new_minor.so", "built for plugin abi 1.99, newer than this host's 1.7; upgrade stackhost");
    /* a typed configuration's binding that would write the wrong bytes */
    assert_refused(FIXTURE_BAD "/bad_bind_key.so",
                   "its config_bind names the key 'nope', which its key table does not declare");
    assert_refused(FIXTURE_BAD "/bad_bind_size.so",
                   "its config_bind puts the key 'delay_ms' (integer) in a field of 4 bytes; that type needs 8");
    assert_refused(FIXTURE_BAD "/bad_owns.so",
                   "it owns 'gamma.delay_ms', which is not 'plugin.key' of a plugin it requires");
}

static void test_missing_descriptor_symbol(void **state)
{
    (void)state;
    assert_refused(FIXTURE_BAD "/no_symbol.so", "does not export the symbol 'stackhost_plugin'");
}

static void test_unresolved_symbol(void **state)
{
    (void)state;
    assert_refused(FIXTURE_BAD "/unresolved.so", "cannot load it: ");
    assert_int_equal(plugin_open(FIXTURE_BAD "/unresolved.so", NULL, &list, NULL, &dl), -1);
    assert_diag_has(&dl, "stackhost_fixture_no_such_function");
}

static void test_descriptor_too_small(void **state)
{
    (void)state;
    assert_refused(FIXTURE_BAD "/small_desc.so", "its descriptor claims 24 bytes (the symbol has 24); abi 1.0 needs");
}

static void test_duplicate_name(void **state)
{
    (void)state;
    assert_int_equal(plugin_open(FIXTURE_GOOD "/alpha.so", NULL, &list, NULL, &dl), 0);
    assert_refused(FIXTURE_BAD "/alpha_copy.so", "duplicate plugin name 'alpha': already loaded from " FIXTURE_GOOD "/alpha.so");
}

static void test_requires_itself(void **state)
{
    (void)state;
    assert_refused(FIXTURE_BAD "/self_required.so", "plugin 'self_required' requires 'self_required', which is itself");
}

static void test_resource_after_unknown(void **state)
{
    (void)state;
    assert_refused(FIXTURE_BAD "/bad_resources.so",
                   "plugin 'bad_resources': resource 'thing' comes after 'nowhere', which is not one of its resources");
}

static void test_bad_default(void **state)
{
    (void)state;
    assert_refused(FIXTURE_BAD "/bad_default.so", "configuration key 'count' has an invalid default \"three\"");
}

static void test_name_must_match_file(void **state)
{
    (void)state;
    assert_int_equal(plugin_open(FIXTURE_GOOD "/alpha.so", "gamma", &list, NULL, &dl), -1);
    assert_diag_has(&dl, "it declares the name 'alpha', but was looked up as 'gamma'");
}

static void test_not_a_shared_object(void **state)
{
    (void)state;
    assert_refused(test_write_file("junk.so", "not elf"), "cannot load it");
}

static void test_scan_reports_every_refusal(void **state)
{
    (void)state;
    struct search_path sp = {0};
    search_path_add(&sp, FIXTURE_GOOD ":" FIXTURE_BAD);
    assert_int_equal(plugin_scan(&sp, &list, &dl), 12);
    assert_int_equal(list.n, 7); /* alpha beta cyc_a cyc_b delta gamma needs_ghost */
    const char *bad[] = {"alpha_copy", "bad_bind_key", "bad_bind_size", "bad_default", "bad_owns", "bad_resources",
                         "new_minor", "no_symbol", "old_abi", "self_required", "small_desc", "unresolved"};
    for (size_t i = 0; i < 12; i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s.so:", FIXTURE_BAD, bad[i]);
        assert_diag_has(&dl, path);
    }
    search_path_free(&sp);
}

static void test_search_path_first_match_wins(void **state)
{
    (void)state;
    struct search_path sp;
    search_path_build(&sp, "/nonexistent:" FIXTURE_BAD, FIXTURE_GOOD, "/from-config");
    assert_string_equal(sp.dirs[0], "/nonexistent");
    assert_string_equal(sp.dirs[1], FIXTURE_BAD);
    assert_string_equal(sp.dirs[2], FIXTURE_GOOD);
    assert_string_equal(sp.dirs[3], "/from-config");
    /* then the executable's plugins directory, the installed one relative
     * to the executable (a moved prefix) and the compiled-in one */
    assert_int_equal(sp.n, 7);
    size_t rel = strlen(STACKHOST_PLUGIN_RELDIR), len5 = strlen(sp.dirs[5]);
    assert_true(len5 > rel && sp.dirs[5][0] == '/' && sp.dirs[5][len5 - rel - 1] == '/');
    assert_string_equal(sp.dirs[5] + len5 - rel, STACKHOST_PLUGIN_RELDIR);
    assert_string_equal(sp.dirs[6], STACKHOST_PLUGIN_DIR);
    struct strbuf why = STRBUF_INIT;
    char *found = search_path_find(&sp, "alpha", &why);
    assert_string_equal(found, FIXTURE_GOOD "/alpha.so");
    free(found);
    found = search_path_find(&sp, "old_abi", &why);
    assert_string_equal(found, FIXTURE_BAD "/old_abi.so");
    free(found);
    assert_null(search_path_find(&sp, "ghost", &why));
    assert_int_equal(why.len, 0);
    search_path_free(&sp);
}

/* A directory the user named must be one, each entry of a list too,
 * and the error says where it came from; the built-in and installed
 * directories may be absent (a build tree has no installed one). */
static void test_named_directories_must_exist(void **state)
{
    (void)state;
    struct search_path sp;
    search_path_build(&sp, FIXTURE_GOOD ":/nonexistent", "/nonexistent-env:" FIXTURE_GOOD "/alpha.so",
                      "/from-config");
    assert_int_equal(search_path_check(&sp, NULL, &dl), 4);
    assert_diag_has(&dl, "plugin directory '/nonexistent' (from --plugin-path) does not exist");
    assert_diag_has(&dl, "plugin directory '/nonexistent-env' (from STACKHOST_PLUGIN_PATH) does not exist");
    assert_diag_has(&dl, "'" FIXTURE_GOOD "/alpha.so' (from STACKHOST_PLUGIN_PATH) is not a directory");
    assert_diag_has(&dl, "plugin directory '/from-config' (from the configuration's plugin_path) does not exist");
    search_path_free(&sp);
    diag_clear(&dl);
    search_path_build(&sp, FIXTURE_GOOD, FIXTURE_BAD, FIXTURE_GOOD);
    assert_int_equal(search_path_check(&sp, NULL, &dl), 0);
    assert_string_equal(sp.dirs[sp.n - 1], STACKHOST_PLUGIN_DIR); /* not checked: it may not exist */
    search_path_free(&sp);
}

/* The config's plugin_path cannot replace what the directories after it
 * (built-in, installed) hold; the operator's --plugin-path can. */
static void test_config_plugin_path_never_shadows(void **state)
{
    (void)state;
    struct search_path sp;
    search_path_build(&sp, NULL, NULL, FIXTURE_GOOD);
    search_path_add(&sp, FIXTURE_BAD); /* after the config's: as a built-in directory is */
    struct strbuf why = STRBUF_INIT;
    char *found = search_path_find(&sp, "alpha", &why);
    assert_string_equal(found, FIXTURE_GOOD "/alpha.so"); /* no alpha.so among the built-ins */
    free(found);
    assert_int_equal(why.len, 0);
    search_path_free(&sp);
    /* alpha.so in the config's directory and in a built-in one: refused, both named */
    const char *copy = test_write_file("alpha.so", "");
    char dir[512];
    snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(copy, '/') - copy), copy);
    search_path_build(&sp, NULL, NULL, dir);
    search_path_add(&sp, FIXTURE_GOOD);
    assert_null(search_path_find(&sp, "alpha", &why));
    assert_non_null(strstr(why.buf, "found through the configuration's plugin_path, would replace the built-in or "
                                     "installed plugin " FIXTURE_GOOD "/alpha.so"));
    /* a scan refuses it too, and lists the built-in one */
    plugin_scan(&sp, &list, &dl);
    assert_diag_has(&dl, "would replace the built-in or installed plugin " FIXTURE_GOOD "/alpha.so");
    assert_non_null(plugin_list_find(&list, "alpha"));
    assert_string_equal(plugin_list_find(&list, "alpha")->path, FIXTURE_GOOD "/alpha.so");
    plugin_list_close(&list);
    diag_clear(&dl);
    search_path_free(&sp);
    /* named by the operator, it loads first */
    search_path_build(&sp, dir, NULL, NULL);
    search_path_add(&sp, FIXTURE_GOOD);
    strbuf_reset(&why);
    found = search_path_find(&sp, "alpha", &why);
    assert_string_equal(found, copy);
    free(found);
    search_path_free(&sp);
    strbuf_release(&why);
}

static void test_writable_plugin_refused_before_loading(void **state)
{
    (void)state;
    const char *file = test_write_file("x.so", "not even an ELF file");
    struct strbuf why = STRBUF_INIT;
    assert_int_equal(plugin_file_safe(file, &why), 0);
    chmod(file, 0666);
    assert_int_equal(plugin_file_safe(file, &why), -1);
    assert_non_null(strstr(why.buf, "can be written by others (mode 666"));
    chmod(file, 0644);
    char dir[512];
    snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(file, '/') - file), file);
    chmod(dir, 0777);
    strbuf_reset(&why);
    assert_int_equal(plugin_file_safe(file, &why), -1);
    assert_non_null(strstr(why.buf, "its directory"));
    /* plugin_open says so, and dlopen never sees the file */
    assert_int_equal(plugin_open(file, "x", &list, NULL, &dl), -1);
    assert_diag_has(&dl, "plugin refused before loading");
    chmod(dir, 0700);
    strbuf_release(&why);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_good_plugin, teardown),
        cmocka_unit_test_teardown(test_wrong_abi_major, teardown),
        cmocka_unit_test_teardown(test_newer_minor, teardown),
        cmocka_unit_test_teardown(test_missing_descriptor_symbol, teardown),
        cmocka_unit_test_teardown(test_unresolved_symbol, teardown),
        cmocka_unit_test_teardown(test_descriptor_too_small, teardown),
        cmocka_unit_test_teardown(test_duplicate_name, teardown),
        cmocka_unit_test_teardown(test_requires_itself, teardown),
        cmocka_unit_test_teardown(test_resource_after_unknown, teardown),
        cmocka_unit_test_teardown(test_bad_default, teardown),
        cmocka_unit_test_teardown(test_name_must_match_file, teardown),
        cmocka_unit_test_teardown(test_not_a_shared_object, teardown),
        cmocka_unit_test_teardown(test_scan_reports_every_refusal, teardown),
        cmocka_unit_test_teardown(test_search_path_first_match_wins, teardown),
        cmocka_unit_test_teardown(test_named_directories_must_exist, teardown),
        cmocka_unit_test_teardown(test_config_plugin_path_never_shadows, teardown),
        cmocka_unit_test_teardown(test_writable_plugin_refused_before_loading, teardown),
        cmocka_unit_test_teardown(test_previous_minor_loads, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
