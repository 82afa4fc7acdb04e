/* Unit tests of the outbox relay's order (services/alert-publisher/outbox.c):
 * after a round's delivery reports, a persisted row is deleted unless an
 * earlier row of its post must be sent again, so a post's messages reach
 * Kafka in outbox order; a row Kafka refuses for good is set aside and holds
 * nothing back. The relay is compiled into the test and fed a result built
 * with libpq's own constructors, as the relay's read would return it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../services/alert-publisher/outbox.c"

/* One row as read (id, kind, post) and what its delivery report said. */
typedef struct test_row {
    const char *id, *kind, *post;
    row_result_t result;
} test_row_t;

/* A result of the relay's read (id, kind, post_id, payload) holding rows. */
static PGresult *outbox_result(const test_row_t *rows, int count)
{
    PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    assert_non_null(res);
    PGresAttDesc columns[4] = {
        {.name = "id"}, {.name = "kind"}, {.name = "post_id"}, {.name = "payload"}};
    assert_int_equal(PQsetResultAttrs(res, 4, columns), 1);
    for (int i = 0; i < count; i++) {
        const char *values[4] = {rows[i].id, rows[i].kind, rows[i].post, "\\x00"};
        for (int c = 0; c < 4; c++)
            assert_int_equal(PQsetvalue(res, i, c, (char *)values[c], (int)strlen(values[c])), 1);
    }
    return res;
}

/* Sorts rows as a round does; *done and *refused are the array literals of
 * the ids to delete and to set aside (the caller frees both). */
static void sort(const test_row_t *rows, int count, char **done, char **refused,
                 outbox_round_t *round)
{
    PGresult *res = outbox_result(rows, count);
    row_t slots[16] = {0};
    assert_true(count <= 16);
    for (int i = 0; i < count; i++) {
        slots[i].result = rows[i].result;
        slots[i].err = rows[i].result == ROW_REFUSED ? RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE : 0;
    }
    size_t done_len = 0, done_cap = 0, refused_len = 0, refused_cap = 0;
    *done = *refused = NULL;
    memset(round, 0, sizeof *round);
    assert_int_equal(sort_rows(res, slots, done, &done_len, &done_cap, refused, &refused_len,
                               &refused_cap, round),
                     0);
    PQclear(res);
}

static void test_every_persisted_row_goes_when_all_were_delivered(void **state)
{
    const test_row_t rows[] = {{"1", "alert", "A", ROW_PERSISTED},
                               {"2", "status", "A", ROW_PERSISTED},
                               {"3", "status", "B", ROW_PERSISTED}};
    char *done, *refused;
    outbox_round_t round;
    sort(rows, 3, &done, &refused, &round);
    assert_string_equal(done, "{\"1\",\"2\",\"3\"}");
    assert_string_equal(refused, "{}");
    assert_int_equal(round.relayed, 3);
    assert_int_equal(round.failed, 0);
    free(done);
    free(refused);
}

static void test_a_later_row_of_a_post_is_held_while_an_earlier_one_is_undelivered(void **state)
{
    const test_row_t rows[] = {
        {"1", "alert", "A", ROW_PERSISTED}, /* before the failure: goes */
        {"2", "status", "A", ROW_RETRY},    /* not delivered */
        {"3", "alert", "A", ROW_PERSISTED}, /* delivered, but after 2: held */
        {"4", "status", "B", ROW_PERSISTED},
        {"5", "status", "C", ROW_PENDING}, /* no report: not delivered either */
        {"6", "status", "C", ROW_PERSISTED},
        {"7", "status", "A", ROW_PERSISTED},
        {"8", "status", "B", ROW_PERSISTED},
    };
    char *done, *refused;
    outbox_round_t round;
    sort(rows, 8, &done, &refused, &round);
    assert_string_equal(done, "{\"1\",\"4\",\"8\"}");
    assert_string_equal(refused, "{}");
    assert_int_equal(round.relayed, 3);
    free(done);
    free(refused);
}

static void test_a_row_refused_for_good_is_set_aside_and_holds_nothing_back(void **state)
{
    const test_row_t rows[] = {{"1", "status", "A", ROW_REFUSED},
                               {"2", "alert", "A", ROW_PERSISTED},
                               {"3", "status", "A", ROW_PERSISTED},
                               {"4", "status", "B", ROW_REFUSED}};
    char *done, *refused;
    outbox_round_t round;
    sort(rows, 4, &done, &refused, &round);
    assert_string_equal(done, "{\"2\",\"3\"}");
    assert_string_equal(refused, "{\"1\",\"4\"}");
    assert_int_equal(round.relayed, 2);
    assert_int_equal(round.failed, 2);
    free(done);
    free(refused);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_persisted_row_goes_when_all_were_delivered),
        cmocka_unit_test(test_a_later_row_of_a_post_is_held_while_an_earlier_one_is_undelivered),
        cmocka_unit_test(test_a_row_refused_for_good_is_set_aside_and_holds_nothing_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
