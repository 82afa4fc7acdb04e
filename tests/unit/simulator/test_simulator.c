/* Unit tests of the simulator (services/succession-simulator, its library):
 * the same seed and clock give byte-identical files, the reference data has
 * the contract's headers and exactly 200 designated posts, every event line
 * decodes as its topic's message and all but a handful pass validation, ids
 * repeat only in exact repeats, nothing happens on or after today, ready-now
 * successors recur across posts of their region, what was written is
 * counted, and bad arguments or a failing write are reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "datetime.h"
#include "events.h"
#include "pbjson.h"
#include "sim_options.h"
#include "sim_write.h"
#include "validate.h"

#define NOW         "2026-06-01T12:00:00Z"
#define TEST_PATH   4096
#define TEST_ERR    256
#define MAX_LINE    2048
#define DIR_PATTERN "/tmp/test_simulator.XXXXXX"

static sim_summary_t written; /* by the last generate() */
static char error[TEST_PATH + TEST_ERR];

/* Parses {program, --out out (unless out is NULL), the NULL-terminated
 * arguments of ap} into *o; returns what sim_options_parse() does. */
static int parse_list(sim_options_t *o, const char *out, va_list ap)
{
    char *argv[16] = {"succession-simulator"};
    int argc = 1;
    if (out) {
        argv[argc++] = "--out";
        argv[argc++] = (char *)out;
    }
    for (char *arg; argc < 16 && (arg = va_arg(ap, char *)) != NULL;)
        argv[argc++] = arg;
    return sim_options_parse(o, argc, argv, error, sizeof error);
}

static int parse(sim_options_t *o, const char *out, ...)
{
    va_list ap;
    va_start(ap, out);
    int rc = parse_list(o, out, ap);
    va_end(ap);
    return rc;
}

/* Writes the example of out and the NULL-terminated extra arguments, which
 * must parse; returns what sim_write_example() does. */
static int generate(const char *out, ...)
{
    sim_options_t o;
    va_list ap;
    va_start(ap, out);
    int rc = parse_list(&o, out, ap);
    va_end(ap);
    assert_int_equal(rc, 0);
    return sim_write_example(&o, &written, error, sizeof error);
}

static char *new_dir(void)
{
    char *dir = strdup(DIR_PATTERN);
    assert_non_null(dir);
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void remove_dir(char *dir)
{
    static const char *const names[] = {"organisations.csv", "posts.csv", "events.jsonl"};
    char path[TEST_PATH];
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
    free(dir);
}

/* The whole of dir/name; *size its length. */
static char *slurp(const char *dir, const char *name, size_t *size)
{
    char path[TEST_PATH];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long length = ftell(f);
    rewind(f);
    char *text = malloc((size_t)length + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)length, f), (size_t)length);
    text[length] = '\0';
    fclose(f);
    *size = (size_t)length;
    return text;
}

static size_t count_text(const char *text, const char *needle)
{
    size_t count = 0;
    for (const char *at = strstr(text, needle); at; at = strstr(at + 1, needle))
        count++;
    return count;
}

static int setup(void **state)
{
    (void)state;
    return datetime_set_now(NOW) ? -1 : 0;
}

static void test_same_seed_and_now_give_identical_files(void **state)
{
    (void)state;
    char *a = new_dir(), *b = new_dir(), *c = new_dir();
    assert_int_equal(generate(a, "--seed", "7", NULL), 0);
    assert_int_equal(generate(b, "--seed", "7", NULL), 0);
    assert_int_equal(generate(c, "--seed", "8", NULL), 0);
    static const char *const names[] = {"organisations.csv", "posts.csv", "events.jsonl"};
    for (size_t i = 0; i < 3; i++) {
        size_t size_a, size_b, size_c;
        char *x = slurp(a, names[i], &size_a), *y = slurp(b, names[i], &size_b);
        char *z = slurp(c, names[i], &size_c);
        assert_int_equal(size_a, size_b);
        assert_memory_equal(x, y, size_a);
        assert_true(size_a != size_c || memcmp(x, z, size_a) != 0);
        free(x), free(y), free(z);
    }
    remove_dir(a), remove_dir(b), remove_dir(c);
}

