#define _GNU_SOURCE /* pipe2 */
#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aws/credentials.h"
#include "aws/secret.h"
#include "log.h"

extern char **environ;

/* Runs /bin/sh -c command, gathering its stdout. posix_spawn, not fork:
 * the run's other threads hold locks a forked child would inherit, and
 * the pipe is close-on-exec so a program another thread starts at the
 * same time does not keep it open. Returns 0 with the wait status, or an
 * errno. */
static int run(const char *command, struct strbuf *output, int *status)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC))
        return errno;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    char *argv[] = {"sh", "-c", (char *)command, NULL};
    pid_t pid;
    int e = posix_spawn(&pid, "/bin/sh", &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (e) {
        close(fds[0]);
        return e;
    }
    char buf[4096];
    for (;;) {
        ssize_t n = read(fds[0], buf, sizeof(buf));
        if (n > 0)
            strbuf_add(output, buf, (size_t)n);
        else if (n == 0 || errno != EINTR)
            break;
    }
    secret_wipe(buf, sizeof(buf));
    close(fds[0]);
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
    int e = run(command, &output, &status);
    int rc = -1;
    if (e)
        strbuf_addf(err, "profile %s: cannot run credential_process: %s", profile, strerror(e));
    else if (WIFSIGNALED(status))
        strbuf_addf(err, "profile %s: credential_process was killed by signal %d", profile, WTERMSIG(status));
    else if (WEXITSTATUS(status))
        strbuf_addf(err, "profile %s: credential_process exited with status %d", profile, WEXITSTATUS(status));
    else
        rc = read_output(profile, &output, out, err);
    secret_strbuf_release(&output);
    return rc;
}
