/* pbjson: the proto3 JSON mapping over protobuf-c descriptors.
 *
 * Decoding builds the message with the system allocator only (malloc for
 * the message, every string, byte buffer, repeated array and sub-message),
 * which is exactly what protobuf_c_message_free_unpacked(message, NULL)
 * releases, so one free function serves both decoded and unpacked
 * messages, and a decode that fails half-way is cleaned up the same way. */
#include "pbjson.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "datetime.h"
#include "fieldpath.h"
#include "google/protobuf/timestamp.pb-c.h"
#include "text.h"

#define NAME_SIZE       128
#define REASON_SIZE     192
#define NUMBER_TEXT     32
#define MAX_ECHO_LENGTH 64

/* Where the decoder is in the JSON document, for error messages. */
typedef fieldpath_t decoder_t;

static int decode_message_json(decoder_t *d, const ProtobufCMessageDescriptor *desc,
                               ProtobufCMessage *msg, json_t *json);
static json_t *encode_message_value(const ProtobufCMessage *msg);

/* A JSON type as a person would name it in an error message. */
static const char *json_kind(const json_t *json)
{
    static const char *const kinds[] = {
        [JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array", [JSON_STRING] = "a string",
        [JSON_INTEGER] = "a number", [JSON_REAL] = "a number",  [JSON_TRUE] = "a boolean",
        [JSON_FALSE] = "a boolean",  [JSON_NULL] = "null",
    };
    return kinds[json_typeof(json)];
}

/* ---- descriptors ---- */

/* Whether desc is google.protobuf.Timestamp, which has a string form. */
static bool is_timestamp(const ProtobufCMessageDescriptor *desc)
{
    return strcmp(desc->name, "google.protobuf.Timestamp") == 0;
}

/* Whether a field has a has_ flag of its own: proto2 optional and proto3
 * `optional` scalars and bytes (strings and messages use NULL/"" instead,
 * and oneof members their case). */
static bool has_presence_flag(const ProtobufCFieldDescriptor *f)
{
    return f->label == PROTOBUF_C_LABEL_OPTIONAL && !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
           f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE;
}

/* The storage size of one element of a repeated field of this type (the
 * 32-bit numbers, float and enums, left 0 in the table, take 4 bytes). */
static size_t element_size(ProtobufCType type)
{
    static const size_t sizes[] = {
        [PROTOBUF_C_TYPE_INT64] = 8,
        [PROTOBUF_C_TYPE_SINT64] = 8,
        [PROTOBUF_C_TYPE_SFIXED64] = 8,
        [PROTOBUF_C_TYPE_UINT64] = 8,
        [PROTOBUF_C_TYPE_FIXED64] = 8,
        [PROTOBUF_C_TYPE_DOUBLE] = sizeof(double),
        [PROTOBUF_C_TYPE_BOOL] = sizeof(protobuf_c_boolean),
        [PROTOBUF_C_TYPE_STRING] = sizeof(char *),
        [PROTOBUF_C_TYPE_BYTES] = sizeof(ProtobufCBinaryData),
        [PROTOBUF_C_TYPE_MESSAGE] = sizeof(ProtobufCMessage *),
    };
    size_t size = (size_t)type < sizeof sizes / sizeof sizes[0] ? sizes[type] : 0;
    return size ? size : sizeof(int32_t);
}

/* The field a JSON member names: its proto name or its lowerCamelCase name,
 * both of which the mapping allows on input. NULL when there is none. */
static const ProtobufCFieldDescriptor *find_field(const ProtobufCMessageDescriptor *desc,
                                                  const char *key)
{
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(desc, key);
    if (f)
        return f;
    char json_name[NAME_SIZE];
    for (unsigned i = 0; i < desc->n_fields; i++) {
        fieldpath_json_name(desc->fields[i].name, json_name, sizeof json_name);
        if (strcmp(json_name, key) == 0)
            return &desc->fields[i];
    }
    return NULL;
}

/* A new message of type desc at its defaults, or NULL when out of memory. */
static ProtobufCMessage *new_message(const ProtobufCMessageDescriptor *desc)
{
    ProtobufCMessage *msg = calloc(1, desc->sizeof_message);
    if (msg)
        protobuf_c_message_init(desc, msg);
    return msg;
}

/* ---- decoding scalars ---- */

/* Reads a decimal integer string whole (no sign other than a leading '-',
 * no spaces) as the mapping allows for every integer type. */
static int parse_signed_text(const char *s, int64_t *out)
{
    if (!(isdigit((unsigned char)s[0]) || (s[0] == '-' && isdigit((unsigned char)s[1]))))
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* As parse_signed_text, for unsigned values (no sign at all). */
static int parse_unsigned_text(const char *s, uint64_t *out)
{
    if (!isdigit((unsigned char)s[0]))
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* Reads a signed integer in [min, max] from a JSON integer, an integral
 * number or a decimal string. */
static int read_signed(decoder_t *d, json_t *json, int64_t min, int64_t max, int64_t *out)
{
    int64_t v;
    if (json_is_integer(json)) {
        v = json_integer_value(json);
    } else if (json_is_real(json)) {
        double r = json_real_value(json);
        if (!(r >= -9223372036854775808.0 && r < 9223372036854775808.0))
            return fieldpath_fail(d, "number out of range");
        v = (int64_t)r;
        if ((double)v != r)
            return fieldpath_fail(d, "expected an integer, got %g", r);
    } else if (json_is_string(json)) {
        if (parse_signed_text(json_string_value(json), &v))
            return fieldpath_fail(d, "not an integer or out of range");
    } else {
        return fieldpath_fail(d, "expected an integer, got %s", json_kind(json));
    }
    if (v < min || v > max)
        return fieldpath_fail(d, "%" PRId64 " is out of range", v);
    *out = v;
    return 0;
}

/* Reads an unsigned integer at most max, as read_signed. */
static int read_unsigned(decoder_t *d, json_t *json, uint64_t max, uint64_t *out)
{
    uint64_t v;
    if (json_is_integer(json)) {
        if (json_integer_value(json) < 0)
            return fieldpath_fail(d, "negative value for an unsigned field");
        v = (uint64_t)json_integer_value(json);
    } else if (json_is_real(json)) {
        double r = json_real_value(json);
        if (!(r >= 0.0 && r < 18446744073709551616.0))
            return fieldpath_fail(d, "number out of range");
        v = (uint64_t)r;
        if ((double)v != r)
            return fieldpath_fail(d, "expected an integer, got %g", r);
    } else if (json_is_string(json)) {
        if (parse_unsigned_text(json_string_value(json), &v))
            return fieldpath_fail(d, "not an unsigned integer or out of range");
    } else {
        return fieldpath_fail(d, "expected an integer, got %s", json_kind(json));
    }
    if (v > max)
        return fieldpath_fail(d, "%" PRIu64 " is out of range", v);
    *out = v;
    return 0;
}

/* Reads a double from a number, a numeric string, or one of the strings
 * "NaN", "Infinity", "-Infinity" the mapping uses for special values. */
static int read_double(decoder_t *d, json_t *json, double *out)
{
    if (json_is_number(json)) {
        *out = json_number_value(json);
        return 0;
    }
    if (!json_is_string(json))
        return fieldpath_fail(d, "expected a number, got %s", json_kind(json));
    const char *s = json_string_value(json);
    if (strcmp(s, "NaN") == 0) {
        *out = NAN;
    } else if (strcmp(s, "Infinity") == 0) {
        *out = INFINITY;
    } else if (strcmp(s, "-Infinity") == 0) {
        *out = -INFINITY;
    } else {
        char *end;
        if (!(isdigit((unsigned char)s[0]) || s[0] == '-' || s[0] == '.'))
            return fieldpath_fail(d, "not a number");
        *out = strtod(s, &end);
        if (*end || !isfinite(*out))
            return fieldpath_fail(d, "not a number");
    }
    return 0;
}

/* Decodes one numeric field value (every integer and floating type) into
 * slot. */
static int decode_number(decoder_t *d, ProtobufCType type, json_t *json, void *slot)
{
    int64_t s;
    uint64_t u;
    double v;
    switch (type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        if (read_signed(d, json, INT32_MIN, INT32_MAX, &s))
            return -1;
        *(int32_t *)slot = (int32_t)s;
        return 0;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        return read_signed(d, json, INT64_MIN, INT64_MAX, (int64_t *)slot);
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        if (read_unsigned(d, json, UINT32_MAX, &u))
            return -1;
        *(uint32_t *)slot = (uint32_t)u;
        return 0;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        return read_unsigned(d, json, UINT64_MAX, (uint64_t *)slot);
    case PROTOBUF_C_TYPE_FLOAT:
        if (read_double(d, json, &v))
            return -1;
        if (isfinite(v) && (v > FLT_MAX || v < -FLT_MAX))
            return fieldpath_fail(d, "number out of range for a float");
        *(float *)slot = (float)v;
        return 0;
    default:
        return read_double(d, json, (double *)slot);
    }
}

/* Decodes an enum given by value name or, for test input, by number (any
 * int32, known to the enum or not). */
static int decode_enum(decoder_t *d, const ProtobufCEnumDescriptor *ed, json_t *json, int32_t *slot)
{
    if (json_is_string(json)) {
        const char *name = json_string_value(json);
        const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value_by_name(ed, name);
        if (ev) {
            *slot = ev->value;
            return 0;
        }
        if (strlen(name) > MAX_ECHO_LENGTH)
            return fieldpath_fail(d, "unknown value of enum %s", ed->name);
        return fieldpath_fail(d, "unknown value \"%s\" of enum %s", name, ed->name);
    }
    if (!json_is_number(json))
        return fieldpath_fail(d, "expected an enum value name, got %s", json_kind(json));
    int64_t v;
    if (read_signed(d, json, INT32_MIN, INT32_MAX, &v))
        return -1;
    *slot = (int32_t)v;
    return 0;
}

/* Decodes a JSON string into a malloc'd C string. A NUL inside cannot be
 * carried by a protobuf-c string, so it is refused rather than cut off. */
static int decode_string(decoder_t *d, json_t *json, char **slot)
{
    if (!json_is_string(json))
        return fieldpath_fail(d, "expected a string, got %s", json_kind(json));
    size_t len = json_string_length(json);
    const char *s = json_string_value(json);
    if (memchr(s, '\0', len))
        return fieldpath_fail(d, "a string may not contain a NUL character");
    char *copy = malloc(len + 1);
    if (!copy)
        return fieldpath_fail(d, "out of memory");
    memcpy(copy, s, len + 1);
    *slot = copy;
    return 0;
}

/* Decodes a base64 JSON string into a malloc'd byte buffer. */
static int decode_bytes(decoder_t *d, json_t *json, ProtobufCBinaryData *slot)
{
    if (!json_is_string(json))
        return fieldpath_fail(d, "expected a base64 string, got %s", json_kind(json));
    uint8_t *data;
    size_t len;
    if (base64_decode(json_string_value(json), json_string_length(json), &data, &len))
        return fieldpath_fail(d, "not valid base64");
    slot->data = data;
    slot->len = len;
    return 0;
}

/* Decodes a sub-message. It is stored in *slot before its members are
 * read, so that a failure inside it is freed with the whole message. */
static int decode_submessage(decoder_t *d, const ProtobufCMessageDescriptor *desc, json_t *json,
                             ProtobufCMessage **slot)
{
    if (!json_is_object(json) && !(is_timestamp(desc) && json_is_string(json)))
        return fieldpath_fail(d, "expected an object, got %s", json_kind(json));
    ProtobufCMessage *sub = new_message(desc);
    if (!sub)
        return fieldpath_fail(d, "out of memory");
    *slot = sub;
    return decode_message_json(d, desc, sub, json);
}

/* Decodes one value of field into slot (the member itself, or one element
 * of a repeated member). */
static int decode_value(decoder_t *d, const ProtobufCFieldDescriptor *f, json_t *json, void *slot)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_BOOL:
        if (!json_is_boolean(json))
            return fieldpath_fail(d, "expected true or false, got %s", json_kind(json));
        *(protobuf_c_boolean *)slot = json_is_true(json);
        return 0;
    case PROTOBUF_C_TYPE_ENUM:
        return decode_enum(d, f->descriptor, json, (int32_t *)slot);
    case PROTOBUF_C_TYPE_STRING:
        return decode_string(d, json, (char **)slot);
    case PROTOBUF_C_TYPE_BYTES:
        return decode_bytes(d, json, (ProtobufCBinaryData *)slot);
    case PROTOBUF_C_TYPE_MESSAGE:
        return decode_submessage(d, f->descriptor, json, (ProtobufCMessage **)slot);
    default:
        return decode_number(d, f->type, json, slot);
    }
}

/* Decodes a JSON array into a repeated field. The count grows with each
 * element before it is read (the array is zeroed), so that a failure
 * part-way leaves a message free_unpacked can release. */
static int decode_repeated(decoder_t *d, const ProtobufCFieldDescriptor *f, ProtobufCMessage *msg,
                           json_t *json)
{
    if (!json_is_array(json))
        return fieldpath_fail(d, "expected an array, got %s", json_kind(json));
    size_t n = json_array_size(json);
    if (n == 0)
        return 0;
    size_t size = element_size(f->type);
    char *array = calloc(n, size);
    if (!array)
        return fieldpath_fail(d, "out of memory");
    *(void **)((char *)msg + f->offset) = array;
    size_t *count = (size_t *)((char *)msg + f->quantifier_offset);
    for (size_t i = 0; i < n; i++) {
        size_t mark = fieldpath_push(d, NULL, i);
        json_t *item = json_array_get(json, i);
        int rc = json_is_null(item) ? fieldpath_fail(d, "null is not allowed in an array") : 0;
        if (rc == 0) {
            *count = i + 1;
            rc = decode_value(d, f, item, array + i * size);
        }
        fieldpath_pop(d, mark);
        if (rc)
            return -1;
    }
    return 0;
}

/* Decodes one JSON member into its field. seen[] marks fields already
 * given, so that a field named twice (as proto and as JSON name) is an
 * error rather than a leak or a silent overwrite. */
static int decode_member(decoder_t *d, const ProtobufCMessageDescriptor *desc,
                         ProtobufCMessage *msg, const char *key, json_t *value, bool *seen)
{
    const ProtobufCFieldDescriptor *f = find_field(desc, key);
    if (!f)
        return fieldpath_fail(d, "unknown member");
    size_t index = (size_t)(f - desc->fields);
    if (seen[index])
        return fieldpath_fail(d, "given twice");
    seen[index] = true;
    if (json_is_null(value))
        return 0;
    void *quantifier = (char *)msg + f->quantifier_offset;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        uint32_t *which = quantifier;
        if (*which != 0 && *which != f->id)
            return fieldpath_fail(d, "only one member of a oneof may be given");
        *which = f->id;
    } else if (has_presence_flag(f)) {
        *(protobuf_c_boolean *)quantifier = 1;
    }
    if (f->label == PROTOBUF_C_LABEL_REPEATED)
        return decode_repeated(d, f, msg, value);
    return decode_value(d, f, value, (char *)msg + f->offset);
}

