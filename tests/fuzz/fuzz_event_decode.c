/* fuzz_event_decode: what a worker does with a raw Kafka message (worker.c,
 * judge_message). The first byte picks the topic's event kind; the rest is
 * the payload, which is unpacked, keyed and validated. A valid event must
 * survive the JSON mapping it is stored and shown in: decoding the JSON text
 * of pbjson_encode gives a message that is valid too and packs to the same
 * bytes as the event (unknown fields aside, which JSON does not carry). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "events.h"
#include "pbjson.h"
#include "validate.h"

/* Larger messages are dead-lettered unread (the max-event-bytes default). */
#define MAX_EVENT_BYTES 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Frees the unknown fields of msg and of every sub-message in it. protobuf-c
 * keeps them when unpacking and packs them again; the JSON mapping drops
 * them, so they are dropped here before the two are compared. */
static void drop_unknown_fields(ProtobufCMessage *msg)
{
    for (unsigned i = 0; i < msg->n_unknown_fields; i++)
        free(msg->unknown_fields[i].data);
    free(msg->unknown_fields);
    msg->unknown_fields = NULL;
    msg->n_unknown_fields = 0;
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        char *slot = (char *)msg + f->offset;
        if (f->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(size_t *)((char *)msg + f->quantifier_offset);
            for (size_t k = 0; k < n; k++)
                drop_unknown_fields((*(ProtobufCMessage ***)slot)[k]);
            continue;
        }
        if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
            *(uint32_t *)((char *)msg + f->quantifier_offset) != f->id)
            continue; /* the slot belongs to another member */
        if (*(ProtobufCMessage **)slot)
            drop_unknown_fields(*(ProtobufCMessage **)slot);
    }
}

/* The packed bytes of msg (caller frees) and their count in *len. */
static uint8_t *pack(const ProtobufCMessage *msg, size_t *len)
{
    *len = protobuf_c_message_get_packed_size(msg);
    uint8_t *bytes = malloc(*len ? *len : 1);
    if (!bytes)
        abort();
    if (protobuf_c_message_pack(msg, bytes) != *len)
        abort();
    return bytes;
}

/* Aborts when the JSON text of a valid event does not decode to a valid
 * message packing to the same bytes. Drops the event's unknown fields. */
static void check_json_round_trip(ProtobufCMessage *event)
{
    json_t *json = pbjson_encode(event);
    char *text = json ? json_dumps(json, JSON_COMPACT) : NULL;
    json_decref(json);
    if (!text)
        abort(); /* only out of memory */
    json_error_t jerr;
    json = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    if (!json) {
        fprintf(stderr, "encoded event is not JSON (%s): %s\n", jerr.text, text);
        abort();
    }
    ProtobufCMessage *copy = NULL;
    char err[512];
    if (pbjson_decode(event->descriptor, json, &copy, err, sizeof err)) {
        fprintf(stderr, "encoded event does not decode (%s): %s\n", err, text);
        abort();
    }
    if (validate_event(copy, err, sizeof err)) {
        fprintf(stderr, "valid event is invalid after JSON (%s): %s\n", err, text);
        abort();
    }
    drop_unknown_fields(event);
    size_t event_len, copy_len;
    uint8_t *event_bytes = pack(event, &event_len), *copy_bytes = pack(copy, &copy_len);
    if (event_len != copy_len || memcmp(event_bytes, copy_bytes, event_len) != 0) {
        fprintf(stderr, "JSON round trip changed the event (%zu bytes, then %zu): %s\n", event_len,
                copy_len, text);
        abort();
    }
    free(event_bytes);
    free(copy_bytes);
    pbjson_free(copy);
    json_decref(json);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size - 1 > MAX_EVENT_BYTES)
        return 0;
    const events_kind_t *kind = &events_kinds[data[0] % events_kind_count];
    ProtobufCMessage *event = protobuf_c_message_unpack(kind->descriptor, NULL, size - 1, data + 1);
    if (!event)
        return 0;
    const char *key = events_key(event);
    if (key && strlen(key) > size)
        abort(); /* a key is text from the payload */
    char err[512];
    if (validate_event(event, err, sizeof err) == 0)
        check_json_round_trip(event);
    else if (strlen(err) == 0)
        abort(); /* a refusal always says why */
    protobuf_c_message_free_unpacked(event, NULL);
    return 0;
}
