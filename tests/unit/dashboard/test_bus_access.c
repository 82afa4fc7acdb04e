/* bus and access: a live client receives each event as an SSE frame in
 * order, hears nothing but a timeout when idle, is told to resync when it
 * fell behind the ring, and ends when the bus closes; the credential is
 * accepted as basic authentication or a bearer token and nothing else;
 * loopback is 127.0.0.0/8; the credential file's first line is checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "bus.h"

static void test_a_client_receives_each_event_in_order(void **state)
{
    bus_t *bus = bus_new(4);
    uint64_t next = bus_next(bus);
    assert_int_equal(bus_publish(bus, "status", "{\"postId\":\"A\"}"), 0);
    assert_int_equal(bus_publish(bus, "alert", "{}"), 0);
    char *frame;
    assert_int_equal(bus_wait(bus, &next, 0, &frame), BUS_EVENT);
    assert_string_equal(frame, "id: 1\nevent: status\ndata: {\"postId\":\"A\"}\n\n");
    free(frame);
    assert_int_equal(bus_wait(bus, &next, 0, &frame), BUS_EVENT);
    assert_string_equal(frame, "id: 2\nevent: alert\ndata: {}\n\n");
    free(frame);
    assert_int_equal(bus_wait(bus, &next, 10, &frame), BUS_IDLE);
    assert_null(frame);
    bus_free(bus);
}

static void test_a_client_behind_the_ring_is_told_to_resync(void **state)
{
    bus_t *bus = bus_new(2);
    uint64_t next = bus_next(bus);
    for (int i = 0; i < 3; i++)
        assert_int_equal(bus_publish(bus, "summary", "{}"), 0);
    char *frame;
    assert_int_equal(bus_wait(bus, &next, 0, &frame), BUS_BEHIND);
    assert_string_equal(frame, "event: resync\ndata: {}\n\n");
    free(frame);
    assert_int_equal(next, bus_next(bus)); /* from the next change on */
    bus_free(bus);
}

static void test_a_closed_bus_ends_its_clients(void **state)
{
    bus_t *bus = bus_new(2);
    uint64_t next = bus_next(bus);
    bus_close(bus);
    char *frame;
    assert_int_equal(bus_wait(bus, &next, 1000, &frame), BUS_CLOSED);
    bus_free(bus);
}

static void test_the_credential_is_accepted_as_basic_or_bearer(void **state)
{
    const char *credential = "analyst:s3cret";
    assert_true(access_allows("Basic YW5hbHlzdDpzM2NyZXQ=", credential));
    assert_true(access_allows("basic YW5hbHlzdDpzM2NyZXQ=", credential));
    assert_true(access_allows("Bearer analyst:s3cret", credential));
    assert_false(access_allows(NULL, credential));
    assert_false(access_allows("Basic YW5hbHlzdDpzM2NyZXU=", credential)); /* s3creu */
    assert_false(access_allows("Basic YW5hbHlzdDpzM2NyZXQx", credential)); /* one more */
    assert_false(access_allows("Basic !!!", credential));
    assert_false(access_allows("Bearer analyst:s3cre", credential));
    assert_false(access_allows("Digest analyst:s3cret", credential));
    assert_false(access_allows("analyst:s3cret", credential));
}

static void test_loopback_is_127_slash_8(void **state)
{
    assert_true(access_is_loopback("127.0.0.1"));
    assert_true(access_is_loopback("127.255.0.9"));
    assert_false(access_is_loopback("0.0.0.0"));
    assert_false(access_is_loopback("10.0.0.1"));
    assert_false(access_is_loopback("localhost"));
}

/* Reads a credential file holding content; returns access_read_credential. */
static int read_credential(const char *content, char **credential, char *err, size_t size)
{
    char path[] = "/tmp/test_access.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    close(fd);
    int rc = access_read_credential(path, credential, err, size);
    unlink(path);
    return rc;
}

static void test_the_credential_file_gives_its_first_line(void **state)
{
    char *credential, err[256];
    assert_int_equal(read_credential("analyst:s3cret\r\nignored\n", &credential, err, sizeof err),
                     0);
    assert_string_equal(credential, "analyst:s3cret");
    free(credential);
    assert_int_equal(read_credential("\n", &credential, err, sizeof err), -1);
    assert_non_null(strstr(err, "the first line is empty"));
    assert_int_equal(read_credential("no-colon\n", &credential, err, sizeof err), -1);
    assert_non_null(strstr(err, "not user:password"));
    assert_null(strstr(err, "no-colon")); /* a secret is never shown */
    assert_int_equal(read_credential("a:b\tc\n", &credential, err, sizeof err), -1);
    assert_non_null(strstr(err, "control character"));
    assert_int_equal(access_read_credential("/nonexistent/x", &credential, err, sizeof err), -1);
    assert_null(credential);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_client_receives_each_event_in_order),
        cmocka_unit_test(test_a_client_behind_the_ring_is_told_to_resync),
        cmocka_unit_test(test_a_closed_bus_ends_its_clients),
        cmocka_unit_test(test_the_credential_is_accepted_as_basic_or_bearer),
        cmocka_unit_test(test_loopback_is_127_slash_8),
        cmocka_unit_test(test_the_credential_file_gives_its_first_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
