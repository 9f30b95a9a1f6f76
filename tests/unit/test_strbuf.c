#include "helpers.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

static void test_grow_and_detach(void **state)
{
    (void)state;
    struct strbuf sb = STRBUF_INIT;
    assert_string_equal(sb.buf, "");
    for (int i = 0; i < 1000; i++)
        strbuf_addf(&sb, "%d,", i);
    assert_int_equal(sb.len, strlen(sb.buf));
    assert_memory_equal(sb.buf, "0,1,2,", 6);
    char *s = strbuf_detach(&sb);
    assert_int_equal(sb.len, 0);
    assert_string_equal(sb.buf, "");
    free(s);
    char *empty = strbuf_detach(&sb); /* never the shared empty string */
    free(empty);
}

static void test_replace_all(void **state)
{
    (void)state;
    struct strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "key=AKIA key=AKIA end");
    strbuf_replace_all(&sb, "AKIA", "***");
    assert_string_equal(sb.buf, "key=*** key=*** end");
    strbuf_replace_all(&sb, "absent", "x");
    assert_string_equal(sb.buf, "key=*** key=*** end");
    strbuf_reset(&sb);
    assert_string_equal(sb.buf, "");
    strbuf_release(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grow_and_detach),
        cmocka_unit_test(test_replace_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
