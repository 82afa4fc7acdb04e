/* log: structured lines on stderr. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "datetime.h"

static const char *log_service = "succession";
static bool log_json = true;
static log_level_t log_min = LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_init(const char *service, bool json, log_level_t min_level)
{
    log_service = service;
    log_json = json;
    log_min = min_level;
}

int log_level_parse(const char *text, log_level_t *level)
{
    for (int i = LOG_DEBUG; i <= LOG_ERROR; i++) {
        if (strcmp(text, level_names[i]) == 0) {
            *level = (log_level_t)i;
            return 0;
        }
    }
    return -1;
}

/* Writes s as the inside of a JSON string. */
static void put_json_string(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
}

void log_write(log_level_t level, const char *event, const char *fmt, ...)
{
    if (level < log_min)
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    int64_t s;
    int32_t ns;
    /* Log time is wall-clock time even when the service clock is fixed. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    s = ts.tv_sec;
    ns = (int32_t)(ts.tv_nsec / 1000000 * 1000000);
    char when[INSTANT_TEXT_SIZE];
    datetime_format_instant(s, ns, when);

    flockfile(stderr);
    if (log_json) {
        fprintf(stderr, "{\"ts\":\"%s\",\"level\":\"%s\",\"service\":\"", when, level_names[level]);
        put_json_string(stderr, log_service);
        fputs("\",\"event\":\"", stderr);
        put_json_string(stderr, event);
        fputs("\",\"msg\":\"", stderr);
        put_json_string(stderr, msg);
        fputs("\"}\n", stderr);
    } else {
        fprintf(stderr, "%s %-5s %s %s: %s\n", when, level_names[level], log_service, event, msg);
    }
    funlockfile(stderr);
}
