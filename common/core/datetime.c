/* datetime: dates, RFC 3339 instants and the service clock. */
#include "datetime.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static bool clock_fixed;
static int64_t fixed_seconds;
static int32_t fixed_nanos;

/* Howard Hinnant's civil-date algorithms, in days since 1970-01-01. */
date_days_t datetime_days_from_civil(int year, int month, int day)
{
    year -= month <= 2;
    const int era = (year >= 0 ? year : year - 399) / 400;
    const int yoe = year - era * 400;
    const int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (date_days_t)(era * 146097 + doe - 719468);
}

static void civil_from_days(date_days_t days, int *year, int *month, int *day)
{
    const int z = days + 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const int doe = z - era * 146097;
    const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int mp = (5 * doy + 2) / 153;
    *day = doy - (153 * mp + 2) / 5 + 1;
    *month = mp + (mp < 10 ? 3 : -9);
    *year = yoe + era * 400 + (*month <= 2);
}

static int days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

/* Reads exactly n decimal digits. */
static int read_digits(const char *text, int n, int *value)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        v = v * 10 + (text[i] - '0');
    }
    *value = v;
    return 0;
}

static int parse_date_prefix(const char *text, int *year, int *month, int *day)
{
    if (read_digits(text, 4, year) || text[4] != '-' || read_digits(text + 5, 2, month) ||
        text[7] != '-' || read_digits(text + 8, 2, day))
        return -1;
    if (*year < 1 || *month < 1 || *month > 12 || *day < 1 || *day > days_in_month(*year, *month))
        return -1;
    return 0;
}

int datetime_parse_date(const char *text, date_days_t *days)
{
    int year, month, day;
    if (!text || strlen(text) != 10 || parse_date_prefix(text, &year, &month, &day))
        return -1;
    *days = datetime_days_from_civil(year, month, day);
    return 0;
}

void datetime_format_date(date_days_t days, char buf[DATE_TEXT_SIZE])
{
    int year, month, day;
    civil_from_days(days, &year, &month, &day);
    /* Written digit by digit: the ranges are known, and snprintf's
     * truncation warning cannot see them. */
    const int fields[3] = {year % 10000, month, day}, widths[3] = {4, 2, 2};
    char *p = buf;
    for (int f = 0; f < 3; f++) {
        for (int w = widths[f] - 1, v = fields[f]; w >= 0; w--, v /= 10)
            p[w] = (char)('0' + v % 10);
        p += widths[f];
        *p++ = f < 2 ? '-' : '\0';
    }
}

int datetime_parse_instant(const char *text, int64_t *seconds, int32_t *nanos)
{
    int year, month, day, hour, minute, second;
    if (!text || strlen(text) < 20 || parse_date_prefix(text, &year, &month, &day))
        return -1;
    if ((text[10] != 'T' && text[10] != 't') || read_digits(text + 11, 2, &hour) ||
        text[13] != ':' || read_digits(text + 14, 2, &minute) || text[16] != ':' ||
        read_digits(text + 17, 2, &second) || hour > 23 || minute > 59 || second > 59)
        return -1;
    const char *p = text + 19;
    int32_t fraction = 0;
    if (*p == '.') {
        int digits = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
            if (digits >= 9)
                return -1;
            fraction = fraction * 10 + (*p - '0');
        }
        if (digits == 0)
            return -1;
        for (; digits < 9; digits++)
            fraction *= 10;
    }
    int offset_minutes = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (read_digits(p + 1, 2, &oh) || p[3] != ':' || read_digits(p + 4, 2, &om) || oh > 23 ||
            om > 59)
            return -1;
        offset_minutes = (oh * 60 + om) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return -1;
    }
    if (*p != '\0')
        return -1;
    int64_t utc = (int64_t)datetime_days_from_civil(year, month, day) * 86400 + hour * 3600 +
                  minute * 60 + second - (int64_t)offset_minutes * 60;
    if (utc < DATETIME_MIN_SECONDS || utc > DATETIME_MAX_SECONDS)
        return DATETIME_OUT_OF_RANGE; /* e.g. 9999-12-31T23:59:59-00:15 */
    *seconds = utc;
    *nanos = fraction;
    return 0;
}

void datetime_format_instant(int64_t seconds, int32_t nanos, char buf[INSTANT_TEXT_SIZE])
{
    int64_t days = seconds / 86400, rest = seconds % 86400;
    if (rest < 0) {
        rest += 86400;
        days--;
    }
    char date[DATE_TEXT_SIZE];
    datetime_format_date((date_days_t)days, date);
    int n = snprintf(buf, INSTANT_TEXT_SIZE, "%sT%02d:%02d:%02d", date, (int)(rest / 3600),
                     (int)(rest % 3600 / 60), (int)(rest % 60));
    if (nanos > 0 && nanos < 1000000000) {
        /* Shortest of 3, 6 or 9 digits, as the proto3 JSON mapping writes. */
        if (nanos % 1000000 == 0)
            n += snprintf(buf + n, INSTANT_TEXT_SIZE - n, ".%03d", (int)(nanos / 1000000));
        else if (nanos % 1000 == 0)
            n += snprintf(buf + n, INSTANT_TEXT_SIZE - n, ".%06d", (int)(nanos / 1000));
        else
            n += snprintf(buf + n, INSTANT_TEXT_SIZE - n, ".%09d", (int)nanos);
    }
    snprintf(buf + n, INSTANT_TEXT_SIZE - n, "Z");
}

int datetime_set_now(const char *rfc3339)
{
    if (!rfc3339 || !*rfc3339) {
        clock_fixed = false;
        return 0;
    }
    int64_t s;
    int32_t ns;
    if (datetime_parse_instant(rfc3339, &s, &ns))
        return -1;
    fixed_seconds = s;
    fixed_nanos = ns;
    clock_fixed = true;
    return 0;
}

void datetime_now(int64_t *seconds, int32_t *nanos)
{
    if (clock_fixed) {
        *seconds = fixed_seconds;
        *nanos = fixed_nanos;
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    *seconds = ts.tv_sec;
    *nanos = (int32_t)ts.tv_nsec;
}

date_days_t datetime_today(void)
{
    int64_t s;
    int32_t ns;
    datetime_now(&s, &ns);
    return (date_days_t)(s >= 0 ? s / 86400 : (s - 86399) / 86400);
}

long datetime_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void datetime_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}
