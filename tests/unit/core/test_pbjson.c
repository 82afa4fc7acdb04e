/* Unit tests of the proto3 JSON mapping (common/core/pbjson.c): every scenario
 * line survives JSON -> message -> protobuf -> message -> JSON, the output
 * messages carry the README's JSON names, and every kind of bad input is
 * refused with the JSON path of the fault. A hand-made descriptor covers
 * the field types the succession contracts do not use (64-bit integers,
 * floating point, bytes, repeated scalars, a has_ flag). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_support.h"

#include "events.h"

#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldpath.h"
#include "pbjson.h"
#include "google/protobuf/timestamp.pb-c.h"
#include "succession/v1/appointment.pb-c.h"
#include "succession/v1/appraisal.pb-c.h"
#include "succession/v1/outputs.pb-c.h"
#include "succession/v1/vacancy.pb-c.h"

#define ERR_SIZE  256
#define PATH_SIZE 4096

/* ---- a message with the field types the contracts lack ---- */

typedef struct {
    ProtobufCMessage base;
    int64_t big;
    uint64_t ubig;
    double ratio;
    float small;
    ProtobufCBinaryData blob;
    size_t n_counts;
    int32_t *counts;
    size_t n_names;
    char **names;
    uint32_t u32;
    protobuf_c_boolean has_opt;
    int32_t opt;
    size_t n_stamps;
    Google__Protobuf__Timestamp **stamps;
} Sample;

static const ProtobufCMessageDescriptor sample_descriptor;

/* The message_init of Sample: everything zero. */
static void sample_init(ProtobufCMessage *message)
{
    memset(message, 0, sizeof(Sample));
    message->descriptor = &sample_descriptor;
}

#define SAMPLE_FIELD(name, id, label, type, quantifier, desc)                                      \
    {                                                                                              \
#name, id, PROTOBUF_C_LABEL_##label, PROTOBUF_C_TYPE_##type, quantifier,                   \
            offsetof(Sample, name), desc, NULL, 0, 0, NULL, NULL                                   \
    }

static const ProtobufCFieldDescriptor sample_fields[] = {
    SAMPLE_FIELD(big, 1, NONE, INT64, 0, NULL),
    SAMPLE_FIELD(ubig, 2, NONE, UINT64, 0, NULL),
    SAMPLE_FIELD(ratio, 3, NONE, DOUBLE, 0, NULL),
    SAMPLE_FIELD(small, 4, NONE, FLOAT, 0, NULL),
    SAMPLE_FIELD(blob, 5, NONE, BYTES, 0, NULL),
    SAMPLE_FIELD(counts, 6, REPEATED, INT32, offsetof(Sample, n_counts), NULL),
    SAMPLE_FIELD(names, 7, REPEATED, STRING, offsetof(Sample, n_names), NULL),
    SAMPLE_FIELD(u32, 8, NONE, UINT32, 0, NULL),
    SAMPLE_FIELD(opt, 9, OPTIONAL, INT32, offsetof(Sample, has_opt), NULL),
    SAMPLE_FIELD(stamps, 10, REPEATED, MESSAGE, offsetof(Sample, n_stamps),
                 &google__protobuf__timestamp__descriptor),
};

/* Field indices in name order: big blob counts names opt ratio small
 * stamps u32 ubig. */
static const unsigned sample_fields_by_name[] = {0, 4, 5, 6, 8, 2, 3, 9, 7, 1};
static const ProtobufCIntRange sample_ranges[] = {{1, 0}, {0, 10}};

static const ProtobufCMessageDescriptor sample_descriptor = {
    PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC,
    "test.Sample",
    "Sample",
    "Sample",
    "test",
    sizeof(Sample),
    10,
    sample_fields,
    sample_fields_by_name,
    1,
    sample_ranges,
    sample_init,
    NULL,
    NULL,
    NULL,
};

/* ---- helpers ---- */

/* Decodes text as a desc message, failing the test on any error. */
static ProtobufCMessage *decode_ok(const ProtobufCMessageDescriptor *desc, const char *text)
{
    json_error_t jerr;
    json_t *json = json_loads(text, JSON_ALLOW_NUL, &jerr);
    if (!json)
        fail_msg("bad test JSON: %s", jerr.text);
    ProtobufCMessage *msg = NULL;
    char err[ERR_SIZE];
    if (pbjson_decode(desc, json, &msg, err, sizeof err))
        fail_msg("decode failed: %s", err);
    json_decref(json);
    assert_non_null(msg);
    return msg;
}

