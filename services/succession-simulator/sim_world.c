/* sim_world: the simulated world of the succession simulator: organisations,
 * posts, people and their histories, built in memory for sim_write.c.
 *
 * Realism choices:
 * - organisations in the NHS's proportions (mostly acute trusts), ODS-like
 *   codes (R.. trusts, Q.. ICBs, 99X CCGs), names built from each region's
 *   towns; 6 board posts each, 200 designated: mostly chief executives of
 *   the larger or strategic organisations, then finance and other directors,
 *   and a few posts more that trusts report but posts.csv leaves out;
 * - a talent pool (P00001...) plus the holders, pseudonymous, without names;
 * - history from 2021-01-01 (or five years back) to the day before now. The
 *   feed opens with a snapshot of the holders; each leaves after about four
 *   years: notice (sometimes withdrawn), vacancy (sometimes re-advertised),
 *   appointment ended (some leave the NHS), interim or acting cover over
 *   most gaps, a successor from the pool or outside. Chairs and some
 *   directors serve fixed terms, often renewed. What would happen after the
 *   last day is left out, so some posts are on notice, vacant or interim;
 * - designated posts are planned about yearly: 2-5 nominees whose readiness
 *   moves with re-assessment, some withdrawn, some not re-assessed, a few
 *   plans lapse so their assessments go stale; pool successors had been
 *   nominated; some nominees hold other posts (and may leave the NHS);
 *   ready-now names come mostly from a short list per region and role, so
 *   many are the ready-now successors of several posts (yet fill only one);
 * - talent reviews about yearly for the pool, nominees and top-200 holders,
 *   less often for other holders. --events tunes the number of reviews (and
 *   the pool, beyond the default); the history depends on seed and size.
 * Every choice comes from splitmix64 streams keyed by the seed and entity:
 * the same seed and "now" give the same world. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "sim_world.h"

#define SIM_MAX_NOMINEE 6
#define TOWNS           12

/* The shares add up to 200; with fewer than 100 organisations (2 designated
 * posts each) they shrink in proportion. */
const sim_role_t sim_roles[SIM_ROLES + 3] = {
    {"CEO", "CHIEF_EXECUTIVE", 150},       {"FD", "FINANCE_DIRECTOR", 26},
    {"MD", "MEDICAL_DIRECTOR", 10},        {"ND", "NURSING_DIRECTOR", 7},
    {"COO", "CHIEF_OPERATING_OFFICER", 5}, {"CHAIR", "CHAIR", 2},
    {"DOW", "OTHER_DIRECTOR", 0},          {"DOS", "OTHER_DIRECTOR", 0},
    {"DCA", "OTHER_DIRECTOR", 0}};

static const int kind_permille[SIM_KIND_COUNT] = {422, 122, 44, 22, 40, 256, 94};
static const char kind_scheme[SIM_KIND_COUNT + 1] = "RRRRRCQ"; /* R.., Q..: 2 alnum; C: 99X */
static const double kind_weight[SIM_KIND_COUNT] = {0.6, 0.3, 0.1, 0.45,
                                                   0.4, 0.0, 0.8}; /* strategic */
/* '@' is a town of the organisation's region, '#' the region's area. */
static const char *const kind_templates[SIM_KIND_COUNT][4] = {
    {"@ Hospitals NHS Foundation Trust", "University Hospitals of @ NHS Trust",
     "@ and @ Teaching Hospitals NHS Trust", "@, @ and @ Hospitals NHS Foundation Trust"},
    {"@ Partnership NHS Foundation Trust", "@ and @ Mental Health NHS Trust",
     "@ Health and Care NHS Foundation Trust", "@ Healthcare NHS Trust"},
    {"@ Community Health Services NHS Trust", "@ Community Healthcare NHS Trust",
     "@ and @ Community NHS Trust", "@ Integrated Care NHS Trust"},
    {"# Ambulance Service NHS Foundation Trust", "# Ambulance Service NHS Trust",
     "@ and # Ambulance Service NHS Trust", "# Ambulance Service University NHS Trust"},
    {"@ Children's Hospital NHS Foundation Trust", "The @ Heart and Chest NHS Foundation Trust",
     "@ Orthopaedic Hospital NHS Foundation Trust", "The @ Cancer Centre NHS Foundation Trust"},
    {"NHS @ CCG", "NHS @ and @ CCG", "NHS North @ CCG", "NHS @, @ and @ CCG"},
    {"NHS @ ICB", "NHS @ and @ Integrated Care Board", "NHS @, @ and @ ICB", "NHS @ and @ ICB"}};

static const char *const region_areas[SIM_REGION_COUNT] = {
    "London",          "South Central", "South Western", "West Midlands",
    "East of England", "Yorkshire",     "North West"};
