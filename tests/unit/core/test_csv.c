/* Unit tests of the CSV reader (common/core/csv.c): the RFC 4180 forms the
 * reference data files use, the physical line numbers records and errors are
 * reported at, the refusals, the memory bound, and the shared scenarios'
 * organisations.csv and posts.csv. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_support.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

#define ERR_SIZE  256
#define PATH_SIZE 4096

/* A reader of the NUL-terminated text s (without its NUL). */
static csv_reader_t *open_text(const char *s)
{
    csv_reader_t *csv = csv_open_memory(s, strlen(s));
    assert_non_null(csv);
    return csv;
}

/* Reads the next record, which must exist, start on line and hold count fields. */
static csv_record_t expect_record(csv_reader_t *csv, long line, size_t count)
{
    csv_record_t rec = {0};
    char err[ERR_SIZE] = "";
    int rc = csv_read(csv, &rec, err, sizeof err);
    if (rc != 1)
        fail_msg("expected a record on line %ld, got %d (%s)", line, rc, err);
    assert_int_equal(rec.line, line);
    assert_int_equal(rec.count, count);
    return rec;
}

static void expect_end(csv_reader_t *csv)
{
    csv_record_t rec = {0};
    char err[ERR_SIZE] = "";
    assert_int_equal(csv_read(csv, &rec, err, sizeof err), 0);
}

/* The whole of s must be refused with exactly message. */
static void expect_refused(const char *s, const char *message)
{
    csv_reader_t *csv = open_text(s);
    csv_record_t rec;
    char err[ERR_SIZE] = "";
    int rc;
    while ((rc = csv_read(csv, &rec, err, sizeof err)) == 1)
        continue;
    assert_int_equal(rc, -1);
    assert_string_equal(err, message);
    csv_free(csv);
}

/* ---- accepted forms ---- */

static void test_fields_are_split_on_commas(void **state)
{
    csv_reader_t *csv = open_text("a,b,c\n1,2,3\n");
    csv_record_t rec = expect_record(csv, 1, 3);
    assert_string_equal(rec.fields[0], "a");
    assert_string_equal(rec.fields[2], "c");
    rec = expect_record(csv, 2, 3);
    assert_string_equal(rec.fields[1], "2");
    expect_end(csv);
    csv_free(csv);
}

static void test_quoted_field_keeps_its_commas(void **state)
{
    csv_reader_t *csv = open_text("RJ1,\"Guy's, St Thomas'\",ACUTE_TRUST\n");
    csv_record_t rec = expect_record(csv, 1, 3);
    assert_string_equal(rec.fields[1], "Guy's, St Thomas'");
    assert_string_equal(rec.fields[2], "ACUTE_TRUST");
    expect_end(csv);
    csv_free(csv);
}

static void test_doubled_quote_in_quoted_field_is_one_quote(void **state)
{
    csv_reader_t *csv = open_text("\"say \"\"hello\"\"\",\"\"\"\",\"\"\n");
    csv_record_t rec = expect_record(csv, 1, 3);
    assert_string_equal(rec.fields[0], "say \"hello\"");
    assert_string_equal(rec.fields[1], "\"");
    assert_string_equal(rec.fields[2], "");
    csv_free(csv);
}

static void test_embedded_newline_counts_for_the_next_record_line(void **state)
{
    csv_reader_t *csv = open_text("h1,h2\n\"two\nlines\",x\n\"three\r\nmore\nlines\",y\nlast,z\n");
    expect_record(csv, 1, 2);
    csv_record_t rec = expect_record(csv, 2, 2);
    assert_string_equal(rec.fields[0], "two\nlines");
    rec = expect_record(csv, 4, 2);
    assert_string_equal(rec.fields[0], "three\r\nmore\nlines");
    rec = expect_record(csv, 7, 2);
    assert_string_equal(rec.fields[0], "last");
    expect_end(csv);
    csv_free(csv);
}

static void test_crlf_line_ends_are_not_part_of_fields(void **state)
{
    csv_reader_t *csv = open_text("a,b\r\n\"c\",d\r\n");
    csv_record_t rec = expect_record(csv, 1, 2);
    assert_string_equal(rec.fields[1], "b");
    rec = expect_record(csv, 2, 2);
    assert_string_equal(rec.fields[0], "c");
    assert_string_equal(rec.fields[1], "d");
    expect_end(csv);
    csv_free(csv);
}

static void test_byte_order_mark_at_the_start_is_skipped(void **state)
{
    csv_reader_t *csv = open_text("\xEF\xBB\xBFods_code,name\nRJ1,x\n");
    csv_record_t rec = expect_record(csv, 1, 2);
    assert_string_equal(rec.fields[0], "ods_code");
    expect_record(csv, 2, 2);
    expect_end(csv);
    csv_free(csv);
}

static void test_partial_byte_order_mark_is_kept_as_data(void **state)
{
    csv_reader_t *csv = open_text("\xEF\xBBx,y\n");
    csv_record_t rec = expect_record(csv, 1, 2);
    assert_string_equal(rec.fields[0], "\xEF\xBBx");
    expect_end(csv);
    csv_free(csv);
}

