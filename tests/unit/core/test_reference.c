/* Unit tests of the reference data checks (common/core/reference.c): good
 * files load into tables in column order; every check gives its message at
 * its file, line and field; the report sorts by file, line and order of
 * finding, shows at most 20 and counts the rest; a post's organisation is
 * found in the organisations file or through the caller's known(). */
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

#include "reference.h"

#define PATH_SIZE 4096

#define ORG_HEADER  "ods_code,name,kind,region\n"
#define POST_HEADER "post_id,ods_code,role,top200\n"

/* Tables and report of one test: orgs.csv, posts.csv and their problems. */
typedef struct files {
    reference_table_t orgs, posts;
    reference_report_t report;
} files_t;

static files_t files_new(void)
{
    return (files_t){.orgs = {.file = REFERENCE_ORGANISATIONS, .path = "orgs.csv"},
                     .posts = {.file = REFERENCE_POSTS, .path = "posts.csv"}};
}

static void files_free(files_t *f)
{
    reference_table_free(&f->orgs);
    reference_table_free(&f->posts);
    reference_report_free(&f->report);
}

/* Loads text (without its NUL) into t; returns what reference_load() did. */
static int load_text(reference_table_t *t, const char *text, reference_report_t *r)
{
    csv_reader_t *csv = csv_open_memory(text, strlen(text));
    assert_non_null(csv);
    int rc = reference_load(t, csv, r);
    csv_free(csv);
    return rc;
}

/* Loads both texts (NULL: that file not given, no path) and checks them,
 * with known(code, arg) for organisations outside the file. Both must load. */
static void check_texts(files_t *f, const char *orgs, const char *posts, reference_known_fn *known,
                        void *arg)
{
    if (orgs)
        assert_int_equal(load_text(&f->orgs, orgs, &f->report), 0);
    else
        f->orgs.path = NULL;
    if (posts)
        assert_int_equal(load_text(&f->posts, posts, &f->report), 0);
    else
        f->posts.path = NULL;
    reference_check_organisations(&f->orgs, &f->report);
    reference_check_posts(&f->posts, &f->orgs, known, arg, &f->report);
}

/* The sorted report must hold exactly the count texts of expected, in order. */
static void expect_report(reference_report_t *r, const char *const *expected, size_t count)
{
    char summary[128];
    reference_report_sort(r, summary, sizeof summary);
    for (size_t i = 0; i < r->count && i < count; i++)
        assert_string_equal(r->items[i].text, expected[i]);
    assert_int_equal(r->count, count);
    assert_false(r->out_of_memory);
}

static void expect_no_problem(const reference_report_t *r)
{
    if (r->count)
        fail_msg("unexpected problem %s", r->items[0].text);
    assert_false(r->out_of_memory);
}

#define EXPECT_REPORT(r, ...)                                                                      \
    do {                                                                                           \
        const char *const expected_[] = {__VA_ARGS__};                                             \
        expect_report(r, expected_, sizeof expected_ / sizeof *expected_);                         \
    } while (0)

/* ---- good files ---- */

/* Every kind, region and role the database accepts
 * (deploy/migrations/001_reference.sql), in columns of any order. */
static const char good_orgs[] = "\xEF\xBB\xBFregion,kind,ods_code,name\r\n"
                                "LONDON,ACUTE_TRUST,RJ1,\"Guy's and St Thomas', London\"\r\n"
                                "SOUTH_EAST,MENTAL_HEALTH_TRUST,RX2,Sussex Partnership\n"
                                "SOUTH_WEST,COMMUNITY_TRUST,R1J,Gloucestershire Health\n"
                                "\n"
                                "MIDLANDS,AMBULANCE_TRUST,RYA,West Midlands Ambulance\n"
                                "EAST_OF_ENGLAND,SPECIALIST_TRUST,RGM,Royal Papworth\n"
                                "NORTH_EAST_AND_YORKSHIRE,CCG,15F,NHS Leeds CCG\n"
                                "NORTH_WEST,ICB,QOP,NHS Greater Manchester ICB\n";

