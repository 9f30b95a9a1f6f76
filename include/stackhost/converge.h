/*
 * stackhost SDK: the converge layer, a small static library shipped with
 * the SDK (libstackhost_converge.a) that every plugin links, in tree or
 * out of it. It holds what converging any AWS resource needs and no
 * plugin should write again: ownership tags, finding a resource by name
 * among a lookup's answer, tag drift, and a queue of independent calls
 * sent together, each with its label and completion.
 *
 * Everything here is built on the host table (host.h) only; nothing keeps
 * state between calls. Strings returned point into documents owned by the
 * context (valid until the callback returns).
 */
#ifndef STACKHOST_CONVERGE_H
#define STACKHOST_CONVERGE_H

#include <stddef.h>

#include "host.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SHC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SHC_PRINTF(f, a)
#endif

/* ---- paths ---- */

/* printf into buf (size len), for document paths ("subnetSet.item[3].tagSet");
 * returns buf. A path cut to fit is an empty string (never a wrong path). */
const char *shc_path(char *buf, size_t len, const char *fmt, ...) SHC_PRINTF(3, 4);

/* The text (doc_string), node (doc_get) or list length (doc_count) at
 * the path printf makes of fmt: shc_str(h, out, "Versions.member[%zu].VersionId", i).
 * A path cut to fit reads nothing (NULL, 0). */
const char *shc_str(const sh_host *h, const sh_doc *doc, const char *fmt, ...) SHC_PRINTF(3, 4);
const sh_doc *shc_node(const sh_host *h, const sh_doc *doc, const char *fmt, ...) SHC_PRINTF(3, 4);
size_t shc_count(const sh_host *h, const sh_doc *doc, const char *fmt, ...) SHC_PRINTF(3, 4);

/* ---- tags and ownership ---- */

/* Where tags are: in an answer, the list of an item's tags and each tag's
 * member names; in a request, the list to write them to. No member names
 * (key NULL): a map, list.Key = Value. */
typedef struct shc_tag_shape {
    const char *list;
    const char *key;
    const char *value;
} shc_tag_shape;

/* EC2 answers: tagSet.item[i].key / .value. */
extern const shc_tag_shape shc_tags_ec2;
/* The query APIs (IAM, ELBv2, CloudWatch, SNS): answers list
 * Tags.member[i].Key / .Value ... */
extern const shc_tag_shape shc_tags_query;
/* ... and requests write Tags[i].Key / .Value (the host flattens it to
 * Tags.member.N). */
extern const shc_tag_shape shc_tags_query_put;
/* ECS answers and requests: tags[i].key / .value (lower case). */
extern const shc_tag_shape shc_tags_ecs;
/* ECR and Logs' ListTagsForResource lists: tags[i].Key / .Value. */
extern const shc_tag_shape shc_tags_json;
/* SSM answers: TagList[i].Key / .Value. */
extern const shc_tag_shape shc_tags_ssm;
/* KMS answers and requests: Tags[i].TagKey / .TagValue. */
extern const shc_tag_shape shc_tags_kms;
/* Logs (and the REST-JSON services: Lambda, API Gateway) answers and
 * requests: the map tags.Key = Value (a key with a dot in it cannot be
 * read or written this way). */
extern const shc_tag_shape shc_tags_map;

/* The value of tag `key` on item, or NULL. */
const char *shc_tag(const sh_host *h, const sh_doc *item, const shc_tag_shape *shape, const char *key);
/* Non-zero when item carries this stack's ownership tags (Project,
 * Environment, ManagedBy=stackhost). */
int shc_owned(const sh_host *h, sh_ctx *ctx, const sh_doc *item, const shc_tag_shape *shape);
/* Writes the tags a resource carries into doc, as the list at put->list
 * with put->key / put->value members: Name=name first (unless name is
 * NULL), then the stack's tags (ownership, then stack.tags). */
void shc_put_tags(const sh_host *h, sh_ctx *ctx, sh_doc *doc, const shc_tag_shape *put, const char *name);
/* The tags of item (read with `have`) that are missing or differ from
 * what shc_put_tags would write, written into doc the same way (at `put`).
 * Returns how many; detail (may be NULL) gets each as shc_line_diff says
 * it: "tag Name (none) -> vpc-catalog-dev, tag Team web -> api". Tags
 * stackhost does not manage are left alone. */