static const char *const region_towns[SIM_REGION_COUNT][TOWNS] = {
    {"Barnet", "Camden", "Croydon", "Ealing", "Enfield", "Greenwich", "Hackney", "Harrow",
     "Hillingdon", "Kingston", "Lewisham", "Newham"},
    {"Brighton", "Canterbury", "Guildford", "Maidstone", "Oxford", "Portsmouth", "Reading",
     "Southampton", "Slough", "Crawley", "Ashford", "Basingstoke"},
    {"Bath", "Bristol", "Exeter", "Gloucester", "Plymouth", "Swindon", "Taunton", "Torbay", "Truro",
     "Yeovil", "Salisbury", "Dorchester"},
    {"Birmingham", "Coventry", "Derby", "Leicester", "Lincoln", "Northampton", "Nottingham",
     "Shrewsbury", "Stoke", "Walsall", "Wolverhampton", "Worcester"},
    {"Bedford", "Cambridge", "Chelmsford", "Colchester", "Ipswich", "Luton", "Norwich",
     "Peterborough", "Southend", "Stevenage", "Watford", "King's Lynn"},
    {"Bradford", "Doncaster", "Durham", "Harrogate", "Hull", "Leeds", "Middlesbrough", "Newcastle",
     "Sheffield", "Sunderland", "Wakefield", "York"},
    {"Blackpool", "Bolton", "Carlisle", "Chester", "Lancaster", "Liverpool", "Manchester", "Oldham",
     "Preston", "Salford", "Stockport", "Wigan"}};

struct sim_person {
    date_days_t first_seen, busy_from, busy_to; /* span of their appointments, merged */
    date_days_t left_nhs;                       /* DATE_NONE while in the NHS */
    bool reviewed, core; /* reviewed at all; yearly: pool, nominee, top-200 holder */
};

/* A substantive holding, for who-held-the-post-when questions. */
struct sim_tenure {
    int32_t person;
    date_days_t start, end;
    bool from_pool;
};

typedef struct holding {
    int32_t post, person, appointment;
    uint8_t kind;
    date_days_t start, planned_end, end; /* end: when it really ends */
} holding_t;

typedef struct nominee {
    int32_t person;
    uint8_t readiness;
    bool emergency;
} nominee_t;

/* Random numbers: splitmix64, one stream per purpose or entity. */
static uint64_t sim_rng_next(sim_rng_t *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

sim_rng_t sim_rng_stream(uint64_t seed, uint64_t stream)
{
    sim_rng_t r = {seed ^ (stream * 0xd1b54a32d192ed03ULL)};
    r.state = sim_rng_next(&r);
    return r;
}

/* A whole number in [lo, hi] (lo when hi < lo). */
int sim_rng_range(sim_rng_t *r, int lo, int hi)
{
    if (hi <= lo)
        return lo;
    return lo + (int)(((sim_rng_next(r) >> 32) * (uint64_t)(hi - lo + 1)) >> 32);
}

static double sim_rng_unit(sim_rng_t *r)
{
    return (double)(sim_rng_next(r) >> 11) * 0x1.0p-53;
}

bool sim_rng_chance(sim_rng_t *r, double p)
{
    return sim_rng_unit(r) < p;
}

/* 0, 1 or 2 with chances low% and medium%, else 2. */
static uint8_t sim_rng_pick3(sim_rng_t *r, int low, int medium)
{
    int roll = sim_rng_range(r, 0, 99);
    return roll < low ? 0 : roll < low + medium ? 1 : 2;
}

/* An instant in office hours of day. */
static int64_t at_time(sim_rng_t *r, date_days_t day)
{
    return (int64_t)day * SIM_DAY + sim_rng_range(r, 8 * 3600, 18 * 3600);
}

/* items with room for one more at count (growing *cap), or NULL when out of
 * memory (items then stays valid). */
static void *grow(void *items, size_t *cap, size_t count, size_t size)
{
    if (count < *cap)
        return items;
    size_t more = *cap ? *cap * 2 : 1024;
    void *bigger = realloc(items, more * size);
    if (bigger)
        *cap = more;
    return bigger;
}

/* Adds an event; one that happens on or after today goes to the scratch
 * event instead, so that callers can fill in the rest either way. */
static sim_event_t *emit(sim_world_t *w, int kind, int64_t at, int32_t post, int32_t person,
                         int32_t ref, int code, date_days_t date)
{
    sim_event_t *e = &w->scratch;
    if (at < w->horizon) {
        sim_event_t *more = grow(w->events, &w->event_cap, w->event_count, sizeof *more);
        w->out_of_memory = w->out_of_memory || !more;
        w->events = more ? more : w->events;
        e = more ? &more[w->event_count++] : e;
    }
    *e = (sim_event_t){.at = at,
                       .delivered = at,
                       .post = post,
                       .person = person,
                       .ref = ref,
                       .date = date,
                       .end_date = DATE_NONE,
                       .kind = (uint8_t)kind,
                       .code = (uint8_t)code,
                       .number = (uint32_t)w->event_count};
    return e;
}

static int32_t person_new(sim_world_t *w, date_days_t from, date_days_t to, bool reviewed)
{
    sim_person_t *more = grow(w->persons, &w->person_cap, w->person_count, sizeof *more);
    if (!more) {
        w->out_of_memory = true;
        return 0;
    }
    w->persons = more;
    more[w->person_count] = (sim_person_t){from, from, to, DATE_NONE, reviewed, false};
    return (int32_t)w->person_count++;
}

static bool person_free(const sim_world_t *w, int32_t i, date_days_t from, date_days_t to)
{
    const sim_person_t *p = &w->persons[i];
    if (p->left_nhs != DATE_NONE && p->left_nhs <= to)
        return false;
    return to < p->busy_from || from > p->busy_to;
}

static void person_engage(sim_world_t *w, int32_t i, date_days_t from, date_days_t to,
                          bool reviewed)
{
    sim_person_t *p = &w->persons[i];
    p->busy_from = from < p->busy_from ? from : p->busy_from;
    p->busy_to = to > p->busy_to ? to : p->busy_to;
    p->first_seen = from < p->first_seen ? from : p->first_seen;
    p->reviewed = p->reviewed || reviewed;
}

/* Someone free from `from` to `to`: a pool member (pool%), someone known
 * (known%) or, failing those, a new person. *from_pool says which. */
static int32_t pick_person(sim_world_t *w, sim_rng_t *r, date_days_t from, date_days_t to, int pool,
                           int known, bool substantive, bool *from_pool)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        int roll = sim_rng_range(r, 0, 99);
        if (roll >= pool + known || (roll >= pool && (int32_t)w->person_count <= w->pool))
            break;
        int32_t i = roll < pool ? sim_rng_range(r, 0, w->pool - 1)
                                : sim_rng_range(r, w->pool, (int)w->person_count - 1);
        if (person_free(w, i, from, to)) {
            person_engage(w, i, from, to, substantive);
            *from_pool = i < w->pool;
            return i;
        }
    }
    *from_pool = false;
    return person_new(w, from, to, substantive);
}

