/* datetime: calendar dates (YYYY-MM-DD) as days since 1970-01-01, RFC 3339
 * instants, and the one clock every service reads ("now", fixed by
 * SUCCESSION_NOW for tests and replays). All functions are pure except
 * datetime_now(). */
#ifndef SUCCESSION_DATETIME_H
#define SUCCESSION_DATETIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A date as whole days since 1970-01-01 (negative before). */
typedef int32_t date_days_t;

#define DATE_NONE INT32_MIN /* "no date" */

/* The instants RFC 3339 can write: 0001-01-01T00:00:00Z to
 * 9999-12-31T23:59:59Z, in seconds since the epoch. */
#define DATETIME_MIN_SECONDS  INT64_C(-62135596800)
#define DATETIME_MAX_SECONDS  INT64_C(253402300799)
#define DATETIME_OUT_OF_RANGE (-2)
#define DATE_TEXT_SIZE        11 /* "YYYY-MM-DD" and NUL */
#define INSTANT_TEXT_SIZE     40

/* Parses exactly "YYYY-MM-DD" (years 0001-9999) into *days. Returns 0, or -1
 * when the text is not of that form or names an impossible date such as
 * 2026-02-30; *days is then untouched. */
int datetime_parse_date(const char *text, date_days_t *days) __attribute__((warn_unused_result));

/* Writes "YYYY-MM-DD" for days into buf (DATE_TEXT_SIZE bytes). */
void datetime_format_date(date_days_t days, char buf[DATE_TEXT_SIZE]);

/* Days from a civil date (proleptic Gregorian); no validation. */
date_days_t datetime_days_from_civil(int year, int month, int day);

/* Parses an RFC 3339 instant ("2026-06-01T00:00:00Z", optional fraction of
 * up to 9 digits, 'Z' or +hh:mm / -hh:mm offset) into seconds and nanos since
 * the epoch. Returns 0; -1 when malformed or impossible; DATETIME_OUT_OF_RANGE
 * when, once the offset is applied, it falls outside DATETIME_MIN_SECONDS ..
 * DATETIME_MAX_SECONDS. */
int datetime_parse_instant(const char *text, int64_t *seconds, int32_t *nanos)
    __attribute__((warn_unused_result));

/* Writes an RFC 3339 UTC instant ("...Z", with a fraction only when nanos is
 * not 0) into buf (INSTANT_TEXT_SIZE bytes). */
void datetime_format_instant(int64_t seconds, int32_t nanos, char buf[INSTANT_TEXT_SIZE]);

/* Fixes the clock at an RFC 3339 instant (NULL or "" frees it). Returns 0, or
 * -1 when the text is not an instant. */
int datetime_set_now(const char *rfc3339) __attribute__((warn_unused_result));

/* Now, in seconds and nanos since the epoch: the fixed instant if one was
 * set, else the real time. */
void datetime_now(int64_t *seconds, int32_t *nanos);

/* Milliseconds of a monotonic clock (for timeouts and durations). */
long datetime_monotonic_ms(void);

/* Sleeps ms milliseconds (a signal may end it early). */
void datetime_sleep_ms(long ms);

/* Today's UTC date according to datetime_now(). */
date_days_t datetime_today(void);

#endif
