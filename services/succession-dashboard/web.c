/* web: the dashboard's HTTP(S) server on libmicrohttpd, a thread per
 * connection so that a live client may wait for the next change. */
#include "web.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "access.h"
#include "api.h"
#include "assets.h"
#include "health.h"
#include "log.h"

#define WEB_SPARE_CONNECTIONS  32           /* beyond the live clients: page, assets, API */
#define WEB_CONNECTION_TIMEOUT 30           /* seconds a connection may stay silent */
#define WEB_STACK_SIZE         (512 * 1024) /* per connection thread: TLS needs some */
#define WEB_EVENT_BLOCK        (32 * 1024)  /* bytes of events handed over at a time */

static const char csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                          "img-src 'self'; font-src 'self'; connect-src 'self'; "
                          "manifest-src 'self'; base-uri 'none'; form-action 'self'; "
                          "frame-ancestors 'none'";
static const char json_type[] = "application/json; charset=utf-8";
static const char text_type[] = "text/plain; charset=utf-8";

struct web {
    struct MHD_Daemon *daemon;
    store_t *store;
    bus_t *bus;
    char *credential;
    bool tls;
    int port, max_clients, heartbeat_ms;
    atomic_int clients;
};

/* One live client: the frame being sent and the next event it awaits. */
typedef struct live_client {
    web_t *web;
    uint64_t next;
    char *frame;
    size_t sent, len;
} live_client_t;

