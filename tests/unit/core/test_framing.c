/* framing: bare protobuf and the schema registry's framed form told apart;
 * good, truncated and malformed headers; the message index each topic takes
 * checked against its .proto file; and the judge taking either form of the
 * same event alike, refusing one framed as another message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "events.h"
#include "framing.h"
#include "judge.h"
#include "pbjson.h"

static const uint8_t body[] = {0x0a, 0x03, 'a', 'b', 'c'};

/* in (len bytes) parsed without error into *f. */
static void parse_ok(const uint8_t *in, size_t len, framing_t *f)
{
    char err[256] = "";
    assert_int_equal(framing_parse(in, len, f, err, sizeof err), 0);
    assert_string_equal(err, "");
}

/* in (len bytes) refused, with a reason holding `words`. */
static void parse_refused(const uint8_t *in, size_t len, const char *words)
{
    framing_t f;
    char err[256] = "";
    assert_int_equal(framing_parse(in, len, &f, err, sizeof err), -1);
    if (!strstr(err, words))
        fail_msg("reason '%s' does not say '%s'", err, words);
}

static void test_bare_protobuf_is_the_whole_input(void **state)
{
    framing_t f;
    parse_ok(body, sizeof body, &f);
    assert_false(f.framed);
    assert_ptr_equal(f.message, body);
    assert_int_equal(f.message_len, sizeof body);
    assert_true(framing_names(&f, 4)); /* bare bytes name no message: the topic's */
    parse_ok(NULL, 0, &f);
    assert_false(f.framed);
    assert_int_equal(f.message_len, 0);
}

static void test_a_first_byte_other_than_the_magic_zero_is_bare(void **state)
{
    /* 0x01 is no magic byte: the bytes are bare, and the protobuf decoder
     * judges them (field 0 does not exist, so it refuses them). */
    const uint8_t in[] = {0x01, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x0a, 0x00};
    framing_t f;
    parse_ok(in, sizeof in, &f);
    assert_false(f.framed);
    assert_int_equal(f.message_len, sizeof in);
}

static void test_the_single_zero_stands_for_the_first_message(void **state)
{
    const uint8_t in[] = {0x00, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x0a, 0x03, 'a', 'b', 'c'};
    framing_t f;
    parse_ok(in, sizeof in, &f);
    assert_true(f.framed);
    assert_int_equal(f.schema_id, 42);
    assert_int_equal(f.depth, 1);
    assert_int_equal(f.indexes[0], 0);
    assert_ptr_equal(f.message, in + 6);
    assert_memory_equal(f.message, body, sizeof body);
    assert_int_equal(f.message_len, sizeof body);
    assert_true(framing_names(&f, 0));
    assert_false(framing_names(&f, 4));
}

static void test_a_path_and_a_big_endian_schema_id_are_read(void **state)
{
    /* schema id 0x01020304, path of length 1 (zig-zag 2) holding 4 (8). */
    const uint8_t in[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x02, 0x08, 0x0a, 0x00};
    framing_t f;
    parse_ok(in, sizeof in, &f);
    assert_int_equal(f.schema_id, 0x01020304);
    assert_int_equal(f.depth, 1);
    assert_int_equal(f.indexes[0], 4);
    assert_int_equal(f.message_len, 2);
    assert_true(framing_names(&f, 4));
    assert_false(framing_names(&f, 3));
    /* A nested message, [4, 1], is not the top-level message 4. */
    const uint8_t nested[] = {0x00, 0xff, 0xff, 0xff, 0xff, 0x04, 0x08, 0x02};
    parse_ok(nested, sizeof nested, &f);
    assert_int_equal(f.schema_id, 0xffffffffu);
    assert_int_equal(f.depth, 2);
    assert_int_equal(f.indexes[1], 1);
    assert_int_equal(f.message_len, 0);
    assert_false(framing_names(&f, 4));
    char text[64];
    framing_path_text(&f, text, sizeof text);
    assert_string_equal(text, "[4, 1]");
}

static void test_a_message_cut_inside_its_header_is_refused(void **state)
{
    const uint8_t in[] = {0x00, 0x00, 0x00, 0x00, 0x2a, 0x04, 0x08};
    for (size_t len = 1; len <= 5; len++)
        parse_refused(in, len, "shorter than its header");
    /* The path says two entries and holds one. */
    parse_refused(in, sizeof in, "message index at byte 7 is not a varint");
}

