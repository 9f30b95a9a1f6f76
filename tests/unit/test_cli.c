#include "helpers.h"

#include <string.h>

#include "cli.h"

static int parse(struct cli *cli, struct strbuf *err, int argc, const char **argv)
{
    strbuf_reset(err);
    return cli_parse(argc, (char **)argv, cli, err);
}

static void test_options_before_and_after(void **state)
{
    (void)state;
    struct cli cli;
    struct strbuf err = STRBUF_INIT;
    const char *a[] = {"stackhost", "outputs", "--json", "-c", "x.cfg", "--env=prod"};
    assert_int_equal(parse(&cli, &err, 6, a), 0);
    assert_int_equal(cli.command, CMD_OUTPUTS);
    assert_true(cli.json);
    assert_string_equal(cli.config, "x.cfg");
    assert_string_equal(cli.env, "prod");
    const char *b[] = {"stackhost", "--json", "-cx.cfg", "-eprod", "outputs"};
    assert_int_equal(parse(&cli, &err, 5, b), 0);
    assert_int_equal(cli.command, CMD_OUTPUTS);
    assert_string_equal(cli.config, "x.cfg");
    assert_string_equal(cli.env, "prod");
    strbuf_release(&err);
}

static void test_defaults_and_flags(void **state)
{
    (void)state;
    struct cli cli;
    struct strbuf err = STRBUF_INIT;
    const char *a[] = {"stackhost", "plan"};
    assert_int_equal(parse(&cli, &err, 2, a), 0);
    assert_string_equal(cli_config_file(&cli), "stackhost.cfg");
    assert_int_equal(cli.jobs, 0); /* every plugin at once */
    assert_int_equal(cli.verbosity, 0);
    const char *b[] = {"stackhost", "-vv", "deploy", "--plugin-path", "/p", "-j", "2"};
    assert_int_equal(parse(&cli, &err, 7, b), 0);
    assert_int_equal(cli.verbosity, 2);
    assert_string_equal(cli.plugin_path, "/p");
    assert_int_equal(cli.jobs, 2);
    const char *c[] = {"stackhost", "-q", "destroy"};
    assert_int_equal(parse(&cli, &err, 3, c), 0);
    assert_int_equal(cli.verbosity, -1);
    const char *d[] = {"stackhost", "--help"};
    assert_int_equal(parse(&cli, &err, 2, d), 0);
    assert_true(cli.help);
    const char *e[] = {"stackhost", "-V"};
    assert_int_equal(parse(&cli, &err, 2, e), 0);
    assert_true(cli.version);
    const char *f[] = {"stackhost", "plugins", "network", "--json"};
    assert_int_equal(parse(&cli, &err, 4, f), 0);
    assert_int_equal(cli.command, CMD_PLUGINS);
    assert_string_equal(cli.arg, "network");
    const char *g[] = {"stackhost", "-e", "dev", "--", "validate"};
    assert_int_equal(parse(&cli, &err, 5, g), 0);
    assert_int_equal(cli.command, CMD_VALIDATE);
    assert_int_equal(cli.requests, 64);
    const char *h[] = {"stackhost", "deploy", "--requests", "3", "--trace=run.json"};
    assert_int_equal(parse(&cli, &err, 5, h), 0);
    assert_int_equal(cli.requests, 3);
    assert_string_equal(cli.trace, "run.json");
    assert_int_equal(cli.wait_seconds, 900); /* deploy waits by default */
    const char *nw[] = {"stackhost", "deploy", "--no-wait"};
    assert_int_equal(parse(&cli, &err, 3, nw), 0);
    assert_int_equal(cli.wait_seconds, 0);
    const char *both[] = {"stackhost", "deploy", "--no-wait", "--wait=5"};
    assert_int_equal(parse(&cli, &err, 4, both), EXIT_USAGE);
    assert_string_equal(err.buf, "--wait and --no-wait together: choose one");
    strbuf_reset(&err);
    const char *pd[] = {"stackhost", "plan", "--destroy"};
    assert_int_equal(parse(&cli, &err, 3, pd), 0);
    assert_int_equal(cli.destroy, 1);
    const char *dd[] = {"stackhost", "deploy", "--destroy"};
    assert_int_equal(parse(&cli, &err, 3, dd), EXIT_USAGE);
    assert_string_equal(err.buf, "--destroy is not an option of deploy (it is one of plan); see stackhost help deploy");
    strbuf_reset(&err);
    const char *r[] = {"stackhost", "deploy", "--restart"};
    assert_int_equal(parse(&cli, &err, 3, r), 0);
    assert_int_equal(cli.restart, 1);
    const char *w[] = {"stackhost", "deploy", "--wait"};
    assert_int_equal(parse(&cli, &err, 3, w), 0);
    assert_int_equal(cli.wait_seconds, 900);
    const char *w2[] = {"stackhost", "deploy", "--wait=120"};
    assert_int_equal(parse(&cli, &err, 3, w2), 0);
    assert_int_equal(cli.wait_seconds, 120);
    const char *w4[] = {"stackhost", "deploy", "--wait", "60", "-e", "dev"};
    assert_int_equal(parse(&cli, &err, 6, w4), 0);
    assert_int_equal(cli.wait_seconds, 60);
    assert_string_equal(cli.env, "dev");
    const char *vv[] = {"stackhost", "-vv", "-qv", "plan"}; /* bundled short flags still bundle */
    assert_int_equal(parse(&cli, &err, 4, vv), 0);
    const char *w3[] = {"stackhost", "deploy", "--wait=soon"};
    assert_int_equal(parse(&cli, &err, 3, w3), EXIT_USAGE);
    assert_string_equal(err.buf, "--wait needs a number from 1 to 86400, not 'soon'");
    strbuf_reset(&err);
    assert_int_equal(cli.lock_timeout, 300); /* another run's lease is waited for 5 minutes */
    const char *lt[] = {"stackhost", "deploy", "--lock-timeout=30"};
    assert_int_equal(parse(&cli, &err, 3, lt), 0);
    assert_int_equal(cli.lock_timeout, 30);
    const char *lt0[] = {"stackhost", "destroy", "--lock-timeout", "0"};
    assert_int_equal(parse(&cli, &err, 4, lt0), 0);
    assert_int_equal(cli.lock_timeout, 0);
    const char *ltx[] = {"stackhost", "deploy", "--lock-timeout=-1"};
    assert_int_equal(parse(&cli, &err, 3, ltx), EXIT_USAGE);
    assert_string_equal(err.buf, "--lock-timeout needs a number from 0 to 86400, not '-1'");
    strbuf_reset(&err);
    const char *u[] = {"stackhost", "-e", "dev", "unlock", "--auto-approve"};
    assert_int_equal(parse(&cli, &err, 5, u), 0);
    assert_int_equal(cli.command, CMD_UNLOCK);
    assert_true(cli.auto_approve);
    strbuf_release(&err);
}