/* A unique ODS-like code for organisation index: three characters, or four
 * for R.. and Q.. codes in a world of more than 1,000 organisations (there
 * are only 1,296 three-character ones of each). */
static void org_code(sim_world_t *w, sim_rng_t *r, int index)
{
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    char *code = w->orgs[index].code, scheme = kind_scheme[w->orgs[index].kind];
    int length = scheme != 'C' && w->org_count > 1000 ? 4 : 3;
    bool taken = true;
    while (taken) {
        code[0] = scheme == 'C' ? alnum[26 + sim_rng_range(r, 0, 9)] : scheme;
        code[1] = alnum[scheme == 'C' ? 26 + sim_rng_range(r, 0, 9) : sim_rng_range(r, 0, 35)];
        code[2] = alnum[sim_rng_range(r, 0, scheme == 'C' ? 25 : 35)];
        code[3] = length == 4 ? alnum[sim_rng_range(r, 0, 35)] : '\0';
        code[4] = '\0';
        taken = false;
        for (int i = 0; i < index && !taken; i++)
            taken = strcmp(w->orgs[i].code, code) == 0;
    }
}

static void org_name(sim_org_t *o, sim_rng_t *r)
{
    const char *template = kind_templates[o->kind][sim_rng_range(r, 0, 3)];
    int town = sim_rng_range(r, 0, TOWNS - 1), step = sim_rng_range(r, 1, TOWNS - 2);
    step += step >= TOWNS / 2; /* any step but 6 gives three distinct towns */
    size_t n = 0;
    for (const char *c = template; *c; c++) {
        const char *part = *c == '#' ? region_areas[o->region] : NULL;
        if (*c == '@') {
            part = region_towns[o->region][town];
            town = (town + step) % TOWNS;
        }
        size_t len = part ? strlen(part) : 1;
        if (n + len >= sizeof o->name)
            break;
        memcpy(o->name + n, part ? part : c, len);
        n += len;
    }
    o->name[n] = '\0';
}

/* Whether an organisation before orgs[index] has its name. */
static bool name_taken(const sim_world_t *w, int index)
{
    for (int i = 0; i < index; i++)
        if (strcmp(w->orgs[i].name, w->orgs[index].name) == 0)
            return true;
    return false;
}

static int by_code(const void *a, const void *b)
{
    return strcmp(((const sim_org_t *)a)->code, ((const sim_org_t *)b)->code);
}

static void build_orgs(sim_world_t *w)
{
    sim_rng_t r = sim_rng_stream(w->seed, SIM_STREAM_ORGS);
    int count[SIM_KIND_COUNT], total = 0, index = 0;
    for (int k = 0; k < SIM_KIND_COUNT; k++) {
        count[k] = w->org_count * kind_permille[k] / 1000;
        count[k] = count[k] < 1 ? 1 : count[k];
        total += count[k];
    }
    count[0] += w->org_count - total; /* acute trusts take the rounding */
    for (int k = 0; k < SIM_KIND_COUNT; k++) {
        for (int c = 0; c < count[k]; c++, index++) {
            sim_org_t *o = &w->orgs[index];
            o->kind = (uint8_t)k;
            o->region =
                (uint8_t)(k == SIM_KIND_AMBULANCE ? c % SIM_REGION_COUNT
                                                  : sim_rng_range(&r, 0, SIM_REGION_COUNT - 1));
            o->weight = kind_weight[k] + sim_rng_unit(&r);
            org_code(w, &r, index);
            for (int tries = 0; tries < 20 && (tries == 0 || name_taken(w, index)); tries++)
                org_name(o, &r); /* a duplicate only when 20 draws all clash */
        }
    }
    qsort(w->orgs, (size_t)w->org_count, sizeof *w->orgs, by_code);
}