/* Decoding text as a desc message fails with exactly the error expected. */
static void expect_error(const ProtobufCMessageDescriptor *desc, const char *text,
                         const char *expected)
{
    json_error_t jerr;
    json_t *json = json_loads(text, JSON_ALLOW_NUL | JSON_DECODE_ANY, &jerr);
    if (!json)
        fail_msg("bad test JSON: %s", jerr.text);
    ProtobufCMessage *msg = (ProtobufCMessage *)1;
    char err[ERR_SIZE];
    assert_int_equal(pbjson_decode(desc, json, &msg, err, sizeof err), -1);
    assert_null(msg);
    assert_string_equal(err, expected);
    json_decref(json);
}

/* Whether every member of `part` is in `whole` with an equal value,
 * objects compared the same way recursively. */
static int json_is_subset(json_t *part, json_t *whole)
{
    if (!json_is_object(part) || !json_is_object(whole))
        return json_equal(part, whole);
    const char *key;
    json_t *value;
    json_object_foreach(part, key, value)
    {
        json_t *other = json_object_get(whole, key);
        if (!other || !json_is_subset(value, other))
            return 0;
    }
    return 1;
}

/* The text of member key of object obj, failing the test if it is not a
 * string. */
static const char *member_text(json_t *obj, const char *key)
{
    json_t *value = json_object_get(obj, key);
    if (!json_is_string(value))
        fail_msg("member %s is not a string", key);
    return json_string_value(value);
}

/* The message type of an event topic. */
static const ProtobufCMessageDescriptor *descriptor_for_topic(const char *topic)
{
    const events_kind_t *kind = topic ? events_kind_by_name(topic) : NULL;
    if (!kind)
        fail_msg("unknown topic %s", topic ? topic : "(none)");
    return kind ? kind->descriptor : NULL;
}

/* Packs msg into a new buffer (*len bytes). */
static uint8_t *pack(const ProtobufCMessage *msg, size_t *len)
{
    *len = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = malloc(*len + 1);
    assert_non_null(buf);
    assert_int_equal(protobuf_c_message_pack(msg, buf), *len);
    return buf;
}

/* ---- the scenarios ---- */

/* One scenario line: decoded, packed, unpacked and encoded again, it gives
 * every member it had; decoded once more it packs to the same bytes. */
static void check_line_round_trips(const char *line, const char *where)
{
    json_error_t jerr;
    json_t *input = json_loads(line, 0, &jerr);
    if (!input)
        fail_msg("%s: %s", where, jerr.text);
    const ProtobufCMessageDescriptor *desc =
        descriptor_for_topic(json_string_value(json_object_get(input, "topic")));
    json_object_del(input, "topic");
    ProtobufCMessage *first = NULL, *second = NULL;
    char err[ERR_SIZE];
    if (pbjson_decode(desc, input, &first, err, sizeof err))
        fail_msg("%s: %s", where, err);
    size_t len1, len2;
    uint8_t *bytes1 = pack(first, &len1);
    ProtobufCMessage *unpacked = protobuf_c_message_unpack(desc, NULL, len1, bytes1);
    assert_non_null(unpacked);
    json_t *output = pbjson_encode(unpacked);
    assert_non_null(output);
    if (!json_is_subset(input, output))
        fail_msg("%s: members changed in the round trip", where);
    if (pbjson_decode(desc, output, &second, err, sizeof err))
        fail_msg("%s: output does not decode: %s", where, err);
    uint8_t *bytes2 = pack(second, &len2);
    assert_int_equal(len1, len2);
    assert_memory_equal(bytes1, bytes2, len1);
    free(bytes1);
    free(bytes2);
    json_decref(input);
    json_decref(output);
    protobuf_c_message_free_unpacked(unpacked, NULL);
    pbjson_free(first);
    pbjson_free(second);
}

