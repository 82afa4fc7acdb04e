/* Unit tests of the health server (common/io/health.c on common/io/http.c):
 * liveness and a stalled main loop, readiness with its reasons, the
 * Prometheus page, the refusals (404, 405, 4xx), slow and silent clients
 * that cannot hold the server, and start/stop errors. Each test talks to
 * the real server over a plain socket on a free port. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "health.h"

#define RESPONSE_SIZE 16384
#define LIVENESS_S    1

static int start_server(void **state)
{
    char err[256] = "";
    health_set_db_fault(NULL);
    if (health_start("test-service", "127.0.0.1", -1, LIVENESS_S, err, sizeof err)) {
        fprintf(stderr, "health_start: %s\n", err);
        return -1;
    }
    return 0;
}

static int stop_server(void **state)
{
    health_stop();
    return 0;
}

/* A socket connected to the server (or to port, when not 0). */
static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct timeval timeout = {5, 0}; /* a hung server fails the test, not the run */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    return fd;
}

/* Sends raw, reads the whole response into response (NUL-terminated) and
 * returns its status code, or 0 when the server closed without answering. */
static int exchange(const char *raw, char *response, size_t size)
{
    int fd = connect_to(health_port());
    assert_int_equal(send(fd, raw, strlen(raw), MSG_NOSIGNAL), (ssize_t)strlen(raw));
    size_t len = 0;
    ssize_t n;
    while (len + 1 < size && (n = recv(fd, response + len, size - 1 - len, 0)) > 0)
        len += (size_t)n;
    response[len] = '\0';
    close(fd);
    int status = 0, minor;
    if (len == 0)
        return 0;
    assert_int_equal(sscanf(response, "HTTP/1.%d %d ", &minor, &status), 2);
    return status;
}

/* The body of a response (after the blank line). */
static const char *body_of(const char *response)
{
    const char *body = strstr(response, "\r\n\r\n");
    assert_non_null(body);
    return body + 4;
}

