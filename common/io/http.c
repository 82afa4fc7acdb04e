/* http: the services' HTTP endpoints on libmicrohttpd. */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#define CONNECTION_LIMIT   64 /* at once; more are refused */
#define CONNECTION_TIMEOUT 2  /* seconds a connection may stay idle */

struct http_server {
    struct MHD_Daemon *daemon;
    http_handler_t handler;
    void *ctx;
    int port;
};

static enum MHD_Result queue(struct MHD_Connection *connection, const http_response_t *r)
{
    struct MHD_Response *response =
        MHD_create_response_from_buffer(r->len, (void *)r->body, MHD_RESPMEM_MUST_COPY);
    if (!response)
        return MHD_NO;
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (r->status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    enum MHD_Result ok = MHD_queue_response(connection, (unsigned)r->status, response);
    MHD_destroy_response(response);
    return ok;
}

/* Every request: GET and HEAD go to the handler, anything else is 405. A
 * request body is never read; the answer goes out at the first call. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **state)
{
    http_server_t *server = cls;
    static const char text_type[] = "text/plain; charset=utf-8";
    http_response_t r = {.status = 200, .content_type = text_type, .body = ""};
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
        r = (http_response_t){MHD_HTTP_METHOD_NOT_ALLOWED, text_type, "method not allowed\n", 19,
                              NULL};
        return queue(connection, &r);
    }
    server->handler(server->ctx, url, &r);
    enum MHD_Result ok = queue(connection, &r);
    free(r.owned);
    return ok;
}

/* A listening socket on address:port, or -1 with "ADDRESS:PORT: step:
 * reason" in errstr. Bound here rather than by the library, so that the
 * reason is exact; *bound is the port (a free one for port 0). */
static int listen_on(const char *address, int port, int *bound, char *errstr, size_t errstr_size)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    socklen_t addr_len = sizeof addr;
    if (inet_pton(AF_INET, address, &addr.sin_addr) != 1) {
        snprintf(errstr, errstr_size, "'%s' is not an IPv4 address", address);
        return -1;
    }
    const char *step = "socket";
    int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto fail;
    /* A restart must not wait for the last connections' TIME_WAIT. */
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    step = "bind";
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr))
        goto fail;
    step = "listen";
    if (listen(fd, 64) || getsockname(fd, (struct sockaddr *)&addr, &addr_len))
        goto fail;
    *bound = ntohs(addr.sin_port);
    return fd;
fail:
    snprintf(errstr, errstr_size, "%s:%d: %s: %s", address, port, step, strerror(errno));
    if (fd >= 0)
        close(fd);
    return -1;
}

http_server_t *http_start(const char *address, int port, http_handler_t handler, void *ctx,
                          char *errstr, size_t errstr_size)
{
    if (port < 0 || port > 65535) {
        snprintf(errstr, errstr_size, "%d is not a port number", port);
        return NULL;
    }
    http_server_t *server = calloc(1, sizeof *server);
    if (!server) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    server->handler = handler;
    server->ctx = ctx;
    int fd = listen_on(address, port, &server->port, errstr, errstr_size);
    if (fd < 0) {
        free(server);
        return NULL;
    }
    /* Signals stay with the service's thread, whose loop acts on them. */
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    server->daemon = MHD_start_daemon(
        MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, on_request, server, MHD_OPTION_LISTEN_SOCKET,
        fd, MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)CONNECTION_TIMEOUT, MHD_OPTION_END);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (!server->daemon) {
        snprintf(errstr, errstr_size, "%s:%d: the HTTP server did not start", address, port);
        close(fd);
        free(server);
        return NULL;
    }
    return server;
}

int http_port(const http_server_t *server)
{
    return server->port;
}

void http_stop(http_server_t *server)
{
    if (!server)
        return;
    MHD_stop_daemon(server->daemon);
    free(server);
}