/* Decodes every member of a JSON object into msg. */
static int decode_object(decoder_t *d, const ProtobufCMessageDescriptor *desc,
                         ProtobufCMessage *msg, json_t *json)
{
    if (!json_is_object(json))
        return fieldpath_fail(d, "expected an object, got %s", json_kind(json));
    bool *seen = calloc(desc->n_fields + 1, sizeof *seen);
    if (!seen)
        return fieldpath_fail(d, "out of memory");
    int rc = 0;
    const char *key;
    json_t *value;
    json_object_foreach(json, key, value)
    {
        size_t mark = fieldpath_push(d, key, 0);
        rc = decode_member(d, desc, msg, key, value, seen);
        fieldpath_pop(d, mark);
        if (rc)
            goto out;
    }
out:
    free(seen);
    return rc;
}

/* Decodes a message: an object, or for a Timestamp also its RFC 3339
 * string. */
static int decode_message_json(decoder_t *d, const ProtobufCMessageDescriptor *desc,
                               ProtobufCMessage *msg, json_t *json)
{
    if (!(is_timestamp(desc) && json_is_string(json)))
        return decode_object(d, desc, msg, json);
    Google__Protobuf__Timestamp *ts = (Google__Protobuf__Timestamp *)msg;
    int64_t seconds;
    int32_t nanos;
    int rc = datetime_parse_instant(json_string_value(json), &seconds, &nanos);
    if (rc == DATETIME_OUT_OF_RANGE)
        return fieldpath_fail(d, "instant out of range (years 0001 to 9999)");
    if (rc)
        return fieldpath_fail(d, "not an RFC 3339 instant");
    ts->seconds = seconds;
    ts->nanos = nanos;
    return 0;
}

