/* "Not yet": matching an AWS error against a plugin's table of the answers
 * AWS gives while something propagates, by operation, code and message. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <stackhost/converge.h>

/* Non-zero when one of the "|"-separated fragments occurs in text, case
 * ignored. An empty fragment matches nothing. */
static int has_fragment(const char *text, const char *fragments)
{
    for (const char *f = fragments; *f;) {
        size_t len = strcspn(f, "|");
        for (const char *t = text; len && *t; t++) {
            size_t k = 0;
            while (k < len && t[k] && tolower((unsigned char)t[k]) == tolower((unsigned char)f[k]))
                k++;
            if (k == len)
                return 1;
        }
        f += len + (f[len] == '|');
    }
    return 0;
}

int shc_answer_in(const sh_aws_error *e, const char *answers)
{
    if (!e || !e->code || !answers)
        return 0;
    char entry[256];
    for (const char *p = answers; *p;) {
        /* a "|" inside the parentheses belongs to the fragment list */
        const char *open = NULL, *q = p;
        while (*q && (open || *q != '|')) {
            if (*q == '(' && !open)
                open = q;
            else if (*q == ')' && open && (q[1] == '|' || !q[1]))
                break;
            q++;
        }
        if (*q == ')')
            q++;
        size_t len = (size_t)(q - p);
        if (len < sizeof(entry)) {
            memcpy(entry, p, len);
            entry[len] = '\0';
            char *paren = strchr(entry, '(');
            if (!paren) {
                if (shc_code_in(e->code, entry))
                    return 1;
            } else {
                *paren = '\0';
                char *close = strrchr(paren + 1, ')');
                if (close)
                    *close = '\0';
                if (shc_code_in(e->code, entry) && has_fragment(e->message ? e->message : "", paren + 1))
                    return 1;
            }
        }
        p = q + (*q == '|');
    }
    return 0;
}

const shc_not_yet *shc_not_yet_match(const shc_not_yet *table, const char *operation, const sh_aws_error *e)
{
    if (!table || !e || !e->code)
        return NULL;
    for (const shc_not_yet *n = table; n->codes; n++) {
        if (n->operations && !shc_code_in(operation, n->operations))
            continue;
        if (!shc_code_in(e->code, n->codes))
            continue;
        if (n->message && !has_fragment(e->message ? e->message : "", n->message))
            continue;
        return n;
    }
    return NULL;
}

int shc_not_yet_seconds(const shc_not_yet *entry)
{
    if (entry->seconds == SHC_UNTIL_DEADLINE)
        return SHC_UNTIL_DEADLINE;
    const char *v = getenv("STACKHOST_PROPAGATION_TIMEOUT");
    char *end;
    long s = v && *v ? strtol(v, &end, 10) : -1;
    return v && *v && !*end && s >= 0 && s <= 3600 ? (int)s : entry->seconds;
}