static const char good_posts[] = "top200,role,ods_code,post_id\n"
                                 "yes,CHIEF_EXECUTIVE,RJ1,RJ1-CEO\n"
                                 "YES,FINANCE_DIRECTOR,RJ1,RJ1-FD\n"
                                 "No,MEDICAL_DIRECTOR,RX2,RX2-MD\n"
                                 "no,NURSING_DIRECTOR,R1J,R1J-ND\n"
                                 "Yes,CHIEF_OPERATING_OFFICER,RYA,RYA-COO\n"
                                 "nO,CHAIR,RGM,RGM-CHAIR\n"
                                 "yEs,OTHER_DIRECTOR,QOP,QOP-DOW\n";

static void test_good_files_load_in_column_order_without_problems(void **state)
{
    files_t f = files_new();
    check_texts(&f, good_orgs, good_posts, NULL, NULL);
    expect_no_problem(&f.report);
    assert_int_equal(f.orgs.rows, 7);
    assert_int_equal(f.posts.rows, 7);
    assert_string_equal(reference_cell(&f.orgs, 0, REFERENCE_ORG_ODS_CODE), "RJ1");
    assert_string_equal(reference_cell(&f.orgs, 0, REFERENCE_ORG_NAME),
                        "Guy's and St Thomas', London");
    assert_string_equal(reference_cell(&f.orgs, 0, REFERENCE_ORG_KIND), "ACUTE_TRUST");
    assert_string_equal(reference_cell(&f.orgs, 6, REFERENCE_ORG_REGION), "NORTH_WEST");
    assert_string_equal(reference_cell(&f.posts, 6, REFERENCE_POST_ID), "QOP-DOW");
    assert_string_equal(reference_cell(&f.posts, 6, REFERENCE_POST_ODS_CODE), "QOP");
    assert_string_equal(reference_cell(&f.posts, 6, REFERENCE_POST_ROLE), "OTHER_DIRECTOR");
    assert_string_equal(reference_cell(&f.posts, 6, REFERENCE_POST_TOP200), "yEs");
    files_free(&f);
}

static void test_designated_is_yes_in_any_case(void **state)
{
    files_t f = files_new();
    check_texts(&f, good_orgs, good_posts, NULL, NULL);
    const bool designated[] = {true, true, false, false, true, false, true};
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(reference_designated(&f.posts, i), designated[i]);
    files_free(&f);
}

static void test_has_finds_rows_by_their_first_column(void **state)
{
    files_t f = files_new();
    check_texts(&f, good_orgs, good_posts, NULL, NULL);
    assert_true(reference_has(&f.orgs, "RJ1"));
    assert_true(reference_has(&f.orgs, "15F"));
    assert_true(reference_has(&f.orgs, "QOP"));
    assert_false(reference_has(&f.orgs, "RJ"));
    assert_false(reference_has(&f.orgs, "LONDON"));
    assert_true(reference_has(&f.posts, "RGM-CHAIR"));
    assert_false(reference_has(&f.posts, "RGM"));
    reference_table_t none = {.file = REFERENCE_ORGANISATIONS};
    assert_false(reference_has(&none, "RJ1"));
    files_free(&f);
}

static void test_ods_code_is_two_to_five_upper_case_letters_or_digits(void **state)
{
    assert_true(reference_is_ods_code("RJ"));
    assert_true(reference_is_ods_code("15F"));
    assert_true(reference_is_ods_code("ABC12"));
    assert_false(reference_is_ods_code(""));
    assert_false(reference_is_ods_code("R"));
    assert_false(reference_is_ods_code("ABC123"));
    assert_false(reference_is_ods_code("rj1"));
    assert_false(reference_is_ods_code("RJ 1"));
    assert_false(reference_is_ods_code("RJ-1"));
}

/* Reads path into t, as the command does. */
static int load_path(reference_table_t *t, const char *path, reference_report_t *r)
{
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    csv_reader_t *csv = csv_open_file(in);
    assert_non_null(csv);
    int rc = reference_load(t, csv, r);
    csv_free(csv);
    fclose(in);
    return rc;
}