int pbjson_decode(const ProtobufCMessageDescriptor *descriptor, json_t *json,
                  ProtobufCMessage **out, char *errstr, size_t errstr_size)
{
    decoder_t d;
    fieldpath_init(&d, errstr, errstr_size);
    *out = NULL;
    if (errstr_size > 0)
        errstr[0] = '\0';
    if (!json)
        return fieldpath_fail(&d, "no JSON value");
    ProtobufCMessage *msg = new_message(descriptor);
    if (!msg)
        return fieldpath_fail(&d, "out of memory");
    if (decode_message_json(&d, descriptor, msg, json)) {
        pbjson_free(msg);
        return -1;
    }
    *out = msg;
    return 0;
}

void pbjson_free(ProtobufCMessage *message)
{
    /* Every part was allocated with malloc, which the default allocator of
     * free_unpacked releases with free; defaults ("" and NULL) are skipped. */
    if (message)
        protobuf_c_message_free_unpacked(message, NULL);
}

/* ---- encoding ---- */

json_t *pbjson_base64(const void *bytes, size_t len)
{
    char *text = base64_encode(bytes, len);
    json_t *json = text ? json_string(text) : NULL;
    free(text);
    return json;
}

json_t *pbjson_string(const void *s, size_t len)
{
    json_t *json = json_stringn(s, len);
    if (json)
        return json;
    char *clean = text_clean(s, len, 4 * len + 8, 0);
    json = clean ? json_string(clean) : NULL;
    free(clean);
    return json;
}

