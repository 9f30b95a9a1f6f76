#define _GNU_SOURCE /* pipe2 */
#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aws/credentials.h"
#include "aws/secret.h"
#include "log.h"

extern char **environ;

/* How long credential_process may take (STACKHOST_CREDENTIAL_PROCESS_TIMEOUT
 * seconds, else this), and how much it may print: credentials are a few
 * hundred bytes, and a helper that hangs or floods must not take the run
 * with it. */
#define PROCESS_TIMEOUT_SECONDS 60
#define PROCESS_MAX_OUTPUT (64 * 1024)

static int process_timeout_ms(void)
{
    const char *v = getenv("STACKHOST_CREDENTIAL_PROCESS_TIMEOUT");
    char *end;
    long s = v && *v ? strtol(v, &end, 10) : 0;
    return v && *v && !*end && s > 0 && s <= 3600 ? (int)s * 1000 : PROCESS_TIMEOUT_SECONDS * 1000;
}

static long elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* Runs /bin/sh -c command, gathering its stdout. posix_spawn, not fork:
 * the run's other threads hold locks a forked child would inherit, and
 * the pipe is close-on-exec so a program another thread starts at the
 * same time does not keep it open. The command runs in its own process
 * group, killed whole when it outlasts the timeout or prints too much
 * (*why says which). Returns 0 with the wait status, or an errno. */
static int run(const char *command, struct strbuf *output, int *status, const char **why)
{
    int fds[2];
    *why = NULL;
    if (pipe2(fds, O_CLOEXEC))
        return errno;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    char *argv[] = {"sh", "-c", (char *)command, NULL};
    pid_t pid;
    int e = posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    close(fds[1]);
    if (e) {
        close(fds[0]);
        return e;
    }
    char buf[4096];
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int limit = process_timeout_ms();
    for (;;) {
        long left = limit - elapsed_ms(&start);
        struct pollfd p = {fds[0], POLLIN, 0};
        int ready = left > 0 ? poll(&p, 1, (int)left) : 0;
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0) {
            *why = "timed out";
            break;
        }
        ssize_t n = read(fds[0], buf, sizeof(buf));
        if (n > 0 && output->len + (size_t)n > PROCESS_MAX_OUTPUT) {
            *why = "printed more than 64 KiB";
            break;
        }
        if (n > 0)
            strbuf_add(output, buf, (size_t)n);
        else if (n == 0 || errno != EINTR)
            break;
    }
    secret_wipe(buf, sizeof(buf));
    close(fds[0]);
    if (*why)
        kill(-pid, SIGKILL);
    while (waitpid(pid, status, 0) < 0)
        if (errno != EINTR)
            return errno;
    return 0;
}

static void register_secrets(json_t *j)
{
    redact_add(json_string_value(json_object_get(j, "SecretAccessKey")));
    redact_add(json_string_value(json_object_get(j, "SessionToken")));
}

static int read_output(const char *profile, const struct strbuf *output, struct aws_credentials *out,
                       struct strbuf *err)
{
    json_t *j = json_loadb(output->buf, output->len, 0, NULL);
    register_secrets(j);
    json_t *version = json_object_get(j, "Version");
    const char *id = json_string_value(json_object_get(j, "AccessKeyId"));
    const char *secret = json_string_value(json_object_get(j, "SecretAccessKey"));
    const char *token = json_string_value(json_object_get(j, "SessionToken"));
    const char *expiration = json_string_value(json_object_get(j, "Expiration"));
    time_t expires = expiration ? aws_time_parse(expiration) : 0;
    int rc = -1;
    /* Nothing it printed is quoted: it is all secret but the shape. */
    if (!json_is_object(j))
        strbuf_addf(err, "profile %s: credential_process printed %zu bytes that are not a json object", profile,
                    output->len);
    else if (!json_is_integer(version) || json_integer_value(version) != 1)
        strbuf_addf(err, "profile %s: credential_process printed no \"Version\": 1 (the only version there is)",
                    profile);
    else if (!id || !*id || !secret || !*secret)
        strbuf_addf(err, "profile %s: credential_process printed json without AccessKeyId and SecretAccessKey",
                    profile);
    else if (expires == (time_t)-1)
        strbuf_addf(err, "profile %s: credential_process printed an Expiration that is not an iso 8601 time",
                    profile);
    else if (expires && expires <= time(NULL))
        strbuf_addf(err, "profile %s: credential_process gave credentials that expired at %s", profile,
                    expiration);
    else {
        struct strbuf label = STRBUF_INIT;
        strbuf_addf(&label, "profile %s (credential_process)", profile);
        aws_credentials_set(out, id, secret, token, expires, label.buf);
        strbuf_release(&label);
        rc = 0;
    }
    secret_json_decref(j);
    return rc;
}

int process_credentials(const char *profile, const char *command, struct aws_credentials *out, struct strbuf *err)
{
    struct strbuf output = STRBUF_INIT;
    int status = 0;
    const char *stopped = NULL;
    int e = run(command, &output, &status, &stopped);
    int rc = -1;
    if (e)
        strbuf_addf(err, "profile %s: cannot run credential_process: %s", profile, strerror(e));
    else if (stopped)
        strbuf_addf(err, "profile %s: credential_process %s and was stopped (it has %d s and 64 KiB; "
                    "STACKHOST_CREDENTIAL_PROCESS_TIMEOUT sets the time)", profile, stopped,
                    process_timeout_ms() / 1000);
    else if (WIFSIGNALED(status))
        strbuf_addf(err, "profile %s: credential_process was killed by signal %d", profile, WTERMSIG(status));
    else if (WEXITSTATUS(status))
        strbuf_addf(err, "profile %s: credential_process exited with status %d", profile, WEXITSTATUS(status));
    else
        rc = read_output(profile, &output, out, err);
    strbuf_release(&output);
    return rc;
}
