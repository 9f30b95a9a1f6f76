#define _POSIX_C_SOURCE 200809L /* strdup, nanosleep, clock_gettime */
/* The fake host (see fake_host.h): the sh_host table on scripted AWS
 * answers, documents on jansson. Semantics follow host.h first, and the
 * real host (core/host.c, core/host_batch.c, core/host_wait.c,
 * core/aws/doc.c) where host.h leaves a detail open. */
#include "fake_host.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <stackhost/plugin.h> /* STACKHOST_ABI_MAJOR / MINOR: header only */

/* ---- small helpers: a test double dies loudly rather than limp ---- */

static void *must(void *p)
{
    if (!p) {
        fprintf(stderr, "fake host: out of memory\n");
        abort();
    }
    return p;
}

static char *text_dup(const char *s)
{
    return s ? must(strdup(s)) : NULL;
}

#define GROW(arr, alloc, need)                                             \
    do {                                                                   \
        if ((need) > (alloc)) {                                            \
            size_t grown_ = (alloc) ? (alloc) * 2 : 8;                     \
            while (grown_ < (need))                                        \
                grown_ *= 2;                                               \
            (arr) = must(realloc((arr), grown_ * sizeof(*(arr))));         \
            (alloc) = grown_;                                              \
        }                                                                  \
    } while (0)

static char *vformat(const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *out = must(malloc(n > 0 ? (size_t)n + 1 : 1));
    vsnprintf(out, n > 0 ? (size_t)n + 1 : 1, fmt, again);
    va_end(again);
    if (n <= 0)
        out[0] = '\0';
    return out;
}

static char *format(const char *fmt, ...) SH_PRINTF(1, 2);
static char *format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *out = vformat(fmt, ap);
    va_end(ap);
    return out;
}

/* A list of strings the fake owns. */
struct strs {
    char **v;
    size_t n, alloc;
};

static char *strs_push(struct strs *s, char *owned)
{
    GROW(s->v, s->alloc, s->n + 1);
    s->v[s->n++] = owned;
    return owned;
}

static void strs_free(struct strs *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof(*s));
}

static int strs_have(const struct strs *s, const char *fragment)
{
    for (size_t i = 0; i < s->n; i++)
        if (strstr(s->v[i], fragment))
            return 1;
    return 0;
}

/* ---- the state ---- */

/* A handle on a jansson node. The handle holds a reference, so a node
 * handed out stays valid until fh_free even if its document replaces it
 * (the host's lifetime: until the callback returns). */
struct sh_doc {
    json_t *j;
    sh_ctx *owner;
    char *text; /* a number's or boolean's text, made on first read */
};

/* Configuration values: the same handle over a separate tree. */
struct sh_value {
    struct sh_doc d;
};

/* Handles by node, so one node always has one handle (pointers compare). */
struct registry {
    struct sh_doc **slot;
    size_t cap, n;
};

enum answer_kind { ANSWER_OK, ANSWER_ERROR, ANSWER_LOST };

struct answer {
    char *service, *operation;
    enum answer_kind kind;
    char *json, *code, *message;
    int repeats, given;
};

/* The context's aws error, as the host keeps it: fixed fields copied. */
struct err {
    char service[64], operation[128], code[128], message[512], request_id[32];
    long http_status;
    int maybe_applied;
};

struct batch_call {
    char *service, *operation, *items_path, *resource;
    const sh_doc *input;
    sh_status status;
    const sh_doc *out;
    struct err err;
};

struct sh_batch {
    sh_ctx *owner;
    struct batch_call *calls;
    size_t n, alloc, sent;
};

#define FH_MAX_TAGS 32

struct sh_ctx {
    sh_host table;
    sh_mode mode;
    int cancelled;
    const char *stack, *environment;
    const char *tag_keys[FH_MAX_TAGS + 1], *tag_values[FH_MAX_TAGS + 1];
    size_t ntags;
    json_t *config, *required, *inputs, *outputs;

    struct answer *answers;
    size_t nanswers, answers_alloc;
    fh_call *calls;
    size_t ncalls, calls_alloc;
    unsigned rounds, request_ids;
    size_t refused, unscripted;

    fh_report *reports;
    size_t nreports, reports_alloc;
    struct strs errors, logs, secrets, texts;
    sh_status *error_status;
    size_t error_status_alloc;
    void **blocks; /* arrays handed out (input_list) */
    size_t nblocks, blocks_alloc;
    sh_batch **batches;
    size_t nbatches, batches_alloc;
    struct registry docs, values;

    struct err last;
    int has_error;
    sh_aws_error view;
    size_t waits, polls;
};

/* Context-owned text. */
static const char *own(sh_ctx *f, char *owned)
{
    return strs_push(&f->texts, owned);
}

/* ---- redaction: every registered secret shows as "***" ---- */

static char *redacted(const sh_ctx *f, char *text)
{
    for (size_t i = 0; i < f->secrets.n; i++) {
        const char *secret = f->secrets.v[i];
        size_t len = strlen(secret);
        char *at;
        while (len && (at = strstr(text, secret))) {
            char *next = format("%.*s***%s", (int)(at - text), text, at + len);
            free(text);
            text = next;
        }
    }
    return text;
}

/* ---- the registry of handles ---- */

static size_t slot_of(const json_t *j, size_t cap)
{
    uint64_t x = (uint64_t)(uintptr_t)j;
    x ^= x >> 31;
    x *= 0x9e3779b97f4a7c15ULL;
    x ^= x >> 29;
    return (size_t)(x & (cap - 1));
}

static void registry_insert(struct registry *r, struct sh_doc *d)
{
    size_t i = slot_of(d->j, r->cap);
    while (r->slot[i])
        i = (i + 1) & (r->cap - 1);
    r->slot[i] = d;
    r->n++;
}

