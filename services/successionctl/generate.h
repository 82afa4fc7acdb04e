/* successionctl generate: what the simulation (generate_world.c) hands to
 * the command that writes it out (cmd_generate.c): the example in memory,
 * its random streams, and the codes whose order the text tables of
 * cmd_generate.c follow. */
#ifndef SUCCESSIONCTL_GENERATE_H
#define SUCCESSIONCTL_GENERATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datetime.h"

#define GEN_DAY        86400
#define GEN_ROLES      6 /* board posts per organisation */
#define GEN_TOP200     200
#define GEN_MIN_ORGS   7
#define GEN_MAX_ORGS   5000
#define GEN_MIN_EVENTS 1000
#define GEN_MAX_EVENTS 2000000

/* Random streams: one per purpose, and one per post or person. */
#define STREAM_ORGS        1ULL
#define STREAM_DESIGNATION 2ULL
#define STREAM_LATE        3ULL
#define STREAM_NOISE       4ULL
#define STREAM_HISTORY     (1ULL << 32)
#define STREAM_NOMINATIONS (2ULL << 32)
#define STREAM_PERSON      (3ULL << 32)

/* Event kinds, in the order of the topics vacancy, appointment, appraisal. */
enum {
    EV_NOTICE_GIVEN,
    EV_NOTICE_WITHDRAWN,
    EV_VACANCY_OPENED,
    EV_VACANCY_CLOSED,
    EV_APPOINTED,
    EV_APPOINTMENT_ENDED,
    EV_TALENT_REVIEW,
    EV_SUCCESSOR_NOMINATED,
    EV_SUCCESSOR_WITHDRAWN
};
/* The code of an event, by its kind. */
enum { LR_RESIGNATION, LR_RETIREMENT, LR_END_OF_CONTRACT, LR_DISMISSAL, LR_NEW_POST, LR_OTHER };
enum { AK_SUBSTANTIVE, AK_INTERIM, AK_ACTING, AK_SECONDMENT };
enum { END_LEFT_POST, END_LEFT_NHS };
enum { OUTCOME_FILLED, OUTCOME_WITHDRAWN };
enum { READY_NOW, READY_SOON, READY_LATER };

enum { ROLE_CEO, ROLE_FD, ROLE_MD, ROLE_ND, ROLE_COO, ROLE_CHAIR };
typedef struct gen_role {
    const char *suffix, *name;
    int share; /* designated posts of the role out of 200 */
} gen_role_t;
/* The GEN_ROLES board roles, then three that trusts report but the
 * programme has not registered. */
extern const gen_role_t gen_roles[GEN_ROLES + 3];

/* Organisation kinds (acute trust first) and NHS regions, as indexed by
 * the kind and region of gen_org_t. */
#define KIND_COUNT     7
#define KIND_AMBULANCE 3
#define REGION_COUNT   7

typedef struct gen_org {
    char code[6], name[128];
    uint8_t kind, region;
    double weight; /* orders the designation */
} gen_org_t;

typedef struct gen_post {
    int32_t org, first_tenure, tenure_count;
    uint8_t role;
    bool designated;
} gen_post_t;

/* A person and a substantive holding; only generate_world.c looks inside. */
typedef struct gen_person gen_person_t;
typedef struct gen_tenure gen_tenure_t;

typedef struct gen_event {
    int64_t at, delivered;     /* occurredAt; where it lands in the file */
    int32_t post, person, ref; /* ref: the appointment or vacancy number */
    date_days_t date, end_date;
    uint32_t number; /* creation order, then the n of its eventId */
    /* code: LR_ for notices and openings, OUTCOME_ for closings, AK_ for
     * appointments, END_ for ends, READY_ for nominations; flag: emergency
     * cover; rating: performance, potential, risk and impact of loss (0-2:
     * low to high), fit and proper (0 confirmed, 1 not confirmed, 2 failed) */
    uint8_t kind, code, flag, rating[5];
} gen_event_t;

typedef struct gen {
    uint64_t seed;
    int org_count, post_count, unregistered, designated;
    int designation_target; /* asked for: min(this, 2 an organisation) are designated */
    int32_t pool, next_appointment, next_vacancy;
    date_days_t first_day, last_day;
    int64_t horizon; /* events at or after this instant have not happened yet */
    gen_org_t *orgs;
    gen_post_t *posts; /* post_count registered ones, then the unregistered */
    gen_person_t *persons;
    gen_tenure_t *tenures;
    gen_event_t *events;
    size_t person_count, person_cap, tenure_count, tenure_cap, event_count, event_cap;
    gen_event_t scratch; /* absorbs what has not happened yet */
    bool out_of_memory;
} gen_t;

typedef struct gen_options {
    const char *out;
    unsigned long long seed, organisations, events;
    unsigned long long designated; /* at most 2 an organisation; default GEN_TOP200 */
} gen_options_t;

typedef struct gen_rng {
    uint64_t state;
} gen_rng_t;

/* An independent splitmix64 stream of seed, so that one part of the example
 * does not shift when another draws more or fewer numbers. */
gen_rng_t gen_rng_stream(uint64_t seed, uint64_t stream);

/* A whole number in [lo, hi] (lo when hi < lo). */
int gen_rng_range(gen_rng_t *r, int lo, int hi);

/* true with probability p. */
bool gen_rng_chance(gen_rng_t *r, double p);

/* Sizes the example from o (organisations and events within the GEN_MIN_
 * and GEN_MAX_ bounds), sets its window from datetime_today(), allocates
 * the organisations and posts and makes the talent pool. Returns 0, or -1
 * when out of memory. Either way g owns what it holds: the caller releases
 * it with gen_free(). */
int gen_init(gen_t *g, const gen_options_t *o) __attribute__((warn_unused_result));

/* Builds the example in g, which gen_init() made: organisations, posts and
 * their designation, every post's history, the nominations of designated
 * posts, and talent reviews to bring the feed near target_events lines.
 * Events are left in the order they were made, delivered == at. Returns 0,
 * or -1 when out of memory (g is then partial, still to be freed). */
int gen_build(gen_t *g, long target_events) __attribute__((warn_unused_result));

/* Frees everything g holds; g must have been through gen_init(). */
void gen_free(gen_t *g);

#endif
