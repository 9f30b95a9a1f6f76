#include "json_text.h"

#include <stdlib.h>

json_t *json_document(void)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "format_version", json_string(JSON_FORMAT_VERSION));
    return doc;
}

void json_text(struct strbuf *out, json_t *doc)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (text) {
        strbuf_addstr(out, text);
        strbuf_addch(out, '\n');
        free(text);
    }
    json_decref(doc);
}
