/* Unit tests of input validation (common/core/validate.c), step 1 of the order
 * of judgement: a valid event of every kind passes, and every way an event
 * can be dead-lettered is caught and named by its JSON path. Events are
 * written as JSON and decoded with pbjson, as successionctl does; faults
 * JSON cannot carry (malformed UTF-8, out-of-range instants) are put into
 * the decoded message directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_support.h"

#include "events.h"

#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pbjson.h"
#include "validate.h"
#include "google/protobuf/timestamp.pb-c.h"
#include "succession/v1/appointment.pb-c.h"
#include "succession/v1/appraisal.pb-c.h"
#include "succession/v1/vacancy.pb-c.h"

#define ERR_SIZE  256
#define PATH_SIZE 4096

#define HEADER                                                                                     \
    "{\"eventId\":\"evt-1\",\"occurredAt\":\"2026-03-01T12:00:00Z\",\"source\":\"test\","          \
    "\"correlationId\":\"corr-1\"}"

/* One event kind: its topic, its event member and a complete body. */
typedef struct {
    const char *topic;
    const char *member;
    const char *body;
} kind_t;

static const kind_t kinds[] = {
    {"vacancy", "noticeGiven",
     "{\"postId\":\"RJ1-CEO\",\"personId\":\"P001\",\"reason\":\"LEAVING_REASON_RESIGNATION\","
     "\"leavingDate\":\"2026-08-31\"}"},
    {"vacancy", "noticeWithdrawn", "{\"postId\":\"RJ1-CEO\",\"personId\":\"P001\"}"},
    {"vacancy", "vacancyOpened",
     "{\"vacancyId\":\"V-7\",\"postId\":\"RJ1-CEO\",\"reason\":\"LEAVING_REASON_RETIREMENT\","
     "\"vacantFrom\":\"2026-05-16\"}"},
    {"vacancy", "vacancyClosed",
     "{\"vacancyId\":\"V-7\",\"postId\":\"RJ1-CEO\",\"outcome\":\"VACANCY_OUTCOME_FILLED\"}"},
    {"appointment", "appointed",
     "{\"appointmentId\":\"A-1\",\"postId\":\"RJ1-CEO\",\"personId\":\"P001\","
     "\"kind\":\"APPOINTMENT_KIND_INTERIM\",\"startDate\":\"2026-05-01\","
     "\"endDate\":\"2026-12-31\"}"},
    {"appointment", "appointmentEnded",
     "{\"appointmentId\":\"A-1\",\"postId\":\"RJ1-CEO\",\"personId\":\"P001\","
     "\"endDate\":\"2026-04-30\",\"reason\":\"END_REASON_LEFT_NHS\"}"},
    {"appraisal", "talentReview",
     "{\"personId\":\"P001\",\"reviewDate\":\"2026-01-15\",\"performance\":\"RATING_HIGH\","
     "\"potential\":\"RATING_MEDIUM\",\"riskOfLoss\":\"RATING_LOW\",\"impactOfLoss\":"
     "\"RATING_HIGH\",\"fitAndProper\":\"FIT_AND_PROPER_CONFIRMED\"}"},
    {"appraisal", "successorNominated",
     "{\"postId\":\"RJ1-CEO\",\"personId\":\"P010\",\"readiness\":\"READINESS_READY_NOW\","
     "\"emergencyCover\":true,\"assessedOn\":\"2026-02-10\"}"},
    {"appraisal", "successorWithdrawn", "{\"postId\":\"RJ1-CEO\",\"personId\":\"P010\"}"},
};

#define N_KINDS (sizeof kinds / sizeof kinds[0])

/* ---- helpers ---- */

/* Parses test JSON, failing the test if it is malformed. */
static json_t *parse(const char *text)
{
    json_error_t jerr;
    json_t *json = json_loads(text, 0, &jerr);
    if (!json)
        fail_msg("bad test JSON: %s (%s)", jerr.text, text);
    return json;
}

/* A new, valid event of the kind whose event member is `member`. */
static json_t *event_of(const char *member)
{
    for (size_t i = 0; i < N_KINDS; i++) {
        if (strcmp(kinds[i].member, member) != 0)
            continue;
        json_t *event = json_object();
        json_object_set_new(event, "topic", json_string(kinds[i].topic));
        json_object_set_new(event, "header", parse(HEADER));
        json_object_set_new(event, member, parse(kinds[i].body));
        return event;
    }
    fail_msg("no kind %s", member);
    return NULL;
}

