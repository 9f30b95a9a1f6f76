#include "confirm.h"

#include <stdio.h>
#include <string.h>

int confirm(const char *question, const char *env)
{
    fprintf(stderr, "%s? only '%s' or 'yes' is accepted: ", question, env);
    fflush(stderr);
    char answer[256] = "";
    if (!fgets(answer, sizeof(answer), stdin))
        answer[0] = '\0';
    answer[strcspn(answer, "\r\n")] = '\0';
    return !strcmp(answer, env) || !strcmp(answer, "yes");
}
