/* Ownership tags and tag drift. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <stackhost/converge.h>

const shc_tag_shape shc_tags_ec2 = {"tagSet.item", "key", "value"};
const shc_tag_shape shc_tags_query = {"Tags.member", "Key", "Value"};
const shc_tag_shape shc_tags_query_put = {"Tags", "Key", "Value"};
const shc_tag_shape shc_tags_ecs = {"tags", "key", "value"};
const shc_tag_shape shc_tags_json = {"tags", "Key", "Value"};
const shc_tag_shape shc_tags_ssm = {"TagList", "Key", "Value"};
const shc_tag_shape shc_tags_kms = {"Tags", "TagKey", "TagValue"};
const shc_tag_shape shc_tags_map = {"tags", NULL, NULL};

const char *shc_tag(const sh_host *h, const sh_doc *item, const shc_tag_shape *shape, const char *key)
{
    if (!shape->key)
        return shc_str(h, item, "%s.%s", shape->list, key);
    size_t count = h->doc_count(item, shape->list);
    for (size_t i = 0; i < count; i++) {
        const char *k = shc_str(h, item, "%s[%zu].%s", shape->list, i, shape->key);
        if (k && !strcmp(k, key))
            return shc_str(h, item, "%s[%zu].%s", shape->list, i, shape->value);
    }
    return NULL;
}

int shc_owned(const sh_host *h, sh_ctx *ctx, const sh_doc *item, const shc_tag_shape *shape)
{
    const char *project = shc_tag(h, item, shape, "Project"), *env = shc_tag(h, item, shape, "Environment"),
               *by = shc_tag(h, item, shape, "ManagedBy");
    return project && env && by && !strcmp(project, h->stack_name(ctx)) && !strcmp(env, h->environment(ctx)) &&
           !strcmp(by, "stackhost");
}

static void put_one(const sh_host *h, sh_doc *doc, const shc_tag_shape *put, size_t i, const char *key,
                    const char *value)
{
    char path[256];
    if (!put->key) {
        h->doc_set_string(doc, shc_path(path, sizeof(path), "%s.%s", put->list, key), value);
        return;
    }
    h->doc_set_string(doc, shc_path(path, sizeof(path), "%s[%zu].%s", put->list, i, put->key), key);
    h->doc_set_string(doc, shc_path(path, sizeof(path), "%s[%zu].%s", put->list, i, put->value), value);
}

void shc_put_tags(const sh_host *h, sh_ctx *ctx, sh_doc *doc, const shc_tag_shape *put, const char *name)
{
    const char *const *keys, *const *values;
    size_t count = h->tags(ctx, &keys, &values), k = 0;
    if (name)
        put_one(h, doc, put, k++, "Name", name);
    for (size_t i = 0; i < count; i++)
        put_one(h, doc, put, k++, keys[i], values[i]);
}

size_t shc_tags_drift(const sh_host *h, sh_ctx *ctx, const sh_doc *item, const shc_tag_shape *have,
                      const char *name, sh_doc *doc, const shc_tag_shape *put, char *detail, size_t len)
{
    const char *const *keys, *const *values;
    size_t count = h->tags(ctx, &keys, &values), k = 0;
    if (detail && len)
        detail[0] = '\0';
    for (size_t i = name ? 0 : 1; i <= count; i++) {
        const char *key = i ? keys[i - 1] : "Name", *want = i ? values[i - 1] : name;
        const char *is = shc_tag(h, item, have, key);
        if (is && !strcmp(is, want))
            continue;
        put_one(h, doc, put, k++, key, want);
        if (detail && len) {
            size_t used = strlen(detail);
            const char *what = shc_line_diff(h, ctx, NULL, SH_CHANGE_UPDATE, shc_text(h, ctx, "tag %s", key), is, want);
            if (used < len)
                snprintf(detail + used, len - used, "%s%s", used ? ", " : "", what);
        }
    }
    return k;
}