static void registry_grow(struct registry *r)
{
    struct registry bigger = {must(calloc(r->cap ? r->cap * 2 : 64, sizeof(*r->slot))), r->cap ? r->cap * 2 : 64, 0};
    for (size_t i = 0; i < r->cap; i++)
        if (r->slot[i])
            registry_insert(&bigger, r->slot[i]);
    free(r->slot);
    *r = bigger;
}

/* The handle of node j (a new one holds a reference; `steal`: take the
 * caller's). */
static struct sh_doc *wrap(sh_ctx *f, struct registry *r, json_t *j, int steal, size_t size)
{
    if (!j)
        return NULL;
    for (size_t i = r->cap ? slot_of(j, r->cap) : 0; r->cap && r->slot[i]; i = (i + 1) & (r->cap - 1))
        if (r->slot[i]->j == j) {
            if (steal)
                json_decref(j);
            return r->slot[i];
        }
    if ((r->n + 1) * 2 > r->cap)
        registry_grow(r);
    struct sh_doc *d = must(calloc(1, size));
    d->j = steal ? j : json_incref(j);
    d->owner = f;
    registry_insert(r, d);
    return d;
}

static void registry_free(struct registry *r)
{
    for (size_t i = 0; i < r->cap; i++)
        if (r->slot[i]) {
            json_decref(r->slot[i]->j);
            free(r->slot[i]->text);
            free(r->slot[i]);
        }
    free(r->slot);
    memset(r, 0, sizeof(*r));
}

static sh_doc *doc_of(sh_ctx *f, json_t *j, int steal)
{
    return wrap(f, &f->docs, j, steal, sizeof(struct sh_doc));
}

static const sh_value *value_of(sh_ctx *f, json_t *j)
{
    return (const sh_value *)wrap(f, &f->values, j, 0, sizeof(struct sh_value));
}

static json_t *parse(const char *json)
{
    json_error_t e;
    json_t *j = json_loads(json, JSON_DECODE_ANY, &e);
    if (!j) {
        fprintf(stderr, "fake host: a scripted document is not JSON (%s): %s\n", e.text, json);
        abort();
    }
    return j;
}

/* ---- documents: paths ---- */

/* One path step, as core/aws/doc.c reads it: a name (may be empty) and
 * an index (-1 without). */
struct step {
    const char *name;
    size_t len;
    long index;
};

static int next_step(const char **p, struct step *s)
{
    const char *q = *p;
    s->name = q;
    s->len = strcspn(q, ".[");
    s->index = -1;
    q += s->len;
    if (*q == '[') {
        char *end;
        s->index = strtol(q + 1, &end, 10);
        if (end == q + 1 || *end != ']' || s->index < 0)
            return -1;
        q = end + 1;
    }
    if (*q == '.')
        q++;
    else if (*q)
        return -1;
    if (!s->len && s->index < 0)
        return -1;
    *p = q;
    return 0;
}

static int path_valid(const char *path)
{
    const char *p = path;
    struct step s;
    while (*p)
        if (next_step(&p, &s))
            return 0;
    return *path != '\0';
}

static json_t *member(const json_t *d, const struct step *s)
{
    char key[256];
    if (!json_is_object(d) || s->len >= sizeof(key))
        return NULL;
    memcpy(key, s->name, s->len);
    key[s->len] = '\0';
    return json_object_get(d, key);
}

static json_t *get_path(json_t *d, const char *path)
{
    const char *p = path ? path : "";
    while (d && *p) {
        struct step s;
        if (next_step(&p, &s))
            return NULL;
        if (s.len)
            d = member(d, &s);
        /* an index on a node that is not a list: [0] is the node (XML's
         * list of one), any other nothing */
        if (d && s.index >= 0)
            d = json_is_array(d) ? json_array_get(d, (size_t)s.index) : s.index == 0 ? d : NULL;
    }
    return d;
}

/* Where a node sits, so it can be replaced (jansson nodes keep their type). */
struct place {
    json_t *parent; /* NULL: the root */
    char key[256];
    size_t index;
    int in_array;
};

static json_t *put_at(const struct place *pl, json_t *with)
{
    if (!pl->parent) {
        json_decref(with);
        return NULL;
    }
    if (pl->in_array)
        json_array_set_new(pl->parent, pl->index, with);
    else
        json_object_set_new(pl->parent, pl->key, with);
    return with;
}

/* A null, or an empty string (XML's empty element), on a path becomes the
 * container the path goes through, as the host does. The root cannot be
 * replaced here: a document whose root is null takes no path. */
static json_t *as_container(json_t *d, const struct place *pl, int array)
{
    if (json_is_null(d) || (json_is_string(d) && !*json_string_value(d)))
        return put_at(pl, array ? json_array() : json_object());
    return d;
}

static json_t *new_node(json_type type)
{
    switch (type) {
    case JSON_OBJECT: return json_object();
    case JSON_ARRAY: return json_array();
    case JSON_STRING: return json_string("");
    case JSON_INTEGER: return json_integer(0);
    case JSON_TRUE:
    case JSON_FALSE: return json_false();
    default: return json_null();
    }
}

/* Walks path from root creating what is missing; the last node, when
 * made, is of `type`. Returns the node and its place, or NULL. */
