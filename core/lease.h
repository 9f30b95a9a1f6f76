/* One operator at a time: deploy and destroy hold a lease on the
 * environment, kept in the account itself (there is no state file to
 * lock), before their first request that changes anything.
 *
 * The lease is an SSM parameter, /stackhost/lease/STACK/ENV, created with
 * Overwrite=false (only one creator wins), holding who, where, which
 * command, since and until when. It is no stack resource: untagged, never
 * planned, removed at the end of the run (on error and Ctrl-C too). While
 * the run lasts a thread renews it every third of its time; a run that
 * finds it held waits, printing the holder, up to --lock-timeout. A
 * lease whose holder died (kill -9) stops being renewed: once its time
 * is over (its `until` passed, or unchanged for its whole time while
 * watched) the next run deletes it and takes its own. `stackhost unlock`
 * removes a stuck one.
 *
 * Two runs taking over one expired lease at the same moment can both
 * delete and one create; the loser's check before its first change (and
 * every renewal) finds a token that is not its own and stops the run. */
#ifndef CORE_LEASE_H
#define CORE_LEASE_H

#include <pthread.h>
#include <stdatomic.h>

#include "aws/client.h"
#include "strbuf.h"

/* The lease's length unless STACKHOST_LEASE_SECONDS says otherwise. */
#define LEASE_SECONDS_DEFAULT 120

struct lease {
    struct aws_client *aws; /* borrowed */
    char *name;             /* the parameter's name */
    char *token;            /* ours: random, in the value */
    char *value;            /* the JSON text written */
    char *holder;           /* who we are, as the value says it */
    char *caller;           /* our caller arn, for the renewer to write next (lease_name_caller) */
    const char *command;
    int seconds;            /* lease length */
    atomic_int *stop_run;   /* set when the lease is lost; may be NULL */
    pthread_t renewer;
    int renewing;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stopping;
    int lost;
    char why_lost[512];
};

/* The parameter's name for a stack's environment, into out. */
void lease_name(const char *stack, const char *env, struct strbuf *out);

/* Takes the lease of stack/env for `command`, waiting up to
 * wait_seconds while another run holds it; then renews it in a thread
 * until lease_release. caller_arn: who we are in AWS (shown to the next
 * waiter; NULL: not known yet, lease_name_caller). 0, or -1 with why in
 * err (nothing held). */
int lease_take(struct lease *l, struct aws_client *aws, const char *stack, const char *env, const char *command,
               const char *caller_arn, int wait_seconds, atomic_int *stop_run, struct strbuf *err);
/* Names who we are in AWS (taken before STS answered, with caller_arn
 * NULL): the next renewal writes it into the lease (until then a waiter
 * sees user, host, pid, command and times). */
void lease_name_caller(struct lease *l, const char *caller_arn);
/* The lease is still ours (read from the account, not assumed): 0, or -1
 * with why in err. */
int lease_check(struct lease *l, struct strbuf *err);
/* Non-zero when a renewal found the lease gone or another's; why in err. */
int lease_lost(struct lease *l, struct strbuf *err);
/* Stops renewing and deletes the lease when it is still ours; frees l. */
void lease_release(struct lease *l);

/* unlock: who holds stack/env's lease, into holder ("" when nobody).
 * 0, or -1 with why in err. */
int lease_holder(struct aws_client *aws, const char *stack, const char *env, struct strbuf *holder,
                 struct strbuf *err);
/* unlock: deletes the lease whoever holds it. 0, or -1 with why in err. */
int lease_break(struct aws_client *aws, const char *stack, const char *env, struct strbuf *err);

#endif