static void test_usage_errors(void **state)
{
    (void)state;
    struct cli cli;
    struct strbuf err = STRBUF_INIT;
    const char *a[] = {"stackhost", "deplyo"};
    assert_int_equal(parse(&cli, &err, 2, a), EXIT_USAGE);
    assert_string_equal(err.buf, "unknown command 'deplyo', did you mean 'deploy'? (see stackhost --help)");
    const char *b[] = {"stackhost"};
    assert_int_equal(parse(&cli, &err, 1, b), EXIT_USAGE);
    assert_string_equal(err.buf, "no command given (see stackhost --help)");
    const char *c[] = {"stackhost", "plan", "-c"};
    assert_int_equal(parse(&cli, &err, 3, c), EXIT_USAGE);
    assert_string_equal(err.buf, "option -c needs a value");
    const char *d[] = {"stackhost", "plan", "--bogus"};
    assert_int_equal(parse(&cli, &err, 3, d), EXIT_USAGE);
    assert_string_equal(err.buf, "unknown option '--bogus' (see stackhost --help)");
    const char *e[] = {"stackhost", "plan", "extra"};
    assert_int_equal(parse(&cli, &err, 3, e), EXIT_USAGE);
    assert_string_equal(err.buf, "unexpected argument 'extra'");
    const char *f[] = {"stackhost", "plan", "--jobs=0"};
    assert_int_equal(parse(&cli, &err, 3, f), EXIT_USAGE);
    const char *g[] = {"stackhost", "plan", "--json=yes"};
    assert_int_equal(parse(&cli, &err, 3, g), EXIT_USAGE);
    assert_string_equal(err.buf, "option '--json=yes' takes no value");
    const char *h[] = {"stackhost", "plan", "-x"};
    assert_int_equal(parse(&cli, &err, 3, h), EXIT_USAGE);
    assert_string_equal(err.buf, "unknown option '-x' (see stackhost --help)");
    const char *i[] = {"stackhost", "plan", "--requests", "0"};
    assert_int_equal(parse(&cli, &err, 4, i), EXIT_USAGE);
    assert_string_equal(err.buf, "--requests needs a number from 1 to 256, not '0'");
    const char *j[] = {"stackhost", "plan", "--trace="};
    assert_int_equal(parse(&cli, &err, 3, j), EXIT_USAGE);
    assert_string_equal(err.buf, "option --trace needs a value");
    /* the habits of other tools: one dash, a typo */
    const char *k[] = {"stackhost", "deploy", "-auto-approve"};
    assert_int_equal(parse(&cli, &err, 3, k), EXIT_USAGE);
    assert_string_equal(err.buf, "unknown option '-auto-approve': long options take two dashes: '--auto-approve'");
    const char *l[] = {"stackhost", "plan", "-json"};
    assert_int_equal(parse(&cli, &err, 3, l), EXIT_USAGE);
    assert_string_equal(err.buf, "unknown option '-json': long options take two dashes: '--json'");
    const char *m[] = {"stackhost", "deploy", "--auto-aprove"};
    assert_int_equal(parse(&cli, &err, 3, m), EXIT_USAGE);
    assert_string_equal(err.buf, "unknown option '--auto-aprove', did you mean '--auto-approve'? (see stackhost --help)");
    strbuf_release(&err);
}

