/* sim_options: what the simulator is asked for (sizes, seed, folder), read
 * from its command line and checked against the bounds below. */
#ifndef SUCCESSION_SIM_OPTIONS_H
#define SUCCESSION_SIM_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#define SIM_TOP200     200 /* designated posts by default */
#define SIM_MIN_ORGS   7
#define SIM_MAX_ORGS   5000
#define SIM_MIN_EVENTS 1000
#define SIM_MAX_EVENTS 2000000

#define SIM_DEFAULT_SEED   1
#define SIM_DEFAULT_ORGS   450
#define SIM_DEFAULT_EVENTS 40000

typedef struct sim_options {
    const char *out; /* the folder to write; points into the parsed argv */
    unsigned long long seed, organisations, events;
    unsigned long long designated; /* posts to designate (2 an organisation at most) */
    bool help;                     /* --help was asked for; nothing else is read */
} sim_options_t;

/* Fills o from argv[1..argc-1] (argv[0] is the program's name), starting
 * from the SIM_DEFAULT_ values and SIM_TOP200: --out DIR, --seed N,
 * --organisations N, --events N and --designated N, each number whole and
 * within its bounds; --help (or -h) stops reading and sets o->help. Returns
 * 0, or -1 with "option: what is wrong" in errstr when an option is
 * unknown, lacks its value or has a bad one, or --out is missing. */
int sim_options_parse(sim_options_t *o, int argc, char **argv, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

#endif
