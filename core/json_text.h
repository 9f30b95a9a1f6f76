/* Machine-readable stdout: one helper so every --json answer is written
 * the same way (indented, keys in insertion order, a final newline). */
#ifndef CORE_JSON_TEXT_H
#define CORE_JSON_TEXT_H

#include <jansson.h>

#include "strbuf.h"

/* The version of every --json document's shape (docs/json.md): the
 * minor grows when members are added, the major when one changes or goes. */
#define JSON_FORMAT_VERSION "1.1"

/* Appends doc as indented JSON and a newline, and releases doc. */
void json_text(struct strbuf *out, json_t *doc);
/* A new --json document: an object whose first member is format_version. */
json_t *json_document(void);

#endif
