/* A resource's plan or progress line, and the calls that change it or
 * read it: the bookkeeping every converge wave shares. */
#include <stdio.h>
#include <string.h>

#include <stackhost/converge.h>

void shc_line_note(shc_line *line, sh_change change, const char *what)
{
    if (line->change != SH_CHANGE_REPLACE &&
        (change == SH_CHANGE_REPLACE || change == SH_CHANGE_CREATE || line->change == SH_CHANGE_NONE))
        line->change = change;
    size_t used = strlen(line->detail);
    if (what && *what && used < sizeof(line->detail) && !strstr(line->detail, what))
        snprintf(line->detail + used, sizeof(line->detail) - used, "%s%s", used ? ", " : "", what);
}

void shc_line_report(const sh_host *h, sh_ctx *ctx, const shc_line *line)
{
    h->report(ctx, line->change, line->label, line->detail[0] ? line->detail : NULL);
}

void shc_change(shc_queue *q, shc_line *line, sh_change change, const char *what, const char *service,
                const char *operation, const sh_doc *input, const char *accept, shc_done_fn done, void *arg)
{
    shc_line_note(line, change, what);
    shc_queue_add_accepting(q, service, operation, input, line->label, accept, done, arg);
}

static int store(void *arg, const sh_doc *out)
{
    *(const sh_doc **)arg = out;
    return 0;
}

void shc_read(shc_queue *q, const char *service, const char *operation, const sh_doc *input, const char *label,
              const char *absent, const sh_doc **out)
{
    *out = NULL;
    shc_queue_add_accepting(q, service, operation, input, label, absent, store, (void *)out);
}

void shc_read_all(shc_queue *q, const char *service, const char *operation, const sh_doc *input,
                  const char *items_path, const char *label, const sh_doc **out)
{
    shc_read_pages(q, service, operation, input, items_path, label, NULL, out);
}

void shc_read_pages(shc_queue *q, const char *service, const char *operation, const sh_doc *input,
                    const char *items_path, const char *label, const char *absent, const sh_doc **out)
{
    *out = NULL;
    shc_queue_add_pages(q, service, operation, input, items_path, label, absent, store, (void *)out);
}
