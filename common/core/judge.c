/* judge: decode, validate, and the columns or the reason of one message. */
#include "judge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "framing.h"
#include "succession/v1/common.pb-c.h"
#include "text.h"
#include "validate.h"

void judgement_set_dead(judgement_t *j, const char *reason)
{
    free(j->row);
    j->row = NULL;
    j->row_len = 0;
    text_clean_into(reason, strlen(reason), 0, j->reason, sizeof j->reason);
}

void judgement_free(judgement_t *j)
{
    free(j->row);
    free(j->event_id);
    memset(j, 0, sizeof *j);
}

/* The event id of a decoded event: its header is field 1 of every event
 * message. Borrowed; NULL when there is none. */
static const char *event_id_of(const ProtobufCMessage *msg)
{
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(msg->descriptor, 1);
    const Succession__V1__EventHeader *h =
        f && f->type == PROTOBUF_C_TYPE_MESSAGE
            ? *(Succession__V1__EventHeader *const *)((const char *)msg + f->offset)
            : NULL;
    return h && h->event_id && *h->event_id ? h->event_id : NULL;
}

/* The protobuf message inside payload (framing.h) into *message and *len.
 * Returns 0, or -1 with the reason in reason when the framed form is
 * malformed or names another message than the topic's event. */
static int unframe(const events_kind_t *kind, const void *payload, const void **message,
                   size_t *len, char *reason, size_t reason_size)
{
    framing_t f;
    if (framing_parse(payload, *len, &f, reason, reason_size))
        return -1;
    if (!framing_names(&f, kind->message_index)) {
        char path[160];
        framing_path_text(&f, path, sizeof path);
        snprintf(reason, reason_size,
                 "schema-registry framing names message index %s (schema id %u); this topic "
                 "takes %s, message index [%u]",
                 path, f.schema_id, kind->descriptor->name, kind->message_index);
        return -1;
    }
    *message = f.message;
    *len = f.message_len;
    return 0;
}

int judge_message(const events_kind_t *kind, const void *payload, size_t len,
                  size_t max_event_bytes, judgement_t *out)
{
    const ProtobufCMessageDescriptor *descriptor = kind->descriptor;
    char reason[512];
    memset(out, 0, sizeof *out);
    if (!payload) {
        judgement_set_dead(out, "a tombstone (a message without a value) is not an event");
        return 0;
    }
    if (len > max_event_bytes) {
        snprintf(reason, sizeof reason, "message is %zu bytes, over the limit of %zu", len,
                 max_event_bytes);
        judgement_set_dead(out, reason);
        return 0;
    }
    if (unframe(kind, payload, &payload, &len, reason, sizeof reason)) {
        judgement_set_dead(out, reason);
        return 0;
    }
    ProtobufCMessage *msg = protobuf_c_message_unpack(descriptor, NULL, len, payload);
    if (!msg) {
        snprintf(reason, sizeof reason, "cannot be decoded as %s", descriptor->name);
        judgement_set_dead(out, reason);
        return 0;
    }
    int rc = 0;
    const char *id = event_id_of(msg);
    if (id && !(out->event_id = text_clean(id, strlen(id), JUDGE_ID_BYTES, 0)))
        rc = -1;
    if (rc == 0 && (validate_wire(descriptor, payload, len, reason, sizeof reason) ||
                    validate_event(msg, reason, sizeof reason)))
        judgement_set_dead(out, reason);
    else if (rc == 0)
        rc = events_row(kind, msg, &out->row, &out->row_len, &out->nulls);
    protobuf_c_message_free_unpacked(msg, NULL);
    if (rc)
        judgement_free(out);
    return rc;
}