size_t shc_tags_drift(const sh_host *h, sh_ctx *ctx, const sh_doc *item, const shc_tag_shape *have,
                      const char *name, sh_doc *doc, const shc_tag_shape *put, char *detail, size_t len);

/* ---- finding ---- */

/* One lookup's answer: the items, how they carry tags, and which states
 * mean "not there any more" (a deleted NAT gateway stays listed). */
typedef struct shc_lookup {
    const sh_doc *answer;
    const char *items;       /* "subnetSet.item" */
    const shc_tag_shape *tags;
    const char *state;       /* path of an item's state ("state"), or NULL */
    const char *skip_states; /* "deleted|failed", or NULL */
    /* Choosing among duplicates (shc_find_keep): the one in use, else the
     * oldest, else the first listed. in_use (may be NULL) says whether an
     * item is in use; created (may be NULL) is the path of an item's
     * creation time (ISO 8601: sorts as text). */
    int (*in_use)(void *arg, const sh_doc *item);
    void *in_use_arg;
    const char *created;
} shc_lookup;

/* Finds the one item whose Name tag is `name` and that carries this
 * stack's ownership tags. Returns 1 with *item, 0 when there is none, -1
 * after recording the error: two owned items share the name (extra ones
 * must go), or only an item without the ownership tags has it (never
 * touched: the error says what is in the way). `kind` ("subnet") words
 * the errors. */
int shc_find(const sh_host *h, sh_ctx *ctx, const shc_lookup *lookup, const char *kind, const char *name,
             const sh_doc **item);
/* Records the error for a `kind` named `name` that exists without this
 * stack's ownership tags (stackhost did not make it and never touches
 * it: the message says what to do) and returns -1. For services whose
 * answers carry no tags, after reading them: if (!shc_owned(...))
 * return shc_refuse_foreign(...). */
int shc_refuse_foreign(const sh_host *h, sh_ctx *ctx, const char *kind, const char *name);
/* As shc_find, but several owned items with the name (a create whose
 * answer was lost, by an older version or another tool) are not an
 * error: the one to keep is *item, the others are stored in extras (up
 * to max; *nextras says how many) for the caller to delete. extras and
 * nextras go together: without nextras none is stored. */
int shc_find_keep(const sh_host *h, sh_ctx *ctx, const shc_lookup *lookup, const char *kind, const char *name,
                  const sh_doc **item, const sh_doc **extras, size_t max, size_t *nextras);

/* ---- "not yet": answers that mean wait, not no ----
 *
 * AWS answers some calls with an error while something it was asked to do
 * a moment ago propagates: a service-linked role being made on an
 * account's first use, a new role not yet usable by ECS, a key leaving
 * pending deletion, an id not yet known (aws-api.md section 13). Each
 * plugin declares those answers in one table next to its calls; its
 * queues send a call that gets one again until it succeeds or the entry's
 * time has passed, through the host's wait (progress lines, --trace,
 * Ctrl-C). Any other answer fails at once: a genuine
 * InvalidParameterException (a bad subnet, a bad cpu/memory pair) shares
 * its code with "not yet" and differs only in its message, so an entry
 * names the message too.
 *
 *   static const shc_not_yet compute_not_yet[] = {
 *       {"CreateCluster|CreateService", "InvalidParameterException",
 *        "unable to assume the service linked role", 120, NULL},
 *       SHC_NOT_YET_END};
 *   q.not_yet = compute_not_yet;
 */
typedef struct shc_not_yet {
    const char *operations; /* "CreateService|UpdateService"; NULL: every operation */
    const char *codes;      /* "InvalidParameterException", "A|B", "*NotFound" (as shc_code_in) */
    /* Fragments of AWS's message, "|"-separated, one of which must occur
     * in it (case ignored); NULL: any message. */
    const char *message;
    /* How long AWS may take, in seconds from the wave's start (Terraform
     * uses 2 minutes for IAM and service-linked roles). STACKHOST_PROPAGATION_TIMEOUT
     * replaces it for every entry that is not SHC_UNTIL_DEADLINE. */
    int seconds;
    /* What to do when it lasts longer, appended to the error ("the
     * deployer needs iam:CreateServiceLinkedRole"); NULL: run again. */
    const char *hint;
} shc_not_yet;

