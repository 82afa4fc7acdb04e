/* rules: the readiness rules of one post (see rules.h). Pure: no I/O, no
 * clock, no allocation; "today" and the settings are always passed in. */
#include "rules.h"

#include <stdint.h>
#include <string.h>

void rules_settings_default(rules_settings_t *s)
{
    s->min_ready_now = 1;
    s->min_pipeline = 2;
    s->assessment_max_age = 548;
    s->critical_horizon = 183;
    s->notice_horizon = 365;
}

/* Days from `from` to `to`, in 64 bits so that DATE_NONE (INT32_MIN) or far
 * dates cannot overflow. */
static int64_t days_between(date_days_t from, date_days_t to)
{
    return (int64_t)to - (int64_t)from;
}

/* True when the assessment is more than max_age days before today. A date
 * exactly max_age days old is still fresh. A missing date (DATE_NONE) lies
 * far in the past, so it counts as stale rather than as fresh. */
static bool is_stale(date_days_t assessed_on, date_days_t today, int max_age)
{
    return days_between(assessed_on, today) > max_age;
}

/* True when person_id names the post's substantive incumbent. A nominee who
 * holds the post is "succeeded", not a successor of themselves. Ids compare
 * byte for byte; a NULL on either side matches no one. */
static bool is_incumbent(const char *person_id, const char *incumbent_person_id)
{
    return person_id != NULL && incumbent_person_id != NULL &&
           strcmp(person_id, incumbent_person_id) == 0;
}

/* The first reason, in the documented order, why n is not an eligible
 * successor, or NULL when it is. n->stale must already be set. */
static const char *ineligibility(const rules_nomination_t *n, const char *incumbent_person_id)
{
    if (n->stale) {
        return "stale";
    }
    if (n->left_nhs) {
        return "left_nhs";
    }
    if (n->fit_and_proper_failed) {
        return "fit_and_proper_failed";
    }
    if (is_incumbent(n->person_id, incumbent_person_id)) {
        return "incumbent";
    }
    return NULL;
}

/* Marks every nomination stale / eligible and adds it to the counts in out.
 * Staleness is counted for every nomination, whatever else excludes it,
 * because a stale assessment needs renewing even when the nominee is out of
 * the running for other reasons. */
static void judge_nominations(rules_post_t *post, const rules_settings_t *s, date_days_t today,
                              rules_result_t *out)
{
    for (size_t i = 0; i < post->nomination_count; i++) {
        rules_nomination_t *n = &post->nominations[i];
        n->stale = is_stale(n->assessed_on, today, s->assessment_max_age);
        n->ineligible_because = ineligibility(n, post->incumbent_person_id);
        n->eligible = n->ineligible_because == NULL;

        if (n->stale) {
            out->stale_nominations++;
        }
        if (!n->eligible) {
            out->ineligible_nominations++;
            continue;
        }
        if (n->emergency_cover) {
            out->emergency_covers++;
        }
        if (n->readiness == SUCCESSION__V1__READINESS__READINESS_READY_NOW) {
            out->ready_now++;
        } else if (n->readiness == SUCCESSION__V1__READINESS__READINESS_READY_1_2_YEARS) {
            out->ready_soon++;
        }
    }
}

/* True when the post's incumbent leaves within horizon days of today (a date
 * exactly horizon days away is within it). Without an incumbent no one is
 * leaving. A date before today is not a departure still to come; the caller
 * should never pass one, but a stale fact must not raise an alert. */
static bool leaves_within(const rules_post_t *post, date_days_t today, int horizon)
{
    if (post->incumbent_person_id == NULL || post->leaving_date == DATE_NONE) {
        return false;
    }
    int64_t days = days_between(today, post->leaving_date);
    return days >= 0 && days <= horizon;
}

/* The incumbent's high risk of loss only matters while there is one. */
static bool incumbent_high_risk(const rules_post_t *post)
{
    return post->incumbent_person_id != NULL && post->incumbent_high_risk_of_loss;
}

/* Severity of an at-risk post: the first row of the table that applies. */
static Succession__V1__Severity severity_of(const rules_post_t *post, const rules_settings_t *s,
                                            date_days_t today, const rules_result_t *r)
{
    bool no_ready_now = r->ready_now == 0;
    if (no_ready_now &&
        (r->vacant || r->interim_only || leaves_within(post, today, s->critical_horizon))) {
        return SUCCESSION__V1__SEVERITY__SEVERITY_CRITICAL;
    }
    if (no_ready_now || leaves_within(post, today, s->notice_horizon) ||
        incumbent_high_risk(post)) {
        return SUCCESSION__V1__SEVERITY__SEVERITY_HIGH;
    }
    return SUCCESSION__V1__SEVERITY__SEVERITY_MEDIUM;
}

/* Appends reason when cond holds; RULES_MAX_REASONS is the number of
 * distinct reasons, so the array cannot overflow. */
static void add_reason_if(rules_result_t *out, bool cond, Succession__V1__Reason reason)
{
    if (cond && out->reason_count < RULES_MAX_REASONS) {
        out->reasons[out->reason_count++] = reason;
    }
}

