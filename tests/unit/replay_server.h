/* A replay server: a scripted HTTP server on 127.0.0.1 for unit tests: answers requests
 * in order with the given replies (the last one repeats), and keeps every
 * request it got. One thread; each answer closes its connection. */
#ifndef TESTS_REPLAY_SERVER_H
#define TESTS_REPLAY_SERVER_H

#include <stddef.h>

struct replay_reply {
    int status;
    const char *headers; /* extra header lines, each ending "\r\n"; may be NULL */
    const char *body;
};

struct replay_server;

struct replay_server *replay_start(const struct replay_reply *replies, size_t n);
int replay_port(const struct replay_server *s);
/* "http://127.0.0.1:PORT" */
const char *replay_url(const struct replay_server *s);
size_t replay_count(struct replay_server *s);
/* The i-th request as received (request line, headers, body). */
const char *replay_request(struct replay_server *s, size_t i);
void replay_stop(struct replay_server *s);

#endif
