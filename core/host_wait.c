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

/* Sleeps, waking early when the run stops. */
static void nap(const sh_ctx *ctx, int seconds)
{
    for (int i = 0; i < seconds * 10 && !ctx_cancelled(ctx); i++) {
        struct timespec ts = {0, 100 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

sh_status host_wait(sh_ctx *ctx, const char *what, int timeout_seconds, sh_poll_fn poll, void *arg)
{
    const sh_host *h = host_table();
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int delay = 2, polls = 0;
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
        long waited = (long)seconds_since(&start);
        if (waited >= timeout_seconds) {
            status = h->fail(ctx, SH_ERR_TIMEOUT, "waited %lds for %s (%s): giving up; run the command again to "
                             "continue", waited, what, progress);
            break;
        }
        if (ctx_cancelled(ctx)) {
            status = h->fail(ctx, SH_ERR_CANCELLED, "stopped waiting for %s (%s)", what, progress);
            break;
        }
        log_msg(SH_LOG_INFO, ctx_plugin_name(ctx), "waiting for %s: %s (%lds)", what, progress, waited);
        nap(ctx, delay);
        delay = delay * 2 > 15 ? 15 : delay * 2;
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