/* An option is refused by a command it does not apply to, not ignored. */
static void test_options_that_do_not_apply(void **state)
{
    (void)state;
    struct cli cli;
    struct strbuf err = STRBUF_INIT;
    const char *a[] = {"stackhost", "graph", "--json"};
    assert_int_equal(parse(&cli, &err, 3, a), EXIT_USAGE);
    assert_string_equal(err.buf, "--json is not an option of graph (it is one of validate, plan, deploy, outputs, "
                                 "plugins, cost); see stackhost help graph");
    const char *b[] = {"stackhost", "--trace", "t.json", "validate"};
    assert_int_equal(parse(&cli, &err, 4, b), EXIT_USAGE);
    assert_string_equal(err.buf, "--trace is not an option of validate (it is one of plan, deploy, destroy, outputs); "
                                 "see stackhost help validate");
    const char *c[] = {"stackhost", "plan", "--detailed-exitcode", "--destroy", "--allow-replace"};
    assert_int_equal(parse(&cli, &err, 5, c), 0);
    const char *d[] = {"stackhost", "deploy", "--detailed-exitcode"};
    assert_int_equal(parse(&cli, &err, 3, d), EXIT_USAGE);
    const char *e[] = {"stackhost", "plan", "--auto-approve"};
    assert_int_equal(parse(&cli, &err, 3, e), EXIT_USAGE);
    const char *f[] = {"stackhost", "-V", "plan"}; /* --version anywhere */
    assert_int_equal(parse(&cli, &err, 3, f), 0);
    /* -v, -q, --no-color go with every command */
    const char *g[] = {"stackhost", "-v", "--no-color", "plugins"};
    assert_int_equal(parse(&cli, &err, 4, g), 0);
    assert_true(cli.no_color);
    strbuf_release(&err);
}