static void test_reference_data_has_headers_and_200_designated_posts(void **state)
{
    (void)state;
    char *dir = new_dir();
    size_t size;
    assert_int_equal(generate(dir, NULL), 0);
    char *orgs = slurp(dir, "organisations.csv", &size);
    assert_int_equal(strncmp(orgs, "ods_code,name,kind,region\n", 26), 0);
    assert_int_equal(count_text(orgs, "\n"), 451);
    assert_true(count_text(orgs, ",ICB,") > 0 && count_text(orgs, ",CCG,") > 0);
    assert_true(count_text(orgs, ",AMBULANCE_TRUST,NORTH_WEST\n") > 0);
    assert_true(count_text(orgs, "\"NHS ") > 0); /* names with commas are quoted */
    char *posts = slurp(dir, "posts.csv", &size);
    assert_int_equal(strncmp(posts, "post_id,ods_code,role,top200\n", 29), 0);
    assert_int_equal(count_text(posts, "\n"), 2701);
    assert_int_equal(count_text(posts, ",yes\n"), 200);
    assert_int_equal(count_text(posts, "-CEO,"), 450);
    assert_true(count_text(posts, ",CHIEF_EXECUTIVE,yes\n") >= 140);
    assert_true(count_text(posts, ",FINANCE_DIRECTOR,yes\n") > 0);
    assert_int_equal(written.organisations, 450);
    assert_int_equal(written.posts, 2700);
    assert_int_equal(written.designated, 200);
    free(orgs), free(posts);
    remove_dir(dir);
}

/* Decodes and validates one line; returns 0 valid, 1 invalid. Fails the
 * test when the line does not decode at all. */
static int judge_line(const char *line)
{
    json_error_t jerr;
    char err[TEST_ERR];
    ProtobufCMessage *msg = NULL;
    json_t *obj = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
    assert_non_null(obj);
    const events_kind_t *kind =
        events_kind_by_name(json_string_value(json_object_get(obj, "topic")));
    assert_non_null(kind);
    json_object_del(obj, "topic");
    if (pbjson_decode(kind->descriptor, obj, &msg, err, sizeof err))
        fail_msg("%s: %s", err, line);
    int invalid = validate_event(msg, err, sizeof err) != 0;
    pbjson_free(msg);
    json_decref(obj);
    return invalid;
}