static void test_every_scenario_line_round_trips(void **state)
{
    char pattern[PATH_SIZE + 32];
    snprintf(pattern, sizeof pattern, "%s/*/events.jsonl", scenarios_dir());
    glob_t files;
    assert_int_equal(glob(pattern, 0, NULL, &files), 0);
    size_t lines = 0;
    for (size_t i = 0; i < files.gl_pathc; i++) {
        FILE *f = fopen(files.gl_pathv[i], "r");
        assert_non_null(f);
        char *line = NULL;
        size_t cap = 0;
        for (size_t n = 1; getline(&line, &cap, f) > 0; n++, lines++) {
            char where[PATH_SIZE + 32];
            snprintf(where, sizeof where, "%s:%zu", files.gl_pathv[i], n);
            check_line_round_trips(line, where);
        }
        free(line);
        fclose(f);
    }
    globfree(&files);
    assert_true(lines > 0);
}

/* ---- names ---- */

static void test_field_name_is_lower_camel_case(void **state)
{
    char buf[64];
    fieldpath_json_name("incumbent_person_id", buf, sizeof buf);
    assert_string_equal(buf, "incumbentPersonId");
    fieldpath_json_name("ready_now", buf, sizeof buf);
    assert_string_equal(buf, "readyNow");
    fieldpath_json_name("source", buf, sizeof buf);
    assert_string_equal(buf, "source");
    fieldpath_json_name("incumbent_person_id", buf, 5);
    assert_string_equal(buf, "incu");
}

static void test_snake_case_names_are_accepted_too(void **state)
{
    ProtobufCMessage *msg = decode_ok(&succession__v1__appraisal_event__descriptor,
                                      "{\"header\":{\"event_id\":\"e1\",\"occurred_at\":"
                                      "\"2026-03-01T12:00:00Z\"},\"successor_nominated\":"
                                      "{\"post_id\":\"RJ1-CEO\",\"emergency_cover\":true}}");
    const Succession__V1__AppraisalEvent *ev = (const Succession__V1__AppraisalEvent *)msg;
    assert_string_equal(ev->header->event_id, "e1");
    assert_int_equal(ev->header->occurred_at->seconds, 1772366400);
    assert_int_equal(ev->event_case, SUCCESSION__V1__APPRAISAL_EVENT__EVENT_SUCCESSOR_NOMINATED);
    assert_string_equal(ev->successor_nominated->post_id, "RJ1-CEO");
    assert_true(ev->successor_nominated->emergency_cover);
    pbjson_free(msg);
}

static void test_post_status_uses_the_readme_names(void **state)
{
    Succession__V1__Successor s0 = SUCCESSION__V1__SUCCESSOR__INIT;
    Succession__V1__Successor s1 = SUCCESSION__V1__SUCCESSOR__INIT;
    s0.person_id = "P010";
    s0.readiness = SUCCESSION__V1__READINESS__READINESS_READY_NOW;
    s0.assessed_on = "2026-02-10";
    s0.eligible = 1;
    s1.person_id = "P011";
    s1.readiness = SUCCESSION__V1__READINESS__READINESS_READY_1_2_YEARS;
    Succession__V1__Successor *successors[] = {&s0, &s1};
    Succession__V1__Reason reasons[] = {SUCCESSION__V1__REASON__REASON_NO_READY_NOW_SUCCESSOR,
                                        SUCCESSION__V1__REASON__REASON_STALE_ASSESSMENTS};
    Google__Protobuf__Timestamp at = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
    at.seconds = 1780272000; /* 2026-06-01T00:00:00Z */
    Succession__V1__PostStatus ps = SUCCESSION__V1__POST_STATUS__INIT;
    ps.post_id = "RJ1-CEO";
    ps.at_risk = 1;
    ps.severity = SUCCESSION__V1__SEVERITY__SEVERITY_HIGH;
    ps.ready_soon = 1;
    ps.stale_nominations = 2;
    ps.incumbent_person_id = "P001";
    ps.leaving_date = "2026-08-31";
    ps.n_reasons = 2;
    ps.reasons = reasons;
    ps.n_successors = 2;
    ps.successors = successors;
    ps.evaluated_at = &at;
    json_t *json = pbjson_encode(&ps.base);
    assert_non_null(json);
    assert_string_equal(member_text(json, "postId"), "RJ1-CEO");
    assert_true(json_is_true(json_object_get(json, "atRisk")));
    assert_string_equal(member_text(json, "severity"), "SEVERITY_HIGH");
    assert_int_equal(json_integer_value(json_object_get(json, "readyNow")), 0);
    assert_true(json_is_integer(json_object_get(json, "readyNow")));
    assert_int_equal(json_integer_value(json_object_get(json, "readySoon")), 1);
    assert_int_equal(json_integer_value(json_object_get(json, "staleNominations")), 2);
    assert_string_equal(member_text(json, "incumbentPersonId"), "P001");
    assert_string_equal(member_text(json, "leavingDate"), "2026-08-31");
    assert_string_equal(member_text(json, "evaluatedAt"), "2026-06-01T00:00:00Z");
    json_t *expected_reasons =
        json_pack("[ss]", "REASON_NO_READY_NOW_SUCCESSOR", "REASON_STALE_ASSESSMENTS");
    assert_true(json_equal(json_object_get(json, "reasons"), expected_reasons));
    json_t *expected_first =
        json_pack("{s:s,s:s,s:s,s:b}", "personId", "P010", "readiness", "READINESS_READY_NOW",
                  "assessedOn", "2026-02-10", "eligible", 1);
    json_t *list = json_object_get(json, "successors");
    assert_int_equal(json_array_size(list), 2);
    assert_true(json_is_subset(expected_first, json_array_get(list, 0)));
    assert_string_equal(member_text(json_array_get(list, 1), "readiness"),
                        "READINESS_READY_1_2_YEARS");
    json_decref(expected_reasons);
    json_decref(expected_first);
    json_decref(json);
}