/* The board posts of every organisation, then the unregistered ones; then
 * designates min(the target, 2 an organisation): for each role the
 * organisations that weigh most, with some chance for the roles after chief
 * executive; the roles share the target as they share 200. */
static int build_posts(sim_world_t *w)
{
    sim_rng_t r = sim_rng_stream(w->seed, SIM_STREAM_DESIGNATION);
    for (int i = 0; i < w->post_count + w->unregistered; i++) {
        bool known = i < w->post_count;
        w->posts[i].org = known ? i / SIM_ROLES : sim_rng_range(&r, 0, w->org_count - 1);
        w->posts[i].role = (uint8_t)(known ? i % SIM_ROLES : SIM_ROLES + i % 3);
    }
    int target =
        w->org_count * 2 < w->designation_target ? w->org_count * 2 : w->designation_target;
    int want[SIM_ROLES], total = 0;
    for (int role = 0; role < SIM_ROLES; role++) {
        int share = target * sim_roles[role].share / SIM_TOP200;
        total += want[role] = share < w->org_count ? share : w->org_count;
    }
    for (int role = 0; total < target; role = (role + 1) % SIM_ROLES)
        if (want[role] < w->org_count)
            want[role]++, total++;
    double *key = malloc((size_t)w->org_count * sizeof *key);
    if (!key)
        return -1;
    for (int role = 0; role < SIM_ROLES; role++) {
        for (int o = 0; o < w->org_count; o++)
            key[o] = w->orgs[o].weight + (role == SIM_ROLE_CEO ? 0 : sim_rng_unit(&r) * 0.5);
        for (int k = 0; k < want[role]; k++) {
            int best = 0;
            for (int o = 1; o < w->org_count; o++)
                best = key[o] > key[best] ? o : best;
            w->posts[best * SIM_ROLES + role].designated = true;
            w->group_designated[w->orgs[best].region * SIM_ROLES + role]++;
            key[best] = -1;
        }
    }
    free(key);
    w->designated = target;
    return 0;
}

static void emit_appointed(sim_world_t *w, const holding_t *h, int64_t at)
{
    emit(w, SIM_EV_APPOINTED, at, h->post, h->person, h->appointment, h->kind, h->start)->end_date =
        h->planned_end;
}

static void emit_ended(sim_world_t *w, sim_rng_t *r, const holding_t *h, int reason, int lag)
{
    emit(w, SIM_EV_APPOINTMENT_ENDED, at_time(r, h->end + lag), h->post, h->person, h->appointment,
         reason, h->end);
}

static int32_t tenure_add(sim_world_t *w, const holding_t *h, bool from_pool)
{
    sim_tenure_t *more = grow(w->tenures, &w->tenure_cap, w->tenure_count, sizeof *more);
    if (!more) {
        w->out_of_memory = true;
        return 0;
    }
    w->tenures = more;
    more[w->tenure_count] = (sim_tenure_t){h->person, h->start, h->end, from_pool};
    w->posts[h->post].tenure_count++;
    w->persons[h->person].core = w->persons[h->person].core || w->posts[h->post].designated;
    return (int32_t)w->tenure_count++;
}

/* How long a new holding lasts (about four years), and a fixed term for
 * chairs (4 years) and one director in ten (3 years). */
static void set_term(sim_rng_t *r, holding_t *h, int role)
{
    h->end = h->start + 240 + sim_rng_range(r, 0, 1300) + sim_rng_range(r, 0, 1300);
    h->planned_end = DATE_NONE;
    if (role == SIM_ROLE_CHAIR || sim_rng_chance(r, 0.1)) {
        h->planned_end = h->start + (role == SIM_ROLE_CHAIR ? 4 : 3) * 365 - 1;
        h->end = h->end < h->planned_end ? h->end : h->planned_end;
    }
}

/* The holder leaves at h->end: the appointment ends, some leave the NHS. */
static void leave(sim_world_t *w, sim_rng_t *r, const holding_t *h, int reason)
{
    static const double leaves_nhs[] = {0.15, 0.85, 0.3, 0.5, 0.0, 0.3};
    int end_reason = sim_rng_chance(r, leaves_nhs[reason]) ? SIM_END_LEFT_NHS : SIM_END_LEFT_POST;
    if (end_reason == SIM_END_LEFT_NHS)
        w->persons[h->person].left_nhs = h->end;
    else if (reason == SIM_LR_END_OF_CONTRACT && sim_rng_chance(r, 0.4))
        return; /* the planned end date says it all */
    emit_ended(w, r, h, end_reason, sim_rng_chance(r, 0.3) ? sim_rng_range(r, 1, 7) : 0);
}

/* A notice that is withdrawn, perhaps after the vacancy was advertised. */
static void withdrawn_notice(sim_world_t *w, sim_rng_t *r, const holding_t *h, date_days_t day,
                             int reason)
{
    emit(w, SIM_EV_NOTICE_GIVEN, at_time(r, day), h->post, h->person, 0, reason, h->end);
    date_days_t withdrawn = day + sim_rng_range(r, 10, 45);
    emit(w, SIM_EV_NOTICE_WITHDRAWN, at_time(r, withdrawn), h->post, h->person, 0, 0, DATE_NONE);
    if (sim_rng_chance(r, 0.5)) {
        int32_t vacancy = ++w->next_vacancy;
        emit(w, SIM_EV_VACANCY_OPENED, at_time(r, day + sim_rng_range(r, 2, 9)), h->post, -1,
             vacancy, reason, h->end + 1);
        emit(w, SIM_EV_VACANCY_CLOSED, at_time(r, withdrawn + sim_rng_range(r, 0, 5)), h->post, -1,
             vacancy, SIM_OUTCOME_WITHDRAWN, DATE_NONE);
    }
}