static json_t *make_path(json_t *root, const char *path, json_type type, struct place *out)
{
    if (!path || !path_valid(path))
        return NULL;
    json_t *d = root;
    struct place pl = {0};
    for (const char *p = path; *p;) {
        struct step s;
        if (next_step(&p, &s))
            return NULL;
        int last_name = !*p && s.index < 0;
        if (s.len) {
            d = as_container(d, &pl, 0);
            if (!json_is_object(d) || s.len >= sizeof(pl.key))
                return NULL;
            json_t *m = member(d, &s);
            memcpy(pl.key, s.name, s.len);
            pl.key[s.len] = '\0';
            if (!m) {
                m = new_node(last_name ? type : s.index >= 0 ? JSON_ARRAY : JSON_OBJECT);
                json_object_set_new(d, pl.key, m);
            }
            pl.parent = d;
            pl.in_array = 0;
            d = m;
        }
        if (s.index >= 0) {
            d = as_container(d, &pl, 1);
            if (!json_is_array(d) || (size_t)s.index > json_array_size(d))
                return NULL;
            if ((size_t)s.index == json_array_size(d))
                json_array_append_new(d, new_node(*p ? JSON_OBJECT : type));
            pl.parent = d;
            pl.in_array = 1;
            pl.index = (size_t)s.index;
            d = json_array_get(d, (size_t)s.index);
        }
    }
    *out = pl;
    return d;
}

static int is_scalar(const json_t *j)
{
    return !json_is_object(j) && !json_is_array(j);
}

/* Sets a scalar at path (value stolen); a container there is not replaced. */
static sh_status set_scalar(sh_doc *doc, const char *path, json_t *value)
{
    struct place pl;
    json_t *n = doc && path ? make_path(doc->j, path, json_typeof(value), &pl) : NULL;
    if (!n || !is_scalar(n) || !put_at(&pl, value)) {
        if (!n || !is_scalar(n))
            json_decref(value);
        return SH_ERR_INVALID;
    }
    return SH_OK;
}

/* The text of a scalar (malloc'd), NULL for null and containers: numbers
 * as JSON writes them, booleans "true"/"false". */
static char *text_of(const json_t *j)
{
    if (json_is_string(j))
        return text_dup(json_string_value(j));
    if (json_is_integer(j))
        return format("%" JSON_INTEGER_FORMAT, json_integer_value(j));
    if (json_is_real(j))
        return must(json_dumps(j, JSON_ENCODE_ANY));
    if (json_is_boolean(j))
        return text_dup(json_is_true(j) ? "true" : "false");
    return NULL;
}

/* core/aws/doc.c's doc_equal on jansson nodes. */
static int equal(const json_t *want, const json_t *have, int subset)
{
    if (!want || !have)
        return want == have;
    if (is_scalar(want) && is_scalar(have)) {
        char *a = text_of(want), *b = text_of(have);
        int same = !strcmp(a ? a : "", b ? b : ""); /* null is "" */
        free(a);
        free(b);
        return same;
    }
    /* a list of one against the one node itself (XML's lists of one) */
    if (json_is_array(want) != json_is_array(have)) {
        const json_t *list = json_is_array(want) ? want : have;
        if (json_array_size(list) != 1)
            return 0;
        return want == list ? equal(json_array_get(list, 0), have, subset)
                            : equal(want, json_array_get(list, 0), subset);
    }
    if (json_typeof(want) != json_typeof(have))
        return 0;
    if (json_is_array(want)) {
        if (json_array_size(want) != json_array_size(have))
            return 0;
        for (size_t i = 0; i < json_array_size(want); i++)
            if (!equal(json_array_get(want, i), json_array_get(have, i), subset))
                return 0;
        return 1;
    }
    if (!subset && json_object_size(want) != json_object_size(have))
        return 0;
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)want, key, v) {
        if (!equal(v, json_object_get(have, key), subset))
            return 0;
    }
    return 1;
}

/* ---- documents: the table's members ---- */

static sh_doc *fh_doc_new(sh_ctx *f)
{
    return doc_of(f, json_object(), 1);
}

static sh_status fh_doc_set_string(sh_doc *doc, const char *path, const char *value)
{
    return value ? set_scalar(doc, path, json_string(value)) : SH_ERR_INVALID;
}

static sh_status fh_doc_set_number(sh_doc *doc, const char *path, long long value)
{
    return set_scalar(doc, path, json_integer((json_int_t)value));
}

static sh_status fh_doc_set_bool(sh_doc *doc, const char *path, int value)
{
    return set_scalar(doc, path, json_boolean(value));
}

static sh_status fh_doc_set_empty(sh_doc *doc, const char *path, int list)
{
    struct place pl;
    json_type type = list ? JSON_ARRAY : JSON_OBJECT;
    json_t *n = doc && path ? make_path(doc->j, path, type, &pl) : NULL;
    return n && json_typeof(n) == type ? SH_OK : SH_ERR_INVALID;
}

static const sh_doc *fh_doc_get(const sh_doc *doc, const char *path)
{
    return doc ? doc_of(doc->owner, get_path(doc->j, path), 0) : NULL;
}

static const char *fh_doc_string(const sh_doc *doc, const char *path)
{
    const sh_doc *n = fh_doc_get(doc, path);
    if (!n || !is_scalar(n->j) || json_is_null(n->j))
        return NULL;
    if (json_is_string(n->j))
        return json_string_value(n->j); /* the handle keeps the node */
    sh_doc *w = (sh_doc *)n;            /* the fake's own handle: its cache */
    if (!w->text)
        w->text = text_of(w->j);
    return w->text;
}

static size_t fh_doc_count(const sh_doc *doc, const char *path)
{
    const json_t *n = doc ? get_path(doc->j, path) : NULL;
    return !n ? 0 : json_is_array(n) ? json_array_size(n) : 1;
}

static const char *json_text(sh_ctx *f, const sh_doc *doc)
{
    if (!doc)
        return own(f, text_dup("null"));
    return own(f, must(json_dumps(doc->j, JSON_COMPACT | JSON_ENCODE_ANY)));
}

static const char *fh_doc_json(sh_ctx *f, const sh_doc *doc)
{
    return doc ? json_text(f, doc) : own(f, text_dup(""));
}

static sh_doc *fh_doc_parse(sh_ctx *f, const char *json)
{
    json_t *j = json ? json_loads(json, JSON_DECODE_ANY, NULL) : NULL;
    return j ? doc_of(f, j, 1) : NULL;
}

