/* bus: the changes the live clients are sent, as Server-Sent Events. The
 * feed publishes each change; every client follows the numbered events at
 * its own pace from a ring of the last `capacity`, and a client that falls
 * further behind is told to load the picture afresh. Memory is bounded by
 * the ring; a slow client holds nothing up. Safe from any thread. */
#ifndef SUCCESSION_DASHBOARD_BUS_H
#define SUCCESSION_DASHBOARD_BUS_H

#include <stddef.h>
#include <stdint.h>

typedef struct bus bus_t;

typedef enum {
    BUS_EVENT,  /* *frame is the next event */
    BUS_IDLE,   /* nothing came within the timeout */
    BUS_BEHIND, /* events were lost to the client: *frame says "resync" */
    BUS_CLOSED, /* the bus is closing: the client should end */
    BUS_NOMEM,  /* out of memory */
} bus_wait_t;

/* A bus keeping the last capacity events (at least 1), or NULL when out
 * of memory. Free with bus_free once no client waits any more. */
bus_t *bus_new(size_t capacity);

void bus_free(bus_t *bus);

/* Publishes an event of type (e.g. "status") whose data is one line of
 * text (JSON), both copied, and wakes the clients. Returns 0, or -1 when
 * out of memory (the event is lost to every client, which then resyncs). */
int bus_publish(bus_t *bus, const char *type, const char *data) __attribute__((warn_unused_result));

/* The number the next event will have: where a new client starts. */
uint64_t bus_next(bus_t *bus);

/* Waits up to timeout_ms for event *next and makes it an SSE frame
 * ("id: N\nevent: TYPE\ndata: DATA\n\n"; a new string the caller frees),
 * advancing *next. When *next is no longer held, the frame is a "resync"
 * event and *next the next event to come. */
bus_wait_t bus_wait(bus_t *bus, uint64_t *next, int timeout_ms, char **frame);

/* Wakes every client for good: bus_wait returns BUS_CLOSED from now on. */
void bus_close(bus_t *bus);

#endif