static void test_succession_alert_uses_the_readme_names(void **state)
{
    Succession__V1__Reason reasons[] = {SUCCESSION__V1__REASON__REASON_POST_VACANT};
    Google__Protobuf__Timestamp at = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
    at.seconds = 1780272000;
    at.nanos = 500000000;
    Succession__V1__SuccessionAlert alert = SUCCESSION__V1__SUCCESSION_ALERT__INIT;
    alert.alert_id = "RJ1-CEO#3";
    alert.post_id = "RJ1-CEO";
    alert.sequence = 3;
    alert.state = SUCCESSION__V1__ALERT_STATE__ALERT_STATE_ESCALATED;
    alert.severity = SUCCESSION__V1__SEVERITY__SEVERITY_CRITICAL;
    alert.n_reasons = 1;
    alert.reasons = reasons;
    alert.caused_by_event_id = "evt-0302";
    alert.evaluated_at = &at;
    json_t *json = pbjson_encode(&alert.base);
    assert_non_null(json);
    json_t *expected =
        json_pack("{s:s,s:s,s:i,s:s,s:s,s:s,s:i,s:i,s:[s],s:s,s:s}", "alertId", "RJ1-CEO#3",
                  "postId", "RJ1-CEO", "sequence", 3, "state", "ALERT_STATE_ESCALATED", "severity",
                  "SEVERITY_CRITICAL", "previousSeverity", "SEVERITY_NONE", "readyNow", 0,
                  "readySoon", 0, "reasons", "REASON_POST_VACANT", "causedByEventId", "evt-0302",
                  "evaluatedAt", "2026-06-01T00:00:00.500Z");
    assert_non_null(expected);
    assert_true(json_is_subset(expected, json));
    json_decref(expected);
    json_decref(json);
}

static void test_defaults_are_written_and_unset_messages_left_out(void **state)
{
    Succession__V1__PostStatus ps = SUCCESSION__V1__POST_STATUS__INIT;
    json_t *json = pbjson_encode(&ps.base);
    assert_non_null(json);
    assert_true(json_is_false(json_object_get(json, "atRisk")));
    assert_string_equal(member_text(json, "severity"), "SEVERITY_NONE");
    assert_true(json_is_integer(json_object_get(json, "staleNominations")));
    assert_string_equal(member_text(json, "incumbentPersonId"), "");
    assert_int_equal(json_array_size(json_object_get(json, "reasons")), 0);
    assert_true(json_is_array(json_object_get(json, "successors")));
    assert_null(json_object_get(json, "thresholds"));
    assert_null(json_object_get(json, "evaluatedAt"));
    json_decref(json);
}

/* ---- refusals ---- */