static int fh_doc_equal(const sh_doc *want, const sh_doc *have, int subset)
{
    return equal(want ? want->j : NULL, have ? have->j : NULL, subset);
}

/* ---- logging, errors, reports ---- */

static void fh_log(sh_ctx *f, sh_log_level level, const char *fmt, ...) SH_PRINTF(3, 4);
static void fh_log(sh_ctx *f, sh_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *line = redacted(f, vformat(fmt, ap));
    va_end(ap);
    if (getenv("FH_VERBOSE"))
        fprintf(stderr, "fake log %d: %s\n", (int)level, line);
    strs_push(&f->logs, line);
}

static sh_status record_error(sh_ctx *f, sh_status status, char *text)
{
    text = redacted(f, text);
    if (getenv("FH_VERBOSE"))
        fprintf(stderr, "fake error: %s\n", text);
    GROW(f->error_status, f->error_status_alloc, f->errors.n + 1);
    f->error_status[f->errors.n] = status;
    strs_push(&f->errors, text);
    return status;
}

static sh_status fh_fail(sh_ctx *f, sh_status status, const char *fmt, ...) SH_PRINTF(3, 4);
static sh_status fh_fail(sh_ctx *f, sh_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = vformat(fmt, ap);
    va_end(ap);
    /* as the host: fail never answers success */
    return record_error(f, status == SH_OK ? SH_ERR : status, text);
}

static void fh_redact(sh_ctx *f, const char *secret)
{
    if (secret && *secret)
        strs_push(&f->secrets, text_dup(secret));
}

static sh_mode fh_mode(const sh_ctx *f) { return f->mode; }
static int fh_cancelled(const sh_ctx *f) { return f->cancelled; }

static void fh_report_fn(sh_ctx *f, sh_change change, const char *resource, const char *detail)
{
    GROW(f->reports, f->reports_alloc, f->nreports + 1);
    fh_report *r = &f->reports[f->nreports++];
    r->change = change;
    r->resource = own(f, redacted(f, text_dup(resource ? resource : "(unnamed)")));
    r->detail = detail ? own(f, redacted(f, text_dup(detail))) : NULL;
}

/* ---- the stack ---- */

static const char *fh_stack_name(const sh_ctx *f) { return f->stack; }
static const char *fh_environment(const sh_ctx *f) { return f->environment; }
static const char *fh_region(const sh_ctx *f) { (void)f; return "us-east-1"; }

static const char *fh_resource_name(sh_ctx *f, const char *type, const char *purpose)
{
    return own(f, format("%s-%s-%s", type, purpose, f->environment));
}

static size_t fh_tags(const sh_ctx *f, const char *const **keys, const char *const **values)
{
    if (keys)
        *keys = f->tag_keys;
    if (values)
        *values = f->tag_values;
    return f->ntags;
}

static const char *fh_account_id(const sh_ctx *f) { (void)f; return "123456789012"; }
static const char *fh_partition(const sh_ctx *f) { (void)f; return "aws"; }
static int fh_allow_replace(const sh_ctx *f) { (void)f; return 0; }
static int fh_restart(const sh_ctx *f) { (void)f; return 0; }
static int fh_wait_ready(const sh_ctx *f) { return f->mode == SH_MODE_DEPLOY ? 900 : 0; }

/* ABI 1.5: fills the plugin's struct from its descriptor's config_bind.
 * The fake runs no descriptor: it binds nothing, which the host answers
 * with SH_ERR_INVALID. */
static sh_status fh_config_read(sh_ctx *f, void *into)
{
    (void)f;
    (void)into;
    return SH_ERR_INVALID;
}

/* ABI 1.5: no plugin of the fake's stack owns a key of another. */
/* The fake has no price table: nothing is priced (fake_host.h). */
static sh_status fh_cost_add(sh_ctx *f, const sh_cost *part)
{
    (void)f;
    (void)part;
    return SH_ERR_INVALID;
}

/* ABI 1.7: the fake runs one plugin, so no other's destroy to wait for. */
static int fh_await_destroyed(sh_ctx *f, const char *plugin)
{
    (void)f;
    (void)plugin;
    return 0;
}

static void fh_destroy_released(sh_ctx *f)
{
    (void)f;
}

static const char *fh_owner(const sh_ctx *f, const char *key)
{
    (void)f;
    (void)key;
    return NULL;
}

/* ---- configuration ---- */

static void plugin_bug(const sh_value *v, const char *want)
{
    fh_log(v->d.owner, SH_LOG_ERROR, "plugin bug: a configuration value read as %s is not one", want);
}

static const sh_value *fh_config(const sh_ctx *f, const char *key)
{
    return value_of((sh_ctx *)f, json_object_get(f->config, key));
}

static const char *fh_value_string(const sh_value *v)
{
    if (v && !json_is_string(v->d.j))
        plugin_bug(v, "a string");
    return v && json_is_string(v->d.j) ? json_string_value(v->d.j) : NULL;
}

static long long fh_value_int(const sh_value *v)
{
    if (v && !json_is_integer(v->d.j))
        plugin_bug(v, "an integer");
    return v && json_is_integer(v->d.j) ? (long long)json_integer_value(v->d.j) : 0;
}

static int fh_value_bool(const sh_value *v)
{
    if (v && !json_is_boolean(v->d.j))
        plugin_bug(v, "a boolean");
    return v && json_is_true(v->d.j);
}

static size_t fh_value_count(const sh_value *v)
{
    if (!v)
        return 0;
    return json_is_array(v->d.j) ? json_array_size(v->d.j) : json_is_object(v->d.j) ? json_object_size(v->d.j) : 0;
}

static const sh_value *fh_value_at(const sh_value *v, size_t i)
{
    return v && json_is_array(v->d.j) ? value_of(v->d.owner, json_array_get(v->d.j, i)) : NULL;
}