/* Advertises the post from `opened`; one campaign in ten finds nobody and
 * is re-advertised. Returns the day the successor accepted: two to eight
 * months on for a chief executive or chair, less for directors. */
static date_days_t recruit(sim_world_t *w, sim_rng_t *r, int32_t post, int reason,
                           date_days_t opened, date_days_t vacant_from)
{
    int32_t vacancy = ++w->next_vacancy;
    emit(w, SIM_EV_VACANCY_OPENED, at_time(r, opened), post, -1, vacancy, reason, vacant_from);
    if (sim_rng_chance(r, 0.1)) {
        date_days_t closed = opened + sim_rng_range(r, 50, 120);
        emit(w, SIM_EV_VACANCY_CLOSED, at_time(r, closed), post, -1, vacancy, SIM_OUTCOME_WITHDRAWN,
             DATE_NONE);
        vacancy = ++w->next_vacancy;
        opened = closed + sim_rng_range(r, 7, 30);
        emit(w, SIM_EV_VACANCY_OPENED, at_time(r, opened), post, -1, vacancy, reason, vacant_from);
    }
    int role = w->posts[post].role;
    bool senior = role == SIM_ROLE_CEO || role == SIM_ROLE_CHAIR;
    date_days_t offer = opened + (senior ? sim_rng_range(r, 60, 240) : sim_rng_range(r, 45, 180));
    emit(w, SIM_EV_VACANCY_CLOSED, at_time(r, offer + sim_rng_range(r, 0, 7)), post, -1, vacancy,
         SIM_OUTCOME_FILLED, DATE_NONE);
    return offer;
}

/* Interim, acting or seconded cover from after left->end until the
 * successor starts; one gap in seven stays vacant. */
static void cover(sim_world_t *w, sim_rng_t *r, const holding_t *left, date_days_t successor_start)
{
    if (sim_rng_chance(r, 0.15))
        return;
    holding_t c = {.post = left->post, .appointment = ++w->next_appointment};
    int roll = sim_rng_range(r, 0, 99);
    c.kind = roll < 52 ? SIM_AK_INTERIM : roll < 92 ? SIM_AK_ACTING : SIM_AK_SECONDMENT;
    c.start = left->end + 1 + (sim_rng_chance(r, 0.25) ? sim_rng_range(r, 1, 20) : 0);
    c.end = successor_start - 1;
    if (c.start > c.end)
        return;
    c.planned_end = sim_rng_chance(r, 0.6) ? c.end : DATE_NONE;
    bool from_pool, interim = c.kind == SIM_AK_INTERIM; /* interims come mostly from outside */
    c.person =
        pick_person(w, r, c.start, c.end, interim ? 25 : 85, interim ? 20 : 5, false, &from_pool);
    emit_appointed(w, &c, at_time(r, c.start - sim_rng_range(r, 0, 25)));
    if (c.planned_end == DATE_NONE || sim_rng_chance(r, 0.7))
        emit_ended(w, r, &c, SIM_END_LEFT_POST, 0);
}

/* Resignation 36%, retirement 26%, dismissal 4%, new post 24%, other 10%. */
static int leaving_reason(sim_rng_t *r)
{
    static const int cumulative[] = {36, 62, 62, 66, 90, 100};
    int roll = sim_rng_range(r, 0, 99), reason = 0;
    while (roll >= cumulative[reason])
        reason++;
    return reason;
}

/* The holder of h leaves at h->end: notice, vacancy, end, cover, offer.
 * Returns the successor's start with the instant of their appointment in
 * *offer_at, or DATE_NONE when nothing of the leaving is known yet. */
static date_days_t departure(sim_world_t *w, sim_rng_t *r, holding_t *h, int32_t tenure,
                             int64_t *offer_at)
{
    int role = w->posts[h->post].role;
    int reason = h->end == h->planned_end ? SIM_LR_END_OF_CONTRACT : leaving_reason(r);
    bool senior = role == SIM_ROLE_CEO || role == SIM_ROLE_CHAIR;
    int notice_days = reason == SIM_LR_DISMISSAL    ? 0
                      : reason == SIM_LR_RETIREMENT ? sim_rng_range(r, 180, 365)
                      : senior                      ? sim_rng_range(r, 120, 200)
                                                    : sim_rng_range(r, 60, 120);
    date_days_t notice = h->end - notice_days;
    if (notice > w->last_day)
        return DATE_NONE;
    if (notice < w->first_day) /* given before the feed began: it comes with the snapshot */
        notice = w->first_day + sim_rng_range(r, 0, 9);
    if (h->planned_end == DATE_NONE && reason != SIM_LR_DISMISSAL && sim_rng_chance(r, 0.06)) {
        withdrawn_notice(w, r, h, notice, reason);
        h->end += sim_rng_range(r, 240, 900);
        w->tenures[tenure].end = h->end;
        person_engage(w, h->person, h->start, h->end, true);
        return departure(w, r, h, tenure, offer_at);
    }
    if (reason != SIM_LR_DISMISSAL && (reason != SIM_LR_END_OF_CONTRACT || sim_rng_chance(r, 0.4)))
        emit(w, SIM_EV_NOTICE_GIVEN, at_time(r, notice), h->post, h->person, 0, reason, h->end);
    leave(w, r, h, reason);
    date_days_t opened = reason == SIM_LR_DISMISSAL ? h->end + sim_rng_range(r, 1, 10)
                                                    : notice + sim_rng_range(r, 2, 21);
    date_days_t offer = recruit(w, r, h->post, reason, opened, h->end + 1);
    date_days_t start = offer + sim_rng_range(r, 30, 120); /* the successor's own notice */
    start = start <= h->end ? h->end + 1 : start;
    if (start - h->end > 30)
        cover(w, r, h, start);
    *offer_at = at_time(r, offer);
    return start;
}

