/* health: a tiny HTTP/1.0 server for liveness, readiness and metrics, in one
 * background thread with fixed buffers and no allocation per request. */
#include "health.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "datetime.h"

#define REQUEST_MAX 1024 /* request line and whatever headers fit */
#define BODY_MAX    8192 /* the metrics page */
#define DEADLINE_MS 2000 /* longest a client may take to send or read */

health_metrics_t health_metrics = {.kafka_up = 1};

/* Owned by the service's thread (start and stop); the server thread reads
 * listen_fd, wake[0] and service, which are set before it starts. */
static struct {
    bool serving;
    int listen_fd;
    int wake[2]; /* closing wake[1] tells the server thread to stop */
    int port;
    pthread_t thread;
    char service[64];
} server = {.listen_fd = -1, .wake = {-1, -1}};

/* A growing text in a fixed buffer; truncated is set when it did not fit. */
typedef struct text {
    char *buf;
    size_t size, len;
    bool truncated;
} text_t;

static void text_add(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_add(text_t *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= t->size - t->len) {
        t->truncated = true;
        return;
    }
    t->len += (size_t)n;
}

/* The metrics with one sample each, labelled only with the service. */
static const struct {
    const char *name, *type, *help;
    atomic_long *value;
} plain_metrics[] = {
    {"succession_batches_total", "counter", "Batch transactions committed.",
     &health_metrics.batches},
    {"succession_batch_failures_total", "counter",
     "Batch transaction attempts that failed (each is retried).", &health_metrics.batch_failures},
    {"succession_posts_evaluated_total", "counter", "Posts judged by the evaluator.",
     &health_metrics.posts_evaluated},
    {"succession_alerts_queued_total", "counter", "Alerts written to the outbox.",
     &health_metrics.alerts_queued},
    {"succession_statuses_queued_total", "counter", "Post status snapshots written to the outbox.",
     &health_metrics.statuses_queued},
    {"succession_outbox_relayed_total", "counter", "Outbox rows relayed and confirmed by Kafka.",
     &health_metrics.outbox_relayed},
    {"succession_ready", "gauge", "1 when the service can do its work (see /readyz).",
     &health_metrics.ready},
    {"succession_db_up", "gauge", "1 when PostgreSQL answered at the last attempt.",
     &health_metrics.db_up},
    {"succession_kafka_up", "gauge", "0 after Kafka reported all brokers down, until it answers.",
     &health_metrics.kafka_up},
};

static void render_metrics(text_t *t)
{
    const char *s = server.service;
    text_add(t,
             "# HELP succession_messages_total Messages of applied batches, by outcome.\n"
             "# TYPE succession_messages_total counter\n"
             "succession_messages_total{service=\"%s\",outcome=\"valid\"} %ld\n"
             "succession_messages_total{service=\"%s\",outcome=\"dead\"} %ld\n",
             s, atomic_load(&health_metrics.messages_valid), s,
             atomic_load(&health_metrics.messages_dead));
    for (size_t i = 0; i < sizeof plain_metrics / sizeof plain_metrics[0]; i++)
        text_add(t, "# HELP %s %s\n# TYPE %s %s\n%s{service=\"%s\"} %ld\n", plain_metrics[i].name,
                 plain_metrics[i].help, plain_metrics[i].name, plain_metrics[i].type,
                 plain_metrics[i].name, s, atomic_load(plain_metrics[i].value));
    long ms = atomic_load(&health_metrics.last_batch_ms);
    text_add(t,
             "# HELP succession_last_batch_seconds How long the last applied batch took.\n"
             "# TYPE succession_last_batch_seconds gauge\n"
             "succession_last_batch_seconds{service=\"%s\"} %ld.%03ld\n",
             s, ms / 1000, ms % 1000);
}

/* Why the service is not ready; the first dependency found down. */
static const char *unready_reason(void)
{
    if (!atomic_load(&health_metrics.db_up))
        return "database unavailable";
    if (!atomic_load(&health_metrics.kafka_up))
        return "kafka: all brokers down";
    return "starting";
}

static void send_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; /* the client left or stalled past SO_SNDTIMEO */
        buf += n;
        len -= (size_t)n;
    }
}

static void respond(int fd, int status, const char *content_type, const char *body, size_t len)
{
    const char *phrase = status == 200   ? "OK"
                         : status == 404 ? "Not Found"
                         : status == 405 ? "Method Not Allowed"
                         : status == 503 ? "Service Unavailable"
                         : status == 500 ? "Internal Server Error"
                                         : "Bad Request";
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
                     "Connection: close\r\n\r\n",
                     status, phrase, content_type, len, status == 405 ? "Allow: GET\r\n" : "");
    send_all(fd, head, (size_t)n);
    send_all(fd, body, len);
}

/* Reads until the request line is complete into buf (NUL-terminated, line
 * end removed). Returns 0, or -1 on timeout, end of input or a line longer
 * than the buffer. */
