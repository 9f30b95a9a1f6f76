/* The host's wait: its schedule (a pure function of the time waited) and
 * the wait itself on a clock (seen soon after ready, a deadline kept,
 * progress logged without a line per poll). */
#include "helpers.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "context.h"
#include "log.h"

/* The polls until a condition that holds from ready_ms on is seen, as
 * host_wait makes them (polls that take no time); *seen_ms: when. */
static int polls_until(long ready_ms, long *seen_ms)
{
    long t = 0;
    int polls = 1;
    while (t < ready_ms) {
        t += wait_delay_ms(t);
        polls++;
    }
    *seen_ms = t;
    return polls;
}

static void test_delays_grow_and_are_bounded(void **state)
{
    (void)state;
    long before = wait_delay_ms(0);
    assert_int_equal(before, 500);
    for (long w = 1; w <= 1300000; w++) {
        long d = wait_delay_ms(w);
        if (d < before || d < 500 || d > 15000)
            fail_msg("after %ld ms: a delay of %ld ms (the one before: %ld ms)", w, d, before);
        before = d;
    }
    assert_int_equal(wait_delay_ms(60000), 6000);
    assert_int_equal(wait_delay_ms(24L * 3600 * 1000), 15000);
}

static void test_overshoot_is_a_small_share_of_the_wait(void **state)
{
    (void)state;
    for (long w = 1; w <= 1200; w++) {
        long seen;
        polls_until(w * 1000, &seen);
        long late = seen - w * 1000;
        if (late > w * 1000 / 10 + 500)
            fail_msg("ready after %ld s, seen %ld ms late: over 10%% of the wait + 0.5 s", w, late);
    }
}

/* The figures host_wait.c's comment gives. */
static void test_poll_counts(void **state)
{
    (void)state;
    long seen;
    assert_int_equal(polls_until(6000, &seen), 13);
    assert_int_equal(seen, 6050);
    assert_int_equal(polls_until(120000, &seen), 45);
    assert_int_equal(seen, 127663);
    assert_int_equal(polls_until(1200000, &seen), 117);
    assert_int_equal(seen, 1204471);
}

/* ---- host_wait on the clock ---- */

struct waiter {
    struct timespec start;
    double ready_after; /* seconds; < 0: never */
    int polls;
};

static int poll_clock(void *arg, char *progress, size_t len)
{
    struct waiter *w = arg;
    w->polls++;
    if (w->ready_after >= 0 && seconds_since(&w->start) >= w->ready_after)
        return 1;
    snprintf(progress, len, "not yet");
    return 0;
}

static struct section section = {.name = "waiter"};
static struct stack_item item = {.section = &section};
static struct run run;
static sh_ctx ctx;
static FILE *sink;

static int setup(void **state)
{
    (void)state;
    run_init(&run, NULL, SH_MODE_DEPLOY);
    ctx_init(&ctx, &run, NULL, &item, SH_MODE_DEPLOY);
    sink = tmpfile();
    log_set_stream(sink);
    log_set_level(SH_LOG_INFO);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    log_set_stream(NULL);
    fclose(sink);
    ctx_release(&ctx);
    run_free(&run);
    return 0;
}

static int count_lines(const char *needle)
{
    char line[512];
    int n = 0;
    fflush(sink);
    rewind(sink);
    while (fgets(line, sizeof(line), sink))
        n += strstr(line, needle) != NULL;
    return n;
}

/* Ready after 2.1 s: seen at 2.5 s (polls at 0, 0.5, ... 2.5), where 2, 4,
 * 8 s saw it at 6 s; one progress line, not one per poll. */
static void test_seen_soon_after_ready(void **state)
{
    (void)state;
    struct waiter w = {.ready_after = 2.1};
    clock_gettime(CLOCK_MONOTONIC, &w.start);
    assert_int_equal(host_wait(&ctx, "the thing", 60, poll_clock, &w), SH_OK);
    double took = seconds_since(&w.start);
    if (took > 2.1 + 0.42 + 0.5)
        fail_msg("ready after 2.1 s, seen after %.2f s", took);
    assert_in_range(w.polls, 5, 7);
    assert_int_equal(count_lines("waiter: waiting for the thing: not yet (0s)"), 1);
    assert_int_equal(count_lines("waiting for"), 1);
}

/* Never ready, 1 s allowed: the last poll on the deadline, not a delay
 * past it; the error names what and the last progress. */
static void test_deadline(void **state)
{
    (void)state;
    struct waiter w = {.ready_after = -1};
    clock_gettime(CLOCK_MONOTONIC, &w.start);
    assert_int_equal(host_wait(&ctx, "the thing", 1, poll_clock, &w), SH_ERR_TIMEOUT);
    double took = seconds_since(&w.start);
    if (took < 1.0 || took > 1.6)
        fail_msg("a 1 s deadline ended the wait after %.2f s", took);
    assert_int_equal(w.polls, 3);
    assert_int_equal(ctx.errors.n, 1);
    assert_diag_has(&ctx.errors, "waiter: waited 1s for the thing (not yet): giving up");
}

/* A run that stops ends the wait at its next poll. */
static int poll_stops_run(void *arg, char *progress, size_t len)
{
    (void)arg;
    atomic_store(&run.stop, 1);
    snprintf(progress, len, "1 of 2");
    return 0;
}

static void test_cancelled(void **state)
{
    (void)state;
    assert_int_equal(host_wait(&ctx, "the thing", 60, poll_stops_run, NULL), SH_ERR_CANCELLED);
    assert_diag_has(&ctx.errors, "stopped waiting for the thing (1 of 2)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delays_grow_and_are_bounded),
        cmocka_unit_test(test_overshoot_is_a_small_share_of_the_wait),
        cmocka_unit_test(test_poll_counts),
        cmocka_unit_test_setup_teardown(test_seen_soon_after_ready, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancelled, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