static void test_healthz_answers_ok_while_running(void **state)
{
    char response[RESPONSE_SIZE];
    assert_true(health_port() > 0);
    assert_int_equal(exchange("GET /healthz HTTP/1.0\r\n\r\n", response, sizeof response), 200);
    assert_string_equal(body_of(response), "ok\n");
    assert_non_null(strstr(response, "Content-Length: 3\r\n"));
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static void test_healthz_fails_when_the_main_loop_stops_turning(void **state)
{
    char response[RESPONSE_SIZE];
    health_heartbeat();
    sleep_ms(LIVENESS_S * 1000 + 300);
    assert_int_equal(exchange("GET /healthz HTTP/1.0\r\n\r\n", response, sizeof response), 503);
    assert_non_null(strstr(body_of(response), "main loop has not turned for 1 s"));
    health_heartbeat();
    assert_int_equal(exchange("GET /healthz HTTP/1.0\r\n\r\n", response, sizeof response), 200);
}

static void test_readyz_is_503_with_the_reason_until_both_dependencies_are_up(void **state)
{
    char response[RESPONSE_SIZE];
    health_set_db_up(false);
    health_set_kafka_up(true);
    assert_int_equal(exchange("GET /readyz HTTP/1.0\r\n\r\n", response, sizeof response), 503);
    assert_string_equal(body_of(response), "database unavailable\n");

    health_set_db_up(true);
    health_set_kafka_up(false);
    assert_int_equal(exchange("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n", response, sizeof response),
                     503);
    assert_string_equal(body_of(response), "kafka: all brokers down\n");
    assert_int_equal(atomic_load(&health_metrics.ready), 0);

    health_set_kafka_up(true);
    assert_int_equal(atomic_load(&health_metrics.ready), 1);
    assert_int_equal(exchange("GET /readyz HTTP/1.0\r\n\r\n", response, sizeof response), 200);
    assert_string_equal(body_of(response), "ready\n");

    /* A database fault (not the data's) makes the service unready, with its SQLSTATE. */
    health_set_db_fault("SQLSTATE 42501: permission denied for table post");
    assert_int_equal(atomic_load(&health_metrics.ready), 0);
    assert_int_equal(exchange("GET /readyz HTTP/1.0\r\n\r\n", response, sizeof response), 503);
    assert_string_equal(body_of(response),
                        "database fault: SQLSTATE 42501: permission denied for table post\n");
    health_set_db_fault(NULL);
    assert_int_equal(atomic_load(&health_metrics.ready), 1);

    /* What a service still waits for is the reason, until it is done. */
    health_set_waiting("reading succession.post-status.v1 to its end");
    assert_int_equal(atomic_load(&health_metrics.ready), 0);
    assert_int_equal(exchange("GET /readyz HTTP/1.0\r\n\r\n", response, sizeof response), 503);
    assert_string_equal(body_of(response), "reading succession.post-status.v1 to its end\n");
    health_set_waiting(NULL);
    assert_int_equal(atomic_load(&health_metrics.ready), 1);
    health_set_db_up(false);
}

static void test_metrics_page_has_the_batch_histogram_cumulative(void **state)
{
    char response[RESPONSE_SIZE];
    health_observe_batch(3);
    health_observe_batch(40);
    health_observe_batch(50); /* a bound is within its bucket */
    health_observe_batch(20000);
    assert_int_equal(exchange("GET /metrics HTTP/1.0\r\n\r\n", response, sizeof response), 200);
    const char *body = body_of(response);
    const char *name = "succession_batch_duration_seconds";
    char want[4096];
    snprintf(want, sizeof want,
             "# TYPE %1$s histogram\n"
             "%1$s_bucket{service=\"test-service\",le=\"0.005\"} 1\n"
             "%1$s_bucket{service=\"test-service\",le=\"0.01\"} 1\n"
             "%1$s_bucket{service=\"test-service\",le=\"0.025\"} 1\n"
             "%1$s_bucket{service=\"test-service\",le=\"0.05\"} 3\n"
             "%1$s_bucket{service=\"test-service\",le=\"0.1\"} 3\n"
             "%1$s_bucket{service=\"test-service\",le=\"0.25\"} 3\n"
             "%1$s_bucket{service=\"test-service\",le=\"0.5\"} 3\n"
             "%1$s_bucket{service=\"test-service\",le=\"1\"} 3\n"
             "%1$s_bucket{service=\"test-service\",le=\"2.5\"} 3\n"
             "%1$s_bucket{service=\"test-service\",le=\"5\"} 3\n"
             "%1$s_bucket{service=\"test-service\",le=\"10\"} 3\n"
             "%1$s_bucket{service=\"test-service\",le=\"+Inf\"} 4\n"
             "%1$s_sum{service=\"test-service\"} 20.093\n"
             "%1$s_count{service=\"test-service\"} 4\n",
             name);
    if (!strstr(body, want))
        fail_msg("no histogram as expected in:\n%s", body);
}

static void test_metrics_page_has_the_lag_of_each_assigned_partition(void **state)
{
    char response[RESPONSE_SIZE];
    assert_int_equal(exchange("GET /metrics HTTP/1.0\r\n\r\n", response, sizeof response), 200);
    assert_null(strstr(response, "succession_consumer_lag")); /* none assigned */
    assert_int_equal(health_set_lag("p.vacancy", 0, 5), 0);
    assert_int_equal(health_set_lag("p.vacancy", 3, 7), 0);
    assert_int_equal(health_set_lag("p.vacancy", 0, 9), 0); /* updated in place */
    assert_int_equal(health_set_lag("odd\"\\\nname", 1, 2), 0);
    for (int32_t p = 10; p < 40; p++) /* the table grows */
        assert_int_equal(health_set_lag("p.vacancy", p, p), 0);
    health_forget_lag("p.vacancy", 3);
    health_forget_lag("p.vacancy", 99); /* not there: nothing happens */
    assert_int_equal(exchange("GET /metrics HTTP/1.0\r\n\r\n", response, sizeof response), 200);
    const char *body = body_of(response);
    assert_non_null(strstr(body, "# TYPE succession_consumer_lag gauge\n"));
    assert_non_null(strstr(body, "succession_consumer_lag{service=\"test-service\",topic=\"p."
                                 "vacancy\",partition=\"0\"} 9\n"));
    assert_null(strstr(body, "partition=\"3\""));
    assert_non_null(strstr(body, "succession_consumer_lag{service=\"test-service\",topic=\"p."
                                 "vacancy\",partition=\"39\"} 39\n"));
    assert_non_null(strstr(body, "topic=\"odd\\\"\\\\\\nname\",partition=\"1\"} 2\n"));
    /* Stopping forgets them all. */
    health_stop();
    char err[256];
    assert_int_equal(health_start("test-service", "127.0.0.1", -1, LIVENESS_S, err, sizeof err), 0);
    assert_int_equal(exchange("GET /metrics HTTP/1.0\r\n\r\n", response, sizeof response), 200);
    assert_null(strstr(response, "succession_consumer_lag"));
}

static void test_metrics_page_is_prometheus_text_with_the_counted_values(void **state)
{
    char response[RESPONSE_SIZE];
    atomic_fetch_add(&health_metrics.batches, 3);
    atomic_fetch_add(&health_metrics.messages_dead, 2);
    atomic_fetch_add(&health_metrics.messages_parked, 4);
    atomic_fetch_add(&health_metrics.lock_wait_ms, 2500);
    atomic_store(&health_metrics.outbox_depth, 7);
    atomic_store(&health_metrics.last_batch_ms, 1234);
    health_set_db_up(true);
    assert_int_equal(exchange("GET /metrics?x=1 HTTP/1.0\r\n\r\n", response, sizeof response), 200);
    assert_non_null(strstr(response, "Content-Type: text/plain; version=0.0.4"));
    const char *body = body_of(response);
    assert_non_null(strstr(body, "# TYPE succession_batches_total counter\n"
                                 "succession_batches_total{service=\"test-service\"} 3\n"));
    assert_non_null(strstr(body, "# HELP succession_batches_total "));
    assert_non_null(
        strstr(body, "succession_messages_total{service=\"test-service\",outcome=\"dead\"} 2\n"));
    assert_non_null(
        strstr(body, "succession_messages_total{service=\"test-service\",outcome=\"parked\"} 4\n"));
    assert_non_null(strstr(
        body, "succession_messages_total{service=\"test-service\",outcome=\"applied\"} 0\n"));
    assert_non_null(
        strstr(body, "succession_lock_wait_seconds_total{service=\"test-service\"} 2.500\n"));
    assert_non_null(strstr(body, "# TYPE succession_outbox_depth gauge\n"
                                 "succession_outbox_depth{service=\"test-service\"} 7\n"));
    assert_non_null(strstr(body,
                           "# TYPE succession_last_batch_seconds gauge\n"
                           "succession_last_batch_seconds{service=\"test-service\"} 1.234\n"));
    assert_non_null(strstr(body, "succession_db_up{service=\"test-service\"} 1\n"));
    assert_non_null(strstr(body, "succession_outbox_relayed_total{service=\"test-service\"} 0\n"));
    /* Content-Length is the body's true length. */
    size_t length = 0;
    assert_int_equal(sscanf(strstr(response, "Content-Length: "), "Content-Length: %zu", &length),
                     1);
    assert_int_equal(length, strlen(body));
    health_set_db_up(false);
}

static void test_unknown_path_is_404(void **state)
{
    char response[RESPONSE_SIZE];
    assert_int_equal(exchange("GET /nope HTTP/1.0\r\n\r\n", response, sizeof response), 404);
    assert_int_equal(exchange("GET /healthz/x HTTP/1.0\r\n\r\n", response, sizeof response), 404);
}

static void test_methods_other_than_get_and_head_are_405(void **state)
{
    char response[RESPONSE_SIZE];
    assert_int_equal(exchange("POST /healthz HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi", response,
                              sizeof response),
                     405);
    assert_non_null(strstr(response, "Allow: GET, HEAD\r\n"));
    assert_int_equal(exchange("DELETE /metrics HTTP/1.0\r\n\r\n", response, sizeof response), 405);
    assert_int_equal(exchange("HEAD /healthz HTTP/1.0\r\n\r\n", response, sizeof response), 200);
    assert_string_equal(body_of(response), "");
}

static void test_a_malformed_or_overlong_request_is_refused_and_the_server_goes_on(void **state)
{
    char response[RESPONSE_SIZE];
    static char overlong[65536];
    int status = exchange("garbage\r\n\r\n", response, sizeof response);
    assert_true(status == 0 || status / 100 == 4); /* closed at once, or refused */
    memset(overlong, 'a', sizeof overlong - 1);
    memcpy(overlong, "GET /", 5);
    assert_int_equal(exchange(overlong, response, sizeof response) / 100, 4);
    assert_int_equal(exchange("GET /healthz HTTP/1.0\r\n\r\n", response, sizeof response), 200);
}

/* Milliseconds since t0. */
static long ms_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

static void test_slow_and_silent_clients_do_not_hold_up_the_others(void **state)
{
    char response[RESPONSE_SIZE];
    int slow[3];
    for (int i = 0; i < 3; i++) {
        slow[i] = connect_to(health_port());
        /* half a request, then nothing */
        assert_int_equal(send(slow[i], "GET /metr", 9, MSG_NOSIGNAL), 9);
    }
    int silent = connect_to(health_port());
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(exchange("GET /healthz HTTP/1.0\r\n\r\n", response, sizeof response), 200);
    assert_true(ms_since(&t0) < 1000);
    for (int i = 0; i < 3; i++)
        close(slow[i]);
    close(silent);
}

static void test_port_zero_serves_nothing(void **state)
{
    char err[256] = "";
    assert_int_equal(health_start("test-service", "127.0.0.1", 0, LIVENESS_S, err, sizeof err), 0);
    assert_int_equal(health_port(), 0);
    health_stop(); /* harmless when not serving */
}

/* Listens on an ephemeral port of the loopback address ip; returns the
 * socket and sets *port. */
static int occupy(const char *ip, int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET};
    socklen_t addr_len = sizeof addr;
    assert_int_equal(inet_pton(AF_INET, ip, &addr.sin_addr), 1);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(listen(fd, 1), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &addr_len), 0);
    *port = ntohs(addr.sin_port);
    return fd;
}