static const sh_value *fh_value_member(const sh_value *group, const char *key)
{
    return group && json_is_object(group->d.j) ? value_of(group->d.owner, json_object_get(group->d.j, key)) : NULL;
}

static const char *fh_config_string(const sh_ctx *f, const char *key) { return fh_value_string(fh_config(f, key)); }
static long long fh_config_int(const sh_ctx *f, const char *key) { return fh_value_int(fh_config(f, key)); }
static int fh_config_bool(const sh_ctx *f, const char *key) { return fh_value_bool(fh_config(f, key)); }

static sh_status fh_config_error(sh_ctx *f, const sh_value *at, const char *fmt, ...) SH_PRINTF(3, 4);
static sh_status fh_config_error(sh_ctx *f, const sh_value *at, const char *fmt, ...)
{
    (void)at; /* the host adds file, line and key path; the fake has none */
    va_list ap;
    va_start(ap, fmt);
    char *text = vformat(fmt, ap);
    va_end(ap);
    return record_error(f, SH_ERR_CONFIG, text);
}

static const sh_value *fh_required_config(const sh_ctx *f, const char *plugin, const char *key)
{
    return value_of((sh_ctx *)f, json_object_get(json_object_get(f->required, plugin), key));
}

/* ---- outputs ---- */

static int key_valid(const char *key)
{
    return key && *key && strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(key);
}

static sh_status fh_output_string(sh_ctx *f, const char *key, const char *value)
{
    if (!key_valid(key) || !value)
        return fh_fail(f, SH_ERR_INVALID, "output key '%s' is not [a-z0-9_]+ or its value is missing",
                       key ? key : "(null)");
    json_object_set_new(f->outputs, key, json_string(value));
    return SH_OK;
}

static sh_status fh_output_list(sh_ctx *f, const char *key, const char *const *items, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n && items; i++)
        if (items[i])
            json_array_append_new(list, json_string(items[i]));
    if (!key_valid(key) || (n && !items) || json_array_size(list) != n) {
        json_decref(list);
        return fh_fail(f, SH_ERR_INVALID, "output key '%s' is not [a-z0-9_]+ or an item is missing",
                       key ? key : "(null)");
    }
    json_object_set_new(f->outputs, key, list);
    return SH_OK;
}

static const char *fh_input_string(sh_ctx *f, const char *plugin, const char *key)
{
    return json_string_value(json_object_get(json_object_get(f->inputs, plugin), key));
}

static size_t fh_input_list(sh_ctx *f, const char *plugin, const char *key, const char *const **items)
{
    json_t *list = json_object_get(json_object_get(f->inputs, plugin), key);
    size_t n = json_is_array(list) ? json_array_size(list) : 0;
    if (items)
        *items = NULL;
    if (!n)
        return 0;
    const char **out = must(calloc(n + 1, sizeof(*out)));
    for (size_t i = 0; i < n; i++)
        out[i] = json_string_value(json_array_get(list, i));
    GROW(f->blocks, f->blocks_alloc, f->nblocks + 1);
    f->blocks[f->nblocks++] = out;
    if (items)
        *items = out;
    return n;
}

/* ---- aws: the script ---- */

static struct answer *add_answer(sh_ctx *f, const char *service, const char *operation, enum answer_kind kind)
{
    GROW(f->answers, f->answers_alloc, f->nanswers + 1);
    struct answer *a = &f->answers[f->nanswers++];
    memset(a, 0, sizeof(*a));
    a->service = text_dup(service);
    a->operation = text_dup(operation);
    a->kind = kind;
    return a;
}

/* The next answer for service:operation, or NULL. */
static struct answer *next_answer(sh_ctx *f, const char *service, const char *operation)
{
    for (size_t i = 0; i < f->nanswers; i++) {
        struct answer *a = &f->answers[i];
        if ((a->given && !a->repeats) || strcmp(a->service, service) || strcmp(a->operation, operation))
            continue;
        a->given++;
        return a;
    }
    return NULL;
}