#define SHC_NOT_YET_END {NULL, NULL, NULL, 0, NULL}
/* seconds: until the queue's deadline (a destroy waiting for AWS to let go
 * of what was deleted), else shc_destroy_timeout() from the wave's start. */
#define SHC_UNTIL_DEADLINE (-1)

/* The entry of table (may be NULL) that an error of `operation` matches,
 * or NULL: the error means no. */
const shc_not_yet *shc_not_yet_match(const shc_not_yet *table, const char *operation, const sh_aws_error *e);
/* The entry's time in seconds, STACKHOST_PROPAGATION_TIMEOUT applied
 * (SHC_UNTIL_DEADLINE stays as it is). */
int shc_not_yet_seconds(const shc_not_yet *entry);

/* ---- calls sent together ---- */

/* Called once the call succeeded, with its answer (NULL when an accepted
 * error code stood for success). Returns 0, or -1 after recording an
 * error with host->fail. */
typedef int (*shc_done_fn)(void *arg, const sh_doc *answer);

typedef struct shc_call shc_call;

/* Independent calls, sent together by shc_queue_run (through the host's
 * batches; one after the other on a host older than ABI 1.1). Initialise
 * with shc_queue_init; shc_queue_run empties it, so it is reused wave
 * after wave. The settings (not_yet, deadline) stay. */
typedef struct shc_queue {
    const sh_host *h;
    sh_ctx *ctx;
    shc_call *calls;
    size_t n, alloc;
    int failed; /* an add could not be queued (no memory) */
    /* The plugin's "not yet" table (see shc_not_yet), set once: it holds
     * in every run and every wave. NULL: none. */
    const shc_not_yet *not_yet;
    /* A time(NULL) value: SHC_UNTIL_DEADLINE entries are retried until it
     * (0: shc_destroy_timeout() from each wave's start). */
    long deadline;
    /* Set by shc_queue_run when a call failed after it may have been
     * applied (sh_aws_error.maybe_applied): no error is recorded for it;
     * the caller looks again (finds what the call may have made) and
     * converges again, or gives up with shc_queue_give_up. */
    int lost;
    char lost_text[512];
    size_t added; /* the last add queued calls[added - 1]; 0: it queued nothing */
} shc_queue;

void shc_queue_init(shc_queue *q, const sh_host *h, sh_ctx *ctx);
/* Queues service:operation. label names the resource ("subnet
 * subnet-catalog-public-a-dev") in errors and --trace; done (may be NULL)
 * receives the answer. In plan mode a call that is not a read is not
 * queued at all (the plugin reports its plan line itself): done is not
 * called. input must stay unchanged until the queue runs. */
void shc_queue_add(shc_queue *q, const char *service, const char *operation, const sh_doc *input,
                   const char *items_path, const char *label, shc_done_fn done, void *arg);
/* The call the last add queued (any of them: shc_queue_add, shc_change,
 * shc_delete...) keeps the text at `path` of its answer in out (len
 * bytes, cut to fit) once it succeeds, before its done runs: the id of
 * what a create made. An answer without it, or an accepted error code,
 * leaves out as it was; an add that queued nothing (a plan's create)
 * keeps nothing. path and out must last until the queue has run (a
 * literal, and a buffer of the plugin's state). */
void shc_keep(shc_queue *q, const char *path, char *out, size_t len);
/* As shc_queue_add; an error whose code is one of accept_codes counts as
 * success and done receives NULL: the answers that say the desired state
 * already holds ("RouteAlreadyExists|Resource.AlreadyAssociated", a
 * "*NotFound" on a delete). */
void shc_queue_add_accepting(shc_queue *q, const char *service, const char *operation, const sh_doc *input,
                             const char *label, const char *accept_codes, shc_done_fn done, void *arg);
/* Queues the deletion of the resource named by label, reported deleted
 * (with detail, may be NULL) once it succeeded; in a plan only the report.
 * accept: the codes that mean it is gone already ("*NotFound"). */
