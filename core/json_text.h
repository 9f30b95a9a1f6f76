/* Machine-readable stdout: one helper so every --json answer is written
 * the same way (indented, keys in insertion order, a final newline). */
#ifndef CORE_JSON_TEXT_H
#define CORE_JSON_TEXT_H

#include <jansson.h>

#include "strbuf.h"

/* Appends doc as indented JSON and a newline, and releases doc. */
void json_text(struct strbuf *out, json_t *doc);

#endif
