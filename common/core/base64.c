/* base64: the standard alphabet out, either alphabet in. */
#include "base64.h"

#include <stdlib.h>
#include <string.h>

static const char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The 6-bit value of a base64 digit, standard or URL-safe; -1 otherwise. */
static int base64_digit(unsigned char c)
{
    if (c == '-' || c == '_')
        return c == '-' ? 62 : 63;
    const char *p = c ? strchr(base64_alphabet, c) : NULL;
    return p ? (int)(p - base64_alphabet) : -1;
}

char *base64_encode(const void *data, size_t len)
{
    const uint8_t *bytes = data;
    char *text = malloc((len + 2) / 3 * 4 + 1);
    if (!text)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t group = (uint32_t)bytes[i] << 16;
        if (i + 1 < len)
            group |= (uint32_t)bytes[i + 1] << 8;
        if (i + 2 < len)
            group |= bytes[i + 2];
        text[n++] = base64_alphabet[group >> 18 & 63];
        text[n++] = base64_alphabet[group >> 12 & 63];
        text[n++] = i + 1 < len ? base64_alphabet[group >> 6 & 63] : '=';
        text[n++] = i + 2 < len ? base64_alphabet[group & 63] : '=';
    }
    text[n] = '\0';
    return text;
}

int base64_decode(const char *text, size_t len, uint8_t **out, size_t *out_len)
{
    size_t padding = 0;
    while (len > 0 && padding < 2 && text[len - 1] == '=') {
        len--;
        padding++;
    }
    *out = NULL;
    *out_len = 0;
    if (len % 4 == 1 || (padding > 0 && (len + padding) % 4 != 0))
        return -1;
    if (len == 0)
        return 0;
    uint8_t *buf = malloc(len / 4 * 3 + 3);
    if (!buf)
        return -1;
    uint32_t bits = 0;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        int v = base64_digit((unsigned char)text[i]);
        if (v < 0)
            goto malformed;
        bits = (bits << 6) | (uint32_t)v;
        if (i % 4 == 3 || i == len - 1) {
            size_t digits = i % 4 + 1;
            bits <<= 6 * (4 - digits); /* align a short final group */
            for (size_t k = 0; k + 1 < digits; k++)
                buf[n++] = (uint8_t)(bits >> (16 - 8 * k));
            bits = 0;
        }
    }
    *out = buf;
    *out_len = n;
    return 0;
malformed:
    free(buf);
    return -1;
}
