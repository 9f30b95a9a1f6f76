/* secrets: the parameters of the configuration, their values from the
 * environment or generated (OpenSSL's RAND_bytes), and wiping the
 * plugin's copies. Every value is redacted the moment it is known. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "sec.h"

/* URL-safe (RFC 4648 section 5): 64 symbols, so a byte's low 6 bits pick
 * one without bias. */
static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* A parameter this run wrote or just listed can be unknown to the next
 * request for a moment (aws-api.md section 13). */
const shc_not_yet sec_not_yet[] = {
    {"AddTagsToResource|RemoveTagsFromResource|ListTagsForResource", "ParameterNotFound|InvalidResourceId", NULL, 120,
     NULL},
    SHC_NOT_YET_END};

int sec_load(shc_frame *f, int destroy)
{
    struct sec *s = (struct sec *)f;
    const sh_host *h = f->h;
    sh_ctx *ctx = f->ctx;
    (void)destroy;
    h->config_read(ctx, &s->cfg);
    s->n = h->value_count(s->cfg.parameters);
    s->p = s->n ? calloc(s->n, sizeof(*s->p)) : NULL;
    if (s->n && !s->p) {
        s->n = 0;
        h->fail(ctx, SH_ERR, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < s->n; i++) {
        const sh_value *v = h->value_at(s->cfg.parameters, i);
        struct sec_param *p = &s->p[i];
        p->name = h->value_string(h->value_member(v, "name"));
        p->env = h->value_string(h->value_member(v, "env"));
        p->generate = (int)h->value_int(h->value_member(v, "generate"));
        snprintf(p->path, sizeof(p->path), "/%s/%s/%s", h->stack_name(ctx), h->environment(ctx), p->name);
        p->line.label = sec_label(s, p->path);
        const char *value = p->env ? getenv(p->env) : NULL;
        if (value && *value) {
            h->redact(ctx, value);
            p->env_value = value;
        }
    }
    return 0;
}

const char *sec_generated(struct sec *s, struct sec_param *p)
{
    if (p->generated)
        return p->generated;
    size_t len = (size_t)p->generate;
    unsigned char *bytes = malloc(len);
    char *value = malloc(len + 1);
    if (!bytes || !value || RAND_bytes(bytes, (int)len) != 1) {
        free(bytes);
        free(value);
        s->f.h->fail(s->f.ctx, SH_ERR, "generating the value of parameter %s: no random bytes", p->path);
        return NULL;
    }
    for (size_t i = 0; i < len; i++)
        value[i] = alphabet[bytes[i] & 63];
    value[len] = '\0';
    OPENSSL_cleanse(bytes, len);
    free(bytes);
    s->f.h->redact(s->f.ctx, value);
    p->generated = value;
    return value;
}

void sec_begin(shc_frame *f)
{
    struct sec *s = (struct sec *)f;
    for (size_t i = 0; i < s->n; i++) {
        struct sec_param *p = &s->p[i];
        p->found = p->tags = NULL;
    }
}

const char *sec_label(struct sec *s, const char *path)
{
    return shc_text(s->f.h, s->f.ctx, "parameter %s", path);
}

int sec_keep(struct sec *s, struct sec_param *p, const char *value)
{
    size_t n = value ? strlen(value) : 0;
    char *copy = value ? malloc(n + 1) : NULL;
    if (!copy) {
        s->f.h->fail(s->f.ctx, SH_ERR, "out of memory keeping the value of %s", p->path);
        return -1;
    }
    memcpy(copy, value, n + 1);
    p->kept = copy;
    return 0;
}

void sec_free(shc_frame *f)
{
    struct sec *s = (struct sec *)f;
    for (size_t i = 0; i < s->n; i++) {
        if (s->p[i].kept) {
            OPENSSL_cleanse(s->p[i].kept, strlen(s->p[i].kept));
            free(s->p[i].kept);
        }
        if (s->p[i].generated) {
            OPENSSL_cleanse(s->p[i].generated, strlen(s->p[i].generated));
            free(s->p[i].generated);
        }
    }
    free(s->p);
    s->p = NULL;
    s->n = 0;
}