/* The substantive holders of one post, from the feed's first snapshot to the
 * last day: renewals of fixed terms, departures and successors. */
static void post_history(sim_world_t *w, int32_t post)
{
    sim_rng_t r = sim_rng_stream(w->seed, SIM_STREAM_HISTORY + (uint64_t)post);
    int role = w->posts[post].role;
    holding_t h = {.post = post, .kind = SIM_AK_SUBSTANTIVE};
    h.start = w->first_day - sim_rng_range(&r, 20, 2400);
    set_term(&r, &h, role);
    if (h.end < w->first_day + 200) {
        h.end = w->first_day + sim_rng_range(&r, 200, 1500);
        h.planned_end = h.planned_end == DATE_NONE ? DATE_NONE : h.end;
    }
    h.person = person_new(w, h.start, h.end, true);
    bool from_pool = false;
    int64_t at = at_time(&r, w->first_day + sim_rng_range(&r, 0, 9));
    w->posts[post].first_tenure = (int32_t)w->tenure_count;
    while (at < w->horizon && !w->out_of_memory) {
        h.appointment = ++w->next_appointment;
        emit_appointed(w, &h, at);
        int32_t tenure = tenure_add(w, &h, from_pool);
        if (h.end == h.planned_end && sim_rng_chance(&r, 0.55)) { /* the term is renewed */
            at = at_time(&r, h.end - sim_rng_range(&r, 30, 150));
            h.start = h.end + 1;
            set_term(&r, &h, role);
            person_engage(w, h.person, h.start, h.end, true);
            continue;
        }
        date_days_t next = departure(w, &r, &h, tenure, &at);
        if (next == DATE_NONE)
            break;
        h.start = next;
        set_term(&r, &h, role);
        h.person = pick_person(w, &r, h.start, h.end, 55, 15, true, &from_pool);
    }
}

/* The substantive holder of post on day (ahead 0); or, with ahead > 0, a
 * pool member who becomes its holder within `ahead` days after day. -1 if none. */
static int32_t holder(const sim_world_t *w, int32_t post, date_days_t day, int ahead)
{
    const sim_post_t *p = &w->posts[post];
    for (int32_t t = p->first_tenure; t < p->first_tenure + p->tenure_count; t++) {
        const sim_tenure_t *x = &w->tenures[t];
        if (ahead ? x->from_pool && x->start > day && x->start <= day + ahead
                  : x->start <= day && day <= x->end)
            return x->person;
    }
    return -1;
}

static void nominate(sim_world_t *w, sim_rng_t *r, int32_t post, const nominee_t *n,
                     date_days_t cycle)
{
    date_days_t assessed = cycle + sim_rng_range(r, 0, 45);
    int64_t at = at_time(r, assessed + sim_rng_range(r, 0, 4));
    emit(w, SIM_EV_SUCCESSOR_NOMINATED, at, post, n->person, 0, n->readiness, assessed)->flag =
        n->emergency;
}

/* One planning cycle's look at the nominees: some withdrawn (more so when
 * they left the NHS or now hold the post), most re-assessed. */
static void reassess(sim_world_t *w, sim_rng_t *r, int32_t post, nominee_t *set, int *count,
                     date_days_t cycle)
{
    int32_t incumbent = holder(w, post, cycle, 0);
    for (int i = 0; i < *count;) {
        nominee_t *n = &set[i];
        date_days_t left = w->persons[n->person].left_nhs;
        bool gone = left != DATE_NONE && left <= cycle, holds = n->person == incumbent;
        if (sim_rng_chance(r, gone ? 0.7 : holds ? 0.6 : 0.08)) {
            emit(w, SIM_EV_SUCCESSOR_WITHDRAWN, at_time(r, cycle + sim_rng_range(r, 0, 30)), post,
                 n->person, 0, 0, DATE_NONE);
            set[i] = set[--*count];
            continue;
        }
        if (!gone && !holds && sim_rng_chance(r, 0.8)) {
            if (n->readiness > SIM_READY_NOW && sim_rng_chance(r, 0.3))
                n->readiness--;
            else if (n->readiness == SIM_READY_NOW && sim_rng_chance(r, 0.1))
                n->readiness = SIM_READY_SOON;
            n->emergency =
                n->readiness == SIM_READY_NOW && (n->emergency || sim_rng_chance(r, 0.2));
            nominate(w, r, post, n, cycle);
        }
        i++;
    }
}

