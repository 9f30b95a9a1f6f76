/* The key-table checker on its own: list items, group lists, formats,
 * defaults, and the checks on a plugin's table. */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

#include "validate.h"
#include "value.h"

static const sh_config_key fields[] = {
    {.name = "name", .type = SH_CONFIG_STRING, .required = 1, .format = SH_FORMAT_NAME, .help = "n"},
    {.name = "size", .type = SH_CONFIG_INT, .default_value = "32", .min = 32, .max = 64, .help = "s"},
    SH_CONFIG_END};

static const sh_config_key table[] = {
    {.name = "cidr", .type = SH_CONFIG_STRING, .default_value = "\"10.0.0.0/16\"", .format = SH_FORMAT_CIDR},
    {.name = "ports", .type = SH_CONFIG_INT_LIST, .default_value = "[5432]", .min = 1, .max = 65535},
    {.name = "mails", .type = SH_CONFIG_STRING_LIST, .format = SH_FORMAT_EMAIL},
    {.name = "items", .type = SH_CONFIG_GROUP_LIST, .fields = fields},
    {.name = "arn", .type = SH_CONFIG_STRING, .format = SH_FORMAT_ARN},
    {.name = "path", .type = SH_CONFIG_STRING, .format = SH_FORMAT_PATH},
    SH_CONFIG_END};

/* Parses a group from libconfig text, checks it, returns the count. */
static size_t check(const char *text, struct diag_list *dl, struct sh_value **out)
{
    const char *why = NULL;
    struct sh_value *root = value_new(VALUE_GROUP, NULL);
    struct sh_value *g = value_parse(text, "section", &why);
    assert_non_null(g);
    value_add(root, g);
    size_t n = validate_group(table, g, NULL, dl);
    if (out)
        *out = root;
    else
        value_free(root);
    return n;
}

static void test_defaults_filled(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    struct sh_value *root;
    assert_int_equal(check("{ items = ( { name = \"a\"; } ); }", &dl, &root), 0);
    struct sh_value *g = value_get(root, "section");
    assert_string_equal(value_get(g, "cidr")->u.s, "10.0.0.0/16");
    struct sh_value *ports = value_get(g, "ports");
    assert_int_equal(ports->n, 1);
    assert_int_equal(ports->kids[0]->u.i, 5432);
    assert_int_equal(value_get(value_get(g, "items")->kids[0], "size")->u.i, 32);
    assert_null(value_get(g, "mails"));
    value_free(root);
}

static void test_list_items(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    check("{ ports = [80, 70000]; mails = [\"ops@example.com\", \"nobody\"]; }", &dl, NULL);
    assert_diag_has(&dl, "section.ports[1]: 70000 is out of range: use 1 to 65535");
    assert_diag_has(&dl, "section.mails[1]: 'nobody': not an e-mail address");
    assert_int_equal(dl.n, 2);
    diag_clear(&dl);
    check("{ ports = 80; mails = (1, \"a@b.c\"); }", &dl, NULL);
    assert_diag_has(&dl, "section.ports: expected a list of integers, found an integer (80)");
    assert_diag_has(&dl, "section.mails[0]: expected a string in this list of strings, found an integer");
    diag_clear(&dl);
}

static void test_group_list(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    check("{ items = ( { size = 33; }, { name = \"Bad\"; size = 99; nme = 1; }, 5 ); }", &dl, NULL);
    assert_diag_has(&dl, "section.items[0]: missing required key 'name'");
    assert_diag_has(&dl, "section.items[1].name: 'Bad': names use only lower-case letters");
    assert_diag_has(&dl, "section.items[1].size: 99 is out of range: use 32 to 64");
    assert_diag_has(&dl, "section.items[1].nme: unknown key, did you mean 'name'?");
    assert_diag_has(&dl, "section.items[2]: expected a group in this list of groups, found an integer");
    diag_clear(&dl);
}

