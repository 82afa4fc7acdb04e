/* sim_world: the simulated world (sim_world.c) that sim_write.c writes
 * out: the example in memory, its random streams, and the codes whose order
 * the text tables of sim_write.c follow. */
#ifndef SUCCESSION_SIM_WORLD_H
#define SUCCESSION_SIM_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datetime.h"
#include "sim_options.h"

#define SIM_DAY   86400
#define SIM_ROLES 6 /* board posts per organisation */

/* Random streams: one per purpose, and one per post or person. */
#define SIM_STREAM_ORGS        1ULL
#define SIM_STREAM_DESIGNATION 2ULL
#define SIM_STREAM_LATE        3ULL
#define SIM_STREAM_NOISE       4ULL
#define SIM_STREAM_HISTORY     (1ULL << 32)
#define SIM_STREAM_NOMINATIONS (2ULL << 32)
#define SIM_STREAM_PERSON      (3ULL << 32)

/* Event kinds, in the order of the topics vacancy, appointment, appraisal. */
enum {
    SIM_EV_NOTICE_GIVEN,
    SIM_EV_NOTICE_WITHDRAWN,
    SIM_EV_VACANCY_OPENED,
    SIM_EV_VACANCY_CLOSED,
    SIM_EV_APPOINTED,
    SIM_EV_APPOINTMENT_ENDED,
    SIM_EV_TALENT_REVIEW,
    SIM_EV_SUCCESSOR_NOMINATED,
    SIM_EV_SUCCESSOR_WITHDRAWN
};
/* The code of an event, by its kind. */
enum {
    SIM_LR_RESIGNATION,
    SIM_LR_RETIREMENT,
    SIM_LR_END_OF_CONTRACT,
    SIM_LR_DISMISSAL,
    SIM_LR_NEW_POST,
    SIM_LR_OTHER
};
enum { SIM_AK_SUBSTANTIVE, SIM_AK_INTERIM, SIM_AK_ACTING, SIM_AK_SECONDMENT };
enum { SIM_END_LEFT_POST, SIM_END_LEFT_NHS };
enum { SIM_OUTCOME_FILLED, SIM_OUTCOME_WITHDRAWN };
enum { SIM_READY_NOW, SIM_READY_SOON, SIM_READY_LATER };

enum { SIM_ROLE_CEO, SIM_ROLE_FD, SIM_ROLE_MD, SIM_ROLE_ND, SIM_ROLE_COO, SIM_ROLE_CHAIR };
typedef struct sim_role {
    const char *suffix, *name;
    int share; /* designated posts of the role out of 200 */
} sim_role_t;
/* The SIM_ROLES board roles, then three that trusts report but the
 * programme has not registered. */
extern const sim_role_t sim_roles[SIM_ROLES + 3];

/* Organisation kinds (acute trust first) and NHS regions, as indexed by
 * the kind and region of sim_org_t. */
#define SIM_KIND_COUNT     7
#define SIM_KIND_AMBULANCE 3
#define SIM_REGION_COUNT   7
#define SIM_GROUPS         (SIM_REGION_COUNT * SIM_ROLES) /* a region's posts of one role */

typedef struct sim_org {
    char code[6], name[128];
    uint8_t kind, region;
    double weight; /* orders the designation */
} sim_org_t;

typedef struct sim_post {
    int32_t org, first_tenure, tenure_count;
    uint8_t role;
    bool designated;
} sim_post_t;

/* A person and a substantive holding; only sim_world.c looks inside. */
typedef struct sim_person sim_person_t;
typedef struct sim_tenure sim_tenure_t;

typedef struct sim_event {
    int64_t at, delivered;     /* occurredAt; where it lands in the file */
    int32_t post, person, ref; /* ref: the appointment or vacancy number */
    date_days_t date, end_date;
    uint32_t number; /* creation order, then the n of its eventId */
    /* code: SIM_LR_ for notices and openings, SIM_OUTCOME_ for closings,
     * SIM_AK_ for appointments, SIM_END_ for ends, SIM_READY_ for
     * nominations; flag: emergency
     * cover; rating: performance, potential, risk and impact of loss (0-2:
     * low to high), fit and proper (0 confirmed, 1 not confirmed, 2 failed) */
    uint8_t kind, code, flag, rating[5];
} sim_event_t;

typedef struct sim_world {
    uint64_t seed;
    int org_count, post_count, unregistered, designated;
    int designation_target;           /* asked for: min(this, 2 an organisation) are designated */
    int group_designated[SIM_GROUPS]; /* designated posts by region * SIM_ROLES + role */
    int32_t pool, next_appointment, next_vacancy;
    date_days_t first_day, last_day;
    int64_t horizon; /* events at or after this instant have not happened yet */
    sim_org_t *orgs;
    sim_post_t *posts; /* post_count registered ones, then the unregistered */
    sim_person_t *persons;
    sim_tenure_t *tenures;
    sim_event_t *events;
    size_t person_count, person_cap, tenure_count, tenure_cap, event_count, event_cap;
    sim_event_t scratch; /* absorbs what has not happened yet */
    bool out_of_memory;
} sim_world_t;

typedef struct sim_rng {
    uint64_t state;
} sim_rng_t;

/* An independent splitmix64 stream of seed, so that one part of the example
 * does not shift when another draws more or fewer numbers. */
sim_rng_t sim_rng_stream(uint64_t seed, uint64_t stream);

/* A whole number in [lo, hi] (lo when hi < lo). */
int sim_rng_range(sim_rng_t *r, int lo, int hi);

/* true with probability p. */
bool sim_rng_chance(sim_rng_t *r, double p);

/* Sizes the example from o (organisations and events within the SIM_MIN_
 * and SIM_MAX_ bounds), sets its window from datetime_today(), allocates
 * the organisations and posts and makes the talent pool. Returns 0, or -1
 * when out of memory. Either way w owns what it holds: the caller releases
 * it with sim_world_free(). */
int sim_world_init(sim_world_t *w, const sim_options_t *o) __attribute__((warn_unused_result));

/* Builds the example in w, which sim_world_init() made: organisations, posts and
 * their designation, every post's history, the nominations of designated
 * posts, and talent reviews to bring the feed near target_events lines.
 * Events are left in the order they were made, delivered == at. Returns 0,
 * or -1 when out of memory (w is then partial, still to be freed). */
int sim_world_build(sim_world_t *w, long target_events) __attribute__((warn_unused_result));

/* Frees everything w holds; w must have been through sim_world_init(). */
void sim_world_free(sim_world_t *w);

#endif
