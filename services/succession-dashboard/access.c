/* access: the loopback check, the credential file and its comparison. */
#include "access.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base64.h"

bool access_is_loopback(const char *address)
{
    struct in_addr a;
    return inet_pton(AF_INET, address, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

/* Whether len bytes of given equal expected, in a time that depends only
 * on the lengths. */
static bool same_secret(const void *given, size_t len, const char *expected)
{
    const unsigned char *g = given, *e = (const unsigned char *)expected;
    size_t n = strlen(expected);
    unsigned char diff = len != n;
    for (size_t i = 0; i < n; i++)
        diff |= e[i] ^ (i < len ? g[i] : 0);
    return diff == 0;
}

bool access_allows(const char *authorization, const char *credential)
{
    if (!authorization)
        return false;
    if (strncasecmp(authorization, "Bearer ", 7) == 0)
        return same_secret(authorization + 7, strlen(authorization + 7), credential);
    if (strncasecmp(authorization, "Basic ", 6) != 0)
        return false;
    uint8_t *decoded = NULL;
    size_t len = 0;
    const char *b64 = authorization + 6;
    if (strlen(b64) > 2 * ACCESS_MAX_CREDENTIAL || base64_decode(b64, strlen(b64), &decoded, &len))
        return false;
    bool ok = same_secret(decoded, len, credential);
    free(decoded);
    return ok;
}

/* Checks the credential line; "" when it is fine, else the problem. */
static const char *credential_problem(const char *line)
{
    if (!line[0])
        return "the first line is empty";
    for (const unsigned char *p = (const unsigned char *)line; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return "the first line holds a control character";
    return strchr(line, ':') ? "" : "the first line is not user:password";
}

int access_read_file(const char *path, size_t max_bytes, char **text, char *errstr,
                     size_t errstr_size)
{
    *text = NULL;
    FILE *f = fopen(path, "rb");
    char *buf = f ? malloc(max_bytes + 2) : NULL;
    size_t len = buf ? fread(buf, 1, max_bytes + 1, f) : 0;
    const char *problem = !f                ? strerror(errno)
                          : !buf            ? "out of memory"
                          : ferror(f)       ? "read error"
                          : len > max_bytes ? "larger than allowed"
                                            : NULL;
    if (f)
        fclose(f);
    if (problem) {
        snprintf(errstr, errstr_size, "%s: %s", path, problem);
        free(buf);
        return -1;
    }
    buf[len] = '\0';
    *text = buf;
    return 0;
}

int access_read_credential(const char *path, char **credential, char *errstr, size_t errstr_size)
{
    if (access_read_file(path, ACCESS_MAX_FILE, credential, errstr, errstr_size))
        return -1;
    char *line = *credential;
    line[strcspn(line, "\r\n")] = '\0';
    /* The line itself is never shown: it is a secret. */
    const char *problem = strlen(line) > ACCESS_MAX_CREDENTIAL ? "the first line is too long"
                                                               : credential_problem(line);
    if (problem[0]) {
        snprintf(errstr, errstr_size, "%s: %s", path, problem);
        free(line);
        *credential = NULL;
        return -1;
    }
    return 0;
}