static void test_unknown_member_is_rejected_with_its_name(void **state)
{
    expect_error(&succession__v1__appraisal_event__descriptor,
                 "{\"header\":{\"eventId\":\"e\",\"colour\":\"red\"}}",
                 "header.colour: unknown member");
    expect_error(&succession__v1__appraisal_event__descriptor, "{\"topic\":\"appraisal\"}",
                 "topic: unknown member");
}

static void test_wrong_json_type_is_rejected_with_its_path(void **state)
{
    expect_error(&succession__v1__post_status__descriptor,
                 "{\"successors\":[{},{},{\"personId\":5}]}",
                 "successors[2].personId: expected a string, got a number");
    expect_error(&succession__v1__post_status__descriptor, "{\"atRisk\":\"yes\"}",
                 "atRisk: expected true or false, got a string");
    expect_error(&succession__v1__post_status__descriptor, "{\"reasons\":\"REASON_POST_VACANT\"}",
                 "reasons: expected an array, got a string");
    expect_error(&succession__v1__appraisal_event__descriptor, "{\"header\":[]}",
                 "header: expected an object, got an array");
    expect_error(&succession__v1__appraisal_event__descriptor, "[]",
                 "expected an object, got an array");
}

static void test_malformed_instant_is_rejected_with_its_path(void **state)
{
    expect_error(&succession__v1__vacancy_event__descriptor,
                 "{\"header\":{\"occurredAt\":\"2026-03-01 12:00:00\"}}",
                 "header.occurredAt: not an RFC 3339 instant");
    expect_error(&succession__v1__vacancy_event__descriptor,
                 "{\"header\":{\"occurredAt\":\"2026-02-30T12:00:00Z\"}}",
                 "header.occurredAt: not an RFC 3339 instant");
    expect_error(&succession__v1__vacancy_event__descriptor,
                 "{\"header\":{\"occurredAt\":\"0001-01-01T00:00:00+01:00\"}}",
                 "header.occurredAt: instant out of range (years 0001 to 9999)");
}

static void test_instant_with_offset_and_fraction_is_written_in_utc(void **state)
{
    ProtobufCMessage *msg =
        decode_ok(&succession__v1__event_header__descriptor,
                  "{\"eventId\":\"e\",\"occurredAt\":\"2026-03-01T12:00:00.5+01:00\"}");
    json_t *json = pbjson_encode(msg);
    assert_string_equal(member_text(json, "occurredAt"), "2026-03-01T11:00:00.500Z");
    json_decref(json);
    pbjson_free(msg);
}

static void test_unknown_enum_name_is_rejected(void **state)
{
    expect_error(&succession__v1__appraisal_event__descriptor,
                 "{\"successorNominated\":{\"readiness\":\"READY\"}}",
                 "successorNominated.readiness: unknown value \"READY\" of enum "
                 "succession.v1.Readiness");
    expect_error(&succession__v1__appraisal_event__descriptor,
                 "{\"successorNominated\":{\"readiness\":true}}",
                 "successorNominated.readiness: expected an enum value name, got a boolean");
}

static void test_enum_numbers_are_accepted_as_given(void **state)
{
    ProtobufCMessage *msg = decode_ok(&succession__v1__appraisal_event__descriptor,
                                      "{\"successorNominated\":{\"readiness\":99}}");
    const Succession__V1__AppraisalEvent *ev = (const Succession__V1__AppraisalEvent *)msg;
    assert_int_equal(ev->successor_nominated->readiness, 99);
    json_t *json = pbjson_encode(msg);
    json_t *readiness = json_object_get(json_object_get(json, "successorNominated"), "readiness");
    assert_int_equal(json_integer_value(readiness), 99);
    json_decref(json);
    pbjson_free(msg);
    msg = decode_ok(&succession__v1__appraisal_event__descriptor,
                    "{\"successorNominated\":{\"readiness\":1}}");
    json = pbjson_encode(msg);
    readiness = json_object_get(json_object_get(json, "successorNominated"), "readiness");
    assert_string_equal(json_string_value(readiness), "READINESS_READY_NOW");
    json_decref(json);
    pbjson_free(msg);
}

