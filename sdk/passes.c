/* Converging in passes: a pass that lost an answer, or whose create found
 * the resource already there, is followed by another that looks first,
 * so nothing is made twice. */
#include <stdio.h>

#include <stackhost/converge.h>

sh_status shc_converge(const sh_host *h, sh_ctx *ctx, int max_passes, shc_pass_again_fn pass, void *arg)
{
    char why[512];
    for (int n = 1;; n++) {
        why[0] = '\0';
        int rc = pass(arg, why, sizeof(why));
        if (rc == SHC_DONE)
            return SH_OK;
        if (rc != SHC_AGAIN)
            return SH_ERR;
        if (!why[0])
            snprintf(why, sizeof(why), "a resource changed while it was converged");
        if (n >= max_passes) {
            h->fail(ctx, SH_ERR_AWS, "%s: still not settled after %d passes; run deploy again", why, n);
            return SH_ERR;
        }
        if (h->cancelled(ctx))
            return h->fail(ctx, SH_ERR_CANCELLED, "%s: the run is stopping", why);
        h->log(ctx, SH_LOG_INFO, "%s: looking again before going on", why);
        shc_pause(h, ctx, 2);
    }
}
