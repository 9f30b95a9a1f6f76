/* Finding a resource by name among a lookup's answer, with the ownership
 * rules every plugin follows. */
#include <stdio.h>
#include <string.h>

#include <stackhost/converge.h>

int shc_code_in(const char *code, const char *codes)
{
    if (!code || !codes)
        return 0;
    size_t len = strlen(code);
    for (const char *p = codes; *p;) {
        size_t l = strcspn(p, "|");
        if (l == len && !strncmp(p, code, len))
            return 1;
        if (*p == '*' && l - 1 <= len && !strncmp(p + 1, code + len - (l - 1), l - 1))
            return 1;
        if (l > 1 && p[l - 1] == '*' && l - 1 <= len && !strncmp(p, code, l - 1))
            return 1;
        p += l + (p[l] == '|');
    }
    return 0;
}

int shc_refuse_foreign(const sh_host *h, sh_ctx *ctx, const char *kind, const char *name)
{
    h->fail(ctx, SH_ERR_CONFLICT,
            "a %s named %s exists without this stack's ownership tags (Project=%s, Environment=%s, "
            "ManagedBy=stackhost): stackhost did not make it and will not touch it; rename or delete it, "
            "or add the tags to adopt it",
            kind, name, h->stack_name(ctx), h->environment(ctx));
    return -1;
}

/* Whether a should be kept over b: in use first, then the older. */
static int better(const sh_host *h, const shc_lookup *l, const sh_doc *a, const sh_doc *b)
{
    int ua = l->in_use && l->in_use(l->in_use_arg, a), ub = l->in_use && l->in_use(l->in_use_arg, b);
    if (ua != ub)
        return ua;
    const char *ca = l->created ? h->doc_string(a, l->created) : NULL;
    const char *cb = l->created ? h->doc_string(b, l->created) : NULL;
    return ca && cb && strcmp(ca, cb) < 0;
}

int shc_find_keep(const sh_host *h, sh_ctx *ctx, const shc_lookup *l, const char *kind, const char *name,
                  const sh_doc **item, const sh_doc **extras, size_t max, size_t *nextras)
{
    *item = NULL;
    if (nextras)
        *nextras = 0;
    size_t count = l->answer ? h->doc_count(l->answer, l->items) : 0, owned = 0;
    const sh_doc *mine = NULL, *foreign = NULL;
    for (size_t i = 0; i < count; i++) {
        const sh_doc *it = shc_node(h, l->answer, "%s[%zu]", l->items, i);
        const char *nm = shc_tag(h, it, l->tags, "Name");
        /* The name is checked here too: some filters are ignored (moto's NAT gateways). */
        if (!nm || strcmp(nm, name))
            continue;
        if (l->state && shc_code_in(h->doc_string(it, l->state), l->skip_states))
            continue;
        if (!shc_owned(h, ctx, it, l->tags)) {
            foreign = it;
            continue;
        }
        owned++;
        if (!mine || (extras && better(h, l, it, mine))) {
            const sh_doc *was = mine;
            mine = it;
            it = was;
        }
        if (it && extras && nextras && *nextras < max)
            extras[(*nextras)++] = it;
    }
    if (owned > 1 && !extras) {
        h->fail(ctx, SH_ERR_CONFLICT,
                "%zu %ss are named %s and carry this stack's tags: delete the extra ones (a retried create can "
                "leave one), then deploy again", owned, kind, name);
        return -1;
    }
    if (!mine && foreign)
        return shc_refuse_foreign(h, ctx, kind, name);
    *item = mine;
    return mine ? 1 : 0;
}

int shc_find(const sh_host *h, sh_ctx *ctx, const shc_lookup *l, const char *kind, const char *name,
             const sh_doc **item)
{
    return shc_find_keep(h, ctx, l, kind, name, item, NULL, 0, NULL);
}
