/* secrets: the outputs, the parameters' ARNs (known from their names:
 * a dependent's plan has them before the parameters exist), and those
 * whose value this run changed. Values are never outputs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sec.h"

sh_status sec_publish(shc_frame *f)
{
    struct sec *s = (struct sec *)f;
    const sh_host *h = s->f.h;
    char (*arns)[SEC_NAME + 128] = calloc(s->n ? s->n : 1, sizeof(*arns));
    const char **list = calloc(s->n ? s->n : 1, sizeof(*list));
    sh_status rc = SH_OK;
    if (!arns || !list) {
        free(arns);
        free(list);
        return h->fail(s->f.ctx, SH_ERR, "out of memory");
    }
    for (size_t i = 0; i < s->n; i++) {
        char key[128];
        snprintf(arns[i], sizeof(arns[i]), "arn:%s:ssm:%s:%s:parameter%s", h->partition(s->f.ctx), h->region(s->f.ctx),
                 h->account_id(s->f.ctx), s->p[i].path);
        list[i] = arns[i];
        snprintf(key, sizeof(key), "%s_arn", s->p[i].name);
        for (char *c = key; *c; c++)
            if (*c == '-')
                *c = '_';
        if (h->output_string(s->f.ctx, key, arns[i]) != SH_OK)
            rc = SH_ERR;
    }
    if (h->output_list(s->f.ctx, "parameter_arns", list, s->n) != SH_OK)
        rc = SH_ERR;
    /* The parameters whose value this run changed (a plan: would change):
     * running tasks read a value only when they start, so the services
     * that use them need a new deployment (never the value itself). */
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->p[i].value_changed)
            list[k++] = arns[i];
    if (h->output_list(s->f.ctx, "changed_parameter_arns", list, k) != SH_OK)
        rc = SH_ERR;
    free(arns);
    free(list);
    return rc;
}