/* Person i if they can be nominated on day, else -1. */
static int32_t available(const sim_world_t *w, int32_t i, date_days_t day)
{
    const sim_person_t *p = &w->persons[i];
    if (!p->reviewed || p->first_seen > day || (p->left_nhs != DATE_NONE && p->left_nhs <= day))
        return -1;
    return i;
}

/* Someone to nominate on day, mostly from the pool, else a known leader;
 * -1 when the one drawn is not available. */
static int32_t candidate(const sim_world_t *w, sim_rng_t *r, date_days_t day)
{
    int32_t i = sim_rng_chance(r, 0.7) || (int32_t)w->person_count <= w->pool
                    ? sim_rng_range(r, 0, w->pool - 1)
                    : sim_rng_range(r, w->pool, (int)w->person_count - 1);
    return available(w, i, day);
}

/* Someone from the shortlist of post's region and role: one pool member for
 * every two designated posts of the group, the members i with
 * i % SIM_GROUPS equal to the group's index. The lesser of two uniform draws
 * picks the rank, so the head of the list is drawn twice as often as the
 * average and a few leaders are the ready-now successors of several posts
 * of their region, as in the NHS. -1 when the one drawn is not available. */
static int32_t shortlisted(const sim_world_t *w, sim_rng_t *r, int32_t post, date_days_t day)
{
    const sim_post_t *p = &w->posts[post];
    int group = w->orgs[p->org].region * SIM_ROLES + p->role;
    double u = sim_rng_unit(r), v = sim_rng_unit(r);
    int32_t rank = (int32_t)((w->group_designated[group] + 1) / 2 * (u < v ? u : v));
    int32_t i = group + rank * SIM_GROUPS;
    return i < w->pool ? available(w, i, day) : -1;
}

/* Tops the nominees up to target, first with a pool member who will be
 * appointed to the post within 15 months (ready now, mostly); then three in
 * five from the shortlist of its region and role (75% ready now), the rest
 * from anyone (5% ready now). */
static void add_nominees(sim_world_t *w, sim_rng_t *r, int32_t post, nominee_t *set, int *count,
                         int target, date_days_t cycle)
{
    int32_t successor = holder(w, post, cycle, 450), incumbent = holder(w, post, cycle, 0);
    for (int attempt = 0; *count < SIM_MAX_NOMINEE && attempt < 12; attempt++) {
        bool planned = successor >= 0, listed = !planned && sim_rng_chance(r, 0.6);
        int32_t person = planned  ? successor
                         : listed ? shortlisted(w, r, post, cycle)
                                  : candidate(w, r, cycle);
        bool taken = person < 0 || person == incumbent;
        successor = -1;
        for (int i = 0; i < *count && !taken; i++)
            taken = set[i].person == person;
        if (taken || (!planned && *count >= target))
            continue;
        uint8_t readiness = planned  ? SIM_READY_NOW
                            : listed ? sim_rng_pick3(r, 75, 20)
                                     : sim_rng_pick3(r, 5, 50);
        nominee_t n = {person, readiness, false};
        n.emergency = sim_rng_chance(r, n.readiness == SIM_READY_NOW ? 0.4 : 0.05);
        w->persons[person].core = true;
        set[(*count)++] = n;
        nominate(w, r, post, &n, cycle);
    }
}

/* How many nominees a panel aims for: 2 (30%), 3 (35%), 4 (25%) or 5. */
static int nominee_target(sim_rng_t *r)
{
    int roll = sim_rng_range(r, 0, 99);
    return roll < 30 ? 2 : roll < 65 ? 3 : roll < 90 ? 4 : 5;
}

/* Yearly succession planning of a designated post; one year in twenty has
 * no panel and one plan in fourteen lapses 18-33 months before the last
 * day, so that some assessments go stale. */
static void post_nominations(sim_world_t *w, int32_t post)
{
    sim_rng_t r = sim_rng_stream(w->seed, SIM_STREAM_NOMINATIONS + (uint64_t)post);
    nominee_t set[SIM_MAX_NOMINEE];
    int count = 0, target = nominee_target(&r);
    date_days_t stop = w->last_day - (sim_rng_chance(&r, 0.07) ? sim_rng_range(&r, 560, 1000) : 0);
    for (date_days_t cycle = w->first_day + sim_rng_range(&r, 30, 240); cycle <= stop;
         cycle += sim_rng_range(&r, 300, 430)) {
        if (count > 0 && sim_rng_chance(&r, 0.05))
            continue;
        if (sim_rng_chance(&r, 0.2))
            target = nominee_target(&r);
        reassess(w, &r, post, set, &count, cycle);
        add_nominees(w, &r, post, set, &count, target, cycle);
    }
}

/* A review on day; performance, potential and risk of loss drift from the
 * person's previous ones in state. Fit and proper: 0.4% failed, 3% not
 * confirmed. */
