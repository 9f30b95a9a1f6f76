/* A fake host for unit tests of the converge layer (the sdk/ sources): a complete
 * sh_host table (include/stackhost/host.h) that answers AWS calls from a
 * script instead of the network, and records what it was asked.
 *
 * Why a fake, not the real host: the converge layer is written against
 * the contract of host.h alone, and third parties link it against hosts
 * they did not build. Testing it on the contract (and nothing of
 * stackhost_core) shows the SDK relies on no more than the header says.
 *
 * The fake's state is the context: fh_new() gives the sh_ctx every table
 * member receives. Everything a member returns (documents, texts) lives
 * until fh_free(), the end of the "callback".
 *
 * Documents are jansson values behind the sh_doc handle, with the real
 * host's semantics (core/aws/doc.c): paths "a.b[2].c", an index 0 on a
 * node that is not a list is the node itself (XML's list of one),
 * doc_count 1 for any node that is not a list, scalars compared by their
 * text in doc_equal, subset comparison, setting creates what is missing
 * and an index equal to the list's length appends.
 *
 * AWS: answers are scripted per (service, operation), first in first out:
 * a JSON document (success), an AWS error (code and message), or "lost"
 * (the request acted, the answer vanished: the plugin sees NetworkError
 * with maybe_applied set, as the real host reports it for anything but a
 * read). A call with nothing scripted answers the error FakeUnscripted
 * and is counted (fh_unscripted). In every mode but deploy and destroy a
 * call that is not a read (sh_operation_is_read) is refused as the host
 * refuses it: not sent, no script consumed, reported as a pending change
 * ("ec2 CreateVpc (a call the plan did not send)") and answered with an
 * empty document.
 *
 * Not played: pagination (an aws_call_all answer is the scripted document
 * as it is; the items path is recorded), retries and throttling (the
 * host's, never seen by the SDK), the wait's pace (polls 5 ms apart; the
 * deadline and cancellation are kept), and config_read (ABI 1.5: the fake
 * runs no descriptor, so it binds nothing: SH_ERR_INVALID), and cost_add
 * (ABI 1.6: the fake has no price table, SH_ERR_INVALID). */
#ifndef TESTS_FAKE_HOST_H
#define TESTS_FAKE_HOST_H

#include <stddef.h>
#include <stdint.h>

#include <stackhost/host.h>

/* ---- the fake and its settings ---- */

/* A fake in deploy mode for stack "catalog", environment "dev", region
 * us-east-1, account 123456789012, with the full table of this SDK. */
sh_ctx *fh_new(void);
void fh_free(sh_ctx *f);
/* The table to hand to the SDK (owned by f). */
const sh_host *fh_host(sh_ctx *f);

void fh_set_mode(sh_ctx *f, sh_mode mode);
void fh_set_stack(sh_ctx *f, const char *name, const char *environment);
/* One of stack.tags, after the ownership tags (copied). */
void fh_add_stack_tag(sh_ctx *f, const char *key, const char *value);
/* Plays an older host: the table's size becomes `size` (offsetof a
 * member: the members from it on are missing, and NULL in the table so a
 * call to one crashes the test) and abi_minor `minor`. */
void fh_set_host_abi(sh_ctx *f, uint32_t minor, size_t size);
/* host->cancelled() answers this from now on. */
void fh_set_cancelled(sh_ctx *f, int cancelled);
/* The plugin's own section, as a JSON object (strings, integers,
 * booleans, lists, groups as objects). */
void fh_set_config(sh_ctx *f, const char *json);
/* Another plugin's section, for host->required_config. */
void fh_set_required_config(sh_ctx *f, const char *plugin, const char *json);
/* The outputs of other plugins: {"network": {"vpc_id": "vpc-1"}}. */
void fh_set_inputs(sh_ctx *f, const char *json);

/* ---- the script ---- */

void fh_answer(sh_ctx *f, const char *service, const char *operation, const char *json);
void fh_answer_error(sh_ctx *f, const char *service, const char *operation, const char *code, const char *message);
/* The request was applied and its answer lost on the way back. */
void fh_answer_lost(sh_ctx *f, const char *service, const char *operation);
/* The last answer scripted for (service, operation) is given again for
 * every later call instead of once. */
void fh_answer_repeats(sh_ctx *f, const char *service, const char *operation);

/* ---- what happened ---- */

typedef enum fh_via { FH_VIA_CALL, FH_VIA_CALL_ALL, FH_VIA_BATCH } fh_via;

/* One call the fake answered (refused plan calls are not among them). */
typedef struct fh_call {
    const char *service, *operation;
    const char *input;      /* compact JSON; "null" without an input */
    const char *items_path; /* NULL unless paginated */
    const char *resource;   /* batch_add's label, or NULL */
    fh_via via;
    unsigned round; /* calls sent together (one batch_run) share it */
} fh_call;

size_t fh_call_count(const sh_ctx *f);
const fh_call *fh_call_at(const sh_ctx *f, size_t i);
/* How many calls of service:operation were answered (NULL: any). */
size_t fh_sent(const sh_ctx *f, const char *service, const char *operation);
/* Mutating calls refused because of the mode. */
size_t fh_refused(const sh_ctx *f);
/* Calls that found nothing scripted. */
size_t fh_unscripted(const sh_ctx *f);
/* Scripted answers never given (a repeating answer counts once, when it
 * was never given). */
size_t fh_unused_answers(const sh_ctx *f);

typedef struct fh_report {
    sh_change change;
    const char *resource, *detail; /* detail NULL when none */
} fh_report;

size_t fh_report_count(const sh_ctx *f);
const fh_report *fh_report_at(const sh_ctx *f, size_t i);
/* The first report whose resource contains fragment, or NULL. */
const fh_report *fh_report_find(const sh_ctx *f, const char *fragment);

/* host->fail and host->config_error, in order (secrets as "***"). */
size_t fh_error_count(const sh_ctx *f);
const char *fh_error_at(const sh_ctx *f, size_t i);
sh_status fh_error_status_at(const sh_ctx *f, size_t i);
/* Non-zero when an error (a log line) contains fragment. */
int fh_error_has(const sh_ctx *f, const char *fragment);
int fh_log_has(const sh_ctx *f, const char *fragment);

/* host->wait: how many waits, and polls in all. */
size_t fh_wait_count(const sh_ctx *f);
size_t fh_poll_count(const sh_ctx *f);

/* What the plugin published: a string output, or NULL. */
const char *fh_output(const sh_ctx *f, const char *key);

#endif
