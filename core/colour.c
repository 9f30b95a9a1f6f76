#include "colour.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int colour_wanted(FILE *stream, int no_color_flag)
{
    const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");
    if (no_color_flag || (no_color && *no_color) || (term && !strcmp(term, "dumb")))
        return 0;
    return isatty(fileno(stream));
}