static void test_null_members_are_treated_as_absent(void **state)
{
    ProtobufCMessage *msg =
        decode_ok(&succession__v1__appraisal_event__descriptor,
                  "{\"header\":null,\"successorNominated\":null,\"talentReview\":null}");
    const Succession__V1__AppraisalEvent *ev = (const Succession__V1__AppraisalEvent *)msg;
    assert_null(ev->header);
    assert_int_equal(ev->event_case, SUCCESSION__V1__APPRAISAL_EVENT__EVENT__NOT_SET);
    pbjson_free(msg);
    msg = decode_ok(&succession__v1__event_header__descriptor,
                    "{\"eventId\":\"e\",\"correlationId\":null,\"occurredAt\":null}");
    const Succession__V1__EventHeader *h = (const Succession__V1__EventHeader *)msg;
    assert_string_equal(h->correlation_id, "");
    assert_null(h->occurred_at);
    pbjson_free(msg);
}

static void test_two_event_members_are_rejected(void **state)
{
    expect_error(&succession__v1__appraisal_event__descriptor,
                 "{\"successorNominated\":{\"postId\":\"A\"},\"successorWithdrawn\":{}}",
                 "successorWithdrawn: only one member of a oneof may be given");
}

static void test_a_field_given_under_both_names_is_rejected(void **state)
{
    expect_error(&succession__v1__event_header__descriptor,
                 "{\"eventId\":\"a\",\"event_id\":\"b\"}", "event_id: given twice");
}

static void test_string_with_nul_is_rejected(void **state)
{
    expect_error(&succession__v1__event_header__descriptor, "{\"source\":\"a\\u0000b\"}",
                 "source: a string may not contain a NUL character");
}

/* ---- the types the contracts do not use ---- */

static void test_64_bit_integers_are_strings_out_and_either_in(void **state)
{
    ProtobufCMessage *msg =
        decode_ok(&sample_descriptor, "{\"big\":-5,\"ubig\":\"18446744073709551615\"}");
    const Sample *s = (const Sample *)msg;
    assert_true(s->big == -5);
    assert_true(s->ubig == UINT64_MAX);
    json_t *json = pbjson_encode(msg);
    assert_string_equal(member_text(json, "big"), "-5");
    assert_string_equal(member_text(json, "ubig"), "18446744073709551615");
    json_decref(json);
    pbjson_free(msg);
    msg = decode_ok(&sample_descriptor, "{\"big\":\"-9223372036854775808\",\"ubig\":7}");
    assert_true(((const Sample *)msg)->big == INT64_MIN);
    assert_true(((const Sample *)msg)->ubig == 7);
    pbjson_free(msg);
    expect_error(&sample_descriptor, "{\"big\":\"9223372036854775808\"}",
                 "big: not an integer or out of range");
    expect_error(&sample_descriptor, "{\"big\":\" 5\"}", "big: not an integer or out of range");
    expect_error(&sample_descriptor, "{\"ubig\":\"-1\"}",
                 "ubig: not an unsigned integer or out of range");
    expect_error(&sample_descriptor, "{\"ubig\":-1}", "ubig: negative value for an unsigned field");
}

static void test_32_bit_integers_out_of_range_are_rejected(void **state)
{
    expect_error(&sample_descriptor, "{\"u32\":4294967296}", "u32: 4294967296 is out of range");
    expect_error(&sample_descriptor, "{\"counts\":[1,2147483648]}",
                 "counts[1]: 2147483648 is out of range");
    expect_error(&sample_descriptor, "{\"counts\":[1.5]}",
                 "counts[0]: expected an integer, got 1.5");
    expect_error(&sample_descriptor, "{\"counts\":[null]}",
                 "counts[0]: null is not allowed in an array");
    ProtobufCMessage *msg = decode_ok(&sample_descriptor, "{\"counts\":[3.0,\"-4\"],\"u32\":9}");
    const Sample *s = (const Sample *)msg;
    assert_int_equal(s->n_counts, 2);
    assert_int_equal(s->counts[0], 3);
    assert_int_equal(s->counts[1], -4);
    assert_int_equal(s->u32, 9);
    pbjson_free(msg);
}

