/* Unit tests of common/io/db.c that need no server: how each SQLSTATE class
 * is handled (only the data's own errors refuse an event; everything else
 * is retried), array literals and bytea decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "db.h"

static void test_only_data_errors_and_our_own_raise_refuse_the_data(void **state)
{
    assert_int_equal(db_classify("22021"), DB_REFUSED); /* character not in repertoire */
    assert_int_equal(db_classify("22P02"), DB_REFUSED); /* invalid text representation */
    assert_int_equal(db_classify("23505"), DB_REFUSED); /* unique violation */
    assert_int_equal(db_classify("23514"), DB_REFUSED); /* check violation */
    assert_int_equal(db_classify("P0001"), DB_REFUSED); /* RAISE in our own functions */
}

static void test_conflicts_are_retried_at_once(void **state)
{
    assert_int_equal(db_classify("40001"), DB_RETRY);
    assert_int_equal(db_classify("40P01"), DB_RETRY);
}

static void test_a_lost_connection_or_a_stopping_server_is_down(void **state)
{
    assert_int_equal(db_classify(NULL), DB_DOWN);
    assert_int_equal(db_classify("08006"), DB_DOWN);
    assert_int_equal(db_classify("57P01"), DB_DOWN); /* admin shutdown */
    assert_int_equal(db_classify("57P03"), DB_DOWN); /* cannot connect now */
}

static void test_everything_else_is_a_fault_never_the_events(void **state)
{
    assert_int_equal(db_classify("42501"), DB_FAULT); /* permission denied */
    assert_int_equal(db_classify("42883"), DB_FAULT); /* undefined function: a rollout */
    assert_int_equal(db_classify("42703"), DB_FAULT); /* undefined column */
    assert_int_equal(db_classify("42P01"), DB_FAULT); /* undefined table */
    assert_int_equal(db_classify("57014"), DB_FAULT); /* statement timeout */
    assert_int_equal(db_classify("53200"), DB_FAULT); /* out of memory */
    assert_int_equal(db_classify("53100"), DB_FAULT); /* disk full */
    assert_int_equal(db_classify("55P03"), DB_FAULT); /* lock not available */
    assert_int_equal(db_classify("XX000"), DB_FAULT); /* internal error */
    assert_int_equal(db_classify("25P02"), DB_FAULT); /* in failed transaction */
}

/* The literal of a one-element array holding element (caller frees). */
static char *literal_of(const char *element)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    assert_int_equal(db_array_append(&buf, &len, &cap, element), 0);
    assert_int_equal(db_array_finish(&buf, &len, &cap), 0);
    assert_int_equal(strlen(buf), len);
    return buf;
}

#define ASSERT_LITERAL(element, expected)                                                          \
    do {                                                                                           \
        char *literal_ = literal_of(element);                                                      \
        assert_string_equal(literal_, expected);                                                   \
        free(literal_);                                                                            \
    } while (0)

static void test_array_literals_quote_and_escape_every_element(void **state)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    assert_int_equal(db_array_append(&buf, &len, &cap, "plain"), 0);
    assert_int_equal(db_array_append(&buf, &len, &cap, "a \"quoted\" \\ one, {x}"), 0);
    assert_int_equal(db_array_append(&buf, &len, &cap, NULL), 0);
    assert_int_equal(db_array_append(&buf, &len, &cap, ""), 0);
    assert_int_equal(db_array_finish(&buf, &len, &cap), 0);
    assert_string_equal(buf, "{\"plain\",\"a \\\"quoted\\\" \\\\ one, {x}\",NULL,\"\"}");
    free(buf);
    buf = NULL, len = 0, cap = 0;
    assert_int_equal(db_array_finish(&buf, &len, &cap), 0);
    assert_string_equal(buf, "{}");
    free(buf);
}

static void test_array_literal_escapes_only_quotes_and_backslashes(void **state)
{
    ASSERT_LITERAL("say \"hi\"", "{\"say \\\"hi\\\"\"}");
    ASSERT_LITERAL("a\\b", "{\"a\\\\b\"}");
    ASSERT_LITERAL("\\\"", "{\"\\\\\\\"\"}");   /* backslash then quote */
    ASSERT_LITERAL("ends\\", "{\"ends\\\\\"}"); /* the closing quote stays a quote */
    /* Inside quotes a comma, a brace or white space is just text. */
    ASSERT_LITERAL("a,b", "{\"a,b\"}");
    ASSERT_LITERAL("{x}", "{\"{x}\"}");
    ASSERT_LITERAL("}{", "{\"}{\"}");
    ASSERT_LITERAL("  padded  ", "{\"  padded  \"}");
    ASSERT_LITERAL("tab\tnew\nline", "{\"tab\tnew\nline\"}");
    ASSERT_LITERAL("'single'", "{\"'single'\"}");
}

