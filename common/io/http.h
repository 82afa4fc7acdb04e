/* http: a small HTTP server on libmicrohttpd for the services' own
 * endpoints. One internal thread serves every connection event by event,
 * so a slow or silent client holds nobody else up; each connection has a
 * short deadline and their number is capped. Only GET (and HEAD) reach the
 * handler; other methods get 405. */
#ifndef SUCCESSION_HTTP_H
#define SUCCESSION_HTTP_H

#include <stddef.h>

typedef struct http_server http_server_t;

/* What a handler answers. body is copied by the server; owned, when the
 * handler sets it, is freed with free() after that. */
typedef struct http_response {
    int status;
    const char *content_type;
    const char *body;
    size_t len;
    char *owned;
} http_response_t;

/* Answers a GET of path (without the query string). Runs on the server's
 * thread: it must be quick and must not block. */
typedef void (*http_handler_t)(void *ctx, const char *path, http_response_t *response);

/* Serves on address:port (an IPv4 address; port 0 picks a free port, see
 * http_port) from a thread of its own, calling handler with ctx for each
 * GET. Returns the server, or NULL with "ADDRESS:PORT: reason" in errstr.
 * Ownership: the caller stops it with http_stop(). */
http_server_t *http_start(const char *address, int port, http_handler_t handler, void *ctx,
                          char *errstr, size_t errstr_size);

/* The port being served. */
int http_port(const http_server_t *server);

/* Stops serving, waits for the thread and frees the server (NULL is fine). */
void http_stop(http_server_t *server);

#endif