/* Adds the headers every answer carries. */
static void web_headers(const web_t *web, struct MHD_Response *response, const char *type)
{
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(response, "Content-Security-Policy", csp);
    MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(response, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(response, "X-Frame-Options", "DENY");
    MHD_add_response_header(response, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(response, "Cross-Origin-Resource-Policy", "same-origin");
    if (web->tls)
        MHD_add_response_header(response, "Strict-Transport-Security", "max-age=31536000");
}

/* Queues an answer of len bytes of body; mode says who frees body. */
static enum MHD_Result web_send(web_t *web, struct MHD_Connection *connection, unsigned status,
                                const char *type, const void *body, size_t len,
                                enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *response = MHD_create_response_from_buffer(len, (void *)body, mode);
    if (!response) {
        if (mode == MHD_RESPMEM_MUST_FREE)
            free((void *)body);
        return MHD_NO;
    }
    web_headers(web, response, type);
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    if (status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(response, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                "Basic realm=\"Succession watch\", charset=\"UTF-8\"");
    enum MHD_Result ok = MHD_queue_response(connection, status, response);
    MHD_destroy_response(response);
    return ok;
}

static enum MHD_Result web_text(web_t *web, struct MHD_Connection *connection, unsigned status,
                                const char *text)
{
    return web_send(web, connection, status, text_type, text, strlen(text), MHD_RESPMEM_PERSISTENT);
}

/* --- live clients --- */

/* Hands over the next bytes of the event stream, waiting up to a
 * heartbeat for the next change (this connection's thread may block). */
static ssize_t live_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    live_client_t *c = cls;
    if (c->sent == c->len) {
        free(c->frame);
        c->frame = NULL;
        c->sent = c->len = 0;
        bus_wait_t w = bus_wait(c->web->bus, &c->next, c->web->heartbeat_ms, &c->frame);
        if (w == BUS_CLOSED || w == BUS_NOMEM)
            return w == BUS_CLOSED ? MHD_CONTENT_READER_END_OF_STREAM
                                   : MHD_CONTENT_READER_END_WITH_ERROR;
        if (w == BUS_IDLE && !(c->frame = strdup(": heartbeat\n\n")))
            return MHD_CONTENT_READER_END_WITH_ERROR;
        c->len = strlen(c->frame);
    }
    size_t n = c->len - c->sent < max ? c->len - c->sent : max;
    memcpy(buf, c->frame + c->sent, n);
    c->sent += n;
    return (ssize_t)n;
}

/* Counts a live client in or out. */
static void live_count(web_t *web, int delta)
{
    atomic_fetch_add(&web->clients, delta);
    atomic_fetch_add(&health_metrics.live_clients, delta);
}

static void live_end(void *cls)
{
    live_client_t *c = cls;
    live_count(c->web, -1);
    free(c->frame);
    free(c);
}

/* Starts the event stream: from the next change on, after telling the
 * browser to reconnect after 3 s should the stream break. */
static enum MHD_Result web_live(web_t *web, struct MHD_Connection *connection)
{
    live_count(web, 1);
    if (atomic_load(&web->clients) > web->max_clients) {
        live_count(web, -1);
        return web_text(web, connection, MHD_HTTP_SERVICE_UNAVAILABLE, "too many live clients\n");
    }
    live_client_t *c = calloc(1, sizeof *c);
    if (c && (c->frame = strdup("retry: 3000\n\n"))) {
        c->web = web;
        c->len = strlen(c->frame);
        c->next = bus_next(web->bus);
    }
    struct MHD_Response *response =
        c && c->frame ? MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, WEB_EVENT_BLOCK,
                                                          live_read, c, live_end)
                      : NULL;
    if (!response) {
        if (c)
            free(c->frame);
        free(c);
        live_count(web, -1);
        return web_text(web, connection, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
    }
    web_headers(web, response, "text/event-stream; charset=utf-8");
    enum MHD_Result ok = MHD_queue_response(connection, MHD_HTTP_OK, response);
    MHD_destroy_response(response);
    return ok;
}

/* --- requests --- */

static const char *query_arg(void *ctx, const char *name)
{
    return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result web_api(web_t *web, struct MHD_Connection *connection, const char *path)
{
    api_response_t r;
    api_answer(web->store, path, query_arg, connection, &r);
    if (!r.body)
        return web_text(web, connection, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
    return web_send(web, connection, (unsigned)r.status, json_type, r.body, strlen(r.body),
                    MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result web_asset(web_t *web, struct MHD_Connection *connection, const char *path)
{
    for (size_t i = 0; i < asset_count; i++)
        if (strcmp(path, assets[i].path) == 0)
            return web_send(web, connection, MHD_HTTP_OK, assets[i].content_type, assets[i].data,
                            assets[i].size, MHD_RESPMEM_PERSISTENT);
    return web_text(web, connection, MHD_HTTP_NOT_FOUND, "not found\n");
}

/* Every request: the method, then the credential, then the path. The
 * answer goes out at the first call; a request body is never read. */
static enum MHD_Result web_request(void *cls, struct MHD_Connection *connection, const char *url,
                                   const char *method, const char *version, const char *upload_data,
                                   size_t *upload_data_size, void **state)
{
    web_t *web = cls;
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return web_text(web, connection, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
    if (web->credential &&
        !access_allows(
            MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
            web->credential))
        return web_text(web, connection, MHD_HTTP_UNAUTHORIZED, "authentication required\n");
    if (strcmp(url, "/api/events") == 0)
        return web_live(web, connection);
    if (strncmp(url, "/api/", 5) == 0)
        return web_api(web, connection, url);
    return web_asset(web, connection, url);
}

/* libmicrohttpd's own complaints (a TLS handshake that failed, ...). */
static void web_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    log_warn("http_error", "%s", line);
}

/* Starts the daemon on addr; signals stay with the service's thread. */
static struct MHD_Daemon *web_daemon(web_t *web, const web_options_t *o,
                                     const struct sockaddr_in *addr)
{
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_POLL | MHD_USE_ERROR_LOG | (web->tls ? MHD_USE_TLS : 0);
    struct MHD_OptionItem options[] = {
        {MHD_OPTION_CONNECTION_LIMIT, o->max_clients + WEB_SPARE_CONNECTIONS, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, WEB_CONNECTION_TIMEOUT, NULL},
        {MHD_OPTION_THREAD_STACK_SIZE, WEB_STACK_SIZE, NULL},
        {web->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, (void *)o->tls_cert},
        {web->tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, (void *)o->tls_key},
        {MHD_OPTION_END, 0, NULL},
    };
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, web_request, web, MHD_OPTION_EXTERNAL_LOGGER, web_log, NULL,
        MHD_OPTION_SOCK_ADDR, addr, MHD_OPTION_ARRAY, options, MHD_OPTION_END);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    return d;
}

web_t *web_start(const web_options_t *o, store_t *store, bus_t *bus, char *errstr,
                 size_t errstr_size)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
    if (o->port < 0 || o->port > 65535 || inet_pton(AF_INET, o->address, &addr.sin_addr) != 1) {
        snprintf(errstr, errstr_size, "%s:%d: not an IPv4 address and port", o->address, o->port);
        return NULL;
    }
    web_t *web = calloc(1, sizeof *web);
    if (!web || (o->credential && !(web->credential = strdup(o->credential)))) {
        free(web);
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    web->store = store;
    web->bus = bus;
    web->tls = o->tls_cert && o->tls_key;
    web->max_clients = o->max_clients;
    web->heartbeat_ms = o->heartbeat_ms;
    if (!(web->daemon = web_daemon(web, o, &addr))) {
        snprintf(errstr, errstr_size, "%s:%d: the HTTP%s server did not start (port taken%s?)",
                 o->address, o->port, web->tls ? "S" : "",
                 web->tls ? ", or a certificate and key that do not match" : "");
        web_stop(web);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(web->daemon, MHD_DAEMON_INFO_BIND_PORT);
    web->port = info ? info->port : o->port;
    return web;
}

int web_port(const web_t *web)
{
    return web->port;
}

void web_stop(web_t *web)
{
    if (!web)
        return;
    if (web->daemon)
        MHD_stop_daemon(web->daemon);
    free(web->credential);
    free(web);
}
