#include "http.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <stackhost/version.h>

#include "xalloc.h"

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *user)
{
    (void)h;
    (void)access;
    struct http_client *c = user;
    pthread_mutex_lock(&c->locks[(unsigned)data % 8]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *user)
{
    (void)h;
    struct http_client *c = user;
    pthread_mutex_unlock(&c->locks[(unsigned)data % 8]);
}

static long env_ms(const char *name, long fallback)
{
    const char *v = getenv(name);
    char *end;
    long ms = v ? strtol(v, &end, 10) : 0;
    return v && *v && !*end && ms > 0 ? ms : fallback;
}

void http_client_init(struct http_client *c)
{
    pthread_once(&global_once, global_init);
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < 8; i++)
        pthread_mutex_init(&c->locks[i], NULL);
    pthread_mutex_init(&c->pool_lock, NULL);
    CURLSH *share = curl_share_init();
    curl_share_setopt(share, CURLSHOPT_LOCKFUNC, share_lock);
    curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, share_unlock);
    curl_share_setopt(share, CURLSHOPT_USERDATA, c);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    c->share = share;
    c->connect_timeout_ms = env_ms("STACKHOST_CONNECT_TIMEOUT_MS", 5000);
    c->timeout_ms = env_ms("STACKHOST_TIMEOUT_MS", 60000);
    struct strbuf ua = STRBUF_INIT;
    strbuf_addf(&ua, "stackhost/%s %s", STACKHOST_VERSION, curl_version());
    c->user_agent = strbuf_detach(&ua);
}

void http_client_free(struct http_client *c)
{
    for (size_t i = 0; i < c->npool; i++)
        curl_easy_cleanup(c->pool[i]);
    xfree_wiped(c->pool);
    pthread_mutex_destroy(&c->pool_lock);
    if (c->share)
        curl_share_cleanup(c->share);
    for (size_t i = 0; i < 8; i++)
        pthread_mutex_destroy(&c->locks[i]);
    xfree_wiped(c->user_agent);
    xfree_wiped(c->ca_bundle);
    memset(c, 0, sizeof(*c));
}

struct body_sink {
    struct strbuf *body;
    size_t max;
    int over;
};

static size_t on_body(char *data, size_t size, size_t n, void *user)
{
    struct body_sink *sink = user;
    if (sink->body->len + size * n > sink->max) {
        sink->over = 1;
        return 0; /* curl stops: CURLE_WRITE_ERROR */
    }
    strbuf_add(sink->body, data, size * n);
    return size * n;
}

static size_t on_header(char *data, size_t size, size_t n, void *user)
{
    struct http_response *resp = user;
    size_t len = size * n;
    if (len > 5 && !strncasecmp(data, "date:", 5)) {
        char value[128];
        size_t vl = len - 5 < sizeof(value) - 1 ? len - 5 : sizeof(value) - 1;
        memcpy(value, data + 5, vl);
        value[vl] = '\0';
        time_t t = curl_getdate(value, NULL);
        resp->date = t > 0 ? t : 0;
    }
    const char *names[] = {"x-amzn-requestid:", "x-amz-request-id:"};
    for (size_t i = 0; i < 2; i++) {
        size_t nl = strlen(names[i]);
        if (len > nl && !strncasecmp(data, names[i], nl) && !resp->request_id) {
            const char *v = data + nl;
            size_t vl = len - nl;
            while (vl && (*v == ' ' || *v == '\t'))
                v++, vl--;
            while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
                vl--;
            resp->request_id = xstrndup(v, vl);
        }
    }
    return len;
}

/* An idle handle from the pool (reset to defaults, connections kept), or
 * a new one. */
static CURL *take_handle(struct http_client *c)
{
    CURL *h = NULL;
    pthread_mutex_lock(&c->pool_lock);
    if (c->npool)
        h = c->pool[--c->npool];
    pthread_mutex_unlock(&c->pool_lock);
    if (h) {
        curl_easy_reset(h);
        return h;
    }
    return curl_easy_init();
}

static void give_back(struct http_client *c, CURL *h)
{
    pthread_mutex_lock(&c->pool_lock);
    XGROW(c->pool, c->pool_alloc, c->npool + 1);
    c->pool[c->npool++] = h;
    pthread_mutex_unlock(&c->pool_lock);
}

enum http_failure http_send(struct http_client *c, unsigned flags, const char *method, const char *url,
                            const struct http_header *headers, size_t nheaders, const char *body, size_t body_len,
                            struct http_response *resp, struct strbuf *err)
{
    memset(resp, 0, sizeof(*resp));
    strbuf_init(&resp->body);
    CURL *h = take_handle(c);
    if (!h) {
        strbuf_addstr(err, "cannot create a curl handle");
        return HTTP_OTHER;
    }
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < nheaders; i++) {
        struct strbuf line = STRBUF_INIT;
        strbuf_addf(&line, "%s: %s", headers[i].name, headers[i].value);
        list = curl_slist_append(list, line.buf);
        strbuf_release(&line);
    }
    list = curl_slist_append(list, "Expect:"); /* no 100-continue round trip */
    curl_easy_setopt(h, CURLOPT_SHARE, c->share);
    curl_easy_setopt(h, CURLOPT_URL, url);
    if (flags & HTTP_FRESH_CONNECTION)
        curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (body || !strcmp(method, "POST") || !strcmp(method, "PUT")) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for DNS timeouts */
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (c->ca_bundle)
        curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_bundle);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    struct body_sink sink = {&resp->body, flags & HTTP_SMALL ? HTTP_SMALL_ANSWER : HTTP_MAX_ANSWER, 0};
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)sink.max); /* a declared length: refused at once */
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, resp);
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(h);
    enum http_failure failure = HTTP_OK;
    long sent = 0;
    curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &sent);
    resp->request_sent = sent > 0;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
    } else if (sink.over || rc == CURLE_FILESIZE_EXCEEDED) {
        strbuf_addf(err, "the answer is larger than %zu bytes, more than any answer asked for: refused", sink.max);
        strbuf_release(&resp->body);
        failure = HTTP_TOO_LARGE;
    } else {
        strbuf_addstr(err, *errbuf ? errbuf : curl_easy_strerror(rc));
        switch (rc) {
        case CURLE_OPERATION_TIMEDOUT: failure = HTTP_TIMEOUT; break;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY: failure = HTTP_UNKNOWN_HOST; break;
        case CURLE_COULDNT_CONNECT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE: failure = HTTP_CONNECT; break;
        default: failure = HTTP_OTHER; break;
        }
    }
    curl_slist_free_all(list);
    give_back(c, h);
    return failure;
}

void http_response_free(struct http_response *resp)
{
    strbuf_release(&resp->body);
    xfree_wiped(resp->request_id);
    memset(resp, 0, sizeof(*resp));
}
