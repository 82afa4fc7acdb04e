/* bus: a ring of numbered frames, a lock and a condition variable. */
#include "bus.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct bus {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    char **frames; /* event n at n % capacity, for n in [next - held, next) */
    size_t capacity, held;
    uint64_t next;
    bool closed;
};

bus_t *bus_new(size_t capacity)
{
    bus_t *b = calloc(1, sizeof *b);
    if (!b || capacity < 1 || !(b->frames = calloc(capacity, sizeof *b->frames))) {
        free(b);
        return NULL;
    }
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->changed, &attr);
    pthread_condattr_destroy(&attr);
    b->capacity = capacity;
    b->next = 1;
    return b;
}

void bus_free(bus_t *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->capacity; i++)
        free(b->frames[i]);
    free(b->frames);
    pthread_cond_destroy(&b->changed);
    pthread_mutex_destroy(&b->lock);
    free(b);
}

/* "id: N\nevent: TYPE\ndata: DATA\n\n" in a new string, or NULL. */
static char *frame_new(uint64_t id, const char *type, const char *data)
{
    size_t size = strlen(type) + strlen(data) + 64;
    char *frame = malloc(size);
    if (frame)
        snprintf(frame, size, "id: %llu\nevent: %s\ndata: %s\n\n", (unsigned long long)id, type,
                 data);
    return frame;
}

int bus_publish(bus_t *b, const char *type, const char *data)
{
    pthread_mutex_lock(&b->lock);
    uint64_t id = b->next++;
    char **slot = &b->frames[id % b->capacity];
    free(*slot);
    *slot = frame_new(id, type, data);
    /* A lost frame ends the ring: clients before it resync. */
    b->held = *slot ? (b->held < b->capacity ? b->held + 1 : b->capacity) : 0;
    int rc = *slot ? 0 : -1;
    pthread_cond_broadcast(&b->changed);
    pthread_mutex_unlock(&b->lock);
    return rc;
}

uint64_t bus_next(bus_t *b)
{
    pthread_mutex_lock(&b->lock);
    uint64_t next = b->next;
    pthread_mutex_unlock(&b->lock);
    return next;
}

/* Waits on the condition until something is there for *next, the bus
 * closes or the deadline passes; with the lock held. */
static void wait_locked(bus_t *b, uint64_t next, int timeout_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    while (!b->closed && next >= b->next)
        if (pthread_cond_timedwait(&b->changed, &b->lock, &deadline) == ETIMEDOUT)
            break;
}

bus_wait_t bus_wait(bus_t *b, uint64_t *next, int timeout_ms, char **frame)
{
    *frame = NULL;
    pthread_mutex_lock(&b->lock);
    wait_locked(b, *next, timeout_ms);
    bus_wait_t r = BUS_IDLE;
    if (b->closed) {
        r = BUS_CLOSED;
    } else if (*next < b->next - b->held) {
        *next = b->next;
        r = (*frame = strdup("event: resync\ndata: {}\n\n")) ? BUS_BEHIND : BUS_NOMEM;
    } else if (*next < b->next) {
        *frame = strdup(b->frames[*next % b->capacity]);
        r = *frame ? BUS_EVENT : BUS_NOMEM;
        *next += *frame != NULL;
    }
    pthread_mutex_unlock(&b->lock);
    return r;
}

void bus_close(bus_t *b)
{
    pthread_mutex_lock(&b->lock);
    b->closed = true;
    pthread_cond_broadcast(&b->changed);
    pthread_mutex_unlock(&b->lock);
}
