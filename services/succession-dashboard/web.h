/* web: the dashboard over HTTP(S) on libmicrohttpd: the page (/), its
 * assets (/assets/..., embedded in the binary), the JSON API (api.h) and
 * the live changes as Server-Sent Events (/api/events: event types status,
 * alert and summary, each a message in the JSON mapping; resync when a
 * client fell behind; a comment line as heartbeat).
 *
 * Only GET and HEAD are served (anything else 405: nothing changes
 * anything); with a credential, a request without it is 401. Every answer
 * carries a strict Content-Security-Policy (self only, no inline script or
 * style, no framing), nosniff and no referrer. Each connection has a thread
 * of its own; their number is capped, and so is that of live clients. */
#ifndef SUCCESSION_DASHBOARD_WEB_H
#define SUCCESSION_DASHBOARD_WEB_H

#include <stddef.h>

#include "bus.h"
#include "store.h"

typedef struct web_options {
    const char *address;    /* IPv4 */
    int port;               /* 0: any free port (web_port) */
    const char *credential; /* user:password; NULL: no authentication */
    const char *tls_cert;   /* PEM text; NULL (with tls_key): plain HTTP */
    const char *tls_key;
    int max_clients;  /* live clients at once */
    int heartbeat_ms; /* a live client hears something at least this often */
} web_options_t;

typedef struct web web_t;

/* Serves store and bus (borrowed; they must outlive the server) as options
 * say (copied). Returns the server, or NULL with "ADDRESS:PORT: reason" in
 * errstr. Stop it with web_stop. */
web_t *web_start(const web_options_t *options, store_t *store, bus_t *bus, char *errstr,
                 size_t errstr_size);

/* The port being served. */
int web_port(const web_t *web);

/* Stops serving and frees the server (NULL is fine). Close the bus first,
 * so that live clients end. */
void web_stop(web_t *web);

#endif