void shc_delete(shc_queue *q, const char *label, const char *detail, const char *service, const char *operation,
                const sh_doc *input, const char *accept);
/* One request deleting n resources (DeleteAlarms, DeleteParameters): each
 * of `each` reported deleted once it succeeded, in a plan only the
 * reports; label names the request in errors and --trace. */
void shc_delete_each(shc_queue *q, const char *label, const char *const *each, size_t n, const char *service,
                     const char *operation, const sh_doc *input, const char *accept);
/* As shc_delete; done then receives the answer (NULL: an accepted code),
 * to tell whether it says the resource is gone already. */
void shc_delete_then(shc_queue *q, const char *label, const char *detail, const char *service, const char *operation,
                     const sh_doc *input, const char *accept, shc_done_fn done, void *arg);
/* As shc_queue_add_accepting, following the service's pagination: the
 * items at items_path of every page gathered into the one answer. */
void shc_queue_add_pages(shc_queue *q, const char *service, const char *operation, const sh_doc *input,
                         const char *items_path, const char *label, const char *accept_codes, shc_done_fn done,
                         void *arg);
/* Sends every queued call together, and again those whose answer the
 * not_yet table says is "not yet" (through host->wait: progress every few
 * seconds, --trace, stopped by Ctrl-C); calls done for each success (in
 * queue order within each round) and records "<label>: <aws error>" for
 * each failure, except lost answers (see `lost`). A "not yet" that
 * outlasts its entry is recorded as "<label>: <aws error>: still answered
 * after Ns, ...: <hint>". Returns 0 when every call and every done succeeded,
 * else -1. Empties the queue either way. */
int shc_queue_run(shc_queue *q);
/* Drops what is queued without sending it. */
void shc_queue_clear(shc_queue *q);
/* Records the lost answer of the last run as the error (when the caller
 * stops looking again); returns -1. */
int shc_queue_give_up(shc_queue *q);

/* ---- lines: what a pass reports ---- */

/* One resource's plan or progress line: what happens to it and which
 * fields change. Zero it, set label, note each queued change on it, and
 * report it once the waves succeeded (a plan reports it unsent). Room
 * for a dozen fields' "before -> after" (shc_line_diff). */
#define SHC_DETAIL 1024
typedef struct shc_line {
    const char *label; /* "ecr repository ecr-catalog-dev" */
    sh_change change;
    char detail[SHC_DETAIL];
} shc_line;

/* Adds `what` (may be NULL) to the line's detail, once (a note already
 * there, between commas, is not repeated), and raises its change: a
 * create or a replace outranks an update. A note that no longer fits
 * ends the detail with ", ...". */
void shc_line_note(shc_line *line, sh_change change, const char *what);
/* Notes on the line (may be NULL: the text only) that `field` changes,
 * as "FIELD BEFORE -> AFTER": "image repo:1.0.0 -> repo:1.0.1",
 * "max 10 -> 12", "retention (none) -> 14 days". A NULL side is
 * "(none)": a setting absent, or taken away. Texts are shown as they
 * are, JSON (a document, a list) compactly; each side longer than
 * SHC_DIFF_SIDE characters is cut in its middle ("..."), keeping the
 * start and the end (an image's tag, an ARN's name). An IAM or KMS policy
 * document (an object with a Statement) is never written out: the note
 * says what differs, "FIELD: statement PullImage added, statement 1
 * changed (condition)", or "FIELD: policy document changed (version)".
 * Returns the note (owned by the context). Never pass a secret's value:
 * say "value changes" instead (shc_line_note). */
#define SHC_DIFF_SIDE 60
const char *shc_line_diff(const sh_host *h, sh_ctx *ctx, shc_line *line, sh_change change, const char *field,
                          const char *before, const char *after);
/* Notes "what have -> want" on the line (shc_line_diff) when the texts
 * differ, a NULL one differing from any text; returns 1 then, else 0. */
int shc_text_differs(const sh_host *h, sh_ctx *ctx, shc_line *line, const char *what, const char *have,
                     const char *want);
/* The same for a number AWS answered as text (have: NULL when absent;
 * 70.0 is 70), shown with unit appended ("60 s -> 30 s"); a text that is
 * not a number differs and is shown as it is. */
