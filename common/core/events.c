/* events: the input topics and their keys. */
#include "events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "google/protobuf/timestamp.pb-c.h"
#include "fieldpath.h"
#include "succession/v1/common.pb-c.h"

#include "topics.h"
#include "succession/v1/appointment.pb-c.h"
#include "succession/v1/appraisal.pb-c.h"
#include "succession/v1/vacancy.pb-c.h"

static const char *const vacancy_columns[] = {
    "post_id", "person_id", "reason", "leaving_date", "vacancy_id", "vacant_from", "outcome", NULL};
static const char *const appointment_columns[] = {"appointment_id", "post_id",  "person_id", "kind",
                                                  "start_date",     "end_date", "reason",    NULL};
static const char *const appraisal_columns[] = {"person_id",       "post_id",        "review_date",
                                                "performance",     "potential",      "risk_of_loss",
                                                "impact_of_loss",  "fit_and_proper", "readiness",
                                                "emergency_cover", "assessed_on",    NULL};

const events_kind_t events_kinds[] = {
    {"vacancy", TOPIC_VACANCY, &succession__v1__vacancy_event__descriptor, 4, "post_id",
     vacancy_columns},
    {"appointment", TOPIC_APPOINTMENT, &succession__v1__appointment_event__descriptor, 2, "post_id",
     appointment_columns},
    {"appraisal", TOPIC_APPRAISAL, &succession__v1__appraisal_event__descriptor, 3, "person_id",
     appraisal_columns},
};
const size_t events_kind_count = sizeof events_kinds / sizeof events_kinds[0];

const events_kind_t *events_kind_by_name(const char *name)
{
    for (size_t i = 0; i < events_kind_count; i++)
        if (strcmp(events_kinds[i].name, name) == 0)
            return &events_kinds[i];
    return NULL;
}

const events_kind_t *events_kind_by_descriptor(const ProtobufCMessageDescriptor *descriptor)
{
    for (size_t i = 0; i < events_kind_count; i++)
        if (events_kinds[i].descriptor == descriptor)
            return &events_kinds[i];
    return NULL;
}

const ProtobufCMessage *events_body(const ProtobufCMessage *event)
{
    const ProtobufCMessageDescriptor *d = event->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (!(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
            continue;
        uint32_t set_case = *(const uint32_t *)((const char *)event + f->quantifier_offset);
        if (set_case == f->id)
            return *(ProtobufCMessage *const *)((const char *)event + f->offset);
    }
    return NULL;
}

const char *events_key(const ProtobufCMessage *event)
{
    const events_kind_t *kind = events_kind_by_descriptor(event->descriptor);
    const ProtobufCMessage *body = events_body(event);
    if (!kind || !body)
        return NULL;
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(body->descriptor, kind->key_field);
    return f ? *(char *const *)((const char *)body + f->offset) : NULL;
}

size_t events_column_count(const events_kind_t *kind)
{
    size_t n = EVENTS_HEAD_COLUMNS;
    while (kind->columns[n - EVENTS_HEAD_COLUMNS])
        n++;
    return n;
}

/* The set oneof member's field descriptor of an input event, or NULL. */
static const ProtobufCFieldDescriptor *body_field(const ProtobufCMessage *event)
{
    const ProtobufCMessageDescriptor *d = event->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
            *(const uint32_t *)((const char *)event + f->quantifier_offset) == f->id)
            return f;
    }
    return NULL;
}

/* A growing row of NUL-terminated values. */
typedef struct row {
    char *buf;
    size_t len, cap;
    uint32_t nulls;
    int column;
    bool failed;
} row_t;

static void row_add(row_t *r, const char *value)
{
    if (!value || !*value)
        r->nulls |= 1u << r->column;
    size_t n = value ? strlen(value) + 1 : 1;
    if (!r->failed && r->len + n > r->cap) {
        size_t cap = (r->len + n) * 2;
        char *grown = realloc(r->buf, cap);
        r->failed = !grown;
        if (grown) {
            r->buf = grown;
            r->cap = cap;
        }
    }
    if (!r->failed) {
        memcpy(r->buf + r->len, value ? value : "", n);
        r->len += n;
    }
    r->column++;
}

/* The text form of one scalar field of msg, into r. */
static void add_field(row_t *r, const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f)
{
    const void *slot = f ? (const char *)msg + f->offset : NULL;
    const ProtobufCEnumValue *ev;
    if (!f) {
        row_add(r, NULL);
    } else if (f->type == PROTOBUF_C_TYPE_STRING) {
        row_add(r, *(char *const *)slot);
    } else if (f->type == PROTOBUF_C_TYPE_BOOL) {
        row_add(r, *(const protobuf_c_boolean *)slot ? "true" : "false");
    } else if (f->type == PROTOBUF_C_TYPE_ENUM &&
               (ev = protobuf_c_enum_descriptor_get_value(f->descriptor, *(const int *)slot)) !=
                   NULL) {
        row_add(r, ev->name);
    } else {
        row_add(r, NULL); /* no other field kind is an input column */
    }
}

int events_row(const events_kind_t *kind, const ProtobufCMessage *event, char **row,
               size_t *row_len, uint32_t *nulls)
{
    row_t r = {0};
    const ProtobufCFieldDescriptor *member = body_field(event);
    const ProtobufCMessage *body =
        member ? *(ProtobufCMessage *const *)((const char *)event + member->offset) : NULL;
    const Succession__V1__EventHeader *h =
        *(Succession__V1__EventHeader *const *)((const char *)event +
                                                protobuf_c_message_descriptor_get_field_by_name(
                                                    event->descriptor, "header")
                                                    ->offset);
    char name[64], instant[INSTANT_TEXT_SIZE];
    if (member)
        fieldpath_json_name(member->name, name, sizeof name);
    row_add(&r, member ? name : NULL);
    row_add(&r, h ? h->event_id : NULL);
    if (h && h->occurred_at)
        datetime_format_instant(h->occurred_at->seconds, h->occurred_at->nanos, instant);
    row_add(&r, h && h->occurred_at ? instant : NULL);
    for (size_t c = 0; kind->columns[c]; c++)
        add_field(&r, body,
                  body ? protobuf_c_message_descriptor_get_field_by_name(body->descriptor,
                                                                         kind->columns[c])
                       : NULL);
    if (r.failed) {
        free(r.buf);
        return -1;
    }
    *row = r.buf;
    *row_len = r.len;
    *nulls = r.nulls;
    return 0;
}
