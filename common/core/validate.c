/* validate: step 1 of the order of judgement, generically over the message
 * descriptors, so that a new field in a .proto is checked by the same
 * rules without code here changing (only the optional table names the
 * exceptions). */
#include "validate.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "datetime.h"
#include "fieldpath.h"
#include "text.h"
#include "google/protobuf/timestamp.pb-c.h"

#define NAME_SIZE       128
#define REASON_SIZE     256
#define MAX_ECHO_LENGTH 32
#define FULL_NAME_SIZE  256

/* Fields that may be left out (fully-qualified "message.field"). Every
 * other field of an input event must be given. */
static const char *const optional_fields[] = {
    "succession.v1.EventHeader.correlation_id",
    "succession.v1.Appointed.end_date",
    "succession.v1.SuccessorNominated.emergency_cover",
};

/* Where the checker is in the message, as a JSON path for the errors. */
typedef fieldpath_t checker_t;

static int check_message(checker_t *c, const ProtobufCMessage *msg);

/* Appends ".jsonName" of a field (or "[index]" when field_name is NULL). */
static size_t path_push(checker_t *c, const char *field_name, size_t index)
{
    char name[NAME_SIZE];
    if (field_name)
        fieldpath_json_name(field_name, name, sizeof name);
    return fieldpath_push(c, field_name ? name : NULL, index);
}

/* Whether name ends with suffix. */
static bool ends_with(const char *name, const char *suffix)
{
    size_t n = strlen(name), k = strlen(suffix);
    return n >= k && strcmp(name + n - k, suffix) == 0;
}

/* Whether field f of message type desc is in the optional table. */
static bool is_optional(const ProtobufCMessageDescriptor *desc, const ProtobufCFieldDescriptor *f)
{
    char full[FULL_NAME_SIZE];
    snprintf(full, sizeof full, "%s.%s", desc->name, f->name);
    for (size_t i = 0; i < sizeof optional_fields / sizeof optional_fields[0]; i++) {
        if (strcmp(full, optional_fields[i]) == 0)
            return true;
    }
    return false;
}

/* Ids are the fields named *_id (event_id and correlation_id included). */
static bool is_id(const ProtobufCFieldDescriptor *f)
{
    return ends_with(f->name, "_id");
}

/* Dates are the fields named *_date, vacant_from and assessed_on. */
static bool is_date(const ProtobufCFieldDescriptor *f)
{
    return ends_with(f->name, "_date") || strcmp(f->name, "vacant_from") == 0 ||
           strcmp(f->name, "assessed_on") == 0;
}

/* Whether every byte of s is white space. */
static bool only_whitespace(const char *s)
{
    for (; *s; s++) {
        if (!isspace((unsigned char)*s))
            return false;
    }
    return true;
}

/* Checks an id: not only white space and at most VALIDATE_MAX_ID_LENGTH
 * characters. */
static int check_id(checker_t *c, const char *s, size_t chars)
{
    if (only_whitespace(s))
        return fieldpath_fail(c, "an id may not be only white space");
    if (chars > VALIDATE_MAX_ID_LENGTH)
        return fieldpath_fail(c, "an id may have at most %d characters, this one has %zu",
                              VALIDATE_MAX_ID_LENGTH, chars);
    return 0;
}

/* Checks a date: a real calendar date written YYYY-MM-DD. The text is
 * echoed only when short (it is valid UTF-8 by now). */
static int check_date(checker_t *c, const char *s)
{
    date_days_t days;
    if (datetime_parse_date(s, &days) == 0)
        return 0;
    if (strlen(s) > MAX_ECHO_LENGTH)
        return fieldpath_fail(c, "not a real date written YYYY-MM-DD");
    return fieldpath_fail(c, "\"%s\" is not a real date written YYYY-MM-DD", s);
}

/* Checks a string field: given unless optional, UTF-8, and the id and
 * date rules by field name. */
