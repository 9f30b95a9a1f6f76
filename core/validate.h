/* Checking configuration values against a declared key table
 * (sh_config_key), filling in defaults, and checking the tables
 * themselves when a plugin is loaded. */
#ifndef CORE_VALIDATE_H
#define CORE_VALIDATE_H

#include <stackhost/config.h>

#include "diag.h"
#include "strbuf.h"
#include "value.h"

/* Checks every member of `group` against `table` (unknown keys with a
 * suggestion, types, bounds, allowed values, formats, required keys,
 * group-list elements) and adds a value for every absent key that has a
 * default. Members named in `reserved` (NULL-terminated, may be NULL) are
 * the caller's and skipped. Problems go to dl; returns their count. */
size_t validate_group(const sh_config_key *table, struct sh_value *group,
                      const char *const *reserved, struct diag_list *dl);

/* Checks a plugin's key table: names, types, bounds, nested tables, and
 * that each default parses and passes its own key. Returns 0, or -1 with
 * the reason in why. */
int validate_table(const sh_config_key *table, struct strbuf *why);
/* The key `name` of a table, or NULL. */
const sh_config_key *validate_key_find(const sh_config_key *table, const char *name);

/* Checks s against a format; returns 0, or -1 with a static reason. */
int validate_format(sh_config_format format, const char *s, const char **why);
const char *validate_format_name(sh_config_format format);
const char *validate_type_name(sh_config_type type);

/* The candidate closest to word by edit distance when it is close enough
 * to be a likely misspelling, else NULL. */
const char *suggest_closest(const char *word, const char *const *candidates, size_t n);
/* Appends " (did you mean 'x'?)" for the closest candidate, or nothing. */
void suggest_hint(struct strbuf *out, const char *word, const char *const *candidates, size_t n);

#endif