/* Sets (or with NULL removes) member key of the object `part` of event. */
static void set(json_t *event, const char *part, const char *key, json_t *value)
{
    json_t *obj = json_object_get(event, part);
    assert_non_null(obj);
    if (value)
        json_object_set_new(obj, key, value);
    else
        json_object_del(obj, key);
}

/* The message type of an event topic. */
static const ProtobufCMessageDescriptor *descriptor_for_topic(const char *topic)
{
    const events_kind_t *kind = topic ? events_kind_by_name(topic) : NULL;
    if (!kind)
        fail_msg("unknown topic %s", topic ? topic : "(none)");
    return kind ? kind->descriptor : NULL;
}

/* Decodes an event (its "topic" chooses the type), failing the test if
 * it does not decode: validation faults must get past the decoder. */
static ProtobufCMessage *decode_event(json_t *event)
{
    json_t *copy = json_deep_copy(event);
    const ProtobufCMessageDescriptor *desc =
        descriptor_for_topic(json_string_value(json_object_get(copy, "topic")));
    json_object_del(copy, "topic");
    ProtobufCMessage *msg = NULL;
    char err[ERR_SIZE];
    if (pbjson_decode(desc, copy, &msg, err, sizeof err))
        fail_msg("does not decode: %s", err);
    json_decref(copy);
    return msg;
}

/* Validation of msg fails with an error that starts with `expected`. */
static void expect_message_invalid(const ProtobufCMessage *msg, const char *expected)
{
    char err[ERR_SIZE];
    if (validate_event(msg, err, sizeof err) != -1)
        fail_msg("valid, expected \"%s\"", expected);
    if (strncmp(err, expected, strlen(expected)) != 0)
        fail_msg("got \"%s\", expected \"%s\"", err, expected);
}

/* The event decodes and passes validation. Takes the reference. */
static void expect_valid(json_t *event)
{
    ProtobufCMessage *msg = decode_event(event);
    char err[ERR_SIZE];
    if (validate_event(msg, err, sizeof err) != 0)
        fail_msg("invalid: %s", err);
    pbjson_free(msg);
    json_decref(event);
}

/* The event decodes but fails validation with an error that starts with
 * `expected`. Takes the reference. */
static void expect_invalid(json_t *event, const char *expected)
{
    ProtobufCMessage *msg = decode_event(event);
    expect_message_invalid(msg, expected);
    pbjson_free(msg);
    json_decref(event);
}

/* A string of n copies of `unit`. */
static json_t *repeated_text(const char *unit, size_t n)
{
    size_t k = strlen(unit);
    char *text = malloc(n * k + 1);
    assert_non_null(text);
    for (size_t i = 0; i < n; i++)
        memcpy(text + i * k, unit, k);
    text[n * k] = '\0';
    json_t *json = json_string(text);
    free(text);
    assert_non_null(json);
    return json;
}

/* Replaces a decoded string with raw bytes JSON could not carry. */
static void replace_string(char **slot, const char *bytes)
{
    if (*slot != protobuf_c_empty_string)
        free(*slot);
    *slot = strdup(bytes);
    assert_non_null(*slot);
}

/* The number of lines of a scenario's events.jsonl that fail validation
 * (each must still decode). */
static int count_invalid_lines(const char *scenario)
{
    char path[PATH_SIZE + 32];
    snprintf(path, sizeof path, "%s/events.jsonl", scenario);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    int invalid = 0;
    while (getline(&line, &cap, f) > 0) {
        json_t *event = parse(line);
        ProtobufCMessage *msg = decode_event(event);
        char err[ERR_SIZE];
        invalid += validate_event(msg, err, sizeof err) != 0;
        pbjson_free(msg);
        json_decref(event);
    }
    free(line);
    fclose(f);
    return invalid;
}

/* ---- the scenarios ---- */