static void test_byte_order_mark_after_the_start_is_data(void **state)
{
    csv_reader_t *csv = open_text("a\n\xEF\xBB\xBF"
                                  "b\n");
    expect_record(csv, 1, 1);
    csv_record_t rec = expect_record(csv, 2, 1);
    assert_string_equal(rec.fields[0], "\xEF\xBB\xBF"
                                       "b");
    csv_free(csv);
}

static void test_empty_lines_are_skipped_and_still_counted(void **state)
{
    csv_reader_t *csv = open_text("\n\r\na\n\n\nb\r\n\r\n");
    csv_record_t rec = expect_record(csv, 3, 1);
    assert_string_equal(rec.fields[0], "a");
    rec = expect_record(csv, 6, 1);
    assert_string_equal(rec.fields[0], "b");
    expect_end(csv);
    csv_free(csv);
}

static void test_line_of_spaces_is_a_record(void **state)
{
    csv_reader_t *csv = open_text("  \n");
    csv_record_t rec = expect_record(csv, 1, 1);
    assert_string_equal(rec.fields[0], "  ");
    csv_free(csv);
}

static void test_last_record_needs_no_line_end(void **state)
{
    csv_reader_t *csv = open_text("a,b\nc,\"d\"");
    expect_record(csv, 1, 2);
    csv_record_t rec = expect_record(csv, 2, 2);
    assert_string_equal(rec.fields[1], "d");
    expect_end(csv);
    csv_free(csv);
}

static void test_trailing_comma_is_an_empty_last_field(void **state)
{
    csv_reader_t *csv = open_text("a,,\n,");
    csv_record_t rec = expect_record(csv, 1, 3);
    assert_string_equal(rec.fields[1], "");
    assert_string_equal(rec.fields[2], "");
    rec = expect_record(csv, 2, 2);
    assert_string_equal(rec.fields[0], "");
    expect_end(csv);
    csv_free(csv);
}

static void test_empty_input_has_no_records(void **state)
{
    csv_reader_t *csv = open_text("");
    expect_end(csv);
    expect_end(csv);
    csv_free(csv);
    csv = open_text("\xEF\xBB\xBF\r\n\n");
    expect_end(csv);
    csv_free(csv);
}

static void test_record_of_the_largest_size_is_read(void **state)
{
    /* One field of CSV_MAX_RECORD_BYTES - 1 bytes plus its terminator. */
    size_t n = CSV_MAX_RECORD_BYTES - 1;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, 'x', n);
    big[n] = '\n';
    csv_reader_t *csv = csv_open_memory(big, n + 1);
    assert_non_null(csv);
    csv_record_t rec = expect_record(csv, 1, 1);
    assert_int_equal(strlen(rec.fields[0]), n);
    expect_end(csv);
    csv_free(csv);
    free(big);
}

static void test_reads_from_a_file(void **state)
{
    static const char text[] = "post_id,top200\r\n\"RJ1-CEO\",yes\r\n";
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, sizeof text - 1, f), sizeof text - 1);
    rewind(f);
    csv_reader_t *csv = csv_open_file(f);
    assert_non_null(csv);
    expect_record(csv, 1, 2);
    csv_record_t rec = expect_record(csv, 2, 2);
    assert_string_equal(rec.fields[0], "RJ1-CEO");
    assert_string_equal(rec.fields[1], "yes");
    expect_end(csv);
    csv_free(csv);
    fclose(f);
}

/* ---- refusals ---- */

static void test_unterminated_quote_is_refused_at_the_line_it_opened(void **state)
{
    expect_refused("a,b\nc,d\ne,\"never\nclosed\n\n", "line 3: quoted field is never closed");
}

static void test_quote_inside_unquoted_field_is_refused(void **state)
{
    expect_refused("a,b\nc,d\"e\n", "line 2: quote inside an unquoted field");
    expect_refused(" \"a\"\n", "line 1: quote inside an unquoted field");
}

static void test_text_after_closing_quote_is_refused(void **state)
{
    expect_refused("ok\n\"a\nb\"c,d\n", "line 3: unexpected character after a closing quote");
}

static void test_carriage_return_without_line_feed_is_refused(void **state)
{
    expect_refused("a\rb\n", "line 1: carriage return not followed by a line feed");
}

static void test_nul_byte_is_refused(void **state)
{
    static const char text[] = "a\nb\0c\n";
    csv_reader_t *csv = csv_open_memory(text, sizeof text - 1);
    assert_non_null(csv);
    csv_record_t rec;
    char err[ERR_SIZE] = "";
    assert_int_equal(csv_read(csv, &rec, err, sizeof err), 1);
    assert_int_equal(csv_read(csv, &rec, err, sizeof err), -1);
    assert_string_equal(err, "line 2: NUL byte");
    csv_free(csv);
}

