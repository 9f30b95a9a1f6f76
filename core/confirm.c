#include "confirm.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "context.h"

int confirm(const char *question, const char *env)
{
    fprintf(stderr, "%s? only '%s' or 'yes' is accepted: ", question, env);
    fflush(stderr);
    /* One line, read so that Ctrl-C while it is asked cancels (the run
     * then releases what it holds) rather than wait for an answer. */
    char answer[256] = "";
    size_t len = 0;
    while (len < sizeof(answer) - 1 && !atomic_load(&run_interrupted)) {
        struct pollfd p = {STDIN_FILENO, POLLIN, 0};
        if (poll(&p, 1, 200) <= 0)
            continue;
        ssize_t n = read(STDIN_FILENO, answer + len, 1);
        if (n <= 0 || answer[len] == '\n')
            break;
        len++;
    }
    answer[len] = '\0';
    answer[strcspn(answer, "\r\n")] = '\0';
    return !atomic_load(&run_interrupted) && (!strcmp(answer, env) || !strcmp(answer, "yes"));
}