static void test_huge_or_overlong_varints_are_refused(void **state)
{
    /* Six bytes, all but the last with the continuation bit. */
    const uint8_t overlong[] = {0x00, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    parse_refused(overlong, sizeof overlong, "message-index length at byte 5 is not a varint");
    /* Five bytes, but 35 bits. */
    const uint8_t wide[] = {0x00, 0, 0, 0, 1, 0x02, 0xfe, 0xff, 0xff, 0xff, 0x7f};
    parse_refused(wide, sizeof wide, "message index at byte 6 is not a varint");
    /* The largest index that fits: zig-zag 0xfffffffe is 2^31 - 1. */
    const uint8_t widest[] = {0x00, 0, 0, 0, 1, 0x02, 0xfe, 0xff, 0xff, 0xff, 0x0f};
    framing_t f;
    parse_ok(widest, sizeof widest, &f);
    assert_int_equal(f.indexes[0], 0x7fffffff);
}

static void test_negative_lengths_and_indexes_and_deep_paths_are_refused(void **state)
{
    const uint8_t negative_length[] = {0x00, 0, 0, 0, 1, 0x01, 0x00};
    parse_refused(negative_length, sizeof negative_length,
                  "message-index length at byte 5 is negative");
    const uint8_t negative_index[] = {0x00, 0, 0, 0, 1, 0x02, 0x03};
    parse_refused(negative_index, sizeof negative_index, "message index at byte 6 is negative");
    uint8_t deep[6 + FRAMING_MAX_DEPTH + 1] = {0x00, 0, 0, 0, 1, 2 * (FRAMING_MAX_DEPTH + 1)};
    parse_refused(deep, sizeof deep, "17 entries, more than 16");
    deep[5] = 2 * FRAMING_MAX_DEPTH; /* 16 zeros follow: as deep as accepted */
    framing_t f;
    parse_ok(deep, 6 + FRAMING_MAX_DEPTH, &f);
    assert_int_equal(f.depth, FRAMING_MAX_DEPTH);
}

static void test_headers_written_read_back(void **state)
{
    const uint32_t ids[] = {0, 1, 42, 0x01020304, 0xffffffffu};
    const uint32_t indexes[] = {0, 1, 4, 63, 64, 8191, 8192, 0x7fffffff};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        for (size_t k = 0; k < sizeof indexes / sizeof indexes[0]; k++) {
            uint8_t in[FRAMING_HEADER_MAX + sizeof body];
            size_t n = framing_header(ids[i], indexes[k], in);
            assert_true(n <= FRAMING_HEADER_MAX);
            memcpy(in + n, body, sizeof body);
            framing_t f;
            parse_ok(in, n + sizeof body, &f);
            assert_true(f.framed);
            assert_int_equal(f.schema_id, ids[i]);
            assert_true(framing_names(&f, indexes[k]));
            assert_int_equal(f.message_len, sizeof body);
            assert_memory_equal(f.message, body, sizeof body);
        }
    }
    uint8_t first[FRAMING_HEADER_MAX];
    assert_int_equal(framing_header(7, 0, first), 6); /* [0] in its short form */
    assert_int_equal(first[5], 0);
}

/* The place of `message` among the top-level messages of the .proto file
 * `name` in the contracts: what the schema registry's index counts. */
static int index_in_proto_file(const char *name, const char *message)
{
    char path[512], line[512], want[160];
    snprintf(path, sizeof path, "%s/succession/v1/%s.proto", PROTO_DIR, name);
    snprintf(want, sizeof want, "message %s ", message);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot read %s", path);
    int index = 0, found = -1;
    while (found < 0 && fgets(line, sizeof line, f)) {
        if (strncmp(line, want, strlen(want)) == 0)
            found = index;
        else if (strncmp(line, "message ", 8) == 0)
            index++;
    }
    fclose(f);
    return found;
}

static void test_each_topic_takes_the_index_of_its_event_in_its_proto_file(void **state)
{
    for (size_t i = 0; i < events_kind_count; i++) {
        const events_kind_t *kind = &events_kinds[i];
        int index = index_in_proto_file(kind->name, kind->descriptor->short_name);
        if (index < 0 || (unsigned)index != kind->message_index)
            fail_msg("%s: %s is message %d of %s.proto, the kind says %u", kind->name,
                     kind->descriptor->short_name, index, kind->name, kind->message_index);
    }
}