static void test_record_over_the_limit_is_refused_at_its_first_line(void **state)
{
    /* Two lines of fields, CSV_MAX_RECORD_BYTES of text in all: with the
     * terminators the record is over the limit. */
    size_t n = CSV_MAX_RECORD_BYTES;
    char *big = malloc(n + 16);
    assert_non_null(big);
    memcpy(big, "ok\n\"", 4);
    memset(big + 4, 'x', n);
    big[4 + n / 2] = '\n';
    memcpy(big + 4 + n, "\"\n", 2);
    csv_reader_t *csv = csv_open_memory(big, n + 6);
    assert_non_null(csv);
    expect_record(csv, 1, 1);
    csv_record_t rec;
    char err[ERR_SIZE] = "";
    assert_int_equal(csv_read(csv, &rec, err, sizeof err), -1);
    char want[64];
    snprintf(want, sizeof want, "line 2: record longer than %d bytes", CSV_MAX_RECORD_BYTES);
    assert_string_equal(err, want);
    csv_free(csv);
    free(big);
}

static void test_reader_stays_failed_after_a_refusal(void **state)
{
    csv_reader_t *csv = open_text("a\"b\nc,d\n");
    csv_record_t rec;
    char err[ERR_SIZE] = "";
    assert_int_equal(csv_read(csv, &rec, err, sizeof err), -1);
    err[0] = '\0';
    assert_int_equal(csv_read(csv, &rec, err, sizeof err), -1);
    assert_string_equal(err, "line 1: quote inside an unquoted field");
    csv_free(csv);
}

/* ---- the scenarios ---- */

/* Reads every record of path, each of 4 fields; returns how many, header included. */
static int count_records(const char *path, const char *first_column)
{
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    csv_reader_t *csv = csv_open_file(f);
    assert_non_null(csv);
    csv_record_t rec;
    char err[ERR_SIZE] = "";
    int n = 0, rc;
    while ((rc = csv_read(csv, &rec, err, sizeof err)) == 1) {
        assert_int_equal(rec.count, 4);
        if (n == 0)
            assert_string_equal(rec.fields[0], first_column);
        n++;
    }
    if (rc != 0)
        fail_msg("%s: %s", path, err);
    csv_free(csv);
    fclose(f);
    return n;
}

static void test_basics_organisations_are_a_header_and_three_records(void **state)
{
    char path[PATH_SIZE + 64];
    snprintf(path, sizeof path, "%s/01-basics/organisations.csv", scenarios_dir());
    assert_int_equal(count_records(path, "ods_code"), 1 + 3);
    snprintf(path, sizeof path, "%s/01-basics/posts.csv", scenarios_dir());
    assert_int_equal(count_records(path, "post_id"), 1 + 6);
}

static void test_every_scenario_reference_file_reads_cleanly(void **state)
{
    static const char *const files[][2] = {{"organisations.csv", "ods_code"},
                                           {"posts.csv", "post_id"}};
    char pattern[PATH_SIZE + 32];
    for (size_t k = 0; k < 2; k++) {
        snprintf(pattern, sizeof pattern, "%s/*/%s", scenarios_dir(), files[k][0]);
        glob_t found;
        assert_int_equal(glob(pattern, 0, NULL, &found), 0);
        for (size_t i = 0; i < found.gl_pathc; i++)
            assert_true(count_records(found.gl_pathv[i], files[k][1]) >= 2);
        globfree(&found);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_are_split_on_commas),
        cmocka_unit_test(test_quoted_field_keeps_its_commas),
        cmocka_unit_test(test_doubled_quote_in_quoted_field_is_one_quote),
        cmocka_unit_test(test_embedded_newline_counts_for_the_next_record_line),
        cmocka_unit_test(test_crlf_line_ends_are_not_part_of_fields),
        cmocka_unit_test(test_byte_order_mark_at_the_start_is_skipped),
        cmocka_unit_test(test_partial_byte_order_mark_is_kept_as_data),
        cmocka_unit_test(test_byte_order_mark_after_the_start_is_data),
        cmocka_unit_test(test_empty_lines_are_skipped_and_still_counted),
        cmocka_unit_test(test_line_of_spaces_is_a_record),
        cmocka_unit_test(test_last_record_needs_no_line_end),
        cmocka_unit_test(test_trailing_comma_is_an_empty_last_field),
        cmocka_unit_test(test_empty_input_has_no_records),
        cmocka_unit_test(test_record_of_the_largest_size_is_read),
        cmocka_unit_test(test_reads_from_a_file),
        cmocka_unit_test(test_unterminated_quote_is_refused_at_the_line_it_opened),
        cmocka_unit_test(test_quote_inside_unquoted_field_is_refused),
        cmocka_unit_test(test_text_after_closing_quote_is_refused),
        cmocka_unit_test(test_carriage_return_without_line_feed_is_refused),
        cmocka_unit_test(test_nul_byte_is_refused),
        cmocka_unit_test(test_record_over_the_limit_is_refused_at_its_first_line),
        cmocka_unit_test(test_reader_stays_failed_after_a_refusal),
        cmocka_unit_test(test_basics_organisations_are_a_header_and_three_records),
        cmocka_unit_test(test_every_scenario_reference_file_reads_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