int shc_number_differs(const sh_host *h, sh_ctx *ctx, shc_line *line, const char *what, const char *have, double want,
                       const char *unit);
/* The same for a list AWS answered, compared as a multiset: the list at
 * path in item ("List.member", or "List.member|Field" for each member's
 * Field; item NULL: empty) against the n strings of want, in any order.
 * Noted as JSON lists ("subnets [\"a\"] -> [\"a\",\"b\"]"). */
int shc_set_differs(const sh_host *h, sh_ctx *ctx, shc_line *line, const char *what, const sh_doc *item,
                    const char *path, const char *const *want, size_t n);
/* host->report of the line: its change, or "no change". */
void shc_line_report(const sh_host *h, sh_ctx *ctx, const shc_line *line);
/* Queues a call that changes the line's resource and notes `what` on it
 * (in a plan only the note: the call is not queued). accept: codes that
 * mean it is done already. */
void shc_change(shc_queue *q, shc_line *line, sh_change change, const char *what, const char *service,
                const char *operation, const sh_doc *input, const char *accept, shc_done_fn done, void *arg);
/* Queues a read whose answer lands in *out; an error whose code is one of
 * `absent` leaves *out NULL (the resource is not there). *out is NULL
 * until the queue runs. */
void shc_read(shc_queue *q, const char *service, const char *operation, const sh_doc *input, const char *label,
              const char *absent, const sh_doc **out);
/* As shc_read, following the service's pagination: the items at
 * items_path of every page are gathered into *out. */
void shc_read_all(shc_queue *q, const char *service, const char *operation, const sh_doc *input,
                  const char *items_path, const char *label, const sh_doc **out);
/* As shc_read_all; an error whose code is one of `absent` leaves *out NULL
 * (what is listed is not there any more). */
void shc_read_pages(shc_queue *q, const char *service, const char *operation, const sh_doc *input,
                    const char *items_path, const char *label, const char *absent, const sh_doc **out);

/* ---- text and documents ---- */

/* printf into a string owned by the context (valid until the callback
 * returns); "" when it does not fit in 4 KiB. */
const char *shc_text(const sh_host *h, sh_ctx *ctx, const char *fmt, ...) SHC_PRINTF(3, 4);
/* A document (owned by the context) from a JSON template with printf's
 * conversions, so that a request reads as what is sent:
 *
 *   shc_docf(h, ctx, "{'repositoryName': '%s', 'force': true, 'max': %lld}", name, max)
 *
 * Single quotes stand for JSON's double quotes. A conversion inside
 * quotes writes its text as a string's content (quotes and control
 * characters escaped: any value is safe); outside them its text is JSON
 * as it is (a number, true, a document's JSON). A member or list item
 * whose whole value is a %s given NULL is left out ('Marker': '%s' with
 * no marker), and a list or object emptied that way too, so optional
 * members need no code of their own; NULL within a longer string is
 * empty. Inside quotes, \' is a quote and any other backslash starts a
 * JSON escape; a double quote outside them is refused (write strings in
 * single quotes). Conversions: s, d, i, u, x, f, g, e with flags, width,
 * precision and the lengths l, ll, z (zu, zx). The text is wiped before
 * it is freed (a value may be a secret). A template that is not JSON once
 * filled in is a plugin bug: recorded (naming the template, never the
 * values), and an empty document comes back. */
sh_doc *shc_docf(const sh_host *h, sh_ctx *ctx, const char *tmpl, ...) SHC_PRINTF(3, 4);

/* Non-zero when two JSON texts are the same document (member order and
 * spacing aside; see host->doc_equal). A text that is not JSON is equal
 * to nothing. */
int shc_json_same(const sh_host *h, sh_ctx *ctx, const char *a, const char *b);
/* IAM answers policy documents percent-encoded (RFC 3986); the decoded
 * text, owned by the context. A text that is not encoded (it starts with
 * '{': moto) comes back as it is. */
const char *shc_url_decode(const sh_host *h, sh_ctx *ctx, const char *text);

/* ---- converging ---- */

/* What a converge pass answers. */
#define SHC_DONE 0    /* converged (and outputs published) */
#define SHC_FAILED -1 /* an error was recorded */
#define SHC_AGAIN 1   /* start again from the lookups: why says what happened */