/* help, help CMD, CMD --help; completion SHELL */
static void test_help_and_completion(void **state)
{
    (void)state;
    struct cli cli;
    struct strbuf err = STRBUF_INIT;
    const char *a[] = {"stackhost", "help", "deploy"};
    assert_int_equal(parse(&cli, &err, 3, a), 0);
    assert_int_equal(cli.command, CMD_HELP);
    assert_string_equal(cli.arg, "deploy");
    const char *b[] = {"stackhost", "-e", "dev", "deploy", "--auto-approve", "--help"};
    assert_int_equal(parse(&cli, &err, 6, b), 0);
    assert_int_equal(cli.command, CMD_HELP);
    assert_string_equal(cli.arg, "deploy");
    const char *c[] = {"stackhost", "help", "deplyo"};
    assert_int_equal(parse(&cli, &err, 3, c), EXIT_USAGE);
    assert_string_equal(err.buf, "unknown command 'deplyo', did you mean 'deploy'? (see stackhost --help)");
    const char *d[] = {"stackhost", "completion"};
    assert_int_equal(parse(&cli, &err, 2, d), EXIT_USAGE);
    struct strbuf out = STRBUF_INIT;
    assert_int_equal(cli_completion("fish", &out), -1);
    assert_int_equal(cli_completion("bash", &out), 0);
    /* every option of every command is in the script */
    for (size_t i = 0; i < cli_noptions; i++) {
        char word[64];
        snprintf(word, sizeof(word), "--%s ", cli_options[i].name);
        assert_non_null(strstr(out.buf, word));
    }
    strbuf_reset(&out);
    for (size_t k = 0; k < cli_ncommands; k++) {
        cli_command_usage(&cli_commands[k], &out);
        assert_non_null(strstr(out.buf, "examples:\n  stackhost"));
        strbuf_reset(&out);
    }
    strbuf_release(&out);
    strbuf_release(&err);
}

/* --set KEY=VALUE, repeatable, kept in order */
static void test_set(void **state)
{
    (void)state;
    struct cli cli;
    struct strbuf err = STRBUF_INIT;
    const char *a[] = {"stackhost", "plan", "--set", "compute.image_tag=2.0.0", "--set=scaling.max=4"};
    assert_int_equal(parse(&cli, &err, 5, a), 0);
    assert_int_equal(cli.nsets, 2);
    assert_string_equal(cli.sets[0], "compute.image_tag=2.0.0");
    assert_string_equal(cli.sets[1], "scaling.max=4");
    const char *b[] = {"stackhost", "plan", "--set", "compute.image_tag"};
    assert_int_equal(parse(&cli, &err, 4, b), EXIT_USAGE);
    assert_string_equal(err.buf, "--set needs KEY=VALUE (as --set compute.image_tag=1.4.2), not 'compute.image_tag'");
    const char *c[] = {"stackhost", "plugins", "--set", "a.b=1"};
    assert_int_equal(parse(&cli, &err, 4, c), EXIT_USAGE);
    strbuf_release(&err);
}

static void test_usage_documents_exit_statuses(void **state)
{
    (void)state;
    struct strbuf out = STRBUF_INIT;
    cli_usage(&out);
    assert_non_null(strstr(out.buf, "3  plan --detailed-exitcode found changes to make"));
    assert_non_null(strstr(out.buf, "2  bad usage or configuration"));
    strbuf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_before_and_after),
        cmocka_unit_test(test_defaults_and_flags),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_usage_documents_exit_statuses),
        cmocka_unit_test(test_options_that_do_not_apply),
        cmocka_unit_test(test_help_and_completion),
        cmocka_unit_test(test_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