/* A valid vacancy event, packed, into *bytes (caller frees). */
static size_t packed_vacancy_event(uint8_t **bytes)
{
    const char *line = "{\"header\":{\"eventId\":\"v-1\",\"occurredAt\":\"2026-01-05T09:00:00Z\","
                       "\"source\":\"esr\"},\"noticeGiven\":{\"postId\":\"RJ1-CEO\",\"personId\":"
                       "\"P1\",\"reason\":\"LEAVING_REASON_RETIREMENT\",\"leavingDate\":"
                       "\"2026-09-30\"}}";
    const events_kind_t *kind = events_kind_by_name("vacancy");
    json_t *json = json_loads(line, 0, NULL);
    ProtobufCMessage *msg = NULL;
    char err[256];
    assert_int_equal(pbjson_decode(kind->descriptor, json, &msg, err, sizeof err), 0);
    size_t len = protobuf_c_message_get_packed_size(msg);
    *bytes = malloc(FRAMING_HEADER_MAX + len);
    assert_non_null(*bytes);
    protobuf_c_message_pack(msg, *bytes + FRAMING_HEADER_MAX);
    pbjson_free(msg);
    json_decref(json);
    return len;
}

static void test_the_judge_takes_both_forms_of_an_event_alike(void **state)
{
    const events_kind_t *kind = events_kind_by_name("vacancy");
    uint8_t *buf;
    size_t len = packed_vacancy_event(&buf);
    const uint8_t *bare = buf + FRAMING_HEADER_MAX;
    judgement_t plain, framed;
    assert_int_equal(judge_message(kind, bare, len, 65536, &plain), 0);
    assert_non_null(plain.row);
    uint8_t header[FRAMING_HEADER_MAX];
    size_t n = framing_header(99, kind->message_index, header);
    uint8_t *start = buf + FRAMING_HEADER_MAX - n;
    memcpy(start, header, n);
    assert_int_equal(judge_message(kind, start, n + len, 65536, &framed), 0);
    assert_non_null(framed.row);
    assert_int_equal(framed.row_len, plain.row_len);
    assert_memory_equal(framed.row, plain.row, plain.row_len);
    assert_string_equal(framed.event_id, "v-1");
    judgement_free(&plain);
    judgement_free(&framed);
    free(buf);
}

static void test_the_judge_refuses_an_event_framed_as_another_message(void **state)
{
    const events_kind_t *kind = events_kind_by_name("vacancy");
    uint8_t *buf;
    size_t len = packed_vacancy_event(&buf);
    uint8_t header[FRAMING_HEADER_MAX];
    size_t n = framing_header(7, 0, header); /* [0]: NoticeGiven, not the envelope */
    uint8_t *start = buf + FRAMING_HEADER_MAX - n;
    memcpy(start, header, n);
    judgement_t j;
    assert_int_equal(judge_message(kind, start, n + len, 65536, &j), 0);
    assert_null(j.row);
    assert_string_equal(j.reason, "schema-registry framing names message index [0] (schema id 7); "
                                  "this topic takes succession.v1.VacancyEvent, message index [4]");
    judgement_free(&j);
    /* Cut inside its header. */
    assert_int_equal(judge_message(kind, start, 3, 65536, &j), 0);
    assert_null(j.row);
    assert_non_null(strstr(j.reason, "shorter than its header"));
    judgement_free(&j);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bare_protobuf_is_the_whole_input),
        cmocka_unit_test(test_a_first_byte_other_than_the_magic_zero_is_bare),
        cmocka_unit_test(test_the_single_zero_stands_for_the_first_message),
        cmocka_unit_test(test_a_path_and_a_big_endian_schema_id_are_read),
        cmocka_unit_test(test_a_message_cut_inside_its_header_is_refused),
        cmocka_unit_test(test_huge_or_overlong_varints_are_refused),
        cmocka_unit_test(test_negative_lengths_and_indexes_and_deep_paths_are_refused),
        cmocka_unit_test(test_headers_written_read_back),
        cmocka_unit_test(test_each_topic_takes_the_index_of_its_event_in_its_proto_file),
        cmocka_unit_test(test_the_judge_takes_both_forms_of_an_event_alike),
        cmocka_unit_test(test_the_judge_refuses_an_event_framed_as_another_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