static void test_every_line_decodes_and_a_handful_are_invalid(void **state)
{
    (void)state;
    char *dir = new_dir(), path[TEST_PATH], line[MAX_LINE];
    assert_int_equal(generate(dir, "--seed", "3", NULL), 0);
    snprintf(path, sizeof path, "%s/events.jsonl", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    json_t *seen = json_object();
    long lines = 0, invalid = 0, repeats = 0;
    while (fgets(line, sizeof line, f)) {
        lines++;
        invalid += judge_line(line);
        json_t *obj = json_loads(line, 0, NULL);
        const char *id =
            json_string_value(json_object_get(json_object_get(obj, "header"), "eventId"));
        const char *before = json_string_value(json_object_get(seen, id));
        if (*id && before) { /* an id comes back only as an exact repeat */
            assert_string_equal(before, line);
            repeats++;
        } else if (*id) {
            json_object_set_new(seen, id, json_string(line));
        }
        json_decref(obj);
    }
    fclose(f);
    json_decref(seen);
    assert_int_equal(written.events, lines);
    assert_true(lines > 36000 && lines < 44000);
    assert_true(invalid >= 10 && invalid <= lines / 300);
    assert_true(repeats >= lines / 200 && repeats <= lines / 50);
    remove_dir(dir);
}

static void test_nothing_happens_on_or_after_today_and_lines_are_mostly_in_order(void **state)
{
    (void)state;
    char *dir = new_dir();
    size_t size;
    assert_int_equal(generate(dir, "--organisations", "60", "--events", "6000", NULL), 0);
    char *text = slurp(dir, "events.jsonl", &size);
    char newest[INSTANT_TEXT_SIZE] = "";
    long lines = 0, older = 0;
    for (char *at = strstr(text, "\"occurredAt\":\""); at;
         at = strstr(at + 1, "\"occurredAt\":\"")) {
        char instant[INSTANT_TEXT_SIZE];
        snprintf(instant, sizeof instant, "%.20s", at + 14);
        assert_true(strcmp(instant, "2021-01-01T00:00:00Z") >= 0);
        assert_true(strcmp(instant, "2026-06-01T00:00:00Z") < 0);
        older += strcmp(instant, newest) < 0;
        if (strcmp(instant, newest) > 0)
            memcpy(newest, instant, sizeof instant);
        lines++;
    }
    assert_true(lines > 4000);
    assert_true(older > 0 && older < lines / 20);
    assert_true(count_text(text, "\"vacancyOpened\"") > 0 &&
                count_text(text, "\"noticeWithdrawn\"") > 0);
    assert_true(count_text(text, "APPOINTMENT_KIND_INTERIM") > 0 &&
                count_text(text, "APPOINTMENT_KIND_ACTING") > 0);
    assert_true(count_text(text, "END_REASON_LEFT_NHS") > 0 &&
                count_text(text, "FIT_AND_PROPER_FAILED") > 0);
    free(text);
    remove_dir(dir);
}

/* {postId: region} of every designated post of the example in dir. */
static json_t *designated_regions(const char *dir)
{
    size_t size;
    char *orgs = slurp(dir, "organisations.csv", &size), *posts = slurp(dir, "posts.csv", &size);
    json_t *region = json_object(), *designated = json_object();
    for (char *line = strtok(orgs, "\n"); line; line = strtok(NULL, "\n")) {
        char *last = strrchr(line, ','); /* ods_code,name (maybe quoted),kind,region */
        *strchr(line, ',') = '\0';
        json_object_set_new(region, line, json_string(last + 1));
    }
    for (char *line = strtok(posts, "\n"); line; line = strtok(NULL, "\n")) {
        /* post_id,ods_code,role,top200 */
        char *ods = strchr(line, ',') + 1, *role = strchr(ods, ',');
        ods[-1] = *role = '\0';
        if (strcmp(strrchr(role + 1, ','), ",yes") == 0)
            json_object_set(designated, line, json_object_get(region, ods));
    }
    json_decref(region);
    free(orgs), free(posts);
    return designated;
}

/* Of the persons whose winning nomination (the valid event with the latest
 * occurredAt, then eventId) to some designated post is ready now, a fifth to under half are so for
 * two or more posts, and most of those for posts of one region only. */
static void test_ready_now_successors_recur_within_a_region(void **state)
{
    (void)state;
    char *dir = new_dir(), path[TEST_PATH], line[MAX_LINE];
    assert_int_equal(generate(dir, NULL), 0);
    json_t *regions = designated_regions(dir), *latest = json_object(), *by_person = json_object();
    snprintf(path, sizeof path, "%s/events.jsonl", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        if (judge_line(line)) /* dead-lettered, never applied */
            continue;
        json_t *event = json_loads(line, 0, NULL), *header = json_object_get(event, "header");
        json_t *body = json_object_get(event, "successorNominated");
        const char *readiness = json_string_value(json_object_get(body, "readiness"));
        body = body ? body : json_object_get(event, "successorWithdrawn");
        const char *id = json_string_value(json_object_get(header, "eventId"));
        const char *post = json_string_value(json_object_get(body, "postId"));
        const char *person = json_string_value(json_object_get(body, "personId"));
        json_t *region = json_object_get(regions, post ? post : "");
        char key[MAX_LINE], stamp[MAX_LINE];
        if (region) {
            snprintf(key, sizeof key, "%s %s", post, person);
            snprintf(stamp, sizeof stamp, "%s %s",
                     json_string_value(json_object_get(header, "occurredAt")), id);
            json_t *before = json_object_get(latest, key);
            if (!before || strcmp(stamp, json_string_value(json_array_get(before, 0))) > 0)
                json_object_set_new(
                    latest, key,
                    json_pack("[s,s,s,O]", stamp, readiness ? readiness : "", person, region));
        }
        json_decref(event);
    }
    fclose(f);
    const char *key;
    json_t *value;
    json_object_foreach(latest, key, value)
    {
        if (strcmp(json_string_value(json_array_get(value, 1)), "READINESS_READY_NOW") != 0)
            continue;
        const char *person = json_string_value(json_array_get(value, 2));
        if (!json_object_get(by_person, person))
            json_object_set_new(by_person, person, json_array());
        json_array_append(json_object_get(by_person, person), json_array_get(value, 3));
    }
    size_t persons = json_object_size(by_person), shared = 0, one_region = 0;
    json_object_foreach(by_person, key, value)
    {
        if (json_array_size(value) < 2)
            continue;
        shared++;
        size_t same = 1;
        while (same < json_array_size(value) &&
               json_equal(json_array_get(value, same), json_array_get(value, 0)))
            same++;
        one_region += same == json_array_size(value);
    }
    assert_true(persons > 100);
    assert_true(shared * 5 >= persons && shared * 2 < persons);
    assert_true(one_region * 4 >= shared * 3);
    json_decref(regions), json_decref(latest), json_decref(by_person);
    remove_dir(dir);
}

static void test_options_start_from_the_defaults_and_help_needs_nothing_else(void **state)
{
    (void)state;
    sim_options_t o;
    assert_int_equal(parse(&o, "/tmp/unused", "--events", "6000", NULL), 0);
    assert_string_equal(o.out, "/tmp/unused");
    assert_int_equal(o.events, 6000);
    assert_int_equal(o.seed, SIM_DEFAULT_SEED);
    assert_int_equal(o.organisations, SIM_DEFAULT_ORGS);
    assert_int_equal(o.designated, SIM_TOP200);
    assert_false(o.help);
    assert_int_equal(parse(&o, NULL, "--help", NULL), 0);
    assert_true(o.help);
}

static void test_bad_arguments_are_usage_errors(void **state)
{
    (void)state;
    sim_options_t o;
    assert_int_equal(parse(&o, NULL, "--seed", "1", NULL), -1);
    assert_string_equal(error, "--out: the folder to write is missing");
    assert_int_equal(parse(&o, "/tmp/unused", "--events", "5", NULL), -1);
    assert_string_equal(error, "--events: '5' is not a whole number from 1000 to 2000000");
    assert_int_equal(parse(&o, "/tmp/unused", "--organisations", "x", NULL), -1);
    assert_string_equal(error, "--organisations: 'x' is not a whole number from 7 to 5000");
    assert_int_equal(parse(&o, "/tmp/unused", "--seed", NULL), -1);
    assert_string_equal(error, "--seed: the value is missing");
    assert_int_equal(parse(&o, "/tmp/unused", "--colour", "red", NULL), -1);
    assert_string_equal(error, "--colour: unknown option");
}

static void test_a_failing_write_is_reported(void **state)
{
    (void)state;
    char *dir = new_dir(), path[TEST_PATH];
    snprintf(path, sizeof path, "%s/events.jsonl", dir);
    assert_int_equal(symlink("/dev/full", path), 0);
    assert_int_equal(generate(dir, NULL), -1);
    char expected[TEST_PATH + TEST_ERR];
    snprintf(expected, sizeof expected, "%s: %s", path, strerror(ENOSPC));
    assert_string_equal(error, expected);
    remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_and_now_give_identical_files),
        cmocka_unit_test(test_reference_data_has_headers_and_200_designated_posts),
        cmocka_unit_test(test_every_line_decodes_and_a_handful_are_invalid),
        cmocka_unit_test(test_nothing_happens_on_or_after_today_and_lines_are_mostly_in_order),
        cmocka_unit_test(test_ready_now_successors_recur_within_a_region),
        cmocka_unit_test(test_options_start_from_the_defaults_and_help_needs_nothing_else),
        cmocka_unit_test(test_bad_arguments_are_usage_errors),
        cmocka_unit_test(test_a_failing_write_is_reported),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
