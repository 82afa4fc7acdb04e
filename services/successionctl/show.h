/* show: how successionctl writes what the system concluded: JSON Lines for
 * programs, enum names and reason lists for people. */
#ifndef SUCCESSIONCTL_SHOW_H
#define SUCCESSIONCTL_SHOW_H

#include <stddef.h>

#include <jansson.h>

#include "succession/v1/outputs.pb-c.h"

/* Writes json as one compact line on stdout and releases it (the reference
 * is taken over; NULL is fine). Returns 0, or -1 when json is NULL or cannot
 * be written out (out of memory). */
int show_json_line(json_t *json);

/* The name of value in the enum d without its first prefix_len characters
 * (borrowed from d), or "?" when d has no such value. */
const char *show_enum(const ProtobufCEnumDescriptor *d, int value, size_t prefix_len);

/* The count reasons, comma-separated and without their REASON_ prefix,
 * into buf (cut to fit size). Returns buf. */
const char *show_reasons(const Succession__V1__Reason *reasons, size_t count, char *buf,
                         size_t size);

#endif