/* A JSON string for s. protobuf-c does not check UTF-8 when unpacking, so
 * a string may be malformed; it is shown, not refused. */
static json_t *encode_string(const char *s)
{
    return s ? pbjson_string(s, strlen(s)) : json_string("");
}

/* A JSON value for a double: a number, or the mapping's strings for NaN
 * and the infinities (JSON has no literal for them). */
static json_t *encode_double(double v)
{
    if (isnan(v))
        return json_string("NaN");
    if (isinf(v))
        return json_string(v > 0 ? "Infinity" : "-Infinity");
    return json_real(v);
}

/* An enum by name, or by number when the enum does not know the value. */
static json_t *encode_enum(const ProtobufCEnumDescriptor *ed, int32_t v)
{
    const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(ed, v);
    return ev ? json_string(ev->name) : json_integer(v);
}

/* A 64-bit integer as a JSON string: JSON readers often hold numbers as
 * doubles, which lose precision past 2^53. */
static json_t *encode_int64(int64_t v, bool is_unsigned)
{
    char text[NUMBER_TEXT];
    if (is_unsigned)
        snprintf(text, sizeof text, "%" PRIu64, (uint64_t)v);
    else
        snprintf(text, sizeof text, "%" PRId64, v);
    return json_string(text);
}

/* The JSON value of one field value stored at slot. */
static json_t *encode_value(const ProtobufCFieldDescriptor *f, const void *slot)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        return json_integer(*(const int32_t *)slot);
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        return json_integer(*(const uint32_t *)slot);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        return encode_int64(*(const int64_t *)slot, false);
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        return encode_int64((int64_t) * (const uint64_t *)slot, true);
    case PROTOBUF_C_TYPE_FLOAT:
        return encode_double(*(const float *)slot);
    case PROTOBUF_C_TYPE_DOUBLE:
        return encode_double(*(const double *)slot);
    case PROTOBUF_C_TYPE_BOOL:
        return json_boolean(*(const protobuf_c_boolean *)slot);
    case PROTOBUF_C_TYPE_ENUM:
        return encode_enum(f->descriptor, *(const int32_t *)slot);
    case PROTOBUF_C_TYPE_STRING:
        return encode_string(*(char *const *)slot);
    case PROTOBUF_C_TYPE_BYTES:
        return pbjson_base64(((const ProtobufCBinaryData *)slot)->data,
                             ((const ProtobufCBinaryData *)slot)->len);
    default:
        return encode_message_value(*(ProtobufCMessage *const *)slot);
    }
}

