#include "doc.h"

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sigv4.h"
#include "xalloc.h"

struct sh_doc *doc_new(enum doc_type type)
{
    struct sh_doc *d = xcalloc(1, sizeof(*d));
    d->type = type;
    return d;
}

void doc_free(struct sh_doc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        doc_free(d->kids[i]);
    xfree_wiped(d->kids);
    xfree_wiped(d->name);
    xfree_wiped(d->text); /* a document may carry a secret: a parameter's value */
    xfree_wiped(d);
}

static void add_kid(struct sh_doc *d, struct sh_doc *kid)
{
    XGROW(d->kids, d->alloc, d->n + 1);
    d->kids[d->n++] = kid;
}

struct sh_doc *doc_copy(const struct sh_doc *d)
{
    struct sh_doc *c = doc_new(d->type);
    c->name = d->name ? xstrdup(d->name) : NULL;
    c->text = d->text ? xstrdup(d->text) : NULL;
    for (size_t i = 0; i < d->n; i++)
        add_kid(c, doc_copy(d->kids[i]));
    return c;
}

void doc_append_member(struct sh_doc *d, const struct sh_doc *m)
{
    add_kid(d, doc_copy(m));
}

static struct sh_doc *member(const struct sh_doc *d, const char *name, size_t len)
{
    if (!d || d->type != DOC_OBJECT)
        return NULL;
    for (size_t i = 0; i < d->n; i++)
        if (strlen(d->kids[i]->name) == len && !strncmp(d->kids[i]->name, name, len))
            return d->kids[i];
    return NULL;
}

/* One path step: a name (may be empty) and an index (-1 without). */
struct step {
    const char *name;
    size_t len;
    long index;
};

/* Reads the step at *p and advances; returns -1 for a malformed path. */
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

const struct sh_doc *doc_get(const struct sh_doc *d, const char *path)
{
    const char *p = path ? path : "";
    while (d && *p) {
        struct step s;
        if (next_step(&p, &s))
            return NULL;
        if (s.len)
            d = member(d, s.name, s.len);
        if (d && s.index >= 0) {
            if (d->type == DOC_ARRAY)
                d = (size_t)s.index < d->n ? d->kids[s.index] : NULL;
            else if (s.index != 0)
                d = NULL;
        }
    }
    return d;
}

size_t doc_count(const struct sh_doc *d, const char *path)
{
    const struct sh_doc *n = doc_get(d, path);
    if (!n)
        return 0;
    return n->type == DOC_ARRAY ? n->n : 1;
}

