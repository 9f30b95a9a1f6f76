/* A resource's plan or progress line, and the calls that change it or
 * read it: the bookkeeping every converge wave shares. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stackhost/converge.h>

/* Whether `what` is one of the detail's notes already: found between
 * commas (or the ends), not inside a longer note ("tag Team" is not
 * "tag TeamLead ..."). */
static int noted(const char *detail, const char *what)
{
    size_t len = strlen(what);
    for (const char *at = strstr(detail, what); at; at = strstr(at + 1, what)) {
        int starts = at == detail || (at - detail >= 2 && !strncmp(at - 2, ", ", 2));
        int ends = !at[len] || !strncmp(at + len, ", ", 2);
        if (starts && ends)
            return 1;
    }
    return 0;
}

void shc_line_note(shc_line *line, sh_change change, const char *what)
{
    if (line->change != SH_CHANGE_REPLACE &&
        (change == SH_CHANGE_REPLACE || change == SH_CHANGE_CREATE || line->change == SH_CHANGE_NONE))
        line->change = change;
    /* once full, the detail ends with "...": what did not fit is said to exist */
    if (!what || !*what || noted(line->detail, what) || noted(line->detail, "..."))
        return;
    size_t used = strlen(line->detail), room = sizeof(line->detail) - used;
    if (used + 2 + strlen(what) < sizeof(line->detail))
        snprintf(line->detail + used, room, "%s%s", used ? ", " : "", what);
    else if (room > 5) /* cut at a note, never inside one */
        snprintf(line->detail + used, room, "%s...", used ? ", " : "");
}

/* ---- before -> after ---- */

static int is_json(const char *text)
{
    text += strspn(text, " \t\r\n");
    return *text == '{' || *text == '[';
}

/* Where to cut a text of k bytes that is too long: before byte *head and
 * from byte *tail on, at a boundary near the middle when there is one
 * (a JSON list keeps whole items and its commas: ["a",...,"z"]; a name
 * whole parts: "1234.dkr.ecr...com/repo:1.0"), else in a UTF-8
 * sequence's stead. */
#define SNAP 12
static void cut(const char *flat, size_t k, int json, size_t *head, size_t *tail)
{
    const char *seps = json ? "," : "./:";
    *head = (SHC_DIFF_SIDE - 3) / 2;
    *tail = k - (SHC_DIFF_SIDE - 3 - *head);
    /* commas are kept on both sides of "...", a name's dots are not */
    for (size_t i = *head; i + SNAP > *head && i > 1; i--)
        if (strchr(seps, json ? flat[i - 1] : flat[i])) {
            *head = i;
            break;
        }
    for (size_t j = *tail; j < *tail + SNAP && j < k; j++)
        if (strchr(seps, json ? flat[j] : flat[j - 1])) {
            *tail = j;
            break;
        }
    while (*head && ((unsigned char)flat[*head] & 0xc0) == 0x80)
        (*head)--;
    while (*tail < k && ((unsigned char)flat[*tail] & 0xc0) == 0x80)
        (*tail)++;
}

/* One side of a diff, into out (len > SHC_DIFF_SIDE): "(none)" for NULL;
 * JSON without the spaces between its tokens; control characters as
 * spaces (a line stays one line); longer than SHC_DIFF_SIDE, its start
 * and end around "..." (see cut). */
static void side(char *out, size_t len, const char *text)
{
    if (!text) {
        snprintf(out, len, "(none)");
        return;
    }
    size_t n = strlen(text), k = 0;
    char *flat = malloc(n + 1);
    if (!flat) {
        snprintf(out, len, "...");
        return;
    }
    int json = is_json(text), in_string = 0, escaped = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (json && !in_string && (c == ' ' || c == '\t' || c == '\r' || c == '\n'))
            continue;
        if (json && escaped)
            escaped = 0;
        else if (json && in_string && c == '\\')
            escaped = 1;
        else if (json && c == '"')
            in_string = !in_string;
        flat[k++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
    }
    flat[k] = '\0';
    if (k <= SHC_DIFF_SIDE) {
        snprintf(out, len, "%s", flat);
        free(flat);
        return;
    }
    size_t head, tail;
    cut(flat, k, json, &head, &tail);
    snprintf(out, len, "%.*s...%s", (int)head, flat, flat + tail);
    free(flat);
}

/* Appends ", item" (or "item") to buf. */
static void add(char *buf, size_t len, const char *item)
{
    size_t used = strlen(buf);
    if (used < len)
        snprintf(buf + used, len - used, "%s%s", used ? ", " : "", item);
}