static void test_every_scenario_passes_the_checks(void **state)
{
    char pattern[PATH_SIZE], posts_path[PATH_SIZE];
    glob_t found;
    snprintf(pattern, sizeof pattern, "%s/*/organisations.csv", scenarios_dir());
    assert_int_equal(glob(pattern, 0, NULL, &found), 0);
    for (size_t i = 0; i < found.gl_pathc; i++) {
        files_t f = files_new();
        snprintf(posts_path, sizeof posts_path, "%s", found.gl_pathv[i]);
        strcpy(strrchr(posts_path, '/'), "/posts.csv");
        f.orgs.path = found.gl_pathv[i];
        f.posts.path = posts_path;
        assert_int_equal(load_path(&f.orgs, f.orgs.path, &f.report), 0);
        assert_int_equal(load_path(&f.posts, f.posts.path, &f.report), 0);
        reference_check_organisations(&f.orgs, &f.report);
        reference_check_posts(&f.posts, &f.orgs, NULL, NULL, &f.report);
        expect_no_problem(&f.report);
        assert_true(f.orgs.rows > 0 && f.posts.rows > 0);
        files_free(&f);
    }
    globfree(&found);
}

/* ---- the files as a whole ---- */

static void test_empty_file_asks_for_the_header(void **state)
{
    files_t f = files_new();
    assert_int_equal(load_text(&f.orgs, "", &f.report), -1);
    assert_int_equal(load_text(&f.posts, "", &f.report), -1);
    EXPECT_REPORT(&f.report,
                  "orgs.csv: empty file: expected the header row ods_code,name,kind,region",
                  "posts.csv: empty file: expected the header row post_id,ods_code,role,top200");
    files_free(&f);
}

static void test_header_faults_are_all_reported(void **state)
{
    files_t f = files_new();
    assert_int_equal(load_text(&f.orgs, "name,ods_code,name,extra,Region\nx,y,z,w,v\n", &f.report),
                     -1);
    assert_int_equal(f.orgs.rows, 0);
    EXPECT_REPORT(
        &f.report,
        "orgs.csv:1: header: repeated column 'name' (expected ods_code,name,kind,region)",
        "orgs.csv:1: header: unknown column 'extra' (expected ods_code,name,kind,region)",
        "orgs.csv:1: header: unknown column 'Region' (expected ods_code,name,kind,region)",
        "orgs.csv:1: header: missing column 'kind' (expected ods_code,name,kind,region)",
        "orgs.csv:1: header: missing column 'region' (expected ods_code,name,kind,region)");
    files_free(&f);
}

static void test_header_of_posts_names_its_own_columns(void **state)
{
    files_t f = files_new();
    assert_int_equal(load_text(&f.posts, "\n\npost_id,ods_code,role,top200,post_id\n", &f.report),
                     -1);
    EXPECT_REPORT(&f.report, "posts.csv:3: header: repeated column 'post_id' "
                             "(expected post_id,ods_code,role,top200)");
    files_free(&f);
}

static void test_unknown_header_column_is_shown_safely(void **state)
{
    files_t f = files_new();
    assert_int_equal(load_text(&f.orgs, "ods_code,name,kind,region,\x1b[2J\n", &f.report), -1);
    EXPECT_REPORT(&f.report, "orgs.csv:1: header: unknown column '\\x1B[2J' "
                             "(expected ods_code,name,kind,region)");
    files_free(&f);
}

static void test_csv_fault_is_reported_at_its_line(void **state)
{
    files_t f = files_new();
    assert_int_equal(
        load_text(&f.orgs, ORG_HEADER "RJ1,x,CCG,LONDON\nRJ2,\"open,CCG,LONDON\n", &f.report), -1);
    assert_int_equal(load_text(&f.posts, POST_HEADER "P1,R\"J,CHAIR,no\n", &f.report), -1);
    EXPECT_REPORT(&f.report, "orgs.csv:3: quoted field is never closed",
                  "posts.csv:2: quote inside an unquoted field");
    files_free(&f);
}