static void test_every_scenario_has_as_many_invalid_lines_as_dead_letters(void **state)
{
    char pattern[PATH_SIZE + 32];
    snprintf(pattern, sizeof pattern, "%s/*/expected.json", scenarios_dir());
    glob_t files;
    assert_int_equal(glob(pattern, 0, NULL, &files), 0);
    assert_true(files.gl_pathc > 0);
    for (size_t i = 0; i < files.gl_pathc; i++) {
        json_error_t jerr;
        json_t *expected = json_load_file(files.gl_pathv[i], 0, &jerr);
        assert_non_null(expected);
        json_t *outcomes = json_object_get(expected, "outcomes_if_every_line_is_published");
        int dead = (int)json_integer_value(json_object_get(outcomes, "dead"));
        *strrchr(files.gl_pathv[i], '/') = '\0';
        int invalid = count_invalid_lines(files.gl_pathv[i]);
        if (invalid != dead)
            fail_msg("%s: %d invalid lines, %d dead letters", files.gl_pathv[i], invalid, dead);
        json_decref(expected);
    }
    globfree(&files);
}

static void test_invalid_scenario_lines_decode_but_fail_validation(void **state)
{
    static const char *const reasons[] = {
        "header.eventId: required, but missing or empty",
        "successorNominated.readiness: enum value READINESS_UNSPECIFIED is not allowed",
        "successorNominated.assessedOn: \"2026-02-30\" is not a real date written YYYY-MM-DD",
    };
    char path[PATH_SIZE + 64];
    snprintf(path, sizeof path, "%s/03-order-and-repeats/events.jsonl", scenarios_dir());
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    size_t n = 0;
    json_t *lines = json_array();
    while (getline(&line, &cap, f) > 0)
        json_array_append_new(lines, parse(line));
    free(line);
    fclose(f);
    n = json_array_size(lines);
    assert_true(n >= 3);
    for (size_t i = 0; i < 3; i++) {
        ProtobufCMessage *msg = decode_event(json_array_get(lines, n - 3 + i));
        char err[ERR_SIZE];
        assert_int_equal(validate_event(msg, err, sizeof err), -1);
        assert_string_equal(err, reasons[i]);
        pbjson_free(msg);
    }
    json_decref(lines);
}

/* ---- valid events ---- */

static void test_a_valid_event_of_every_kind_passes(void **state)
{
    for (size_t i = 0; i < N_KINDS; i++)
        expect_valid(event_of(kinds[i].member));
}

static void test_absent_optional_fields_are_valid(void **state)
{
    json_t *event = event_of("appointed");
    set(event, "appointed", "endDate", NULL);
    set(event, "header", "correlationId", NULL);
    expect_valid(event);
    event = event_of("successorNominated");
    set(event, "successorNominated", "emergencyCover", NULL);
    expect_valid(event);
    event = event_of("appointed");
    set(event, "appointed", "endDate", json_null());
    set(event, "header", "correlationId", json_string(""));
    expect_valid(event);
}

/* ---- the header ---- */

static void test_missing_event_id_is_invalid(void **state)
{
    json_t *event = event_of("noticeGiven");
    set(event, "header", "eventId", NULL);
    expect_invalid(event, "header.eventId: required, but missing or empty");
}

static void test_missing_source_is_invalid(void **state)
{
    json_t *event = event_of("appointed");
    set(event, "header", "source", NULL);
    expect_invalid(event, "header.source: required, but missing or empty");
}

static void test_missing_occurred_at_is_invalid(void **state)
{
    json_t *event = event_of("talentReview");
    set(event, "header", "occurredAt", NULL);
    expect_invalid(event, "header.occurredAt: required, but missing");
}

static void test_missing_header_is_invalid(void **state)
{
    json_t *event = event_of("successorWithdrawn");
    json_object_del(event, "header");
    expect_invalid(event, "header: required, but missing");
}