const char *doc_text(const struct sh_doc *d, const char *path)
{
    const struct sh_doc *n = doc_get(d, path);
    return n && n->text && n->type != DOC_OBJECT && n->type != DOC_ARRAY ? n->text : NULL;
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

/* Walks path, creating what is missing; the last node becomes `type`.
 * A malformed path creates nothing. */
/* An empty XML element (<vpcSet/>) reads as an empty string; as a
 * container on a path it is an empty one. */
static void empty_to_container(struct sh_doc *d, enum doc_type type)
{
    if (d->type == DOC_STRING && (!d->text || !*d->text)) {
        xfree_wiped(d->text);
        d->text = NULL;
        d->type = type;
    }
}

static struct sh_doc *make_path(struct sh_doc *d, const char *path, enum doc_type type)
{
    if (!path_valid(path))
        return NULL;
    const char *p = path;
    while (*p) {
        struct step s;
        if (next_step(&p, &s))
            return NULL;
        int last_name = !*p && s.index < 0;
        if (s.len) {
            empty_to_container(d, DOC_OBJECT);
            if (d->type == DOC_NULL)
                d->type = DOC_OBJECT;
            if (d->type != DOC_OBJECT)
                return NULL;
            struct sh_doc *m = member(d, s.name, s.len);
            if (!m) {
                m = doc_new(last_name ? type : (s.index >= 0 ? DOC_ARRAY : DOC_OBJECT));
                m->name = xstrndup(s.name, s.len);
                add_kid(d, m);
            }
            d = m;
        }
        if (s.index >= 0) {
            empty_to_container(d, DOC_ARRAY);
            if (d->type == DOC_NULL)
                d->type = DOC_ARRAY;
            if (d->type != DOC_ARRAY || (size_t)s.index > d->n)
                return NULL;
            if ((size_t)s.index == d->n)
                add_kid(d, doc_new(*p ? DOC_OBJECT : type));
            d = d->kids[s.index];
        }
    }
    return d;
}

static int is_scalar(enum doc_type t)
{
    return t == DOC_STRING || t == DOC_NUMBER || t == DOC_BOOL || t == DOC_NULL;
}

int doc_set(struct sh_doc *d, const char *path, enum doc_type type, const char *text)
{
    struct sh_doc *n = make_path(d, path, type);
    if (!n || !is_scalar(n->type) || !is_scalar(type))
        return -1;
    n->type = type;
    xfree_wiped(n->text);
    n->text = text ? xstrdup(text) : NULL;
    return 0;
}

int doc_set_empty(struct sh_doc *d, const char *path, enum doc_type type)
{
    struct sh_doc *n = make_path(d, path, type);
    return n && n->type == type ? 0 : -1;
}

/* Turns n into a list whose one item is what n was: an XML element seen
 * once that turns out to be (or must become) a list. */
static void become_list(struct sh_doc *n)
{
    struct sh_doc *item = doc_new(n->type);
    item->text = n->text;
    item->kids = n->kids;
    item->n = n->n;
    item->alloc = n->alloc;
    n->text = NULL;
    n->kids = NULL;
    n->n = n->alloc = 0;
    n->type = DOC_ARRAY;
    add_kid(n, item);
}

int doc_append_items(struct sh_doc *d, const char *path, const struct sh_doc *from)
{
    if (!from)
        return -1;
    struct sh_doc *n = make_path(d, path, DOC_ARRAY);
    if (!n)
        return -1;
    empty_to_container(n, DOC_ARRAY);
    if (n->type != DOC_ARRAY)
        become_list(n); /* one XML item read as a node */
    if (from->type == DOC_ARRAY) {
        for (size_t i = 0; i < from->n; i++)
            add_kid(n, doc_copy(from->kids[i]));
    } else {
        struct sh_doc *c = doc_copy(from);
        xfree_wiped(c->name);
        c->name = NULL;
        add_kid(n, c);
    }
    return 0;
}

int doc_equal(const struct sh_doc *want, const struct sh_doc *have, int subset)
{
    if (!want || !have)
        return want == have;
    if (is_scalar(want->type) && is_scalar(have->type))
        return !strcmp(want->text ? want->text : "", have->text ? have->text : "");
    /* a list of one against the one node itself (XML's lists of one) */
    if ((want->type == DOC_ARRAY) != (have->type == DOC_ARRAY)) {
        const struct sh_doc *list = want->type == DOC_ARRAY ? want : have;
        if (list->n != 1)
            return 0;
        return want == list ? doc_equal(list->kids[0], have, subset) : doc_equal(want, list->kids[0], subset);
    }
    if (want->type != have->type)
        return 0;
    if (want->type == DOC_ARRAY) {
        if (want->n != have->n)
            return 0;
        for (size_t i = 0; i < want->n; i++)
            if (!doc_equal(want->kids[i], have->kids[i], subset))
                return 0;
        return 1;
    }
    if (want->type == DOC_OBJECT) {
        if (!subset && want->n != have->n)
            return 0;
        for (size_t i = 0; i < want->n; i++) {
            const struct sh_doc *m = member(have, want->kids[i]->name, strlen(want->kids[i]->name));
            if (!m || !doc_equal(want->kids[i], m, subset))
                return 0;
        }
        return 1;
    }
    return 1; /* both null */
}

static json_t *to_json(const struct sh_doc *d)
{
    switch (d->type) {
    case DOC_NULL: return json_null();
    case DOC_STRING: return json_string(d->text ? d->text : "");
    case DOC_BOOL: return json_boolean(d->text && !strcmp(d->text, "true"));
    case DOC_NUMBER: {
        json_t *j = json_loads(d->text ? d->text : "0", JSON_DECODE_ANY, NULL);
        return j ? j : json_string(d->text ? d->text : "");
    }
    case DOC_OBJECT: {
        json_t *o = json_object();
        for (size_t i = 0; i < d->n; i++)
            json_object_set_new(o, d->kids[i]->name, to_json(d->kids[i]));
        return o;
    }
    case DOC_ARRAY: {
        json_t *a = json_array();
        for (size_t i = 0; i < d->n; i++)
            json_array_append_new(a, to_json(d->kids[i]));
        return a;
    }
    }
    return json_null();
}

void doc_to_json(const struct sh_doc *d, struct strbuf *out)
{
    json_t *j = to_json(d);
    char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    if (text)
        strbuf_addstr(out, text);
    xfree_wiped(text);
    json_decref(j);
}

static struct sh_doc *from_json(json_t *j)
{
    struct sh_doc *d;
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        d = doc_new(DOC_OBJECT);
        const char *key;
        json_t *v;
        json_object_foreach(j, key, v) {
            struct sh_doc *m = from_json(v);
            m->name = xstrdup(key);
            add_kid(d, m);
        }
        return d;
    }
    case JSON_ARRAY: {
        d = doc_new(DOC_ARRAY);
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) add_kid(d, from_json(v));
        return d;
    }
    case JSON_STRING:
        d = doc_new(DOC_STRING);
        d->text = xstrdup(json_string_value(j));
        return d;
    case JSON_INTEGER:
    case JSON_REAL: {
        d = doc_new(DOC_NUMBER);
        char *t = json_dumps(j, JSON_ENCODE_ANY);
        d->text = t ? t : xstrdup("0");
        return d;
    }
    case JSON_TRUE:
    case JSON_FALSE:
        d = doc_new(DOC_BOOL);
        d->text = xstrdup(json_is_true(j) ? "true" : "false");
        return d;
    case JSON_NULL:
        break;
    }
    return doc_new(DOC_NULL);
}