static void test_row_of_the_wrong_width_is_reported_and_left_out(void **state)
{
    files_t f = files_new();
    assert_int_equal(load_text(&f.orgs,
                               ORG_HEADER "RJ1,a,CCG,LONDON\nRJ2,b,CCG,LONDON,extra\n"
                                          "RJ3\nRJ4,c,CCG,LONDON\n",
                               &f.report),
                     0);
    assert_int_equal(f.orgs.rows, 2);
    assert_string_equal(reference_cell(&f.orgs, 1, REFERENCE_ORG_ODS_CODE), "RJ4");
    assert_false(reference_has(&f.orgs, "RJ2"));
    EXPECT_REPORT(&f.report, "orgs.csv:3: 5 fields, expected 4 (ods_code,name,kind,region)",
                  "orgs.csv:4: 1 fields, expected 4 (ods_code,name,kind,region)");
    files_free(&f);
}

/* ---- organisation rows ---- */

static void test_malformed_ods_codes(void **state)
{
    files_t f = files_new();
    check_texts(&f,
                ORG_HEADER "rj1,a,CCG,LONDON\nR,b,CCG,LONDON\nABCDEF,c,CCG,LONDON\n"
                           ",d,CCG,LONDON\nR\x1b[31m,e,CCG,LONDON\n",
                NULL, NULL, NULL);
    EXPECT_REPORT(&f.report,
                  "orgs.csv:2: ods_code: 'rj1' is not 2 to 5 upper-case letters or digits",
                  "orgs.csv:3: ods_code: 'R' is not 2 to 5 upper-case letters or digits",
                  "orgs.csv:4: ods_code: 'ABCDEF' is not 2 to 5 upper-case letters or digits",
                  "orgs.csv:5: ods_code: '' is not 2 to 5 upper-case letters or digits",
                  "orgs.csv:6: ods_code: 'R\\x1B[31m' is not 2 to 5 upper-case letters or digits");
    files_free(&f);
}

static void test_repeated_ods_code_names_its_first_line(void **state)
{
    files_t f = files_new();
    check_texts(&f,
                ORG_HEADER "RJ2,a,CCG,LONDON\nRJ1,b,CCG,LONDON\n\nRJ1,c,CCG,LONDON\n"
                           "RJ2,d,CCG,LONDON\nRJ1,e,CCG,LONDON\n",
                NULL, NULL, NULL);
    EXPECT_REPORT(&f.report, "orgs.csv:5: ods_code: 'RJ1' is already on line 3",
                  "orgs.csv:6: ods_code: 'RJ2' is already on line 2",
                  "orgs.csv:7: ods_code: 'RJ1' is already on line 3");
    files_free(&f);
}

static void test_name_must_be_text_of_at_most_200_characters(void **state)
{
    char text[2048], name[512] = "";
    for (int i = 0; i < 201; i++)
        strcat(name, "\xC3\xA9"); /* é: two bytes, one character */
    snprintf(text, sizeof text,
             ORG_HEADER "RJ1,,CCG,LONDON\nRJ2,\" \t \",CCG,LONDON\nRJ3,\xFF\xFE,CCG,LONDON\n"
                        "RJ4,%s,CCG,LONDON\nRJ5,%s,CCG,LONDON\n",
             name, name + 2);
    files_t f = files_new();
    check_texts(&f, text, NULL, NULL, NULL);
    EXPECT_REPORT(&f.report, "orgs.csv:2: name: must not be empty",
                  "orgs.csv:3: name: must not be empty", "orgs.csv:4: name: not valid UTF-8",
                  "orgs.csv:5: name: longer than 200 characters (201)");
    files_free(&f);
}

