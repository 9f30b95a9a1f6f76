/* Colour on a terminal: on when the stream is a terminal, unless
 * NO_COLOR is set (https://no-color.org), TERM is dumb, or --no-color. */
#ifndef CORE_COLOUR_H
#define CORE_COLOUR_H

#include <stdio.h>

/* Whether to colour what goes to `stream`; no_color_flag: --no-color. */
int colour_wanted(FILE *stream, int no_color_flag);

#define COLOUR_GREEN "\033[32m"
#define COLOUR_YELLOW "\033[33m"
#define COLOUR_RED "\033[31m"
#define COLOUR_BOLD "\033[1m"
#define COLOUR_OFF "\033[0m"

#endif