static void copy_field(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static void set_err(sh_ctx *f, struct err *e, const char *service, const char *op, const char *code, const char *msg)
{
    memset(e, 0, sizeof(*e));
    copy_field(e->service, sizeof(e->service), service);
    copy_field(e->operation, sizeof(e->operation), op);
    copy_field(e->code, sizeof(e->code), code);
    copy_field(e->message, sizeof(e->message), msg);
    snprintf(e->request_id, sizeof(e->request_id), "fake-%u", ++f->request_ids);
}

/* The context's aws_error becomes e (the host's ctx_keep_error). */
static void keep_error(sh_ctx *f, const struct err *e)
{
    f->last = *e;
    f->has_error = 1;
    f->view = (sh_aws_error){.service = f->last.service, .operation = f->last.operation,
                             .http_status = f->last.http_status, .code = f->last.code, .message = f->last.message,
                             .request_id = f->last.request_id, .attempts = 1,
                             .maybe_applied = f->last.maybe_applied};
}

/* What a mutating operation would do, for its plan line (core/host.c). */
static sh_change change_of(const char *op)
{
    static const char *const creates[] = {"Create", "Allocate", "Put", "Register", "Run", "Attach", "Associate",
                                          "Authorize", "Subscribe", "Tag", "Enable", NULL};
    static const char *const deletes[] = {"Delete", "Release", "Deregister", "Detach", "Disassociate", "Revoke",
                                          "Unsubscribe", "Untag", "Schedule", "Disable", NULL};
    for (size_t i = 0; creates[i]; i++)
        if (!strncmp(op, creates[i], strlen(creates[i])))
            return SH_CHANGE_CREATE;
    for (size_t i = 0; deletes[i]; i++)
        if (!strncmp(op, deletes[i], strlen(deletes[i])))
            return SH_CHANGE_DELETE;
    return SH_CHANGE_UPDATE;
}

static void record_call(sh_ctx *f, const char *service, const char *op, const sh_doc *input, const char *items,
                        const char *resource, fh_via via, unsigned round)
{
    GROW(f->calls, f->calls_alloc, f->ncalls + 1);
    fh_call *c = &f->calls[f->ncalls++];
    c->service = own(f, text_dup(service));
    c->operation = own(f, text_dup(op));
    c->input = json_text(f, input);
    c->items_path = items ? own(f, text_dup(items)) : NULL;
    c->resource = resource ? own(f, text_dup(resource)) : NULL;
    c->via = via;
    c->round = round;
}

/* One call, as the host's call(): cancelled, refused by the mode, or
 * answered from the script. The error goes to *e. */
static sh_status perform(sh_ctx *f, const char *service, const char *op, const sh_doc *input, const char *items,
                         const char *resource, fh_via via, unsigned round, const sh_doc **out, struct err *e)
{
    *out = NULL;
    if (!service || !op) {
        set_err(f, e, service, op, "InvalidRequest", "a call needs a service and an operation");
        return SH_ERR_INVALID;
    }
    if (f->cancelled) {
        set_err(f, e, service, op, "Cancelled", "the run is stopping");
        return SH_ERR_CANCELLED;
    }
    if (f->mode != SH_MODE_DEPLOY && f->mode != SH_MODE_DESTROY && !sh_operation_is_read(op)) {
        char *what = format("%s %s (a call the plan did not send)", service, op);
        fh_report_fn(f, change_of(op), what, NULL);
        free(what);
        f->refused++;
        *out = doc_of(f, json_object(), 1);
        return SH_OK;
    }
    record_call(f, service, op, input, items, resource, via, round);
    struct answer *a = next_answer(f, service, op);
    if (!a) {
        f->unscripted++;
        char *msg = format("no answer scripted for %s %s", service, op);
        set_err(f, e, service, op, "FakeUnscripted", msg);
        free(msg);
        e->http_status = 400;
        return SH_ERR_AWS;
    }
    switch (a->kind) {
    case ANSWER_OK:
        *out = doc_of(f, parse(a->json), 1);
        return SH_OK;
    case ANSWER_ERROR:
        set_err(f, e, service, op, a->code, a->message);
        e->http_status = 400;
        return SH_ERR_AWS;
    case ANSWER_LOST:
        break;
    }
    /* the words and flags the host gives a dropped connection (core/aws/client.c) */
    set_err(f, e, service, op, "NetworkError",
            "https://fake.invalid/: connection reset after the request was sent; it may have been applied: a "
            "create is not sent again before looking for what it made");
    e->maybe_applied = !sh_operation_is_read(op);
    return SH_ERR_AWS;
}

static sh_status direct(sh_ctx *f, const char *service, const char *op, const sh_doc *input, const char *items,
                        fh_via via, const sh_doc **output)
{
    const sh_doc *out;
    struct err e;
    sh_status st = perform(f, service, op, input, items, NULL, via, ++f->rounds, &out, &e);
    if (output)
        *output = out;
    if (st != SH_OK)
        keep_error(f, &e);
    return st;
}

static sh_status fh_aws_call(sh_ctx *f, const char *service, const char *op, const sh_doc *input,
                             const sh_doc **output)
{
    return direct(f, service, op, input, NULL, FH_VIA_CALL, output);
}

static sh_status fh_aws_call_all(sh_ctx *f, const char *service, const char *op, const sh_doc *input,
                                 const char *items_path, const sh_doc **output)
{
    if (!items_path || !*items_path) {
        if (output)
            *output = NULL;
        return fh_fail(f, SH_ERR_INVALID, "aws_call_all %s %s needs the path of the items to gather",
                       service ? service : "?", op ? op : "?");
    }
    return direct(f, service, op, input, items_path, FH_VIA_CALL_ALL, output);
}

static const sh_aws_error *fh_aws_error(const sh_ctx *f)
{
    return f->has_error ? &f->view : NULL;
}

/* The host's aws_error_format. */
static const char *fh_aws_error_text(sh_ctx *f)
{
    if (!f->has_error)
        return own(f, text_dup("no aws error"));
    const struct err *e = &f->last;
    char http[32] = "";
    if (e->http_status)
        snprintf(http, sizeof(http), "http %ld, ", e->http_status);
    return own(f, redacted(f, format("%s %s: %s%s%s (%srequest id %s, 1 attempt)", e->service, e->operation,
                                     e->code, *e->message ? ": " : "", e->message, http, e->request_id)));
}

/* ---- batches ---- */

static sh_batch *fh_batch_new(sh_ctx *f)
{
    sh_batch *b = must(calloc(1, sizeof(*b)));
    b->owner = f;
    GROW(f->batches, f->batches_alloc, f->nbatches + 1);
    f->batches[f->nbatches++] = b;
    return b;
}

static size_t fh_batch_add(sh_batch *b, const char *service, const char *operation, const sh_doc *input,
                           const char *items_path, const char *resource)
{
    GROW(b->calls, b->alloc, b->n + 1);
    struct batch_call *c = &b->calls[b->n];
    memset(c, 0, sizeof(*c));
    c->service = text_dup(service);
    c->operation = text_dup(operation);
    c->items_path = text_dup(items_path);
    c->resource = text_dup(resource);
    c->input = input; /* read when the batch runs */
    return b->n++;
}

static sh_status fh_batch_run(sh_batch *b)
{
    sh_ctx *f = b->owner;
    size_t first = b->sent;
    b->sent = b->n;
    if (first == b->n)
        return SH_OK;
    if (f->cancelled) {
        for (size_t i = first; i < b->n; i++) {
            set_err(f, &b->calls[i].err, b->calls[i].service, b->calls[i].operation, "Cancelled",
                    "the run is stopping");
            b->calls[i].status = SH_ERR_CANCELLED;
        }
        return SH_ERR_CANCELLED;
    }
    unsigned round = ++f->rounds;
    sh_status status = SH_OK;
    for (size_t i = first; i < b->n; i++) {
        struct batch_call *c = &b->calls[i];
        c->status = perform(f, c->service, c->operation, c->input, c->items_path, c->resource, FH_VIA_BATCH, round,
                            &c->out, &c->err);
        if (c->status != SH_OK)
            status = SH_ERR_AWS;
    }
    return status;
}

static sh_status fh_batch_result(sh_batch *b, size_t i, const sh_doc **output)
{
    if (output)
        *output = NULL;
    if (i >= b->sent) {
        struct err e;
        set_err(b->owner, &e, "?", "?", "NotSent", "the call was not run (batch_run first)");
        keep_error(b->owner, &e);
        return SH_ERR_INVALID;
    }
    const struct batch_call *c = &b->calls[i];
    if (c->status != SH_OK) {
        keep_error(b->owner, &c->err);
        return SH_ERR_AWS;
    }
    if (output)
        *output = c->out;
    return SH_OK;
}

static void batch_free(sh_batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->calls[i].service);
        free(b->calls[i].operation);
        free(b->calls[i].items_path);
        free(b->calls[i].resource);
    }
    free(b->calls);
    free(b);
}

