/* Bounds on what a configuration file may hold, checked on its raw text
 * before it is parsed, and a short quotation of a value for errors. */
#ifndef CORE_CONFIG_LIMITS_H
#define CORE_CONFIG_LIMITS_H

#include "diag.h"
#include "strbuf.h"

#define CONFIG_MAX_FILE_BYTES (1024 * 1024)  /* each file, @include'd ones too */
#define CONFIG_MAX_TOTAL_BYTES (4 * 1024 * 1024) /* all of them together */
#define CONFIG_MAX_FILES 256                     /* files read, each @include counted */
#define CONFIG_MAX_STRING_BYTES (64 * 1024) /* one string literal */
#define CONFIG_QUOTE_BYTES 48               /* of a value quoted in an error */

/* Checks path and every file it @includes; errors name the file and line.
 * Returns 0, or -1 with the errors in dl. */
int config_check_limits(const char *path, struct diag_list *dl);

/* Appends value between two `quote` characters, or its first
 * CONFIG_QUOTE_BYTES bytes followed by "...' (N characters)": an error
 * never echoes a huge value. */
void config_quote(struct strbuf *out, const char *value, char quote);

#endif
