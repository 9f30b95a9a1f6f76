/* secrets: one pass of deploy or plan. Every parameter is looked up,
 * checked (ownership; a value to create it with), then the changes go
 * out in one wave: a missing parameter is created (PutParameter with its
 * tags, never overwriting), a value from the environment that differs is
 * overwritten, drifted tags are put back. A generated value is never
 * written over. A parameter of another type (String) is replaced, behind
 * --allow-replace: SSM refuses a type change of a parameter in a path
 * hierarchy (HierarchyTypeMismatchException), so it is deleted first and
 * made again as SecureString with the value it held (or the one from its
 * variable). Plan reports the same without sending a change. */
#include <stdio.h>
#include <string.h>

#include "sec.h"

static sh_doc *put_request(struct sec *s, const struct sec_param *p, const char *value, int overwrite)
{
    sh_doc *in = shc_json(&s->f, "{'Name': '%s', 'Value': '%s', 'Type': 'SecureString', 'Overwrite': %s}",
                          p->path, value, overwrite ? "true" : "false");
    if (!overwrite) /* SSM refuses Tags with Overwrite */
        shc_put_tags(s->f.h, s->f.ctx, in, &shc_tags_query_put, NULL);
    return in;
}

/* Queues the PutParameter that makes p, never overwriting: on
 * ParameterAlreadyExists (the lookup missed it, or an earlier attempt
 * whose answer was lost made it) the next pass finds it and converges
 * from what is stored. */
static void queue_create(struct sec *s, struct sec_param *p, const char *value)
{
    shc_queue_add_accepting(&s->f.q, "ssm", "PutParameter", put_request(s, p, value, 0), p->line.label,
                            "ParameterAlreadyExists", shc_created, &s->f);
}

static int plan_create(struct sec *s, struct sec_param *p)
{
    shc_line_note(&p->line, SH_CHANGE_CREATE,
                  p->env ? shc_text(s->f.h, s->f.ctx, "SecureString, value from %s", p->env)
                         : shc_text(s->f.h, s->f.ctx, "SecureString, a generated value of %d characters", p->generate));
    if (s->f.plan)
        return 0;
    /* a parameter this run deleted to replace it comes back with its value */
    const char *value = p->env_value ? p->env_value : p->kept ? p->kept : sec_generated(s, p);
    if (!value)
        return -1;
    queue_create(s, p, value);
    return 0;
}

/* The type of a found parameter that is not SecureString, or NULL. */
static const char *other_type(struct sec *s, const struct sec_param *p)
{
    const char *type = p->found ? s->f.h->doc_string(p->found, "Type") : NULL;
    return type && strcmp(type, "SecureString") ? type : NULL;
}

/* A replacement: deleted now, made again as SecureString by
 * replace_create once the delete is done. */
static void plan_replace(struct sec *s, struct sec_param *p)
{
    shc_line_note(&p->line, SH_CHANGE_REPLACE,
                  shc_text(s->f.h, s->f.ctx, "type %s -> SecureString: deleted and made again (ssm cannot change a "
                           "type in place)", other_type(s, p)));
    if (s->f.plan)
        return;
    /* the value it holds, kept for the run (wiped at its end): a later
     * pass that finds the parameter gone makes it with this value, never
     * a new one */
    if (!p->env_value && !p->kept && sec_keep(s, p, sec_stored(s, p)))
        return;
    sh_doc *in = shc_json(&s->f, "{'Name': '%s'}", p->path);
    shc_queue_add_accepting(&s->f.q, "ssm", "DeleteParameter", in, p->line.label, "ParameterNotFound", NULL, NULL);
}

static void replace_create(struct sec *s, struct sec_param *p)
{
    queue_create(s, p, p->env_value ? p->env_value : p->kept);
}