static void test_kind_and_region_must_be_one_of_their_names(void **state)
{
    files_t f = files_new();
    check_texts(&f, ORG_HEADER "RJ1,a,HOSPITAL,MARS\nRJ2,b,ccg,London\nRJ3,c,ICB,\x07\n", NULL,
                NULL, NULL);
    EXPECT_REPORT(&f.report,
                  "orgs.csv:2: kind: 'HOSPITAL' is not one of ACUTE_TRUST, MENTAL_HEALTH_TRUST, "
                  "COMMUNITY_TRUST, AMBULANCE_TRUST, SPECIALIST_TRUST, CCG, ICB",
                  "orgs.csv:2: region: 'MARS' is not one of LONDON, SOUTH_EAST, SOUTH_WEST, "
                  "MIDLANDS, EAST_OF_ENGLAND, NORTH_EAST_AND_YORKSHIRE, NORTH_WEST",
                  "orgs.csv:3: kind: 'ccg' is not one of ACUTE_TRUST, MENTAL_HEALTH_TRUST, "
                  "COMMUNITY_TRUST, AMBULANCE_TRUST, SPECIALIST_TRUST, CCG, ICB",
                  "orgs.csv:3: region: 'London' is not one of LONDON, SOUTH_EAST, SOUTH_WEST, "
                  "MIDLANDS, EAST_OF_ENGLAND, NORTH_EAST_AND_YORKSHIRE, NORTH_WEST",
                  "orgs.csv:4: region: '\\x07' is not one of LONDON, SOUTH_EAST, SOUTH_WEST, "
                  "MIDLANDS, EAST_OF_ENGLAND, NORTH_EAST_AND_YORKSHIRE, NORTH_WEST");
    files_free(&f);
}

/* ---- post rows ---- */

#define ONE_ORG ORG_HEADER "RJ1,a,CCG,LONDON\n"

static void test_post_id_must_be_a_short_unique_text(void **state)
{
    char text[2048], id[80];
    memset(id, 'x', 65);
    id[65] = '\0';
    snprintf(text, sizeof text,
             POST_HEADER ",RJ1,CHAIR,no\n \t,RJ1,CHAIR,no\nP\xC3,RJ1,CHAIR,no\n%s,RJ1,CHAIR,no\n"
                         "%s,RJ1,CHAIR,no\nP1,RJ1,CHAIR,no\nP1,RJ1,CHAIR,no\n",
             id, id + 1);
    files_t f = files_new();
    check_texts(&f, ONE_ORG, text, NULL, NULL);
    EXPECT_REPORT(&f.report, "posts.csv:2: post_id: must not be empty",
                  "posts.csv:3: post_id: must not be only white space",
                  "posts.csv:4: post_id: not valid UTF-8",
                  "posts.csv:5: post_id: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' "
                  "is longer than 64 characters (65)",
                  "posts.csv:8: post_id: 'P1' is already on line 7");
    files_free(&f);
}

static void test_post_ods_code_role_and_top200(void **state)
{
    files_t f = files_new();
    check_texts(&f, ONE_ORG,
                POST_HEADER "P1,rj1,CHAIR,no\nP2,RJ1,CEO,yes\nP3,RJ1,CHAIR,maybe\n"
                            "P4,RJ1,CHAIR,y\x07"
                            "es\nP5,RJ1,CHAIR,\nP6,RJ1,CHAIR, yes\n",
                NULL, NULL);
    EXPECT_REPORT(
        &f.report, "posts.csv:2: ods_code: 'rj1' is not 2 to 5 upper-case letters or digits",
        "posts.csv:3: role: 'CEO' is not one of CHIEF_EXECUTIVE, FINANCE_DIRECTOR, "
        "MEDICAL_DIRECTOR, NURSING_DIRECTOR, CHIEF_OPERATING_OFFICER, CHAIR, "
        "OTHER_DIRECTOR",
        "posts.csv:4: top200: 'maybe' is not yes or no",
        "posts.csv:5: top200: 'y\\x07es' is not yes or no",
        "posts.csv:6: top200: '' is not yes or no", "posts.csv:7: top200: ' yes' is not yes or no");
    files_free(&f);
}

/* The codes known() was asked about, and the ones it knows. */
typedef struct lookup {
    const char *known[4];
    char asked[256];
} lookup_t;

static bool known_in(const char *code, void *arg)
{
    lookup_t *l = arg;
    strcat(l->asked, code);
    strcat(l->asked, " ");
    for (size_t i = 0; l->known[i]; i++)
        if (strcmp(code, l->known[i]) == 0)
            return true;
    return false;
}