static void test_occurred_at_out_of_range_is_invalid(void **state)
{
    json_t *event = event_of("vacancyClosed");
    ProtobufCMessage *msg = decode_event(event);
    Google__Protobuf__Timestamp *at = ((Succession__V1__VacancyEvent *)msg)->header->occurred_at;
    at->seconds = INT64_C(253402300800); /* 10000-01-01 */
    expect_message_invalid(msg, "header.occurredAt: seconds out of range");
    at->seconds = INT64_C(-62135596801); /* before 0001-01-01 */
    expect_message_invalid(msg, "header.occurredAt: seconds out of range");
    at->seconds = 0;
    at->nanos = -1;
    expect_message_invalid(msg, "header.occurredAt: nanos out of range");
    at->nanos = 1000000000;
    expect_message_invalid(msg, "header.occurredAt: nanos out of range");
    at->nanos = 999999999;
    assert_int_equal(validate_event(msg, NULL, 0), 0);
    pbjson_free(msg);
    json_decref(event);
}

/* ---- the event member ---- */

static void test_missing_event_member_is_invalid(void **state)
{
    json_t *event = event_of("talentReview");
    json_object_del(event, "talentReview");
    expect_invalid(event, "exactly one of talentReview, successorNominated, successorWithdrawn "
                          "is required, none is given");
    event = event_of("noticeWithdrawn");
    json_object_del(event, "noticeWithdrawn");
    expect_invalid(event, "exactly one of noticeGiven, noticeWithdrawn, vacancyOpened, "
                          "vacancyClosed is required");
}

static void test_every_required_body_field_missing_is_invalid(void **state)
{
    for (size_t i = 0; i < N_KINDS; i++) {
        json_t *body = parse(kinds[i].body);
        const char *key;
        json_t *value;
        json_object_foreach(body, key, value)
        {
            json_t *event = event_of(kinds[i].member);
            set(event, kinds[i].member, key, NULL);
            bool optional =
                strcmp(key, "emergencyCover") == 0 ||
                (strcmp(kinds[i].member, "appointed") == 0 && strcmp(key, "endDate") == 0);
            if (optional) {
                expect_valid(event);
                continue;
            }
            char path[128];
            snprintf(path, sizeof path, "%s.%s: ", kinds[i].member, key);
            expect_invalid(event, path);
        }
        json_decref(body);
    }
}

/* ---- ids ---- */

static void test_empty_id_is_invalid(void **state)
{
    json_t *event = event_of("vacancyOpened");
    set(event, "vacancyOpened", "vacancyId", json_string(""));
    expect_invalid(event, "vacancyOpened.vacancyId: required, but missing or empty");
}

static void test_whitespace_only_id_is_invalid(void **state)
{
    json_t *event = event_of("appointmentEnded");
    set(event, "appointmentEnded", "personId", json_string(" \t\r\n"));
    expect_invalid(event, "appointmentEnded.personId: an id may not be only white space");
    event = event_of("noticeGiven");
    set(event, "header", "eventId", json_string(" "));
    expect_invalid(event, "header.eventId: an id may not be only white space");
    event = event_of("noticeGiven");
    set(event, "noticeGiven", "postId", json_string(" RJ1 CEO "));
    expect_valid(event);
}

static void test_id_of_64_characters_is_valid(void **state)
{
    json_t *event = event_of("successorNominated");
    set(event, "header", "eventId", repeated_text("e", 64));
    set(event, "successorNominated", "postId", repeated_text("p", 64));
    expect_valid(event);
}

static void test_id_of_65_characters_is_invalid(void **state)
{
    json_t *event = event_of("successorNominated");
    set(event, "successorNominated", "postId", repeated_text("p", 65));
    expect_invalid(event, "successorNominated.postId: an id may have at most 64 characters, "
                          "this one has 65");
    event = event_of("successorNominated");
    set(event, "header", "eventId", repeated_text("e", 65));
    expect_invalid(event, "header.eventId: an id may have at most 64 characters");
}