static void plan_update(struct sec *s, struct sec_param *p)
{
    const char *stored = sec_stored(s, p), *value = NULL;
    if (p->env_value && (!stored || strcmp(stored, p->env_value))) {
        shc_line_note(&p->line, SH_CHANGE_UPDATE, "value changes");
        value = p->env_value;
        p->value_changed = 1; /* for the run: a later pass finds it written */
    }
    if (value && *value)
        shc_queue_add(&s->f.q, "ssm", "PutParameter", put_request(s, p, value, 1), NULL, p->line.label, NULL, NULL);
    sh_doc *tags = shc_json(&s->f, "{'ResourceType': 'Parameter', 'ResourceId': '%s'}", p->path);
    char drift[SEC_DETAIL];
    if (shc_tags_drift(s->f.h, s->f.ctx, p->tags, &shc_tags_ssm, NULL, tags, &shc_tags_query_put, drift, sizeof(drift))) {
        shc_line_note(&p->line, SH_CHANGE_UPDATE, drift);
        shc_queue_add(&s->f.q, "ssm", "AddTagsToResource", tags, NULL, p->line.label, NULL, NULL);
    }
}

/* Ownership, and a value for every parameter to create: checked for all
 * before any change is sent. */
static int check(struct sec *s)
{
    int bad = 0;
    for (size_t i = 0; i < s->n; i++) {
        struct sec_param *p = &s->p[i];
        if (p->found && !sec_owned(s, p)) {
            shc_refuse_foreign(s->f.h, s->f.ctx, "parameter", p->path);
            bad = 1;
        } else if (other_type(s, p) && !s->f.h->allow_replace(s->f.ctx)) {
            s->f.h->fail(s->f.ctx, SH_ERR_CONFLICT,
                       "parameter %s is of type %s and must be SecureString, which ssm cannot change in place: "
                       "run deploy --allow-replace to delete it and make it again with its value",
                       p->path, other_type(s, p));
            bad = 1;
        } else if (other_type(s, p) && !p->env_value && !(sec_stored(s, p) && *sec_stored(s, p))) {
            s->f.h->fail(s->f.ctx, SH_ERR_CONFIG, "parameter %s is of type %s with no value to keep, and %s is not set",
                       p->path, other_type(s, p), p->env ? p->env : "no variable");
            bad = 1;
        } else if (p->env && !p->env_value && p->found) {
            s->f.h->log(s->f.ctx, SH_LOG_DEBUG, "%s is not set: parameter %s keeps its stored value", p->env, p->path);
        } else if (p->env && !p->env_value) {
            s->f.h->fail(s->f.ctx, SH_ERR_CONFIG,
                       "environment variable %s is not set (or empty): parameter %s (%s) takes its value from it "
                       "and does not exist yet",
                       p->env, p->name, p->path);
            bad = 1;
        }
    }
    return bad ? -1 : 0;
}

int sec_converge(shc_frame *f)
{
    struct sec *s = (struct sec *)f;
    if (sec_lookup(s) || check(s))
        return -1;
    /* Replacements first, each half its own wave, so that nothing else
     * failing can come between a parameter's delete and its making again. */
    int replacing = 0;
    for (size_t i = 0; i < s->n; i++)
        if (other_type(s, &s->p[i])) {
            plan_replace(s, &s->p[i]);
            replacing = 1;
        }
    if (replacing && !s->f.plan) {
        if (shc_wave(&s->f))
            return -1;
        for (size_t i = 0; i < s->n; i++)
            if (other_type(s, &s->p[i]))
                replace_create(s, &s->p[i]);
        if (shc_wave(&s->f))
            return -1;
    }
    for (size_t i = 0; i < s->n; i++) {
        struct sec_param *p = &s->p[i];
        if (other_type(s, p))
            ;
        else if (p->found)
            plan_update(s, p);
        else if (plan_create(s, p))
            return -1;
    }
    /* a create found its parameter already there: the next pass reads it */
    if (shc_wave(&s->f) || s->f.again)
        return -1;
    for (size_t i = 0; i < s->n; i++) /* each is there, or made */
        shc_line_report(s->f.h, s->f.ctx, &s->p[i].line);
    return 0;
}
