/* show: JSON Lines, enum names and reason lists on stdout. */
#include "show.h"

#include <stdio.h>
#include <stdlib.h>

#include "pbjson.h"

int show_json_line(json_t *json)
{
    char *text = json ? json_dumps(json, PBJSON_DUMP_FLAGS) : NULL;
    int rc = text ? 0 : -1;
    if (text)
        puts(text);
    free(text);
    json_decref(json);
    return rc;
}

const char *show_enum(const ProtobufCEnumDescriptor *d, int value, size_t prefix_len)
{
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(d, value);
    return v ? v->name + prefix_len : "?";
}

const char *show_reasons(const Succession__V1__Reason *reasons, size_t count, char *buf,
                         size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < count && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? "," : "",
                              show_enum(&succession__v1__reason__descriptor, (int)reasons[i], 7));
    return buf;
}
