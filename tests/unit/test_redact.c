/* Redaction: no registered secret leaves through a log line or an error. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static FILE *sink;
static char *captured(void)
{
    fflush(sink);
    long n = ftell(sink);
    char *buf = calloc(1, (size_t)n + 1);
    rewind(sink);
    assert_int_equal(fread(buf, 1, (size_t)n, sink), (size_t)n);
    return buf;
}

static int setup(void **state)
{
    (void)state;
    sink = tmpfile();
    log_set_stream(sink);
    log_set_level(SH_LOG_TRACE);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    log_set_stream(NULL);
    fclose(sink);
    redact_clear();
    return 0;
}

static void test_log_lines_are_redacted(void **state)
{
    (void)state;
    redact_add("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    redact_add("");
    log_msg(SH_LOG_TRACE, "network", "signing with %s now", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    log_msg(SH_LOG_ERROR, NULL, "twice: %s %s", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    char *out = captured();
    assert_null(strstr(out, "EXAMPLEKEY"));
    assert_non_null(strstr(out, "trace: network: signing with *** now\n"));
    assert_non_null(strstr(out, "error: twice: *** ***\n"));
    free(out);
}

static void test_longest_secret_first(void **state)
{
    (void)state;
    redact_add("abcdefgh");
    redact_add("abcdefgh-long");
    redact_add("t"); /* too short to be a secret: never matched inside words */
    log_msg(SH_LOG_INFO, NULL, "[%s] [%s] the test", "abcdefgh-long", "abcdefgh");
    char *out = captured();
    assert_string_equal(out, "[***] [***] the test\n");
    free(out);
}

static void test_errors_are_redacted_when_made(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    redact_add("s3cr3t-value");
    diag_add(&dl, "f.cfg", 3, "plugins.secrets", "value %s was refused", "s3cr3t-value");
    assert_string_equal(dl.items[0].msg, "value *** was refused");
    diag_log(&dl);
    char *out = captured();
    assert_null(strstr(out, "s3cr3t"));
    free(out);
    diag_clear(&dl);
}

/* What an endpoint echoes is the secret as it was sent: JSON-escaped in a
 * JSON body, percent-encoded in a query one. */
static void test_escaped_and_encoded_forms_are_redacted(void **state)
{
    (void)state;
    redact_add("p/w\"d+%&=x y");
    const char *forms[] = {"p/w\\\"d+%&=x y", "p\\/w\\\"d+%&=x y", "p%2Fw%22d%2B%25%26%3Dx%20y",
                           "p%2fw%22d%2b%25%26%3dx%20y", "p%2Fw%22d%2B%25%26%3Dx+y"};
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        struct strbuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "you sent: {\"Value\":\"%s\"}", forms[i]);
        assert_true(redact_found(sb.buf, sb.len));
        redact_apply(&sb);
        assert_null(strstr(sb.buf, forms[i]));
        assert_non_null(strstr(sb.buf, "***"));
        strbuf_release(&sb);
    }
    assert_false(redact_found("nothing secret here", 19));
}

static void test_levels(void **state)
{
    (void)state;
    log_set_level(SH_LOG_ERROR);
    log_msg(SH_LOG_INFO, NULL, "hidden");
    log_msg(SH_LOG_WARN, "x", "hidden too");
    log_msg(SH_LOG_ERROR, "x", "shown");
    char *out = captured();
    assert_string_equal(out, "error: x: shown\n");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_log_lines_are_redacted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_longest_secret_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors_are_redacted_when_made, setup, teardown),
        cmocka_unit_test_setup_teardown(test_levels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escaped_and_encoded_forms_are_redacted, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