static int check_string(checker_t *c, const ProtobufCFieldDescriptor *f, const char *s,
                        bool optional)
{
    if (!s || !*s)
        return optional ? 0 : fieldpath_fail(c, "required, but missing or empty");
    size_t chars;
    if (text_utf8_length(s, &chars))
        return fieldpath_fail(c, "not valid UTF-8");
    if (is_id(f) && check_id(c, s, chars))
        return -1;
    if (is_date(f) && check_date(c, s))
        return -1;
    return 0;
}

/* Checks an enum: a value the enum knows, and not the zero UNSPECIFIED
 * value (which is also what an absent enum reads as). */
static int check_enum(checker_t *c, const ProtobufCFieldDescriptor *f, int32_t value, bool optional)
{
    const ProtobufCEnumDescriptor *ed = f->descriptor;
    const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(ed, value);
    if (!ev)
        return fieldpath_fail(c, "unknown value %d of enum %s", (int)value, ed->name);
    if (value == 0 && !optional)
        return fieldpath_fail(c, "enum value %s is not allowed", ev->name);
    return 0;
}

/* Checks a Timestamp: seconds within years 0001 to 9999 and nanos within
 * a second, the range the RFC 3339 form can express. */
static int check_timestamp(checker_t *c, const ProtobufCMessage *msg)
{
    const Google__Protobuf__Timestamp *ts = (const Google__Protobuf__Timestamp *)msg;
    if (ts->seconds < DATETIME_MIN_SECONDS || ts->seconds > DATETIME_MAX_SECONDS)
        return fieldpath_fail(c, "seconds out of range (years 0001 to 9999)");
    if (ts->nanos < 0 || ts->nanos > 999999999)
        return fieldpath_fail(c, "nanos out of range (0 to 999999999)");
    return 0;
}

/* Checks one value of field f stored at slot. */
static int check_value(checker_t *c, const ProtobufCFieldDescriptor *f, const void *slot,
                       bool optional)
{
    const ProtobufCMessage *sub;
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING:
        return check_string(c, f, *(char *const *)slot, optional);
    case PROTOBUF_C_TYPE_ENUM:
        return check_enum(c, f, *(const int32_t *)slot, optional);
    case PROTOBUF_C_TYPE_MESSAGE:
        sub = *(ProtobufCMessage *const *)slot;
        if (!sub)
            return optional ? 0 : fieldpath_fail(c, "required, but missing");
        if (strcmp(sub->descriptor->name, "google.protobuf.Timestamp") == 0)
            return check_timestamp(c, sub);
        return check_message(c, sub);
    default:
        return 0; /* numbers and bools have no missing state in proto3 */
    }
}

/* Checks every element of a repeated field like a single value. */
static int check_repeated(checker_t *c, const ProtobufCMessage *msg,
                          const ProtobufCFieldDescriptor *f)
{
    size_t n = *(const size_t *)((const char *)msg + f->quantifier_offset);
    const void *array = *(const void *const *)((const char *)msg + f->offset);
    for (size_t i = 0; i < n; i++) {
        const void *slot;
        if (f->type == PROTOBUF_C_TYPE_STRING)
            slot = (char *const *)array + i;
        else if (f->type == PROTOBUF_C_TYPE_ENUM)
            slot = (const int32_t *)array + i;
        else if (f->type == PROTOBUF_C_TYPE_MESSAGE)
            slot = (ProtobufCMessage *const *)array + i;
        else
            return 0; /* nothing to check in numbers, bools and bytes */
        size_t mark = path_push(c, NULL, i);
        int rc = check_value(c, f, slot, false);
        fieldpath_pop(c, mark);
        if (rc)
            return -1;
    }
    return 0;
}

/* Writes the JSON names of the members of the oneof whose case lives at
 * quantifier_offset, comma separated, into buf. */
static void oneof_member_names(const ProtobufCMessageDescriptor *desc, unsigned quantifier_offset,
                               char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < desc->n_fields && n < size; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        if (!(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) || f->quantifier_offset != quantifier_offset)
            continue;
        char name[NAME_SIZE];
        fieldpath_json_name(f->name, name, sizeof name);
        int k = snprintf(buf + n, size - n, "%s%s", n ? ", " : "", name);
        n = k < 0 ? size : n + (size_t)k;
    }
}