static void test_ids_are_measured_in_characters_not_bytes(void **state)
{
    static const char *const units[] = {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"};
    for (size_t i = 0; i < 3; i++) {
        json_t *event = event_of("vacancyClosed");
        set(event, "vacancyClosed", "vacancyId", repeated_text(units[i], 64));
        expect_valid(event);
        event = event_of("vacancyClosed");
        set(event, "vacancyClosed", "vacancyId", repeated_text(units[i], 65));
        expect_invalid(event, "vacancyClosed.vacancyId: an id may have at most 64 characters, "
                              "this one has 65");
    }
}

static void test_correlation_id_is_checked_only_when_given(void **state)
{
    json_t *event = event_of("noticeGiven");
    set(event, "header", "correlationId", json_string("\t"));
    expect_invalid(event, "header.correlationId: an id may not be only white space");
    event = event_of("noticeGiven");
    set(event, "header", "correlationId", repeated_text("c", 65));
    expect_invalid(event, "header.correlationId: an id may have at most 64 characters");
}

static void test_malformed_utf8_is_invalid(void **state)
{
    static const char *const bad[] = {
        "P\xFF",            /* not a UTF-8 byte */
        "P\xC3",            /* cut short */
        "\xC0\xAF",         /* overlong '/' */
        "\xED\xA0\x80",     /* a surrogate */
        "\xF4\x90\x80\x80", /* past U+10FFFF */
    };
    json_t *event = event_of("noticeWithdrawn");
    ProtobufCMessage *msg = decode_event(event);
    Succession__V1__VacancyEvent *ev = (Succession__V1__VacancyEvent *)msg;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        replace_string(&ev->notice_withdrawn->person_id, bad[i]);
        expect_message_invalid(msg, "noticeWithdrawn.personId: not valid UTF-8");
    }
    replace_string(&ev->notice_withdrawn->person_id, "P001");
    replace_string(&ev->header->source, "hr\xFE");
    expect_message_invalid(msg, "header.source: not valid UTF-8");
    pbjson_free(msg);
    json_decref(event);
}

/* ---- enums ---- */

static void test_unspecified_enum_is_invalid(void **state)
{
    json_t *event = event_of("successorNominated");
    set(event, "successorNominated", "readiness", json_string("READINESS_UNSPECIFIED"));
    expect_invalid(event,
                   "successorNominated.readiness: enum value READINESS_UNSPECIFIED is not allowed");
    event = event_of("talentReview");
    set(event, "talentReview", "fitAndProper", json_integer(0));
    expect_invalid(event, "talentReview.fitAndProper: enum value FIT_AND_PROPER_UNSPECIFIED");
}

static void test_unknown_enum_number_is_invalid(void **state)
{
    json_t *event = event_of("successorNominated");
    set(event, "successorNominated", "readiness", json_integer(99));
    expect_invalid(event, "successorNominated.readiness: unknown value 99 of enum "
                          "succession.v1.Readiness");
    event = event_of("appointed");
    set(event, "appointed", "kind", json_integer(-1));
    expect_invalid(event, "appointed.kind: unknown value -1");
}

/* ---- dates ---- */

static void test_impossible_date_is_invalid(void **state)
{
    json_t *event = event_of("noticeGiven");
    set(event, "noticeGiven", "leavingDate", json_string("2026-02-30"));
    expect_invalid(event, "noticeGiven.leavingDate: \"2026-02-30\" is not a real date");
    event = event_of("talentReview");
    set(event, "talentReview", "reviewDate", json_string("2025-02-29"));
    expect_invalid(event, "talentReview.reviewDate: \"2025-02-29\" is not a real date");
}

static void test_malformed_date_is_invalid(void **state)
{
    json_t *event = event_of("vacancyOpened");
    set(event, "vacancyOpened", "vacantFrom", json_string("2026-6-1"));
    expect_invalid(event, "vacancyOpened.vacantFrom: \"2026-6-1\" is not a real date written "
                          "YYYY-MM-DD");
    event = event_of("appointed");
    set(event, "appointed", "startDate", json_string("2026-06-01T00:00:00Z"));
    expect_invalid(event, "appointed.startDate: \"2026-06-01T00:00:00Z\" is not a real date");
}

static void test_given_optional_end_date_must_be_a_real_date(void **state)
{
    json_t *event = event_of("appointed");
    set(event, "appointed", "endDate", json_string("2026-13-01"));
    expect_invalid(event, "appointed.endDate: \"2026-13-01\" is not a real date");
    event = event_of("appointmentEnded");
    set(event, "appointmentEnded", "endDate", json_string("2024-02-29"));
    expect_valid(event);
}

static void test_no_event_is_invalid(void **state)
{
    char err[ERR_SIZE];
    assert_int_equal(validate_event(NULL, err, sizeof err), -1);
    assert_string_equal(err, "no event");
}