static void test_array_literal_tells_null_from_empty_and_from_the_word_null(void **state)
{
    ASSERT_LITERAL(NULL, "{NULL}");
    ASSERT_LITERAL("", "{\"\"}");
    ASSERT_LITERAL("NULL", "{\"NULL\"}");
}

static void test_array_literal_passes_utf8_through_byte_for_byte(void **state)
{
    const char *text = "\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x8f\xa5"; /* e acute, a CJK, an emoji */
    char expected[64];
    snprintf(expected, sizeof expected, "{\"%s\"}", text);
    ASSERT_LITERAL(text, expected);
}

static void test_array_literal_grows_for_elements_of_every_size(void **state)
{
    /* Quotes double in the literal: the worst case for the room it needs. */
    size_t n = 100000;
    char *quotes = malloc(n + 1);
    assert_non_null(quotes);
    memset(quotes, '"', n);
    quotes[n] = '\0';
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (int i = 0; i < 3; i++)
        assert_int_equal(db_array_append(&buf, &len, &cap, i == 1 ? quotes : "x"), 0);
    assert_int_equal(db_array_finish(&buf, &len, &cap), 0);
    assert_int_equal(len, strlen("{\"x\",\"") + 2 * n + strlen("\",\"x\"}"));
    assert_int_equal(strlen(buf), len);
    assert_memory_equal(buf, "{\"x\",\"\\\"\\\"", 9);
    assert_string_equal(buf + len - 8, "\\\"\",\"x\"}");
    free(buf);
    free(quotes);
}

/* Both text forms of bytea decode to the same bytes, so reading does not
 * depend on the server's bytea_output. */
static void test_bytea_decodes_from_hex_and_escape_forms(void **state)
{
    static const char *const forms[] = {"\\x00ff105c", "\\000\\377\\020\\\\"};
    for (size_t f = 0; f < 2; f++) {
        size_t len = 0;
        uint8_t *bytes = db_bytea_decode(forms[f], &len);
        assert_non_null(bytes);
        assert_int_equal(len, 4);
        assert_memory_equal(bytes, "\x00\xff\x10\\", 4);
        free(bytes);
    }
    /* Large values decode in time proportional to their length. */
    size_t big = 4000000, len = 0;
    char *text = malloc(2 * big + 3);
    memcpy(text, "\\x", 2);
    memset(text + 2, 'a', 2 * big);
    text[2 * big + 2] = '\0';
    uint8_t *bytes = db_bytea_decode(text, &len);
    assert_int_equal(len, big);
    assert_int_equal(bytes[big - 1], 0xaa);
    free(bytes);
    free(text);
}

/* A stored bytea compares with hex text whichever form it arrives in. */
static void test_bytea_compares_with_hex_in_both_forms(void **state)
{
    assert_true(db_bytea_is_hex("\\x00ff105c", "00ff105c"));
    assert_true(db_bytea_is_hex("\\000\\377\\020\\\\", "00ff105c"));
    assert_false(db_bytea_is_hex("\\x00ff105c", "00ff105d"));
    assert_false(db_bytea_is_hex("\\x00ff10", "00ff105c"));
}

static void test_numbers_go_into_array_literals_in_decimal(void **state)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    assert_int_equal(db_array_append_long(&buf, &len, &cap, -7), 0);
    assert_int_equal(db_array_append_long(&buf, &len, &cap, 9007199254740993LL), 0);
    assert_int_equal(db_array_finish(&buf, &len, &cap), 0);
    assert_string_equal(buf, "{\"-7\",\"9007199254740993\"}");
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_only_data_errors_and_our_own_raise_refuse_the_data),
        cmocka_unit_test(test_conflicts_are_retried_at_once),
        cmocka_unit_test(test_a_lost_connection_or_a_stopping_server_is_down),
        cmocka_unit_test(test_everything_else_is_a_fault_never_the_events),
        cmocka_unit_test(test_array_literals_quote_and_escape_every_element),
        cmocka_unit_test(test_array_literal_escapes_only_quotes_and_backslashes),
        cmocka_unit_test(test_array_literal_tells_null_from_empty_and_from_the_word_null),
        cmocka_unit_test(test_array_literal_passes_utf8_through_byte_for_byte),
        cmocka_unit_test(test_array_literal_grows_for_elements_of_every_size),
        cmocka_unit_test(test_bytea_decodes_from_hex_and_escape_forms),
        cmocka_unit_test(test_bytea_compares_with_hex_in_both_forms),
        cmocka_unit_test(test_numbers_go_into_array_literals_in_decimal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