static void test_post_organisation_is_in_the_file_or_known(void **state)
{
    files_t f = files_new();
    lookup_t lookup = {.known = {"RX1", "15F", NULL}};
    check_texts(&f, ONE_ORG,
                POST_HEADER "P1,RJ1,CHAIR,no\nP2,RX1,CHAIR,no\nP3,RZZ,CHAIR,no\nP4,15F,CHAIR,no\n"
                            "P5,bad,CHAIR,no\n",
                known_in, &lookup);
    EXPECT_REPORT(&f.report,
                  "posts.csv:4: ods_code: 'RZZ' is not an organisation in orgs.csv or in the "
                  "database",
                  "posts.csv:6: ods_code: 'bad' is not 2 to 5 upper-case letters or digits");
    assert_string_equal(lookup.asked, "RX1 RZZ 15F ");
    files_free(&f);
}

static void test_without_an_organisations_file_only_known_ones_count(void **state)
{
    files_t f = files_new();
    lookup_t lookup = {.known = {"RJ1", NULL}};
    check_texts(&f, NULL, POST_HEADER "P1,RJ1,CHAIR,no\nP2,RX1,CHAIR,no\n", known_in, &lookup);
    EXPECT_REPORT(&f.report, "posts.csv:3: ods_code: 'RX1' is not an organisation in the database");
    files_free(&f);
}

static void test_without_known_only_the_file_counts(void **state)
{
    files_t f = files_new();
    check_texts(&f, ONE_ORG, POST_HEADER "P1,RJ1,CHAIR,no\nP2,RX1,CHAIR,no\n", NULL, NULL);
    EXPECT_REPORT(&f.report,
                  "posts.csv:3: ods_code: 'RX1' is not an organisation in orgs.csv or in the "
                  "database");
    files_free(&f);
}

/* ---- the report ---- */

static void test_report_sorts_by_file_then_line_then_order_of_finding(void **state)
{
    files_t f = files_new();
    reference_report_add(&f.report, &f.posts, 3, "role", "p3 first");
    reference_report_add(&f.report, &f.orgs, 9, NULL, "o9");
    reference_report_add(&f.report, &f.posts, 2, NULL, "p2");
    reference_report_add(&f.report, &f.posts, 3, "top200", "p3 second");
    reference_report_add(&f.report, &f.orgs, 0, NULL, "o whole %d", 1);
    reference_report_add(&f.report, &f.orgs, 10, "name", "o10");
    reference_report_add(&f.report, &f.posts, 3, NULL, "p3 third");
    EXPECT_REPORT(&f.report, "orgs.csv: o whole 1", "orgs.csv:9: o9", "orgs.csv:10: name: o10",
                  "posts.csv:2: p2", "posts.csv:3: role: p3 first",
                  "posts.csv:3: top200: p3 second", "posts.csv:3: p3 third");
    files_free(&f);
}

static void test_checks_of_both_files_come_out_in_file_and_line_order(void **state)
{
    files_t f = files_new();
    assert_int_equal(load_text(&f.posts,
                               POST_HEADER "P1,RJ1,CEO,no\nP2,RJ1,CHAIR,x\n"
                                           "P3\n",
                               &f.report),
                     0);
    assert_int_equal(load_text(&f.orgs, ORG_HEADER "RJ1,a,CCG,X\nrj,,CCG,LONDON\n", &f.report), 0);
    reference_check_posts(&f.posts, &f.orgs, NULL, NULL, &f.report);
    reference_check_organisations(&f.orgs, &f.report);
    char summary[128];
    assert_int_equal(reference_report_sort(&f.report, summary, sizeof summary), 6);
    assert_string_equal(summary, "nothing imported: 6 problems");
    const char *starts[] = {
        "orgs.csv:2: region:", "orgs.csv:3: ods_code:", "orgs.csv:3: name:",
        "posts.csv:2: role:",  "posts.csv:3: top200:",  "posts.csv:4: 1 fields"};
    for (size_t i = 0; i < 6; i++)
        assert_memory_equal(f.report.items[i].text, starts[i], strlen(starts[i]));
    files_free(&f);
}

/* Adds count problems, one a line, and sorts them. */
static size_t report_of(files_t *f, size_t count, char *summary, size_t size)
{
    for (size_t i = count; i > 0; i--)
        reference_report_add(&f->report, &f->orgs, (long)i, "name", "problem %zu", i);
    return reference_report_sort(&f->report, summary, size);
}

