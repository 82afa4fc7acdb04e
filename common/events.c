/* events: the input topics and their keys. */
#include "events.h"

#include <string.h>

#include "config.h"
#include "succession/v1/appointment.pb-c.h"
#include "succession/v1/appraisal.pb-c.h"
#include "succession/v1/vacancy.pb-c.h"

const events_kind_t events_kinds[] = {
    {"vacancy", TOPIC_VACANCY, &succession__v1__vacancy_event__descriptor, "post_id"},
    {"appointment", TOPIC_APPOINTMENT, &succession__v1__appointment_event__descriptor, "post_id"},
    {"appraisal", TOPIC_APPRAISAL, &succession__v1__appraisal_event__descriptor, "person_id"},
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