/* Checks that every oneof of msg (each distinct case member) has one
 * member set: for an input event, its one event member. */
static int check_oneofs(checker_t *c, const ProtobufCMessage *msg)
{
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        if (!(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
            continue;
        uint32_t which = *(const uint32_t *)((const char *)msg + f->quantifier_offset);
        const ProtobufCFieldDescriptor *set = protobuf_c_message_descriptor_get_field(desc, which);
        if (set && (set->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
            set->quantifier_offset == f->quantifier_offset)
            continue;
        char names[REASON_SIZE / 2];
        oneof_member_names(desc, f->quantifier_offset, names, sizeof names);
        return fieldpath_fail(c, "exactly one of %s is required, none is given", names);
    }
    return 0;
}

/* Checks every field of msg in declaration order, then its oneofs. A oneof
 * member is checked only when it is the one set, and is then required. */
static int check_message(checker_t *c, const ProtobufCMessage *msg)
{
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        const char *base = (const char *)msg;
        if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
            *(const uint32_t *)(base + f->quantifier_offset) != f->id)
            continue;
        size_t mark = path_push(c, f->name, 0);
        int rc = f->label == PROTOBUF_C_LABEL_REPEATED
                     ? check_repeated(c, msg, f)
                     : check_value(c, f, base + f->offset, is_optional(desc, f));
        fieldpath_pop(c, mark);
        if (rc)
            return -1;
    }
    return check_oneofs(c, msg);
}

int validate_event(const ProtobufCMessage *event, char *errstr, size_t errstr_size)
{
    checker_t c;
    fieldpath_init(&c, errstr, errstr_size);
    if (errstr_size > 0)
        errstr[0] = '\0';
    if (!event)
        return fieldpath_fail(&c, "no event");
    return check_message(&c, event);
}

/* Reads a base-128 varint at *p (before end) into *v. Returns 0 or -1. */
static int read_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; *p < end && shift < 64; shift += 7) {
        uint8_t b = *(*p)++;
        *v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80))
            return 0;
    }
    return -1;
}

/* Walks the fields of one encoded message of type desc; see validate_wire. */
static int check_wire(checker_t *c, const ProtobufCMessageDescriptor *desc, const uint8_t *p,
                      const uint8_t *end)
{
    while (p < end) {
        uint64_t tag, len;
        if (read_varint(&p, end, &tag))
            return 0; /* it decoded, so this cannot happen; nothing more to see */
        switch (tag & 7) {
        case 0:
            if (read_varint(&p, end, &len))
                return 0;
            continue;
        case 1:
            p += 8;
            continue;
        case 5:
            p += 4;
            continue;
        case 2:
            break;
        default:
            return 0;
        }
        if (read_varint(&p, end, &len) || len > (uint64_t)(end - p))
            return 0;
        const ProtobufCFieldDescriptor *f =
            protobuf_c_message_descriptor_get_field(desc, (unsigned)(tag >> 3));
        int rc = 0;
        if (f && (f->type == PROTOBUF_C_TYPE_STRING || f->type == PROTOBUF_C_TYPE_MESSAGE)) {
            size_t mark = path_push(c, f->name, 0);
            if (f->type == PROTOBUF_C_TYPE_STRING && memchr(p, 0, (size_t)len))
                rc = fieldpath_fail(c, "contains a NUL byte");
            else if (f->type == PROTOBUF_C_TYPE_MESSAGE)
                rc = check_wire(c, f->descriptor, p, p + len);
            fieldpath_pop(c, mark);
        }
        if (rc)
            return -1;
        p += len;
    }
    return 0;
}

int validate_wire(const ProtobufCMessageDescriptor *descriptor, const void *data, size_t len,
                  char *errstr, size_t errstr_size)
{
    checker_t c;
    fieldpath_init(&c, errstr, errstr_size);
    if (errstr_size > 0)
        errstr[0] = '\0';
    return data ? check_wire(&c, descriptor, data, (const uint8_t *)data + len) : 0;
}