/* A JSON array of the elements of a repeated field. */
static json_t *encode_repeated(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f)
{
    json_t *array = json_array();
    if (!array)
        return NULL;
    size_t n = *(const size_t *)((const char *)msg + f->quantifier_offset);
    const char *elements = *(char *const *)((const char *)msg + f->offset);
    size_t size = element_size(f->type);
    for (size_t i = 0; i < n; i++) {
        if (json_array_append_new(array, encode_value(f, elements + i * size)))
            goto fail;
    }
    return array;
fail:
    json_decref(array);
    return NULL;
}

/* Whether a field is written: everything except unset sub-messages, unset
 * oneof members and scalars with a has_ flag that is clear. */
static bool field_is_written(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f)
{
    const char *quantifier = (const char *)msg + f->quantifier_offset;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        return *(const uint32_t *)quantifier == f->id;
    if (f->label == PROTOBUF_C_LABEL_REPEATED)
        return true;
    if (has_presence_flag(f))
        return *(const protobuf_c_boolean *)quantifier;
    if (f->type == PROTOBUF_C_TYPE_MESSAGE)
        return *(ProtobufCMessage *const *)((const char *)msg + f->offset) != NULL;
    return true;
}

/* A JSON object with every written field of msg under its JSON name. */
static json_t *encode_object(const ProtobufCMessage *msg)
{
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    json_t *obj = json_object();
    if (!obj)
        return NULL;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        if (!field_is_written(msg, f))
            continue;
        json_t *value = f->label == PROTOBUF_C_LABEL_REPEATED
                            ? encode_repeated(msg, f)
                            : encode_value(f, (const char *)msg + f->offset);
        char name[NAME_SIZE];
        fieldpath_json_name(f->name, name, sizeof name);
        if (json_object_set_new(obj, name, value))
            goto fail;
    }
    return obj;
fail:
    json_decref(obj);
    return NULL;
}

/* A sub-message: a Timestamp within the RFC 3339 range as its string,
 * anything else (including an out-of-range Timestamp, which has no string
 * form) as an object. */
static json_t *encode_message_value(const ProtobufCMessage *msg)
{
    if (!is_timestamp(msg->descriptor))
        return encode_object(msg);
    const Google__Protobuf__Timestamp *ts = (const Google__Protobuf__Timestamp *)msg;
    if (ts->seconds < DATETIME_MIN_SECONDS || ts->seconds > DATETIME_MAX_SECONDS || ts->nanos < 0 ||
        ts->nanos > 999999999)
        return encode_object(msg);
    char text[INSTANT_TEXT_SIZE];
    datetime_format_instant(ts->seconds, ts->nanos, text);
    return json_string(text);
}

json_t *pbjson_encode(const ProtobufCMessage *message)
{
    if (!message)
        return NULL;
    return encode_object(message);
}
