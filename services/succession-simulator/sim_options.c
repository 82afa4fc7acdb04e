/* sim_options: the simulator's command line, read into sim_options_t. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_options.h"

/* Reads a whole number in [lo, hi] from text. Returns 0, or -1. */
static int parse_number(const char *text, unsigned long long lo, unsigned long long hi,
                        unsigned long long *value)
{
    char *end;
    errno = 0;
    if (*text < '0' || *text > '9')
        return -1;
    *value = strtoull(text, &end, 10);
    return errno || *end || *value < lo || *value > hi ? -1 : 0;
}

int sim_options_parse(sim_options_t *o, int argc, char **argv, char *errstr, size_t errstr_size)
{
    *o = (sim_options_t){.seed = SIM_DEFAULT_SEED,
                         .organisations = SIM_DEFAULT_ORGS,
                         .events = SIM_DEFAULT_EVENTS,
                         .designated = SIM_TOP200};
    for (int i = 1; i < argc; i += 2) {
        const char *name = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long long *number = NULL, lo = 0, hi = UINT64_MAX;
        if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
            o->help = true;
            return 0;
        } else if (strcmp(name, "--seed") == 0) {
            number = &o->seed;
        } else if (strcmp(name, "--organisations") == 0) {
            number = &o->organisations, lo = SIM_MIN_ORGS, hi = SIM_MAX_ORGS;
        } else if (strcmp(name, "--events") == 0) {
            number = &o->events, lo = SIM_MIN_EVENTS, hi = SIM_MAX_EVENTS;
        } else if (strcmp(name, "--designated") == 0) {
            number = &o->designated, lo = 1, hi = 2 * SIM_MAX_ORGS;
        } else if (strcmp(name, "--out") != 0) {
            snprintf(errstr, errstr_size, "%s: unknown option", name);
            return -1;
        }
        if (!value || !*value) {
            snprintf(errstr, errstr_size, "%s: the value is missing", name);
            return -1;
        }
        if (!number) {
            o->out = value;
        } else if (parse_number(value, lo, hi, number)) {
            snprintf(errstr, errstr_size, "%s: '%s' is not a whole number from %llu to %llu", name,
                     value, lo, hi);
            return -1;
        }
    }
    if (!o->out) {
        snprintf(errstr, errstr_size, "--out: the folder to write is missing");
        return -1;
    }
    return 0;
}
