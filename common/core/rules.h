/* rules: the readiness rules of one post, as a pure function of its facts.
 *
 * The facts (who holds the post, its leaving date, its nominations and what
 * is known of each nominee) are gathered from PostgreSQL by the evaluator;
 * this module only judges them, so that every rule can be tested without a
 * database. Enum values are the generated protobuf ones (outputs.proto,
 * common.proto). */
#ifndef SUCCESSION_RULES_H
#define SUCCESSION_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "datetime.h"
#include "succession/v1/outputs.pb-c.h"

/* Thresholds and horizons (days), kept in the database's settings table. */
typedef struct rules_settings {
    int min_ready_now;      /* default 1 */
    int min_pipeline;       /* default 2: ready_now + ready_soon */
    int assessment_max_age; /* default 548 */
    int critical_horizon;   /* default 183 */
    int notice_horizon;     /* default 365 */
} rules_settings_t;

/* Fills s with the documented defaults. */
void rules_settings_default(rules_settings_t *s);

/* One active nomination of the post (withdrawn ones are not passed in). */
typedef struct rules_nomination {
    const char *person_id; /* borrowed */
    Succession__V1__Readiness readiness;
    date_days_t assessed_on;
    bool emergency_cover;
    bool left_nhs;              /* the person has left the NHS */
    bool fit_and_proper_failed; /* winning talent review says FAILED */
    /* Set by rules_evaluate(): */
    bool stale; /* assessed more than assessment_max_age days ago */
    bool eligible;
    const char *ineligible_because; /* static string, NULL when eligible */
} rules_nomination_t;

/* The facts of one post on the day of evaluation. */
typedef struct rules_post {
    int current_appointments;         /* current appointments of any kind */
    int current_substantive;          /* of which substantive */
    const char *incumbent_person_id;  /* NULL when there is no incumbent; borrowed */
    date_days_t leaving_date;         /* DATE_NONE when none (already >= today) */
    bool incumbent_high_risk_of_loss; /* incumbent's winning review: risk of loss HIGH */
    rules_nomination_t *nominations;  /* borrowed; eligibility written back */
    size_t nomination_count;
} rules_post_t;

#define RULES_MAX_REASONS 7

/* What the rules conclude. */
typedef struct rules_result {
    int ready_now;
    int ready_soon;
    int stale_nominations;      /* active and stale, whatever else excludes them */
    int ineligible_nominations; /* active but not eligible */
    int emergency_covers;       /* eligible with the emergency-cover flag */
    bool vacant;                /* no current appointment of any kind */
    bool interim_only;          /* current appointments, none substantive */
    bool at_risk;
    Succession__V1__Severity severity;
    Succession__V1__Reason reasons[RULES_MAX_REASONS]; /* in the documented order */
    size_t reason_count;
} rules_result_t;

/* One appointment of a post as SQL folds it: its winning `appointed` event
 * and, when there is one, its winning `appointmentEnded`. */
typedef struct rules_appointment {
    const char *appointment_id; /* borrowed */
    const char *person_id;      /* borrowed */
    bool substantive;           /* kind APPOINTMENT_KIND_SUBSTANTIVE */
    date_days_t start;
    date_days_t planned_end; /* DATE_NONE when none */
    date_days_t actual_end;  /* DATE_NONE when none */
} rules_appointment_t;

/* Who holds a post on a day. */
typedef struct rules_holders {
    int current;                          /* current appointments of any kind */
    int substantive;                      /* of which substantive */
    const rules_appointment_t *incumbent; /* NULL when none; points into the input */
} rules_holders_t;

/* An appointment is current when it starts on or before today and neither
 * of its end dates is on or before today. The incumbent is the person of the
 * current substantive appointment that started last, a tie going to the
 * larger appointment id (byte order); interim, acting and seconded holders
 * never are. */
void rules_holders(const rules_appointment_t *appointments, size_t count, date_days_t today,
                   rules_holders_t *out);

/* A given notice (its winning event is noticeGiven) of one person for the post. */
typedef struct rules_notice {
    const char *person_id; /* borrowed */
    date_days_t leaving_date;
} rules_notice_t;

/* The incumbent's leaving date: the earliest date on or after today among
 * the incumbent's notices for this post, the vacant-from dates of the post's
 * open vacancies, and the planned and actual end of the incumbent's
 * appointment. DATE_NONE when there is no incumbent or no such date. */
date_days_t rules_leaving_date(const rules_appointment_t *incumbent, const rules_notice_t *notices,
                               size_t notice_count, const date_days_t *vacant_from,
                               size_t vacancy_count, date_days_t today);

/* Whether a person has left the NHS: left_nhs_on is the latest end date, on
 * or before today, of their appointments that ended with END_REASON_LEFT_NHS
 * and latest_start the latest start, on or before today, of any of their
 * appointments (both DATE_NONE when none; both of registered posts only).
 * They have left when such an end exists and no appointment started after
 * it. */
bool rules_left_nhs(date_days_t left_nhs_on, date_days_t latest_start);

/* Judges post as of today under settings s: marks each nomination stale /
 * eligible (with the reason when not), counts, and sets risk, severity and
 * reasons exactly as shared/scenarios/README.md "How facts combine" says.
 * Never fails. */
void rules_evaluate(rules_post_t *post, const rules_settings_t *s, date_days_t today,
                    rules_result_t *out);

/* The alert a change from (was_at_risk, was) to (now_at_risk, now) raises:
 * RAISED when a post becomes at risk, ESCALATED / DOWNGRADED when its
 * severity goes up / down while at risk, RESOLVED when it is no longer at
 * risk; ALERT_STATE_UNSPECIFIED (0) when nothing changed. */
Succession__V1__AlertState rules_alert_transition(bool was_at_risk, Succession__V1__Severity was,
                                                  bool now_at_risk, Succession__V1__Severity now);

#endif