/* One pass of a deploy: the lookups, then the waves. An answer that was
 * lost (the queue's `lost`) or a create that found its resource already
 * there ends the pass with SHC_AGAIN: the next pass finds what the call
 * made instead of sending it again. Write the reason into why. */
typedef int (*shc_pass_again_fn)(void *arg, char *why, size_t len);

/* Runs passes until one is SHC_DONE or SHC_FAILED, at most max_passes,
 * 2 s apart (AWS's lists can lag a new resource), logging "<why>: looking
 * again before going on". After the last SHC_AGAIN records "<why>: still
 * not settled after N passes; run deploy again". Returns SH_OK, SH_ERR,
 * or SH_ERR_CANCELLED when the run is cancelled. */
sh_status shc_converge(const sh_host *h, sh_ctx *ctx, int max_passes, shc_pass_again_fn pass, void *arg);

/* ---- the account's quotas ---- */

/* Queues Service Quotas' GetServiceQuota of service_code/quota_code
 * ("vpc", "L-F678F1CE"); *out stays NULL when it cannot be read: not
 * every caller may read Service Quotas, not every account lists every
 * quota (nor does every emulator), and a deploy is not stopped for that. */
void shc_quota_read(shc_queue *q, const char *service_code, const char *quota_code, const char *label,
                    const sh_doc **out);
/* The positive number at path of answer ("Quota.Value" of GetServiceQuota),
 * else fallback (AWS's default quota, or 0: no check). */
double shc_quota_value(const sh_host *h, const sh_doc *answer, const char *path, double fallback);

/* ---- settings of another plugin ---- */

/* network.task_port, the one place the tasks' port is written (the target
 * group, the security groups and the container follow it): through
 * host->required_config (ABI 1.4; the caller requires network), else
 * 8080, network's default. */
long long shc_task_port(const sh_host *h, const sh_ctx *ctx);
/* Records at the plugin's own `key`, when set, that the tasks' port is
 * network.task_port, not this key; returns SH_ERR_CONFIG then, else SH_OK.
 * For the keys that once repeated it (lb.target_port, compute.container_port). */
sh_status shc_refuse_port_key(const sh_host *h, sh_ctx *ctx, const char *key);

/* ---- waiting and destroying ---- */

/* How long a destroy may wait for AWS to let go of something (ENIs, a
 * NAT gateway's address), in seconds: STACKHOST_DESTROY_TIMEOUT, else 20
 * minutes. */
int shc_destroy_timeout(void);

/* Sleeps, waking early when the run stops. */
void shc_pause(const sh_host *h, sh_ctx *ctx, int seconds);

/* One pass of a destroy: deletes what its lookups list and sets *found
 * to how many owned resources they listed. Returns 0, or -1 (recorded). */
typedef int (*shc_pass_fn)(void *arg, size_t *found);

/* Runs destroy passes until one's lookups find nothing owned: a delete's
 * NotFound (AWS not knowing a new id yet) or a lost answer proves
 * nothing. The second pass looks again at once, later ones 2 s apart.
 * Gives up after max_passes, or at deadline (a time(NULL) value; 0: none),
 * recording "<what> still listed after N passes of destroy". In plan mode
 * one pass. Returns 0 or -1. */
int shc_destroy_until_gone(const sh_host *h, sh_ctx *ctx, const char *what, int max_passes, long deadline,
                           shc_pass_fn pass, void *arg);

/* Non-zero when code is one of codes ("A|B|C"); an entry "*Suffix"
 * matches every code ending in Suffix ("*NotFound"), an entry "Prefix*"
 * every one starting with Prefix ("Create*", for operations). */
int shc_code_in(const char *code, const char *codes);
/* Non-zero when the error is one of answers: codes as shc_code_in, where
 * an entry "Code(fragment|fragment)" also needs one of the fragments in
 * the message (case ignored): "KMSInvalidStateException(is pending
 * deletion)" is done already, another KMSInvalidStateException is not.
 * The accept codes of the queue's calls are read this way. */
int shc_answer_in(const sh_aws_error *e, const char *answers);

#ifdef __cplusplus
}
#endif

#endif