struct sh_doc *doc_from_json(const char *text, size_t len)
{
    json_t *j = json_loadb(text, len, JSON_DECODE_ANY, NULL);
    if (!j)
        return NULL;
    struct sh_doc *d = from_json(j);
    json_decref(j);
    return d;
}

static int has_element_children(xmlNode *n)
{
    for (xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return 1;
    return 0;
}

/* Adds node's content to `into` (an object) under the node's name. */
static void xml_add(struct sh_doc *into, xmlNode *node)
{
    struct sh_doc *v;
    if (has_element_children(node)) {
        v = doc_new(DOC_OBJECT);
        for (xmlNode *c = node->children; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE)
                xml_add(v, c);
    } else {
        v = doc_new(DOC_STRING);
        xmlChar *text = xmlNodeGetContent(node);
        v->text = xstrdup(text ? (const char *)text : "");
        xmlFree(text);
    }
    const char *name = (const char *)node->name;
    struct sh_doc *existing = member(into, name, strlen(name));
    if (!existing) {
        v->name = xstrdup(name);
        add_kid(into, v);
        return;
    }
    if (existing->type != DOC_ARRAY)
        become_list(existing); /* a repeated element */
    add_kid(existing, v);
}

struct sh_doc *doc_from_xml(const char *text, size_t len, char **root_name)
{
    xmlDoc *x = xmlReadMemory(text, (int)len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!x)
        return NULL;
    xmlNode *root = xmlDocGetRootElement(x);
    if (!root) {
        xmlFreeDoc(x);
        return NULL;
    }
    struct sh_doc *d = doc_new(DOC_OBJECT);
    for (xmlNode *c = root->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            xml_add(d, c);
    if (root_name)
        *root_name = xstrdup((const char *)root->name);
    xmlFreeDoc(x);
    return d;
}

static void flatten(const struct sh_doc *d, enum doc_flavor flavor, struct strbuf *prefix, struct strbuf *out)
{
    size_t keep = prefix->len;
    switch (d->type) {
    case DOC_OBJECT:
        for (size_t i = 0; i < d->n; i++) {
            if (prefix->len)
                strbuf_addch(prefix, '.');
            strbuf_addstr(prefix, d->kids[i]->name);
            flatten(d->kids[i], flavor, prefix, out);
            strbuf_setlen(prefix, keep);
        }
        return;
    case DOC_ARRAY:
        if (!d->n && flavor == DOC_FLAT_QUERY) {
            strbuf_addf(out, "&%s=", prefix->buf);
            return;
        }
        for (size_t i = 0; i < d->n; i++) {
            strbuf_addf(prefix, flavor == DOC_FLAT_QUERY ? ".member.%zu" : ".%zu", i + 1);
            flatten(d->kids[i], flavor, prefix, out);
            strbuf_setlen(prefix, keep);
        }
        return;
    case DOC_NULL:
        return;
    default:
        strbuf_addf(out, "&%s=", prefix->buf);
        aws_uri_encode(out, d->text ? d->text : "", d->text ? strlen(d->text) : 0, 0);
        return;
    }
}

void doc_flatten(const struct sh_doc *d, enum doc_flavor flavor, struct strbuf *out)
{
    struct strbuf prefix = STRBUF_INIT;
    flatten(d, flavor, &prefix, out);
    strbuf_release(&prefix);
}
