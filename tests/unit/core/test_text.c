/* Unit tests of common/core/text.c: UTF-8 checks, and the one safe form of
 * untrusted bytes for PostgreSQL, JSON and a terminal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "text.h"

static void test_utf8_sequence_accepts_each_length_and_refuses_malformed(void **state)
{
    assert_int_equal(text_utf8_sequence((const unsigned char *)"a", 1), 1);
    assert_int_equal(text_utf8_sequence((const unsigned char *)"\xC3\xA9", 2), 2);
    assert_int_equal(text_utf8_sequence((const unsigned char *)"\xE2\x82\xAC", 3), 3);
    assert_int_equal(text_utf8_sequence((const unsigned char *)"\xF0\x9F\x98\x80", 4), 4);
    /* cut short by the length, though the bytes go on */
    assert_int_equal(text_utf8_sequence((const unsigned char *)"\xE2\x82\xAC", 2), 0);
    assert_int_equal(text_utf8_sequence((const unsigned char *)"\xC0\x80", 2), 0); /* overlong */
    assert_int_equal(text_utf8_sequence((const unsigned char *)"\xED\xA0\x80", 3),
                     0); /* surrogate */
    assert_int_equal(text_utf8_sequence((const unsigned char *)"\xF4\x90\x80\x80", 4),
                     0); /* > U+10FFFF */
    assert_int_equal(text_utf8_sequence((const unsigned char *)"\xFF", 1), 0);
    assert_int_equal(text_utf8_sequence((const unsigned char *)"a", 0), 0);
}

static void test_utf8_length_counts_characters(void **state)
{
    size_t chars;
    assert_int_equal(text_utf8_length("ab\xC3\xA9", &chars), 0);
    assert_int_equal(chars, 3);
    assert_int_equal(text_utf8_length("a\xFF", &chars), -1);
}

static void test_is_clean_refuses_nul_and_malformed_bytes(void **state)
{
    assert_true(text_is_clean("abc\xC3\xA9", 5));
    assert_true(text_is_clean("", 0));
    assert_false(text_is_clean("ab\0c", 4));
    assert_false(text_is_clean("\xFF\xFE", 2));
    assert_true(text_is_clean("\x1B[31m", 5)); /* controls are clean text for a database */
}

static void test_clean_escapes_what_cannot_stay(void **state)
{
    char *s = text_clean("\xFF\xFE", 2, 64, 0);
    assert_string_equal(s, "\\xFF\\xFE");
    free(s);
    s = text_clean("a\0b", 3, 64, 0);
    assert_string_equal(s, "a\\x00b");
    free(s);
    s = text_clean("caf\xC3\xA9", 5, 64, 0);
    assert_string_equal(s, "caf\xC3\xA9");
    assert_true(text_is_clean(s, strlen(s)));
    free(s);
    assert_null(text_clean(NULL, 0, 64, 0));
}

static void test_clean_for_a_terminal_escapes_control_characters(void **state)
{
    char *s = text_clean("\x1B]0;owned\x07red\x7F\xC2\x9B", 16, 128, TEXT_CONTROLS);
    assert_string_equal(s, "\\x1B]0;owned\\x07red\\x7F\\xC2\\x9B");
    free(s);
    /* without the flag they stay */
    s = text_clean("\x1B", 1, 64, 0);
    assert_string_equal(s, "\x1B");
    free(s);
}

static void test_clean_cuts_at_a_character_boundary_with_an_ellipsis(void **state)
{
    char *s = text_clean("abcdefghijklmnop", 16, 10, 0);
    assert_string_equal(s, "abcdefg...");
    free(s);
    /* never inside a multi-byte character or an escape */
    s = text_clean("abcdef\xC3\xA9xyz", 11, 10, 0);
    assert_string_equal(s, "abcdef...");
    free(s);
    s = text_clean("abcde\xFFxyzzzz", 12, 10, 0);
    assert_string_equal(s, "abcde...");
    free(s);
    /* exactly at the bound: kept whole */
    s = text_clean("abcdefghij", 10, 10, 0);
    assert_string_equal(s, "abcdefghij");
    free(s);
}

static void test_clean_into_fits_the_buffer(void **state)
{
    char buf[12];
    assert_string_equal(text_clean_into("\x1B[2Jhello world", 15, TEXT_CONTROLS, buf, sizeof buf),
                        "\\x1B[2Jh...");
    assert_string_equal(text_clean_into(NULL, 0, 0, buf, sizeof buf), "");
    assert_string_equal(text_clean_into("ok", 2, 0, buf, sizeof buf), "ok");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_sequence_accepts_each_length_and_refuses_malformed),
        cmocka_unit_test(test_utf8_length_counts_characters),
        cmocka_unit_test(test_is_clean_refuses_nul_and_malformed_bytes),
        cmocka_unit_test(test_clean_escapes_what_cannot_stay),
        cmocka_unit_test(test_clean_for_a_terminal_escapes_control_characters),
        cmocka_unit_test(test_clean_cuts_at_a_character_boundary_with_an_ellipsis),
        cmocka_unit_test(test_clean_into_fits_the_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
