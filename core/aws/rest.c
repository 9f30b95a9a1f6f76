#include "aws/rest.h"

#include <string.h>

#include "aws/sigv4.h"

/* The members the uri names, so that the body leaves them out. */
struct used {
    const char *names[16];
    size_t len[16];
    size_t n;
};

static int is_used(const struct used *u, const char *name)
{
    for (size_t i = 0; i < u->n; i++)
        if (strlen(name) == u->len[i] && !strncmp(name, u->names[i], u->len[i]))
            return 1;
    return 0;
}

/* "{Name}" at *p: the member's name and whether it is greedy ({Key+}). */
static int placeholder(const char **p, const char **name, size_t *len, int *greedy)
{
    const char *close = strchr(*p, '}');
    if (**p != '{' || !close)
        return 0;
    *name = *p + 1;
    *len = (size_t)(close - *p - 1);
    *greedy = *len && (*name)[*len - 1] == '+';
    if (*greedy)
        (*len)--;
    *p = close + 1;
    return 1;
}

static const char *member_text(const struct sh_doc *input, const char *name, size_t len)
{
    char path[128];
    if (!input || len >= sizeof(path))
        return NULL;
    memcpy(path, name, len);
    path[len] = '\0';
    return doc_text(input, path);
}

static int fill_uri(const char *uri, const struct sh_doc *input, struct aws_rest_request *out, struct used *used,
                    struct strbuf *why)
{
    const char *q = strchr(uri, '?');
    size_t path_len = q ? (size_t)(q - uri) : strlen(uri);
    for (const char *p = uri; p < uri + path_len;) {
        const char *name;
        size_t len;
        int greedy;
        if (!placeholder(&p, &name, &len, &greedy)) {
            strbuf_addch(&out->path, *p++);
            continue;
        }
        const char *v = member_text(input, name, len);
        if (!v || !*v) {
            strbuf_addf(why, "the uri needs the member %.*s, which the input lacks", (int)len, name);
            return -1;
        }
        aws_uri_encode(&out->path, v, strlen(v), greedy);
        if (used->n < 16) {
            used->names[used->n] = name;
            used->len[used->n++] = len;
        }
    }
    for (const char *p = q ? q + 1 : NULL; p && *p;) {
        size_t pair = strcspn(p, "&");
        const char *eq = memchr(p, '=', pair), *brace = eq ? eq + 1 : NULL;
        const char *name = NULL, *end = brace;
        size_t len = 0;
        int greedy;
        if (brace && placeholder(&end, &name, &len, &greedy)) {
            const char *v = member_text(input, name, len);
            if (used->n < 16) {
                used->names[used->n] = name;
                used->len[used->n++] = len;
            }
            if (v) {
                strbuf_addf(&out->query, "%s%.*s=", out->query.len ? "&" : "", (int)(eq - p), p);
                aws_uri_encode(&out->query, v, strlen(v), 0);
            }
        } else { /* a literal parameter: "?list-type=2" */
            strbuf_addf(&out->query, "%s%.*s", out->query.len ? "&" : "", (int)pair, p);
        }
        p += pair + (p[pair] == '&');
    }
    return 0;
}

static void xml_escaped(struct strbuf *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': strbuf_addstr(out, "&amp;"); break;
        case '<': strbuf_addstr(out, "&lt;"); break;
        case '>': strbuf_addstr(out, "&gt;"); break;
        case '"': strbuf_addstr(out, "&quot;"); break;
        default: strbuf_addch(out, *s);
        }
    }
}

/* An element: an object's members are its children, an array is the
 * element repeated, a scalar its text. */
static void xml_element(struct strbuf *out, const char *name, const struct sh_doc *d)
{
    if (d->type == DOC_ARRAY) {
        for (size_t i = 0; i < d->n; i++)
            xml_element(out, name, d->kids[i]);
        return;
    }
    strbuf_addf(out, "<%s>", name);
    if (d->type == DOC_OBJECT)
        for (size_t i = 0; i < d->n; i++)
            xml_element(out, d->kids[i]->name, d->kids[i]);
    else if (d->text)
        xml_escaped(out, d->text);
    strbuf_addf(out, "</%s>", name);
}

static void body(const struct aws_service *svc, const sh_rest_op *op, const struct sh_doc *input,
                 const struct used *used, struct strbuf *out)
{
    if (!op->body_root)
        return;
    if (svc->protocol == AWS_PROTO_REST_XML) {
        strbuf_addf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><%s", op->body_root);
        if (svc->api_version)
            strbuf_addf(out, " xmlns=\"%s\"", svc->api_version);
        strbuf_addch(out, '>');
        for (size_t i = 0; input && input->type == DOC_OBJECT && i < input->n; i++)
            if (!is_used(used, input->kids[i]->name))
                xml_element(out, input->kids[i]->name, input->kids[i]);
        strbuf_addf(out, "</%s>", op->body_root);
        return;
    }
    struct sh_doc *rest = doc_new(DOC_OBJECT);
    for (size_t i = 0; input && input->type == DOC_OBJECT && i < input->n; i++)
        if (!is_used(used, input->kids[i]->name))
            doc_append_member(rest, input->kids[i]);
    doc_to_json(rest, out);
    doc_free(rest);
}

int aws_rest_build(const struct aws_service *svc, const char *op, const struct sh_doc *input,
                   struct aws_rest_request *out, struct strbuf *why)
{
    memset(out, 0, sizeof(*out));
    strbuf_init(&out->path);
    strbuf_init(&out->query);
    strbuf_init(&out->body);
    const sh_rest_op *binding = aws_rest_op(svc, op);
    if (!binding) {
        strbuf_addf(why, "service %s declares no operation %s (its plugin's sh_service_decl.ops)", svc->name, op);
        return -1;
    }
    out->method = binding->method;
    struct used used = {.n = 0};
    if (fill_uri(binding->uri, input, out, &used, why))
        return -1;
    body(svc, binding, input, &used, &out->body);
    return 0;
}

void aws_rest_request_release(struct aws_rest_request *r)
{
    strbuf_release(&r->path);
    strbuf_release(&r->query);
    strbuf_release(&r->body);
}
