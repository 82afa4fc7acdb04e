/* access: who may see the dashboard. It shows pseudonymous ids and leaving
 * dates, which are personnel data: beyond loopback it needs a credential
 * and TLS. The credential is one line, "user:password"; a request shows it
 * with HTTP basic authentication (what a browser asks for) or as a bearer
 * token (Authorization: Bearer user:password, for programs). */
#ifndef SUCCESSION_DASHBOARD_ACCESS_H
#define SUCCESSION_DASHBOARD_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

#define ACCESS_MAX_CREDENTIAL 1024        /* bytes of the credential line */
#define ACCESS_MAX_FILE       (64 * 1024) /* bytes of the credential file */

/* Whether address (IPv4, dotted) is in 127.0.0.0/8. */
bool access_is_loopback(const char *address);

/* Whether an Authorization header value (NULL when absent) carries
 * credential, as "Basic base64(credential)" or "Bearer credential". The
 * comparison takes the same time wherever the first difference is. */
bool access_allows(const char *authorization, const char *credential);

/* Reads the whole of path, at most max_bytes, into a new NUL-terminated
 * string (*text; the caller frees). Returns 0, or -1 with "PATH: problem"
 * in errstr. For the TLS certificate and key. */
int access_read_file(const char *path, size_t max_bytes, char **text, char *errstr,
                     size_t errstr_size) __attribute__((warn_unused_result));

/* Reads the first line of path (without its line end) into a new string
 * (*credential; the caller frees). Returns 0, or -1 with "PATH: problem"
 * in errstr: unreadable, larger than ACCESS_MAX_FILE, an empty first line or
 * one longer than ACCESS_MAX_CREDENTIAL, holding
 * a control character, or without the ':' of user:password. */
int access_read_credential(const char *path, char **credential, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

#endif