/* Lists the reasons of an at-risk post in the documented (stable) order. */
static void list_reasons(const rules_post_t *post, const rules_settings_t *s, date_days_t today,
                         rules_result_t *out)
{
    add_reason_if(out, out->ready_now < s->min_ready_now,
                  SUCCESSION__V1__REASON__REASON_NO_READY_NOW_SUCCESSOR);
    add_reason_if(out, out->ready_now + out->ready_soon < s->min_pipeline,
                  SUCCESSION__V1__REASON__REASON_PIPELINE_BELOW_MINIMUM);
    add_reason_if(out, out->vacant, SUCCESSION__V1__REASON__REASON_POST_VACANT);
    add_reason_if(out, out->interim_only, SUCCESSION__V1__REASON__REASON_INTERIM_ONLY);
    add_reason_if(out, leaves_within(post, today, s->notice_horizon),
                  SUCCESSION__V1__REASON__REASON_INCUMBENT_LEAVING);
    add_reason_if(out, incumbent_high_risk(post),
                  SUCCESSION__V1__REASON__REASON_INCUMBENT_HIGH_RISK_OF_LOSS);
    add_reason_if(out, out->stale_nominations >= 1,
                  SUCCESSION__V1__REASON__REASON_STALE_ASSESSMENTS);
}

void rules_evaluate(rules_post_t *post, const rules_settings_t *s, date_days_t today,
                    rules_result_t *out)
{
    memset(out, 0, sizeof *out);
    judge_nominations(post, s, today, out);

    out->vacant = post->current_appointments == 0;
    out->interim_only = post->current_appointments > 0 && post->current_substantive == 0;
    out->at_risk =
        out->ready_now < s->min_ready_now || out->ready_now + out->ready_soon < s->min_pipeline;

    /* A post that is not at risk carries no severity and no reasons, even
     * when, say, it is vacant: the alert is about missing successors. */
    out->severity = SUCCESSION__V1__SEVERITY__SEVERITY_NONE;
    if (out->at_risk) {
        out->severity = severity_of(post, s, today, out);
        list_reasons(post, s, today, out);
    }
}

/* True when date is a day on or before today (and not DATE_NONE). */
static bool on_or_before(date_days_t date, date_days_t today)
{
    return date != DATE_NONE && date <= today;
}

void rules_holders(const rules_appointment_t *appointments, size_t count, date_days_t today,
                   rules_holders_t *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < count; i++) {
        const rules_appointment_t *a = &appointments[i];
        if (!on_or_before(a->start, today) || on_or_before(a->planned_end, today) ||
            on_or_before(a->actual_end, today))
            continue;
        out->current++;
        if (!a->substantive)
            continue;
        out->substantive++;
        const rules_appointment_t *best = out->incumbent;
        if (!best || a->start > best->start ||
            (a->start == best->start && strcmp(a->appointment_id, best->appointment_id) > 0))
            out->incumbent = a;
    }
}

/* Lowers *earliest to date when date is today or later. */
static void consider(date_days_t *earliest, date_days_t date, date_days_t today)
{
    if (date != DATE_NONE && date >= today && (*earliest == DATE_NONE || date < *earliest))
        *earliest = date;
}

date_days_t rules_leaving_date(const rules_appointment_t *incumbent, const rules_notice_t *notices,
                               size_t notice_count, const date_days_t *vacant_from,
                               size_t vacancy_count, date_days_t today)
{
    date_days_t earliest = DATE_NONE;
    if (!incumbent)
        return DATE_NONE;
    for (size_t i = 0; i < notice_count; i++)
        if (is_incumbent(notices[i].person_id, incumbent->person_id))
            consider(&earliest, notices[i].leaving_date, today);
    for (size_t i = 0; i < vacancy_count; i++)
        consider(&earliest, vacant_from[i], today);
    consider(&earliest, incumbent->planned_end, today);
    consider(&earliest, incumbent->actual_end, today);
    return earliest;
}

bool rules_left_nhs(date_days_t left_nhs_on, date_days_t latest_start)
{
    return left_nhs_on != DATE_NONE && (latest_start == DATE_NONE || latest_start <= left_nhs_on);
}

Succession__V1__AlertState rules_alert_transition(bool was_at_risk, Succession__V1__Severity was,
                                                  bool now_at_risk, Succession__V1__Severity now)
{
    if (!was_at_risk && now_at_risk) {
        return SUCCESSION__V1__ALERT_STATE__ALERT_STATE_RAISED;
    }
    if (was_at_risk && !now_at_risk) {
        return SUCCESSION__V1__ALERT_STATE__ALERT_STATE_RESOLVED;
    }
    /* The severity enum is ordered NONE < MEDIUM < HIGH < CRITICAL. */
    if (was_at_risk && now > was) {
        return SUCCESSION__V1__ALERT_STATE__ALERT_STATE_ESCALATED;
    }
    if (was_at_risk && now < was) {
        return SUCCESSION__V1__ALERT_STATE__ALERT_STATE_DOWNGRADED;
    }
    /* Not at risk before or after, or at risk at the same severity. */
    return SUCCESSION__V1__ALERT_STATE__ALERT_STATE_UNSPECIFIED;
}
