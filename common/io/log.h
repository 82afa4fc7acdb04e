/* log: one structured line per event of interest, on stderr. JSON by default
 * ({"ts","level","service","event","msg"}), plain text for a terminal.
 * Secrets are never passed in: callers log names, not connection strings. */
#ifndef SUCCESSION_LOG_H
#define SUCCESSION_LOG_H

#include <stdbool.h>

typedef enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR } log_level_t;

/* Sets the service name (borrowed; must outlive logging), JSON or text
 * output, and the lowest level written. Safe to call again. */
void log_init(const char *service, bool json, log_level_t min_level);

/* Parses "debug", "info", "warn" or "error". Returns 0, or -1 if unknown. */
int log_level_parse(const char *text, log_level_t *level) __attribute__((warn_unused_result));

/* Writes one line: `event` is a stable snake_case name operators can grep
 * and alert on; the message says the rest. Never fails (a write error is
 * ignored: logging must not stop a worker). */
void log_write(log_level_t level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_debug(event, ...) log_write(LOG_DEBUG, event, __VA_ARGS__)
#define log_info(event, ...)  log_write(LOG_INFO, event, __VA_ARGS__)
#define log_warn(event, ...)  log_write(LOG_WARN, event, __VA_ARGS__)
#define log_error(event, ...) log_write(LOG_ERROR, event, __VA_ARGS__)

#endif