/* The packed bytes of a notice whose ids contain the marker 'X'. */
static uint8_t *packed_notice(size_t *len)
{
    Succession__V1__EventHeader h = SUCCESSION__V1__EVENT_HEADER__INIT;
    Google__Protobuf__Timestamp at = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
    at.seconds = 1772366400;
    h.event_id = "evtXone";
    h.occurred_at = &at;
    h.source = "test";
    Succession__V1__NoticeWithdrawn body = SUCCESSION__V1__NOTICE_WITHDRAWN__INIT;
    body.post_id = "RJ1-CEO";
    body.person_id = "PXone";
    Succession__V1__VacancyEvent e = SUCCESSION__V1__VACANCY_EVENT__INIT;
    e.header = &h;
    e.event_case = SUCCESSION__V1__VACANCY_EVENT__EVENT_NOTICE_WITHDRAWN;
    e.notice_withdrawn = &body;
    *len = succession__v1__vacancy_event__get_packed_size(&e);
    uint8_t *bytes = malloc(*len);
    succession__v1__vacancy_event__pack(&e, bytes);
    return bytes;
}

static void test_a_nul_byte_inside_a_string_is_caught_on_the_wire(void **state)
{
    char err[ERR_SIZE];
    size_t len;
    uint8_t *bytes = packed_notice(&len);
    assert_int_equal(
        validate_wire(&succession__v1__vacancy_event__descriptor, bytes, len, err, sizeof err), 0);
    /* The first X is in the event id, the second in the person id. */
    uint8_t *x = memchr(bytes, 'X', len);
    *x = 0;
    assert_int_equal(
        validate_wire(&succession__v1__vacancy_event__descriptor, bytes, len, err, sizeof err), -1);
    assert_string_equal(err, "header.eventId: contains a NUL byte");
    /* protobuf-c alone would have read the id as "evt". */
    Succession__V1__VacancyEvent *e = succession__v1__vacancy_event__unpack(NULL, len, bytes);
    assert_non_null(e);
    assert_string_equal(e->header->event_id, "evt");
    succession__v1__vacancy_event__free_unpacked(e, NULL);
    *x = 'X';
    *(uint8_t *)memchr(x + 1, 'X', len - (size_t)(x + 1 - bytes)) = 0;
    assert_int_equal(
        validate_wire(&succession__v1__vacancy_event__descriptor, bytes, len, err, sizeof err), -1);
    assert_string_equal(err, "noticeWithdrawn.personId: contains a NUL byte");
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_scenario_has_as_many_invalid_lines_as_dead_letters),
        cmocka_unit_test(test_invalid_scenario_lines_decode_but_fail_validation),
        cmocka_unit_test(test_a_valid_event_of_every_kind_passes),
        cmocka_unit_test(test_absent_optional_fields_are_valid),
        cmocka_unit_test(test_missing_event_id_is_invalid),
        cmocka_unit_test(test_missing_source_is_invalid),
        cmocka_unit_test(test_missing_occurred_at_is_invalid),
        cmocka_unit_test(test_missing_header_is_invalid),
        cmocka_unit_test(test_occurred_at_out_of_range_is_invalid),
        cmocka_unit_test(test_missing_event_member_is_invalid),
        cmocka_unit_test(test_every_required_body_field_missing_is_invalid),
        cmocka_unit_test(test_empty_id_is_invalid),
        cmocka_unit_test(test_whitespace_only_id_is_invalid),
        cmocka_unit_test(test_id_of_64_characters_is_valid),
        cmocka_unit_test(test_id_of_65_characters_is_invalid),
        cmocka_unit_test(test_ids_are_measured_in_characters_not_bytes),
        cmocka_unit_test(test_correlation_id_is_checked_only_when_given),
        cmocka_unit_test(test_malformed_utf8_is_invalid),
        cmocka_unit_test(test_unspecified_enum_is_invalid),
        cmocka_unit_test(test_unknown_enum_number_is_invalid),
        cmocka_unit_test(test_impossible_date_is_invalid),
        cmocka_unit_test(test_malformed_date_is_invalid),
        cmocka_unit_test(test_given_optional_end_date_must_be_a_real_date),
        cmocka_unit_test(test_no_event_is_invalid),
        cmocka_unit_test(test_a_nul_byte_inside_a_string_is_caught_on_the_wire),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
