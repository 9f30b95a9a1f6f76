/* Writes the manual page (cli_man_page) to stdout, at build time. */
#include <stdio.h>

#include "cli.h"

int main(void)
{
    struct strbuf out = STRBUF_INIT;
    cli_man_page(&out);
    fwrite(out.buf, 1, out.len, stdout);
    strbuf_release(&out);
    return 0;
}
