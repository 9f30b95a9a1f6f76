/* The host's wait (sh_host.wait): poll, back off, show progress, give up
 * at a deadline or when the run stops. One implementation, so every
 * plugin's waits behave and read alike, and show in --trace. */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "context.h"
#include "log.h"
#include "trace.h"

#define WAIT_MIN_MS 500L
#define WAIT_MAX_MS 15000L
#define WAIT_SHARE 10       /* the delay is 1/10 of the time waited */
#define WAIT_LOG_EVERY_MS 5000L

/* The pause before the next poll, a pure function of the time already
 * waited: a tenth of it, at least 0.5 s, at most 15 s. Whatever is awaited
 * becomes ready between two polls, so it is seen at most one delay late:
 * under 10 % of the wait + 0.5 s, on a 6 s wait as on a 20-minute one
 * (the old 2, 4, 8, 15 s saw a NAT gateway available after 6 s at 14 s; a
 * fifth saw it at 6.2 s). Each poll is a Describe* that counts against the
 * account's rate limits. Polls until a condition that holds after W
 * seconds is seen (the first poll at once included; tests/unit/test_wait.c
 * checks these figures):
 *   W = 6 s: 13 polls, seen at 6.05 s (a fifth: 11, at 6.2 s)
 *   W = 2 min: 45 polls, at 127.7 s   (a fifth: 28, at 124.8 s)
 *   W = 20 min: 117 polls, at 1204.5 s (a fifth: 100, at 1204.8 s)
 * At most 2 polls a second in the first 5 s, then fewer and fewer: the
 * delay grows by a tenth each poll up to 15 s (from 150 s of waiting on),
 * so a long wait costs about what aws's own waiters' pace does. */
long wait_delay_ms(long waited_ms)
{
    long delay = waited_ms / WAIT_SHARE;
    if (delay < WAIT_MIN_MS)
        return WAIT_MIN_MS;
    return delay > WAIT_MAX_MS ? WAIT_MAX_MS : delay;
}

/* Sleeps ms milliseconds in slices of 100 ms, waking early when the run
 * stops. */
static void nap(const sh_ctx *ctx, long ms)
{
    while (ms > 0 && !ctx_cancelled(ctx)) {
        long slice = ms < 100 ? ms : 100;
        struct timespec ts = {0, slice * 1000000L};
        nanosleep(&ts, NULL);
        ms -= slice;
    }
}

static long ms_since(const struct timespec *start)
{
    return (long)(seconds_since(start) * 1000.0);
}

sh_status host_wait(sh_ctx *ctx, const char *what, int timeout_seconds, sh_poll_fn poll, void *arg)
{
    const sh_host *h = host_table();
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int polls = 0;
    long logged_ms = -1; /* when progress was last logged; -1: not yet */
    char progress[256] = "";
    sh_status status;
    for (;;) {
        progress[0] = '\0';
        int rc = poll(arg, progress, sizeof(progress));
        polls++;
        if (rc) {
            status = rc > 0 ? SH_OK : SH_ERR_AWS;
            break;
        }
        long waited_ms = ms_since(&start), deadline_ms = (long)timeout_seconds * 1000L;
        if (waited_ms >= deadline_ms) {
            status = h->fail(ctx, SH_ERR_TIMEOUT, "waited %lds for %s (%s): giving up; run the command again to "
                             "continue", waited_ms / 1000, what, progress);
            break;
        }
        if (ctx_cancelled(ctx)) {
            status = h->fail(ctx, SH_ERR_CANCELLED, "stopped waiting for %s (%s)", what, progress);
            break;
        }
        /* The first line, then one every 5 s or so: not one per poll. */
        if (logged_ms < 0 || waited_ms - logged_ms >= WAIT_LOG_EVERY_MS) {
            log_msg(SH_LOG_INFO, ctx_plugin_name(ctx), "waiting for %s: %s (%lds)", what, progress,
                    waited_ms / 1000);
            logged_ms = waited_ms;
        }
        /* The last poll falls on the deadline rather than up to 15 s after it. */
        long delay = wait_delay_ms(waited_ms);
        nap(ctx, delay < deadline_ms - waited_ms ? delay : deadline_ms - waited_ms);
    }
    if (ctx->run && ctx->run->trace) {
        struct timespec end;
        clock_gettime(CLOCK_MONOTONIC, &end);
        char name[200], detail[320];
        snprintf(name, sizeof(name), "wait: %s", what);
        snprintf(detail, sizeof(detail), "%d poll%s; %s", polls, polls == 1 ? "" : "s", progress);
        trace_span(ctx->run->trace, ctx_plugin_name(ctx), name, "wait", &start, &end, detail);
    }
    return status;
}
