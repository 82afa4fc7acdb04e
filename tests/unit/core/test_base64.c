/* base64: the RFC 4648 test vectors, every length and byte value through a
 * round trip, the URL-safe alphabet and missing padding read, and malformed
 * text refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base64.h"

static void expect_encoded(const char *bytes, const char *want)
{
    char *text = base64_encode(bytes, strlen(bytes));
    assert_non_null(text);
    assert_string_equal(text, want);
    free(text);
}

static void expect_decoded(const char *text, const void *want, size_t want_len)
{
    uint8_t *out;
    size_t len;
    assert_int_equal(base64_decode(text, strlen(text), &out, &len), 0);
    assert_int_equal(len, want_len);
    if (want_len)
        assert_memory_equal(out, want, want_len);
    free(out);
}

static void expect_malformed(const char *text)
{
    uint8_t *out = (uint8_t *)"x";
    size_t len = 7;
    assert_int_equal(base64_decode(text, strlen(text), &out, &len), -1);
    assert_null(out);
    assert_int_equal(len, 0);
}

static void test_rfc4648_vectors_encode_with_padding(void **state)
{
    expect_encoded("", "");
    expect_encoded("f", "Zg==");
    expect_encoded("fo", "Zm8=");
    expect_encoded("foo", "Zm9v");
    expect_encoded("foob", "Zm9vYg==");
    expect_encoded("fooba", "Zm9vYmE=");
    expect_encoded("foobar", "Zm9vYmFy");
}

static void test_every_length_and_byte_value_round_trips(void **state)
{
    uint8_t bytes[300];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (uint8_t)(255 - i * 7);
    for (size_t len = 0; len <= sizeof bytes; len++) {
        char *text = base64_encode(bytes, len);
        assert_non_null(text);
        assert_int_equal(strlen(text), (len + 2) / 3 * 4);
        expect_decoded(text, bytes, len);
        free(text);
    }
}

static void test_url_safe_alphabet_and_missing_padding_are_read(void **state)
{
    expect_decoded("_-8", "\xFF\xEF", 2);
    expect_decoded("/+8=", "\xFF\xEF", 2);
    expect_decoded("Zm9vYg", "foob", 4);
    expect_decoded("", NULL, 0);
}

static void test_malformed_text_is_refused(void **state)
{
    expect_malformed("a");          /* one digit cannot make a byte */
    expect_malformed("ab=c");       /* padding inside */
    expect_malformed("abc==");      /* more padding than the group needs */
    expect_malformed("Zm9v\nYg=="); /* a character outside the alphabet */
    expect_malformed("Zm9*");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4648_vectors_encode_with_padding),
        cmocka_unit_test(test_every_length_and_byte_value_round_trips),
        cmocka_unit_test(test_url_safe_alphabet_and_missing_padding_are_read),
        cmocka_unit_test(test_malformed_text_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