static void test_summary_counts_every_problem_and_shows_at_most_20(void **state)
{
    static const struct {
        size_t count, shown;
        const char *summary;
    } cases[] = {
        {0, 0, ""},
        {1, 1, "nothing imported: 1 problem"},
        {2, 2, "nothing imported: 2 problems"},
        {20, 20, "nothing imported: 20 problems"},
        {21, 20, "nothing imported: 21 problems, the first 20 shown"},
        {45, 20, "nothing imported: 45 problems, the first 20 shown"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        files_t f = files_new();
        char summary[128] = "unset";
        assert_int_equal(report_of(&f, cases[c].count, summary, sizeof summary), cases[c].shown);
        assert_string_equal(summary, cases[c].summary);
        assert_int_equal(f.report.count, cases[c].count);
        if (cases[c].count)
            assert_string_equal(f.report.items[0].text, "orgs.csv:1: name: problem 1");
        files_free(&f);
    }
}

static void test_twenty_one_bad_rows_show_the_first_twenty(void **state)
{
    char text[4096] = POST_HEADER;
    for (int i = 1; i <= 21; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "P%d,RJ1,CHAIR,maybe\n", i);
    files_t f = files_new();
    check_texts(&f, ONE_ORG, text, NULL, NULL);
    char summary[128];
    assert_int_equal(reference_report_sort(&f.report, summary, sizeof summary), 20);
    assert_string_equal(summary, "nothing imported: 21 problems, the first 20 shown");
    assert_string_equal(f.report.items[19].text, "posts.csv:21: top200: 'maybe' is not yes or no");
    files_free(&f);
}

static void test_table_free_keeps_the_file_and_path(void **state)
{
    files_t f = files_new();
    assert_int_equal(load_text(&f.orgs, good_orgs, &f.report), 0);
    reference_table_free(&f.orgs);
    assert_int_equal(f.orgs.rows, 0);
    assert_null(f.orgs.cells);
    assert_string_equal(f.orgs.path, "orgs.csv");
    assert_int_equal(f.orgs.file, REFERENCE_ORGANISATIONS);
    assert_false(reference_has(&f.orgs, "RJ1"));
    files_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_files_load_in_column_order_without_problems),
        cmocka_unit_test(test_designated_is_yes_in_any_case),
        cmocka_unit_test(test_has_finds_rows_by_their_first_column),
        cmocka_unit_test(test_ods_code_is_two_to_five_upper_case_letters_or_digits),
        cmocka_unit_test(test_every_scenario_passes_the_checks),
        cmocka_unit_test(test_empty_file_asks_for_the_header),
        cmocka_unit_test(test_header_faults_are_all_reported),
        cmocka_unit_test(test_header_of_posts_names_its_own_columns),
        cmocka_unit_test(test_unknown_header_column_is_shown_safely),
        cmocka_unit_test(test_csv_fault_is_reported_at_its_line),
        cmocka_unit_test(test_row_of_the_wrong_width_is_reported_and_left_out),
        cmocka_unit_test(test_malformed_ods_codes),
        cmocka_unit_test(test_repeated_ods_code_names_its_first_line),
        cmocka_unit_test(test_name_must_be_text_of_at_most_200_characters),
        cmocka_unit_test(test_kind_and_region_must_be_one_of_their_names),
        cmocka_unit_test(test_post_id_must_be_a_short_unique_text),
        cmocka_unit_test(test_post_ods_code_role_and_top200),
        cmocka_unit_test(test_post_organisation_is_in_the_file_or_known),
        cmocka_unit_test(test_without_an_organisations_file_only_known_ones_count),
        cmocka_unit_test(test_without_known_only_the_file_counts),
        cmocka_unit_test(test_report_sorts_by_file_then_line_then_order_of_finding),
        cmocka_unit_test(test_checks_of_both_files_come_out_in_file_and_line_order),
        cmocka_unit_test(test_summary_counts_every_problem_and_shows_at_most_20),
        cmocka_unit_test(test_twenty_one_bad_rows_show_the_first_twenty),
        cmocka_unit_test(test_table_free_keeps_the_file_and_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