static int read_request_line(int fd, char *buf, size_t size)
{
    size_t len = 0;
    long deadline = datetime_monotonic_ms() + DEADLINE_MS;
    while (len + 1 < size && datetime_monotonic_ms() < deadline) {
        ssize_t n = recv(fd, buf + len, size - 1 - len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        len += (size_t)n;
        buf[len] = '\0';
        char *eol = memchr(buf, '\n', len);
        if (eol) {
            *eol = '\0';
            if (eol > buf && eol[-1] == '\r')
                eol[-1] = '\0';
            return 0;
        }
    }
    return -1;
}

/* Answers one request on fd. */
static void handle_request(int fd)
{
    static char request[REQUEST_MAX], body[BODY_MAX]; /* only the server thread uses them */
    const char *text_type = "text/plain; charset=utf-8";
    if (read_request_line(fd, request, sizeof request)) {
        respond(fd, 400, text_type, "bad request\n", 12);
        return;
    }
    /* "METHOD PATH[?QUERY] VERSION"; headers are ignored. */
    char *method = request, *path = strchr(request, ' ');
    if (!path) {
        respond(fd, 400, text_type, "bad request\n", 12);
        return;
    }
    *path++ = '\0';
    path[strcspn(path, " ?")] = '\0';
    bool get = strcmp(method, "GET") == 0;
    if (strcmp(path, "/healthz") != 0 && strcmp(path, "/readyz") != 0 &&
        strcmp(path, "/metrics") != 0) {
        respond(fd, 404, text_type, "not found\n", 10);
    } else if (!get) {
        respond(fd, 405, text_type, "method not allowed\n", 19);
    } else if (strcmp(path, "/healthz") == 0) {
        respond(fd, 200, text_type, "ok\n", 3);
    } else if (strcmp(path, "/readyz") == 0) {
        bool ready = atomic_load(&health_metrics.ready) != 0;
        int n = snprintf(body, sizeof body, "%s\n", ready ? "ready" : unready_reason());
        respond(fd, ready ? 200 : 503, text_type, body, (size_t)n);
    } else {
        text_t t = {.buf = body, .size = sizeof body};
        render_metrics(&t);
        if (t.truncated)
            respond(fd, 500, text_type, "metrics do not fit\n", 19);
        else
            respond(fd, 200, "text/plain; version=0.0.4; charset=utf-8", body, t.len);
    }
}

/* Answers, then closes gracefully: closing with unread request bytes would
 * reset the connection and could destroy the answer before the client reads
 * it, so the rest of the request is read and dropped first. */
static void serve_connection(int fd)
{
    struct timeval timeout = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    handle_request(fd);
    shutdown(fd, SHUT_WR);
    char drain[512];
    long deadline = datetime_monotonic_ms() + DEADLINE_MS;
    while (datetime_monotonic_ms() < deadline && recv(fd, drain, sizeof drain, 0) > 0)
        ;
    close(fd);
}

static void *serve(void *arg)
{
    (void)arg;
    struct pollfd fds[2] = {{.fd = server.listen_fd, .events = POLLIN},
                            {.fd = server.wake[0], .events = POLLIN}};
    for (;;) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return NULL;
        }
        if (fds[1].revents)
            return NULL; /* health_stop() closed the other end */
        if (fds[0].revents & POLLIN) {
            int fd = accept(server.listen_fd, NULL, NULL); /* non-blocking: may find none */
            if (fd >= 0)
                serve_connection(fd);
        }
    }
}

static void close_all(void)
{
    if (server.listen_fd >= 0)
        close(server.listen_fd);
    for (int i = 0; i < 2; i++)
        if (server.wake[i] >= 0)
            close(server.wake[i]);
    server.listen_fd = server.wake[0] = server.wake[1] = -1;
    server.port = 0;
}

int health_start(const char *service, const char *address, int port, char *errstr,
                 size_t errstr_size)
{
    if (port == 0)
        return 0;
    if (server.serving) {
        snprintf(errstr, errstr_size, "already serving on port %d", server.port);
        return -1;
    }
    if (port < -1 || port > 65535) {
        snprintf(errstr, errstr_size, "%d is not a port number", port);
        return -1;
    }
    snprintf(server.service, sizeof server.service, "%s", service);
    const char *step = "socket";
    int err, one = 1;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port < 0 ? 0 : port)};
    socklen_t addr_len = sizeof addr;
    if (inet_pton(AF_INET, address, &addr.sin_addr) != 1) {
        snprintf(errstr, errstr_size, "'%s' is not an IPv4 address", address);
        return -1;
    }
    server.listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (server.listen_fd < 0)
        goto fail;
    /* A restart must not wait for the last connections' TIME_WAIT. */
    setsockopt(server.listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    step = "bind";
    if (bind(server.listen_fd, (struct sockaddr *)&addr, sizeof addr))
        goto fail;
    step = "listen";
    if (listen(server.listen_fd, 16) ||
        fcntl(server.listen_fd, F_SETFL, fcntl(server.listen_fd, F_GETFL) | O_NONBLOCK) ||
        getsockname(server.listen_fd, (struct sockaddr *)&addr, &addr_len))
        goto fail;
    server.port = ntohs(addr.sin_port);
    step = "pipe";
    if (pipe(server.wake))
        goto fail;
    /* Signals stay with the service's thread, whose loop acts on them. */
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    err = pthread_create(&server.thread, NULL, serve, NULL);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (err) {
        errno = err;
        step = "thread";
        goto fail;
    }
    server.serving = true;
    return 0;
fail:
    err = errno;
    snprintf(errstr, errstr_size, "127.0.0.1:%d: %s: %s", port < 0 ? 0 : port, step, strerror(err));
    close_all();
    return -1;
}

void health_stop(void)
{
    if (!server.serving)
        return;
    close(server.wake[1]); /* wakes the server thread's poll */
    server.wake[1] = -1;
    pthread_join(server.thread, NULL);
    close_all();
    server.serving = false;
}

int health_port(void)
{
    return server.port;
}

static void update_ready(void)
{
    atomic_store(&health_metrics.ready,
                 atomic_load(&health_metrics.db_up) && atomic_load(&health_metrics.kafka_up));
}

void health_set_db_up(bool up)
{
    atomic_store(&health_metrics.db_up, up);
    update_ready();
}

void health_set_kafka_up(bool up)
{
    atomic_store(&health_metrics.kafka_up, up);
    update_ready();
}
