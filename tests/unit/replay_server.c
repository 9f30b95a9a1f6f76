#define _GNU_SOURCE /* strcasestr */
#include "replay_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "strbuf.h"
#include "xalloc.h"

struct replay_server {
    int fd, port;
    char url[64];
    const struct replay_reply *replies;
    size_t nreplies;
    pthread_t thread;
    pthread_mutex_t lock;
    int stop;
    char *requests[64];
    size_t nrequests;
};

static void serve_one(struct replay_server *s, int c)
{
    struct strbuf req = STRBUF_INIT;
    char buf[4096];
    ssize_t n;
    size_t want = 0;
    char *head_end = NULL;
    while ((n = read(c, buf, sizeof(buf))) > 0) {
        strbuf_add(&req, buf, (size_t)n);
        if (!head_end && (head_end = strstr(req.buf, "\r\n\r\n"))) {
            size_t head = (size_t)(head_end - req.buf) + 4;
            const char *cl = strcasestr(req.buf, "\r\ncontent-length:");
            want = head + (cl && cl < head_end ? (size_t)strtoul(cl + 17, NULL, 10) : 0);
        }
        if (head_end && req.len >= want)
            break;
    }
    pthread_mutex_lock(&s->lock);
    size_t i = s->nrequests < s->nreplies ? s->nrequests : s->nreplies - 1;
    if (s->nrequests < 64)
        s->requests[s->nrequests++] = strbuf_detach(&req);
    pthread_mutex_unlock(&s->lock);
    strbuf_release(&req);
    const struct replay_reply *r = &s->replies[i];
    struct strbuf out = STRBUF_INIT;
    const char *body = r->body ? r->body : "";
    strbuf_addf(&out, "HTTP/1.1 %d X\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n%s", r->status, strlen(body),
                r->headers ? r->headers : "", body);
    if (write(c, out.buf, out.len) < 0)
        perror("server write");
    strbuf_release(&out);
    close(c);
}

static void *serve(void *arg)
{
    struct replay_server *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        int stop = s->stop;
        pthread_mutex_unlock(&s->lock);
        if (stop)
            break;
        struct pollfd p = {s->fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0)
            continue;
        int c = accept(s->fd, NULL, NULL);
        if (c >= 0)
            serve_one(s, c);
    }
    return NULL;
}

struct replay_server *replay_start(const struct replay_reply *replies, size_t n)
{
    struct replay_server *s = xcalloc(1, sizeof(*s));
    s->replies = replies;
    s->nreplies = n;
    pthread_mutex_init(&s->lock, NULL);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    if (bind(s->fd, (struct sockaddr *)&a, sizeof(a)) || listen(s->fd, 16) ||
        getsockname(s->fd, (struct sockaddr *)&a, &len)) {
        perror("server");
        abort();
    }
    s->port = ntohs(a.sin_port);
    snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->port);
    pthread_create(&s->thread, NULL, serve, s);
    return s;
}

int replay_port(const struct replay_server *s) { return s->port; }
const char *replay_url(const struct replay_server *s) { return s->url; }

size_t replay_count(struct replay_server *s)
{
    pthread_mutex_lock(&s->lock);
    size_t n = s->nrequests;
    pthread_mutex_unlock(&s->lock);
    return n;
}

const char *replay_request(struct replay_server *s, size_t i)
{
    pthread_mutex_lock(&s->lock);
    const char *r = i < s->nrequests ? s->requests[i] : NULL;
    pthread_mutex_unlock(&s->lock);
    return r;
}

void replay_stop(struct replay_server *s)
{
    pthread_mutex_lock(&s->lock);
    s->stop = 1;
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    close(s->fd);
    for (size_t i = 0; i < s->nrequests; i++)
        free(s->requests[i]);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
