/* A plan as people and programs read it: the changes each plugin
 * reported, as text (changes only unless all, marks coloured on a
 * terminal) or as the documented JSON (docs/json.md). */
#ifndef CORE_PLAN_VIEW_H
#define CORE_PLAN_VIEW_H

#include <stddef.h>

#include <stackhost/host.h>

#include "engine.h"

struct cost_report;

/* Where a plan goes: plan's results on stdout (text or JSON); the plan
 * deploy and destroy show first, among their progress lines on stderr. */
enum plan_to { PLAN_TO_STDOUT, PLAN_TO_JSON, PLAN_TO_LOG };

struct plan_view {
    enum plan_to to;
    int all;            /* list unchanged resources too (-v) */
    int colour;         /* colour the marks (colour.h) */
    const char *stack;  /* for the JSON document */
    const char *env;
    int destroy;        /* plan --destroy */
    /* The monthly estimate of the configuration (cost.h), or NULL: each
     * change shows its part, and the plan the totals before and after. */
    const struct cost_report *cost;
};

/* Counts the jobs' reported changes by kind. */
void plan_count(const struct job *jobs, size_t n, size_t counts[SH_CHANGE_DELETE + 1]);
/* Prints the plan; returns how many changes it has (not "no change"). */
size_t plan_print(const struct job *jobs, size_t n, const struct plan_view *v);
/* A resource label is its type then its name ("ecs service svc-catalog-dev",
 * "rules of security group sg-x"): the name starts at the first word
 * holding anything but a-z (a digit, '-', '/', '.', ':', '@'), else it is
 * the last word. Returns the type's length (0: no type). */
size_t plan_type_length(const char *label);

#endif