/* The members an IAM or KMS policy statement may have (the Sid names it). */
static const char *const statement_members[] = {"Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                                                "Resource", "NotResource", "Condition"};

/* The statement of policy (may be NULL) that matches `want` (i of the
 * other policy): the one with the same Sid, or without a Sid the one at
 * the same place that has none either; NULL when none. */
static const sh_doc *counterpart(const sh_host *h, const sh_doc *policy, const char *sid, size_t i, size_t *at)
{
    size_t n = policy ? h->doc_count(policy, "Statement") : 0;
    for (size_t k = 0; k < n; k++) {
        const sh_doc *s = shc_node(h, policy, "Statement[%zu]", k);
        const char *other = h->doc_string(s, "Sid");
        int has = other && *other;
        if ((sid && has && !strcmp(sid, other)) || (!sid && !has && k == i)) {
            *at = k;
            return s;
        }
    }
    return NULL;
}

/* "statement PullImage changed (action, resource)": what differs
 * between two statements, lower case; "" when nothing does. */
static void statement_diff(const sh_host *h, char *buf, size_t len, const char *name, const sh_doc *before,
                           const sh_doc *after)
{
    char item[256], members[160] = "";
    if (!before || !after) {
        snprintf(item, sizeof(item), "statement %s %s", name, before ? "removed" : "added");
        add(buf, len, item);
        return;
    }
    if (h->doc_equal(after, before, 0))
        return;
    for (size_t m = 0; m < sizeof(statement_members) / sizeof(statement_members[0]); m++)
        if (!h->doc_equal(h->doc_get(after, statement_members[m]), h->doc_get(before, statement_members[m]), 0)) {
            char lower[16];
            size_t c = 0;
            for (; statement_members[m][c] && c + 1 < sizeof(lower); c++)
                lower[c] = (char)(statement_members[m][c] | 0x20);
            lower[c] = '\0';
            add(members, sizeof(members), lower);
        }
    snprintf(item, sizeof(item), "statement %s changed%s%s%s", name, members[0] ? " (" : "", members,
             members[0] ? ")" : "");
    add(buf, len, item);
}

/* A statement's name in a note: its Sid, else its place from 1. */
static const char *statement_name(char *buf, size_t len, const char *sid, size_t i)
{
    if (sid && *sid)
        snprintf(buf, len, "%s", sid);
    else
        snprintf(buf, len, "%zu", i + 1);
    return buf;
}

/* What differs between two policy documents (either may be NULL: none),
 * statement by statement; the top-level members otherwise. */
static void policy_diff(const sh_host *h, char *buf, size_t len, const sh_doc *before, const sh_doc *after)
{
    char name[64];
    size_t nb = before ? h->doc_count(before, "Statement") : 0, na = after ? h->doc_count(after, "Statement") : 0;
    unsigned char *seen = calloc(nb + 1, 1);
    if (!seen)
        return;
    for (size_t i = 0; i < na; i++) {
        const sh_doc *s = shc_node(h, after, "Statement[%zu]", i);
        const char *sid = h->doc_string(s, "Sid");
        sid = sid && *sid ? sid : NULL;
        size_t at = 0;
        const sh_doc *was = counterpart(h, before, sid, i, &at);
        if (was)
            seen[at] = 1;
        statement_diff(h, buf, len, statement_name(name, sizeof(name), sid, i), was, s);
    }
    for (size_t k = 0; k < nb; k++) {
        if (seen[k])
            continue;
        const sh_doc *s = shc_node(h, before, "Statement[%zu]", k);
        statement_diff(h, buf, len, statement_name(name, sizeof(name), h->doc_string(s, "Sid"), k), s, NULL);
    }
    free(seen);
    if (buf[0])
        return;
    /* the statements agree: name the top-level member that does not */
    const char *top = !h->doc_equal(h->doc_get(after, "Version"), h->doc_get(before, "Version"), 0) ? " (version)"
                      : !h->doc_equal(h->doc_get(after, "Id"), h->doc_get(before, "Id"), 0)        ? " (id)"
                                                                                                     : "";
    snprintf(buf, len, "policy document changed%s", top);
}

/* A policy document's text parsed, or NULL (not one, or not JSON). */
static const sh_doc *as_policy(const sh_host *h, sh_ctx *ctx, const char *text, int *unparsed)
{
    if (!text)
        return NULL;
    if (!is_json(text)) {
        *unparsed = 1;
        return NULL;
    }
    const sh_doc *d = h->doc_parse(ctx, text);
    if (!d)
        *unparsed = 1;
    return d && h->doc_get(d, "Statement") ? d : NULL;
}

const char *shc_line_diff(const sh_host *h, sh_ctx *ctx, shc_line *line, sh_change change, const char *field,
                          const char *before, const char *after)
{
    char text[SHC_DETAIL];
    int unparsed = 0;
    const sh_doc *pb = NULL, *pa = NULL;
    if (SH_HOST_HAS(h, doc_equal)) { /* doc_parse and doc_equal: abi 1.2 */
        pb = as_policy(h, ctx, before, &unparsed);
        pa = as_policy(h, ctx, after, &unparsed);
    }
    if (pb || pa) {
        char what[SHC_DETAIL - 64] = "";
        if (unparsed) /* one side is not JSON: what differs cannot be said */
            snprintf(what, sizeof(what), "policy document changed");
        else
            policy_diff(h, what, sizeof(what), pb, pa);
        snprintf(text, sizeof(text), "%s: %s", field, what);
    } else {
        char b[SHC_DIFF_SIDE + 8], a[SHC_DIFF_SIDE + 8];
        side(b, sizeof(b), before);
        side(a, sizeof(a), after);
        snprintf(text, sizeof(text), "%s %s -> %s", field, b, a);
    }
    if (line)
        shc_line_note(line, change, text);
    return shc_text(h, ctx, "%s", text);
}

int shc_text_differs(const sh_host *h, sh_ctx *ctx, shc_line *line, const char *what, const char *have,
                     const char *want)
{
    if (have && want && !strcmp(have, want))
        return 0;
    shc_line_diff(h, ctx, line, SH_CHANGE_UPDATE, what, have, want);
    return 1;
}

/* The i-th string of the list at path (see shc_set_differs), or NULL. */
static const char *list_item(const sh_host *h, const sh_doc *item, const char *path, size_t i)
{
    const char *field = strchr(path, '|');
    int at = field ? (int)(field - path) : (int)strlen(path);
    return field ? shc_str(h, item, "%.*s[%zu].%s", at, path, i, field + 1) : shc_str(h, item, "%.*s[%zu]", at, path, i);
}

/* A JSON list of the n strings (NULL ones as "?"). */
static const char *strings_text(const sh_host *h, sh_ctx *ctx, const char *const *s, size_t n)
{
    sh_doc *d = h->doc_new(ctx);
    char path[32];
    for (size_t i = 0; i < n; i++)
        h->doc_set_string(d, shc_path(path, sizeof(path), "l[%zu]", i), s[i] ? s[i] : "?");
    const sh_doc *l = h->doc_get(d, "l");
    return l ? h->doc_json(ctx, l) : "[]";
}

/* More items than any list compared here holds (subnets, security groups):
 * a longer one differs. */
#define SET_MAX 64

int shc_set_differs(const sh_host *h, sh_ctx *ctx, shc_line *line, const char *what, const sh_doc *item,
                    const char *path, const char *const *want, size_t n)
{
    size_t count = item ? shc_count(h, item, "%.*s", (int)strcspn(path, "|"), path) : 0;
    const char *have[SET_MAX];
    unsigned char matched[SET_MAX] = {0};
    size_t shown = count < SET_MAX ? count : SET_MAX;
    for (size_t i = 0; i < shown; i++)
        have[i] = list_item(h, item, path, i);
    /* as multisets: each wanted string takes one item of its own */
    int same = count == n && n <= SET_MAX;
    for (size_t i = 0; same && i < n; i++) {
        size_t k = 0;
        while (k < count && (matched[k] || !have[k] || !want[i] || strcmp(have[k], want[i])))
            k++;
        same = k < count;
        if (same)
            matched[k] = 1;
    }
    if (!same)
        shc_line_diff(h, ctx, line, SH_CHANGE_UPDATE, what, shown ? strings_text(h, ctx, have, shown) : NULL,
                      strings_text(h, ctx, want, n));
    return !same;
}

int shc_number_differs(const sh_host *h, sh_ctx *ctx, shc_line *line, const char *what, const char *have, double want,
                       const char *unit)
{
    char *end = NULL;
    double is = have ? strtod(have, &end) : 0;
    int number = have && *have && end && !*end;
    if (number && is == want)
        return 0;
    const char *u = unit ? unit : "";
    shc_line_diff(h, ctx, line, SH_CHANGE_UPDATE, what,
                  number ? shc_text(h, ctx, "%.15g%s", is, u) : have, shc_text(h, ctx, "%.15g%s", want, u));
    return 1;
}

void shc_line_report(const sh_host *h, sh_ctx *ctx, const shc_line *line)
{
    h->report(ctx, line->change, line->label, line->detail[0] ? line->detail : NULL);
}

void shc_change(shc_queue *q, shc_line *line, sh_change change, const char *what, const char *service,
                const char *operation, const sh_doc *input, const char *accept, shc_done_fn done, void *arg)
{
    shc_line_note(line, change, what);
    shc_queue_add_accepting(q, service, operation, input, line->label, accept, done, arg);
}

static int store(void *arg, const sh_doc *out)
{
    *(const sh_doc **)arg = out;
    return 0;
}

void shc_read(shc_queue *q, const char *service, const char *operation, const sh_doc *input, const char *label,
              const char *absent, const sh_doc **out)
{
    *out = NULL;
    shc_queue_add_accepting(q, service, operation, input, label, absent, store, (void *)out);
}

void shc_read_all(shc_queue *q, const char *service, const char *operation, const sh_doc *input,
                  const char *items_path, const char *label, const sh_doc **out)
{
    shc_read_pages(q, service, operation, input, items_path, label, NULL, out);
}

void shc_read_pages(shc_queue *q, const char *service, const char *operation, const sh_doc *input,
                    const char *items_path, const char *label, const char *absent, const sh_doc **out)
{
    *out = NULL;
    shc_queue_add_pages(q, service, operation, input, items_path, label, absent, store, (void *)out);
}