/* ---- waiting ---- */

static long ms_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - start->tv_sec) * 1000L + (now.tv_nsec - start->tv_nsec) / 1000000L;
}

/* The host's wait (core/host_wait.c) at a test's pace: polls 5 ms apart
 * instead of a tenth of the time waited, the same deadline, cancellation
 * and results. */
static sh_status fh_wait(sh_ctx *f, const char *what, int timeout_seconds, sh_poll_fn poll, void *arg)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    char progress[256];
    f->waits++;
    for (int logged = 0;; logged = 1) {
        progress[0] = '\0';
        int rc = poll(arg, progress, sizeof(progress));
        f->polls++;
        if (rc)
            return rc > 0 ? SH_OK : SH_ERR_AWS;
        long waited = ms_since(&start);
        if (waited >= (long)timeout_seconds * 1000L)
            return fh_fail(f, SH_ERR_TIMEOUT, "waited %lds for %s (%s): giving up; run the command again to continue",
                           waited / 1000, what, progress);
        if (f->cancelled)
            return fh_fail(f, SH_ERR_CANCELLED, "stopped waiting for %s (%s)", what, progress);
        if (!logged)
            fh_log(f, SH_LOG_INFO, "waiting for %s: %s (%lds)", what, progress, waited / 1000);
        struct timespec nap = {0, 5 * 1000000L};
        nanosleep(&nap, NULL);
    }
}

/* ---- the fake's own interface ---- */

static void set_tags(sh_ctx *f)
{
    f->tag_keys[0] = "Project";
    f->tag_values[0] = f->stack;
    f->tag_keys[1] = "Environment";
    f->tag_values[1] = f->environment;
    f->tag_keys[2] = "ManagedBy";
    f->tag_values[2] = "stackhost";
    if (f->ntags < 3)
        f->ntags = 3;
}

sh_ctx *fh_new(void)
{
    sh_ctx *f = must(calloc(1, sizeof(*f)));
    f->table = (sh_host){
        .size = sizeof(sh_host),
        .abi_major = STACKHOST_ABI_MAJOR,
        .abi_minor = STACKHOST_ABI_MINOR,
        .log = fh_log,
        .fail = fh_fail,
        .redact = fh_redact,
        .mode = fh_mode,
        .cancelled = fh_cancelled,
        .stack_name = fh_stack_name,
        .environment = fh_environment,
        .region = fh_region,
        .resource_name = fh_resource_name,
        .tags = fh_tags,
        .config = fh_config,
        .config_string = fh_config_string,
        .config_int = fh_config_int,
        .config_bool = fh_config_bool,
        .value_count = fh_value_count,
        .value_at = fh_value_at,
        .value_member = fh_value_member,
        .value_string = fh_value_string,
        .value_int = fh_value_int,
        .value_bool = fh_value_bool,
        .config_error = fh_config_error,
        .output_string = fh_output_string,
        .output_list = fh_output_list,
        .input_string = fh_input_string,
        .input_list = fh_input_list,
        .report = fh_report_fn,
        .doc_new = fh_doc_new,
        .doc_set_string = fh_doc_set_string,
        .doc_set_number = fh_doc_set_number,
        .doc_set_bool = fh_doc_set_bool,
        .doc_set_empty = fh_doc_set_empty,
        .doc_get = fh_doc_get,
        .doc_string = fh_doc_string,
        .doc_count = fh_doc_count,
        .doc_json = fh_doc_json,
        .aws_call = fh_aws_call,
        .aws_call_all = fh_aws_call_all,
        .aws_error = fh_aws_error,
        .aws_error_text = fh_aws_error_text,
        .account_id = fh_account_id,
        .partition = fh_partition,
        .allow_replace = fh_allow_replace,
        .batch_new = fh_batch_new,
        .batch_add = fh_batch_add,
        .batch_run = fh_batch_run,
        .batch_result = fh_batch_result,
        .wait = fh_wait,
        .doc_parse = fh_doc_parse,
        .doc_equal = fh_doc_equal,
        .wait_ready = fh_wait_ready,
        .required_config = fh_required_config,
        .restart = fh_restart,
        .config_read = fh_config_read,
        .owner = fh_owner,
        .cost_add = fh_cost_add,
        .await_destroyed = fh_await_destroyed,
        .destroy_released = fh_destroy_released,
    };
    f->mode = SH_MODE_DEPLOY;
    f->config = json_object();
    f->required = json_object();
    f->inputs = json_object();
    f->outputs = json_object();
    fh_set_stack(f, "catalog", "dev");
    return f;
}