static void test_bytes_are_base64_in_both_directions(void **state)
{
    ProtobufCMessage *msg = decode_ok(&sample_descriptor, "{\"blob\":\"aGVsbG8=\"}");
    const Sample *s = (const Sample *)msg;
    assert_int_equal(s->blob.len, 5);
    assert_memory_equal(s->blob.data, "hello", 5);
    pbjson_free(msg);
    msg = decode_ok(&sample_descriptor, "{\"blob\":\"_-8\"}"); /* URL-safe, unpadded */
    s = (const Sample *)msg;
    assert_int_equal(s->blob.len, 2);
    assert_int_equal(s->blob.data[0], 0xFF);
    assert_int_equal(s->blob.data[1], 0xEF);
    json_t *json = pbjson_encode(msg);
    assert_string_equal(member_text(json, "blob"), "/+8=");
    json_decref(json);
    pbjson_free(msg);
    expect_error(&sample_descriptor, "{\"blob\":\"a\"}", "blob: not valid base64");
    expect_error(&sample_descriptor, "{\"blob\":\"ab=c\"}", "blob: not valid base64");
    expect_error(&sample_descriptor, "{\"blob\":\"abc==\"}", "blob: not valid base64");
}

static void test_special_floating_values_are_strings(void **state)
{
    ProtobufCMessage *msg = decode_ok(&sample_descriptor, "{\"ratio\":\"NaN\",\"small\":0.5}");
    const Sample *s = (const Sample *)msg;
    assert_true(isnan(s->ratio));
    assert_true(s->small == 0.5f);
    json_t *json = pbjson_encode(msg);
    assert_string_equal(member_text(json, "ratio"), "NaN");
    assert_true(json_real_value(json_object_get(json, "small")) == 0.5);
    json_decref(json);
    pbjson_free(msg);
    msg = decode_ok(&sample_descriptor, "{\"ratio\":\"-Infinity\"}");
    json = pbjson_encode(msg);
    assert_string_equal(member_text(json, "ratio"), "-Infinity");
    json_decref(json);
    pbjson_free(msg);
    expect_error(&sample_descriptor, "{\"small\":1e39}", "small: number out of range for a float");
    expect_error(&sample_descriptor, "{\"ratio\":\"lots\"}", "ratio: not a number");
}

static void test_optional_scalar_is_written_only_when_set(void **state)
{
    ProtobufCMessage *msg = decode_ok(&sample_descriptor, "{}");
    json_t *json = pbjson_encode(msg);
    assert_null(json_object_get(json, "opt"));
    assert_string_equal(member_text(json, "big"), "0");
    json_decref(json);
    pbjson_free(msg);
    msg = decode_ok(&sample_descriptor, "{\"opt\":0}");
    assert_true(((const Sample *)msg)->has_opt);
    json = pbjson_encode(msg);
    assert_true(json_is_integer(json_object_get(json, "opt")));
    json_decref(json);
    pbjson_free(msg);
}

static void test_repeated_fields_round_trip_through_protobuf(void **state)
{
    ProtobufCMessage *msg =
        decode_ok(&sample_descriptor, "{\"counts\":[1,-2,3],\"names\":[\"a\",\"\",\"é\"],"
                                      "\"stamps\":[\"2026-01-01T00:00:00Z\",{\"seconds\":\"5\"}]}");
    size_t len;
    uint8_t *bytes = pack(msg, &len);
    ProtobufCMessage *unpacked = protobuf_c_message_unpack(&sample_descriptor, NULL, len, bytes);
    assert_non_null(unpacked);
    json_t *json = pbjson_encode(unpacked);
    json_t *expected = json_pack("{s:[i,i,i],s:[s,s,s],s:[s,s]}", "counts", 1, -2, 3, "names", "a",
                                 "", "é", "stamps", "2026-01-01T00:00:00Z", "1970-01-01T00:00:05Z");
    assert_non_null(expected);
    assert_true(json_is_subset(expected, json));
    json_decref(expected);
    json_decref(json);
    free(bytes);
    protobuf_c_message_free_unpacked(unpacked, NULL);
    pbjson_free(msg);
}

static void test_failure_part_way_names_the_element_and_frees_everything(void **state)
{
    expect_error(&sample_descriptor, "{\"names\":[\"a\",\"b\",5]}",
                 "names[2]: expected a string, got a number");
    expect_error(&sample_descriptor,
                 "{\"names\":[\"a\"],\"stamps\":[\"2026-01-01T00:00:00Z\","
                 "{\"seconds\":\"1\",\"bogus\":1}]}",
                 "stamps[1].bogus: unknown member");
    expect_error(&succession__v1__appraisal_event__descriptor,
                 "{\"header\":{\"eventId\":\"e\",\"source\":\"s\"},"
                 "\"successorNominated\":{\"postId\":\"A\",\"personId\":7}}",
                 "successorNominated.personId: expected a string, got a number");
}

