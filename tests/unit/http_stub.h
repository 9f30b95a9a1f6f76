/* A scripted HTTP server on 127.0.0.1 for unit tests: answers requests
 * in order with the given replies (the last one repeats), and keeps every
 * request it got. One thread; each answer closes its connection. */
#ifndef TESTS_HTTP_STUB_H
#define TESTS_HTTP_STUB_H

#include <stddef.h>

struct stub_reply {
    int status;
    const char *headers; /* extra header lines, each ending "\r\n"; may be NULL */
    const char *body;
};

struct stub_server;

struct stub_server *stub_start(const struct stub_reply *replies, size_t n);
int stub_port(const struct stub_server *s);
/* "http://127.0.0.1:PORT" */
const char *stub_url(const struct stub_server *s);
size_t stub_count(struct stub_server *s);
/* The i-th request as received (request line, headers, body). */
const char *stub_request(struct stub_server *s, size_t i);
void stub_stop(struct stub_server *s);

#endif