static void test_formats(void **state)
{
    (void)state;
    const char *why;
    assert_int_equal(validate_format(SH_FORMAT_CIDR, "10.0.0.0/16", &why), 0);
    assert_int_equal(validate_format(SH_FORMAT_CIDR, "0.0.0.0/0", &why), 0);
    assert_int_equal(validate_format(SH_FORMAT_CIDR, "10.0.0.1/16", &why), -1);
    assert_non_null(strstr(why, "host bits"));
    assert_int_equal(validate_format(SH_FORMAT_CIDR, "10.0.0.0/33", &why), -1);
    assert_int_equal(validate_format(SH_FORMAT_CIDR, "300.0.0.0/8", &why), -1);
    assert_int_equal(validate_format(SH_FORMAT_CIDR, "10.0.0.0", &why), -1);
    assert_int_equal(validate_format(SH_FORMAT_CIDR, "10.0.0.0/16x", &why), -1);
    assert_int_equal(validate_format(SH_FORMAT_EMAIL, "a.b@example.co.uk", &why), 0);
    assert_int_equal(validate_format(SH_FORMAT_EMAIL, "a@b", &why), -1);
    assert_int_equal(validate_format(SH_FORMAT_EMAIL, "@b.com", &why), -1);
    assert_int_equal(validate_format(SH_FORMAT_ENV_NAME, "CATALOG_DB_URL", &why), 0);
    assert_int_equal(validate_format(SH_FORMAT_ENV_NAME, "9X", &why), -1);
    /* the deployer's own credentials never become a stack's secret */
    assert_int_equal(validate_format(SH_FORMAT_ENV_NAME, "AWS_SECRET_ACCESS_KEY", &why), -1);
    assert_non_null(strstr(why, "holds the deployer's credentials"));
    assert_int_equal(validate_format(SH_FORMAT_ENV_NAME, "aws_session_token", &why), -1);
    assert_int_equal(validate_format(SH_FORMAT_ENV_NAME, "GITHUB_TOKEN", &why), -1);
    assert_int_equal(validate_format(SH_FORMAT_ENV_NAME, "ACTIONS_ID_TOKEN_REQUEST_TOKEN", &why), -1);
    assert_int_equal(validate_format(SH_FORMAT_ENV_NAME, "MY_AWS_THING", &why), 0);
    assert_int_equal(validate_format(SH_FORMAT_NAME, "catalog-api", &why), 0);
    assert_int_equal(validate_format(SH_FORMAT_NAME, "-x", &why), -1);
    assert_int_equal(validate_format(SH_FORMAT_NAME, "a_b", &why), -1);
    assert_int_equal(validate_format(SH_FORMAT_ARN, "arn:aws:acm:us-east-1:123456789012:certificate/abc", &why), 0);
    assert_int_equal(validate_format(SH_FORMAT_ARN, "arn:aws:acm", &why), -1);
    assert_int_equal(validate_format(SH_FORMAT_PATH, "/health", &why), 0);
    assert_int_equal(validate_format(SH_FORMAT_PATH, "health", &why), -1);
}

static void test_table_checks(void **state)
{
    (void)state;
    struct strbuf why = STRBUF_INIT;
    assert_int_equal(validate_table(table, &why), 0);
    const sh_config_key bad_default[] = {{.name = "n", .type = SH_CONFIG_INT, .default_value = "\"x\""}, SH_CONFIG_END};
    assert_int_equal(validate_table(bad_default, &why), -1);
    assert_non_null(strstr(why.buf, "configuration key 'n' has an invalid default"));
    strbuf_reset(&why);
    const sh_config_key out_of_range[] = {{.name = "n", .type = SH_CONFIG_INT, .default_value = "9", .min = 1, .max = 5}, SH_CONFIG_END};
    assert_int_equal(validate_table(out_of_range, &why), -1);
    strbuf_reset(&why);
    const sh_config_key twice[] = {{.name = "n", .type = SH_CONFIG_INT}, {.name = "n", .type = SH_CONFIG_BOOL}, SH_CONFIG_END};
    assert_int_equal(validate_table(twice, &why), -1);
    assert_non_null(strstr(why.buf, "declared twice"));
    strbuf_reset(&why);
    const sh_config_key reserved[] = {{.name = "enabled", .type = SH_CONFIG_BOOL}, SH_CONFIG_END};
    assert_int_equal(validate_table(reserved, &why), -1);
    strbuf_reset(&why);
    const sh_config_key no_fields[] = {{.name = "g", .type = SH_CONFIG_GROUP_LIST}, SH_CONFIG_END};
    assert_int_equal(validate_table(no_fields, &why), -1);
    strbuf_reset(&why);
    const sh_config_key unparsable[] = {{.name = "s", .type = SH_CONFIG_STRING, .default_value = "no quotes"}, SH_CONFIG_END};
    assert_int_equal(validate_table(unparsable, &why), -1);
    assert_non_null(strstr(why.buf, "does not parse"));
    strbuf_release(&why);
}

static void test_suggest(void **state)
{
    (void)state;
    const char *keys[] = {"cidr", "az_count", "nat_per_az", "egress_ports", "database_cidr"};
    assert_string_equal(suggest_closest("cidrr", keys, 5), "cidr");
    assert_string_equal(suggest_closest("cdir", keys, 5), "cidr"); /* transposition */
    assert_string_equal(suggest_closest("nat_per_zone", keys, 5), "nat_per_az");
    assert_string_equal(suggest_closest("egres_port", keys, 5), "egress_ports");
    assert_null(suggest_closest("region", keys, 5));
    assert_null(suggest_closest("x", keys, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_filled), cmocka_unit_test(test_list_items),
        cmocka_unit_test(test_group_list),      cmocka_unit_test(test_formats),
        cmocka_unit_test(test_table_checks),    cmocka_unit_test(test_suggest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