static void test_a_port_in_use_or_out_of_range_is_refused_with_the_reason(void **state)
{
    /* The message names the address asked for, whichever it is. */
    static const char *const addresses[] = {"127.0.0.1", "127.0.0.2"};
    char err[256] = "", expected[64];
    for (size_t i = 0; i < 2; i++) {
        int port, taken = occupy(addresses[i], &port);
        assert_int_equal(
            health_start("test-service", addresses[i], port, LIVENESS_S, err, sizeof err), -1);
        snprintf(expected, sizeof expected, "%s:%d: bind: ", addresses[i], port);
        assert_non_null(strstr(err, expected));
        assert_int_equal(health_port(), 0);
        close(taken);
    }

    assert_int_equal(health_start("test-service", "127.0.0.1", 70000, LIVENESS_S, err, sizeof err),
                     -1);
    assert_string_equal(err, "70000 is not a port number");
    assert_int_equal(health_start("test-service", "localhost", 8080, LIVENESS_S, err, sizeof err),
                     -1);
    assert_string_equal(err, "'localhost' is not an IPv4 address");
}

static void test_a_second_start_is_refused_and_a_restart_serves_again(void **state)
{
    char err[256] = "", response[RESPONSE_SIZE];
    assert_int_equal(health_start("test-service", "127.0.0.1", -1, LIVENESS_S, err, sizeof err), 0);
    assert_int_equal(health_start("test-service", "127.0.0.1", -1, LIVENESS_S, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "already serving"));
    health_stop();
    assert_int_equal(health_port(), 0);
    assert_int_equal(health_start("test-service", "127.0.0.1", -1, LIVENESS_S, err, sizeof err), 0);
    assert_int_equal(exchange("GET /healthz HTTP/1.0\r\n\r\n", response, sizeof response), 200);
    health_stop();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_healthz_answers_ok_while_running, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(
            test_readyz_is_503_with_the_reason_until_both_dependencies_are_up, start_server,
            stop_server),
        cmocka_unit_test_setup_teardown(
            test_metrics_page_is_prometheus_text_with_the_counted_values, start_server,
            stop_server),
        cmocka_unit_test_setup_teardown(test_metrics_page_has_the_batch_histogram_cumulative,
                                        start_server, stop_server),
        cmocka_unit_test_setup_teardown(test_metrics_page_has_the_lag_of_each_assigned_partition,
                                        start_server, stop_server),
        cmocka_unit_test_setup_teardown(test_unknown_path_is_404, start_server, stop_server),
        cmocka_unit_test_setup_teardown(test_methods_other_than_get_and_head_are_405, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(
            test_a_malformed_or_overlong_request_is_refused_and_the_server_goes_on, start_server,
            stop_server),
        cmocka_unit_test_setup_teardown(test_slow_and_silent_clients_do_not_hold_up_the_others,
                                        start_server, stop_server),
        cmocka_unit_test_setup_teardown(test_healthz_fails_when_the_main_loop_stops_turning,
                                        start_server, stop_server),
        cmocka_unit_test(test_port_zero_serves_nothing),
        cmocka_unit_test(test_a_port_in_use_or_out_of_range_is_refused_with_the_reason),
        cmocka_unit_test(test_a_second_start_is_refused_and_a_restart_serves_again),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