static void emit_review(sim_world_t *w, sim_rng_t *r, int32_t person, date_days_t day,
                        uint8_t state[3])
{
    state[0] = sim_rng_chance(r, 0.25) ? sim_rng_pick3(r, 12, 50) : state[0];
    state[1] = sim_rng_chance(r, 0.2) ? sim_rng_pick3(r, 20, 50) : state[1];
    state[2] = sim_rng_chance(r, 0.4) ? sim_rng_pick3(r, 52, 34) : state[2];
    int64_t at = at_time(r, day + sim_rng_range(r, 1, 6));
    sim_event_t *e = emit(w, SIM_EV_TALENT_REVIEW, at, -1, person, 0, 0, day);
    memcpy(e->rating, state, 3);
    e->rating[3] = sim_rng_pick3(r, 20, 45);
    int roll = sim_rng_range(r, 0, 999);
    e->rating[4] = roll < 4 ? 2 : roll < 34 ? 1 : 0;
}

/* Reviews of one person, `per_year` a year for core people and a third of
 * that for others while they hold a post. Returns the weighted years
 * reviewable; only counts when per_year < 0. */
static double person_reviews(sim_world_t *w, int32_t i, double per_year)
{
    const sim_person_t p = w->persons[i];
    if (!p.reviewed)
        return 0;
    sim_rng_t r = sim_rng_stream(w->seed, SIM_STREAM_PERSON + (uint64_t)i);
    date_days_t due = w->first_day + sim_rng_range(&r, 60, 240); /* their review season */
    uint8_t state[3] = {sim_rng_pick3(&r, 12, 50), sim_rng_pick3(&r, 20, 50),
                        sim_rng_pick3(&r, 52, 34)};
    date_days_t to = p.core || p.busy_to > w->last_day ? w->last_day : p.busy_to;
    to = p.left_nhs != DATE_NONE && p.left_nhs < to ? p.left_nhs : to;
    date_days_t from = p.core ? p.first_seen : p.busy_from;
    double weight = p.core ? 1.0 : 0.33, slots = 0, rate = per_year * weight;
    for (; due <= to; due += 365) {
        if (due < from)
            continue;
        slots += weight;
        int n = per_year < 0 ? 0 : (int)rate + sim_rng_chance(&r, rate - (int)rate);
        for (int k = 0; k < n; k++)
            emit_review(w, &r, i, due + k * 365 / n, state);
    }
    return slots;
}

/* Talent reviews, as many as bring the file near `target` lines. */
static void talent_reviews(sim_world_t *w, long target)
{
    double slots = 0;
    for (size_t i = 0; i < w->person_count; i++)
        slots += person_reviews(w, (int32_t)i, -1);
    double per_year = slots > 0 ? ((double)target / 1.011 - (double)w->event_count) / slots : 1;
    per_year = per_year < 0.1 ? 0.1 : per_year > 4 ? 4 : per_year;
    for (size_t i = 0; i < w->person_count && !w->out_of_memory; i++)
        person_reviews(w, (int32_t)i, per_year);
}

/* The pool comes first among the persons, P00001 onwards, free until engaged. */
int sim_world_init(sim_world_t *w, const sim_options_t *o)
{
    memset(w, 0, sizeof *w);
    w->seed = o->seed;
    w->org_count = (int)o->organisations;
    w->designation_target = o->designated ? (int)o->designated : SIM_TOP200;
    w->post_count = w->org_count * SIM_ROLES;
    w->unregistered = 2 + (int)(o->events / 20000);
    /* 1,500 for 450 organisations; bigger when asked for more events than
     * their history and yearly reviews make (about 89 an organisation) */
    double scale = (double)o->events / (w->org_count * 89.0);
    w->pool = (int32_t)(w->org_count * 10 / 3 * (scale > 1 ? scale : 1));
    date_days_t today = datetime_today();
    w->first_day = datetime_days_from_civil(2021, 1, 1);
    w->first_day = today - w->first_day < 730 ? today - 5 * 365 : w->first_day;
    w->last_day = today - 1;
    w->horizon = (int64_t)today * SIM_DAY;
    w->orgs = calloc((size_t)w->org_count, sizeof *w->orgs);
    w->posts = calloc((size_t)(w->post_count + w->unregistered), sizeof *w->posts);
    for (int32_t i = 0; i < w->pool; i++) {
        person_new(w, w->first_day - 1, DATE_NONE, true);
        if (w->out_of_memory)
            break;
        w->persons[i].busy_from = INT32_MAX; /* free until engaged */
        w->persons[i].core = true;
    }
    return !w->orgs || !w->posts || w->out_of_memory ? -1 : 0;
}

int sim_world_build(sim_world_t *w, long target_events)
{
    build_orgs(w);
    if (build_posts(w))
        return -1;
    for (int32_t p = 0; p < w->post_count + w->unregistered; p++)
        post_history(w, p);
    for (int32_t p = 0; p < w->post_count; p++)
        if (w->posts[p].designated)
            post_nominations(w, p);
    talent_reviews(w, target_events);
    return w->out_of_memory ? -1 : 0;
}

void sim_world_free(sim_world_t *w)
{
    free(w->orgs);
    free(w->posts);
    free(w->persons);
    free(w->tenures);
    free(w->events);
    w->orgs = NULL;
    w->posts = NULL;
    w->persons = NULL;
    w->tenures = NULL;
    w->events = NULL;
}