static void test_out_of_range_timestamp_is_written_as_an_object(void **state)
{
    Google__Protobuf__Timestamp late = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
    late.seconds = INT64_C(253402300800); /* 10000-01-01 */
    Succession__V1__EventHeader h = SUCCESSION__V1__EVENT_HEADER__INIT;
    h.occurred_at = &late;
    json_t *json = pbjson_encode(&h.base);
    json_t *at = json_object_get(json, "occurredAt");
    assert_true(json_is_object(at));
    assert_string_equal(member_text(at, "seconds"), "253402300800");
    ProtobufCMessage *back = NULL;
    char err[ERR_SIZE];
    assert_int_equal(
        pbjson_decode(&succession__v1__event_header__descriptor, json, &back, err, sizeof err), 0);
    assert_true(((Succession__V1__EventHeader *)back)->occurred_at->seconds == late.seconds);
    pbjson_free(back);
    json_decref(json);
}

static void test_malformed_utf8_is_written_as_escaped_bytes(void **state)
{
    char source[] = "a\xff"
                    "b\xc3";
    Succession__V1__EventHeader h = SUCCESSION__V1__EVENT_HEADER__INIT;
    h.source = source;
    json_t *json = pbjson_encode(&h.base);
    assert_non_null(json);
    assert_string_equal(member_text(json, "source"), "a\\xFFb\\xC3");
    json_decref(json);
}

static void test_any_bytes_become_a_json_string(void **state)
{
    json_t *json = pbjson_string("a\0b", 3); /* well-formed: kept, NUL and all */
    assert_int_equal(json_string_length(json), 3);
    assert_memory_equal(json_string_value(json), "a\0b", 3);
    json_decref(json);
    json = pbjson_string("\xC3\xA9\xFF", 3);
    assert_string_equal(json_string_value(json), "\xC3\xA9\\xFF");
    json_decref(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_scenario_line_round_trips),
        cmocka_unit_test(test_field_name_is_lower_camel_case),
        cmocka_unit_test(test_snake_case_names_are_accepted_too),
        cmocka_unit_test(test_post_status_uses_the_readme_names),
        cmocka_unit_test(test_succession_alert_uses_the_readme_names),
        cmocka_unit_test(test_defaults_are_written_and_unset_messages_left_out),
        cmocka_unit_test(test_unknown_member_is_rejected_with_its_name),
        cmocka_unit_test(test_wrong_json_type_is_rejected_with_its_path),
        cmocka_unit_test(test_malformed_instant_is_rejected_with_its_path),
        cmocka_unit_test(test_instant_with_offset_and_fraction_is_written_in_utc),
        cmocka_unit_test(test_unknown_enum_name_is_rejected),
        cmocka_unit_test(test_enum_numbers_are_accepted_as_given),
        cmocka_unit_test(test_null_members_are_treated_as_absent),
        cmocka_unit_test(test_two_event_members_are_rejected),
        cmocka_unit_test(test_a_field_given_under_both_names_is_rejected),
        cmocka_unit_test(test_string_with_nul_is_rejected),
        cmocka_unit_test(test_64_bit_integers_are_strings_out_and_either_in),
        cmocka_unit_test(test_32_bit_integers_out_of_range_are_rejected),
        cmocka_unit_test(test_bytes_are_base64_in_both_directions),
        cmocka_unit_test(test_special_floating_values_are_strings),
        cmocka_unit_test(test_optional_scalar_is_written_only_when_set),
        cmocka_unit_test(test_repeated_fields_round_trip_through_protobuf),
        cmocka_unit_test(test_failure_part_way_names_the_element_and_frees_everything),
        cmocka_unit_test(test_out_of_range_timestamp_is_written_as_an_object),
        cmocka_unit_test(test_malformed_utf8_is_written_as_escaped_bytes),
        cmocka_unit_test(test_any_bytes_become_a_json_string),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