void fh_free(sh_ctx *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->nanswers; i++) {
        free(f->answers[i].service);
        free(f->answers[i].operation);
        free(f->answers[i].json);
        free(f->answers[i].code);
        free(f->answers[i].message);
    }
    free(f->answers);
    free(f->calls);
    free(f->reports);
    free(f->error_status);
    for (size_t i = 0; i < f->nblocks; i++)
        free(f->blocks[i]);
    free(f->blocks);
    for (size_t i = 0; i < f->nbatches; i++)
        batch_free(f->batches[i]);
    free(f->batches);
    registry_free(&f->docs);
    registry_free(&f->values);
    json_decref(f->config);
    json_decref(f->required);
    json_decref(f->inputs);
    json_decref(f->outputs);
    strs_free(&f->errors);
    strs_free(&f->logs);
    strs_free(&f->secrets);
    strs_free(&f->texts);
    free(f);
}

const sh_host *fh_host(sh_ctx *f) { return &f->table; }

void fh_set_mode(sh_ctx *f, sh_mode mode) { f->mode = mode; }

void fh_set_stack(sh_ctx *f, const char *name, const char *environment)
{
    /* kept in the texts: what an earlier call returned stays valid */
    f->stack = own(f, text_dup(name));
    f->environment = own(f, text_dup(environment));
    set_tags(f);
}

void fh_add_stack_tag(sh_ctx *f, const char *key, const char *value)
{
    if (f->ntags >= FH_MAX_TAGS) {
        fprintf(stderr, "fake host: more than %d tags\n", FH_MAX_TAGS);
        abort();
    }
    f->tag_keys[f->ntags] = own(f, text_dup(key));
    f->tag_values[f->ntags++] = own(f, text_dup(value));
}

void fh_set_host_abi(sh_ctx *f, uint32_t minor, size_t size)
{
    if (size > sizeof(sh_host))
        size = sizeof(sh_host);
    f->table.abi_minor = minor;
    f->table.size = (uint32_t)size;
    memset((char *)&f->table + size, 0, sizeof(sh_host) - size);
}

void fh_set_cancelled(sh_ctx *f, int cancelled) { f->cancelled = cancelled; }

void fh_set_config(sh_ctx *f, const char *json)
{
    json_decref(f->config);
    f->config = parse(json);
}

void fh_set_required_config(sh_ctx *f, const char *plugin, const char *json)
{
    json_object_set_new(f->required, plugin, parse(json));
}

void fh_set_inputs(sh_ctx *f, const char *json)
{
    json_decref(f->inputs);
    f->inputs = parse(json);
}

void fh_answer(sh_ctx *f, const char *service, const char *operation, const char *json)
{
    json_decref(parse(json)); /* a script that is not JSON fails where it is written */
    add_answer(f, service, operation, ANSWER_OK)->json = text_dup(json);
}

void fh_answer_error(sh_ctx *f, const char *service, const char *operation, const char *code, const char *message)
{
    struct answer *a = add_answer(f, service, operation, ANSWER_ERROR);
    a->code = text_dup(code);
    a->message = text_dup(message ? message : "");
}

void fh_answer_lost(sh_ctx *f, const char *service, const char *operation)
{
    add_answer(f, service, operation, ANSWER_LOST);
}

void fh_answer_repeats(sh_ctx *f, const char *service, const char *operation)
{
    for (size_t i = f->nanswers; i-- > 0;)
        if (!strcmp(f->answers[i].service, service) && !strcmp(f->answers[i].operation, operation)) {
            f->answers[i].repeats = 1;
            return;
        }
    fprintf(stderr, "fake host: nothing scripted for %s %s to repeat\n", service, operation);
    abort();
}

size_t fh_call_count(const sh_ctx *f) { return f->ncalls; }
const fh_call *fh_call_at(const sh_ctx *f, size_t i) { return i < f->ncalls ? &f->calls[i] : NULL; }

size_t fh_sent(const sh_ctx *f, const char *service, const char *operation)
{
    size_t n = 0;
    for (size_t i = 0; i < f->ncalls; i++)
        n += (!service || !strcmp(f->calls[i].service, service)) &&
             (!operation || !strcmp(f->calls[i].operation, operation));
    return n;
}

size_t fh_refused(const sh_ctx *f) { return f->refused; }
size_t fh_unscripted(const sh_ctx *f) { return f->unscripted; }

size_t fh_unused_answers(const sh_ctx *f)
{
    size_t n = 0;
    for (size_t i = 0; i < f->nanswers; i++)
        n += !f->answers[i].given;
    return n;
}

size_t fh_report_count(const sh_ctx *f) { return f->nreports; }
const fh_report *fh_report_at(const sh_ctx *f, size_t i) { return i < f->nreports ? &f->reports[i] : NULL; }

const fh_report *fh_report_find(const sh_ctx *f, const char *fragment)
{
    for (size_t i = 0; i < f->nreports; i++)
        if (strstr(f->reports[i].resource, fragment))
            return &f->reports[i];
    return NULL;
}

size_t fh_error_count(const sh_ctx *f) { return f->errors.n; }
const char *fh_error_at(const sh_ctx *f, size_t i) { return i < f->errors.n ? f->errors.v[i] : NULL; }

sh_status fh_error_status_at(const sh_ctx *f, size_t i)
{
    return i < f->errors.n ? f->error_status[i] : SH_OK;
}

int fh_error_has(const sh_ctx *f, const char *fragment) { return strs_have(&f->errors, fragment); }
int fh_log_has(const sh_ctx *f, const char *fragment) { return strs_have(&f->logs, fragment); }
size_t fh_wait_count(const sh_ctx *f) { return f->waits; }
size_t fh_poll_count(const sh_ctx *f) { return f->polls; }

const char *fh_output(const sh_ctx *f, const char *key)
{
    return json_string_value(json_object_get(f->outputs, key));
}
