/* fuzz_pbjson_decode: the proto3 JSON mapping on untrusted text, as
 * successionctl reads JSON Lines. The input is parsed as JSON and decoded as
 * each of the three input events and the two outputs. Whatever decodes must
 * survive a round trip: its JSON text decodes again, packs to the same bytes,
 * and (for an event) is valid exactly when the first message was. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "events.h"
#include "pbjson.h"
#include "validate.h"
#include "succession/v1/outputs.pb-c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

/* Whether msg is a valid input event; false for the outputs, which
 * validate_event does not judge. Aborts when a refusal gives no reason. */
static bool is_valid_event(const ProtobufCMessage *msg)
{
    if (!events_kind_by_descriptor(msg->descriptor))
        return false;
    char err[512];
    if (validate_event(msg, err, sizeof err) == 0)
        return true;
    if (strlen(err) == 0)
        abort();
    return false;
}

/* Aborts when msg does not survive pbjson_encode, the JSON text and
 * pbjson_decode unchanged. */
static void check_round_trip(const ProtobufCMessage *msg)
{
    json_t *json = pbjson_encode(msg);
    char *text = json ? json_dumps(json, JSON_COMPACT) : NULL;
    json_decref(json);
    if (!text)
        abort(); /* only out of memory */
    json_error_t jerr;
    json = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    ProtobufCMessage *copy = NULL;
    char err[512] = "";
    if (!json || pbjson_decode(msg->descriptor, json, &copy, err, sizeof err)) {
        fprintf(stderr, "%s does not decode its own JSON (%s): %s\n", msg->descriptor->name,
                json ? err : jerr.text, text);
        abort();
    }
    if (is_valid_event(msg) != is_valid_event(copy)) {
        fprintf(stderr, "%s: validity changed by the JSON round trip: %s\n", msg->descriptor->name,
                text);
        abort();
    }
    size_t msg_len, copy_len;
    uint8_t *msg_bytes = pack(msg, &msg_len), *copy_bytes = pack(copy, &copy_len);
    if (msg_len != copy_len || memcmp(msg_bytes, copy_bytes, msg_len) != 0) {
        fprintf(stderr, "%s changed by the JSON round trip (%zu bytes, then %zu): %s\n",
                msg->descriptor->name, msg_len, copy_len, text);
        abort();
    }
    free(msg_bytes);
    free(copy_bytes);
    pbjson_free(copy);
    json_decref(json);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const ProtobufCMessageDescriptor *const outputs[] = {
        &succession__v1__post_status__descriptor,
        &succession__v1__succession_alert__descriptor,
    };
    const size_t output_count = sizeof outputs / sizeof outputs[0];
    json_error_t jerr;
    json_t *json = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!json)
        return 0;
    for (size_t i = 0; i < events_kind_count + output_count; i++) {
        const ProtobufCMessageDescriptor *desc =
            i < events_kind_count ? events_kinds[i].descriptor : outputs[i - events_kind_count];
        ProtobufCMessage *msg = NULL;
        char err[512];
        if (pbjson_decode(desc, json, &msg, err, sizeof err)) {
            if (msg || strlen(err) == 0)
                abort(); /* a refusal gives no message and says why */
            continue;
        }
        (void)events_key(msg);
        check_round_trip(msg);
        pbjson_free(msg);
    }
    json_decref(json);
    return 0;
}
