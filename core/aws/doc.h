/* Documents: one tree for AWS request and response bodies, whatever the
 * protocol (the SDK's opaque sh_doc). A JSON body maps one to one; an XML
 * answer becomes objects of elements, a repeated element an array, a
 * text-only element a string; a query request is the tree flattened.
 *
 * Paths: "a.b[2].c"; "[0]" on a node that is not an array is the node
 * itself, so an XML list with one item reads like one with many.
 * A parent owns its children. */
#ifndef CORE_AWS_DOC_H
#define CORE_AWS_DOC_H

#include <stddef.h>

#include "strbuf.h"

enum doc_type { DOC_NULL, DOC_STRING, DOC_NUMBER, DOC_BOOL, DOC_OBJECT, DOC_ARRAY };

struct sh_doc {
    enum doc_type type;
    char *name; /* member name in an object */
    char *text; /* STRING, NUMBER (as written), BOOL ("true"/"false") */
    struct sh_doc **kids;
    size_t n, alloc;
};

struct sh_doc *doc_new(enum doc_type type);
void doc_free(struct sh_doc *d);
struct sh_doc *doc_copy(const struct sh_doc *d);

/* The node at path, or NULL. */
const struct sh_doc *doc_get(const struct sh_doc *d, const char *path);
/* Items at path: an array's length, 1 for any other node, 0 when absent. */
size_t doc_count(const struct sh_doc *d, const char *path);
/* The scalar text at path (strings, numbers, booleans), or NULL. */
const char *doc_text(const struct sh_doc *d, const char *path);

/* Sets the scalar at path, creating objects and arrays on the way (an
 * index may be at most the array's length: that appends). Returns 0, or
 * -1 for a malformed path or one that crosses a scalar. */
int doc_set(struct sh_doc *d, const char *path, enum doc_type type, const char *text);
/* Sets an empty array or object at path (e.g. "tags" = []). */
int doc_set_empty(struct sh_doc *d, const char *path, enum doc_type type);
/* Appends a copy of `member` (a named node) to the object d. */
void doc_append_member(struct sh_doc *d, const struct sh_doc *member);
/* Appends items of `from` (an array, or one node) to the array at path. */
int doc_append_items(struct sh_doc *d, const char *path, const struct sh_doc *from);

/* Non-zero when `want` equals `have`: objects member by member in any
 * order, lists item by item in order, scalars by their text (a number
 * 8080 equals the string "8080": XML answers have no types), a node that
 * is not a list equal to a list of that one node (an XML list of one).
 * subset != 0: every object of `have` may hold members `want` lacks (the
 * defaults AWS fills in), at any depth. */
int doc_equal(const struct sh_doc *want, const struct sh_doc *have, int subset);

/* JSON text of d (objects in insertion order). */
void doc_to_json(const struct sh_doc *d, struct strbuf *out);
/* Parses JSON; NULL when it is not JSON. */
struct sh_doc *doc_from_json(const char *text, size_t len);
/* Parses XML into the tree of its root element's content; *root_name (may
 * be NULL) receives the root element's local name. NULL when not XML. */
struct sh_doc *doc_from_xml(const char *text, size_t len, char **root_name);

/* Query-protocol flattening, appended as &key=value (values encoded):
 * objects give Parent.Child; arrays give Name.N (ec2) or Name.member.N
 * (query); an empty array gives Name= in the query protocol. */
enum doc_flavor { DOC_FLAT_EC2, DOC_FLAT_QUERY };
void doc_flatten(const struct sh_doc *d, enum doc_flavor flavor, struct strbuf *out);

#endif
