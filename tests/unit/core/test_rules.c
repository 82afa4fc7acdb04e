/* Unit tests of the readiness rules (common/core/rules.c): eligibility, counts,
 * risk, severity, reasons, the day boundaries of every horizon, and alert
 * transitions, on facts written here. Every test is judged as of 2026-06-01,
 * the "now" of the shared scenarios; the scenarios themselves are judged
 * from their own files by test_rules_scenarios.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "datetime.h"
#include "rules.h"

#define TODAY_TEXT "2026-06-01"
#define FRESH      "2026-03-01" /* a recent assessment */
#define LONG_AGO   "2024-01-01" /* well over 548 days before today */

#define READY_NOW   SUCCESSION__V1__READINESS__READINESS_READY_NOW
#define READY_SOON  SUCCESSION__V1__READINESS__READINESS_READY_1_2_YEARS
#define READY_LATER SUCCESSION__V1__READINESS__READINESS_READY_3_PLUS_YEARS

#define SEV_NONE     SUCCESSION__V1__SEVERITY__SEVERITY_NONE
#define SEV_MEDIUM   SUCCESSION__V1__SEVERITY__SEVERITY_MEDIUM
#define SEV_HIGH     SUCCESSION__V1__SEVERITY__SEVERITY_HIGH
#define SEV_CRITICAL SUCCESSION__V1__SEVERITY__SEVERITY_CRITICAL

#define R_NO_READY_NOW SUCCESSION__V1__REASON__REASON_NO_READY_NOW_SUCCESSOR
#define R_PIPELINE     SUCCESSION__V1__REASON__REASON_PIPELINE_BELOW_MINIMUM
#define R_VACANT       SUCCESSION__V1__REASON__REASON_POST_VACANT
#define R_INTERIM      SUCCESSION__V1__REASON__REASON_INTERIM_ONLY
#define R_LEAVING      SUCCESSION__V1__REASON__REASON_INCUMBENT_LEAVING
#define R_HIGH_RISK    SUCCESSION__V1__REASON__REASON_INCUMBENT_HIGH_RISK_OF_LOSS
#define R_STALE        SUCCESSION__V1__REASON__REASON_STALE_ASSESSMENTS

#define ALERT_NONE       SUCCESSION__V1__ALERT_STATE__ALERT_STATE_UNSPECIFIED
#define ALERT_RAISED     SUCCESSION__V1__ALERT_STATE__ALERT_STATE_RAISED
#define ALERT_ESCALATED  SUCCESSION__V1__ALERT_STATE__ALERT_STATE_ESCALATED
#define ALERT_DOWNGRADED SUCCESSION__V1__ALERT_STATE__ALERT_STATE_DOWNGRADED
#define ALERT_RESOLVED   SUCCESSION__V1__ALERT_STATE__ALERT_STATE_RESOLVED

#define MAX_NOMINATIONS 8

/* One post under test, with room for its nominations and its result. */
typedef struct fixture {
    rules_settings_t settings;
    rules_nomination_t nominations[MAX_NOMINATIONS];
    rules_post_t post;
    rules_result_t result;
    date_days_t today;
} fixture_t;

static date_days_t date_of(const char *text)
{
    date_days_t days = DATE_NONE;
    assert_int_equal(datetime_parse_date(text, &days), 0);
    return days;
}

/* A post held substantively by P001, who is not leaving; default settings;
 * no nominations yet. */
static void held_post(fixture_t *f)
{
    memset(f, 0, sizeof *f);
    rules_settings_default(&f->settings);
    f->today = date_of(TODAY_TEXT);
    f->post.current_appointments = 1;
    f->post.current_substantive = 1;
    f->post.incumbent_person_id = "P001";
    f->post.leaving_date = DATE_NONE;
    f->post.nominations = f->nominations;
}

/* A post with no current appointment of any kind. */
static void vacant_post(fixture_t *f)
{
    held_post(f);
    f->post.current_appointments = 0;
    f->post.current_substantive = 0;
    f->post.incumbent_person_id = NULL;
}

/* A post held only by an interim (no substantive incumbent). */
static void interim_post(fixture_t *f)
{
    held_post(f);
    f->post.current_substantive = 0;
    f->post.incumbent_person_id = NULL;
}

static rules_nomination_t *nominate(fixture_t *f, const char *person_id,
                                    Succession__V1__Readiness readiness, const char *assessed_on)
{
    assert_true(f->post.nomination_count < MAX_NOMINATIONS);
    rules_nomination_t *n = &f->nominations[f->post.nomination_count++];
    memset(n, 0, sizeof *n);
    n->person_id = person_id;
    n->readiness = readiness;
    n->assessed_on = date_of(assessed_on);
    return n;
}

/* Sets the leaving date and checks the test's premise: it is `days` after
 * today. */
static void leaving_on(fixture_t *f, const char *date, int days)
{
    f->post.leaving_date = date_of(date);
    assert_int_equal(f->post.leaving_date - f->today, days);
}

static void evaluate(fixture_t *f)
{
    rules_evaluate(&f->post, &f->settings, f->today, &f->result);
}

static void check_reasons(const rules_result_t *r, const Succession__V1__Reason *expected,
                          size_t count)
{
    assert_int_equal(r->reason_count, count);
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(r->reasons[i], expected[i]);
    }
}

#define ASSERT_REASONS(r, ...)                                                                     \
    do {                                                                                           \
        const Succession__V1__Reason expected_[] = {__VA_ARGS__};                                  \
        check_reasons((r), expected_, sizeof expected_ / sizeof expected_[0]);                     \
    } while (0)

#define ASSERT_NO_REASONS(r) assert_int_equal((r)->reason_count, 0)

/* ---- settings ---------------------------------------------------------- */

static void test_default_settings_are_the_documented_ones(void **state)
{
    rules_settings_t s;
    memset(&s, 0xff, sizeof s);
    rules_settings_default(&s);
    assert_int_equal(s.min_ready_now, 1);
    assert_int_equal(s.min_pipeline, 2);
    assert_int_equal(s.assessment_max_age, 548);
    assert_int_equal(s.critical_horizon, 183);
    assert_int_equal(s.notice_horizon, 365);
}

/* ---- severity table ---------------------------------------------------- */

static void test_ready_now_zero_and_vacant_is_critical(void **state)
{
    fixture_t f;
    vacant_post(&f);
    nominate(&f, "P010", READY_SOON, FRESH);
    evaluate(&f);
    assert_true(f.result.at_risk);
    assert_true(f.result.vacant);
    assert_false(f.result.interim_only);
    assert_int_equal(f.result.severity, SEV_CRITICAL);
    ASSERT_REASONS(&f.result, R_NO_READY_NOW, R_PIPELINE, R_VACANT);
}

static void test_ready_now_zero_and_interim_only_is_critical(void **state)
{
    fixture_t f;
    interim_post(&f);
    nominate(&f, "P010", READY_SOON, FRESH);
    evaluate(&f);
    assert_false(f.result.vacant);
    assert_true(f.result.interim_only);
    assert_int_equal(f.result.severity, SEV_CRITICAL);
    ASSERT_REASONS(&f.result, R_NO_READY_NOW, R_PIPELINE, R_INTERIM);
}

static void
test_ready_now_zero_and_incumbent_leaving_within_critical_horizon_is_critical(void **state)
{
    fixture_t f;
    held_post(&f);
    leaving_on(&f, "2026-09-30", 121);
    nominate(&f, "P010", READY_SOON, FRESH);
    evaluate(&f);
    assert_int_equal(f.result.severity, SEV_CRITICAL);
    ASSERT_REASONS(&f.result, R_NO_READY_NOW, R_PIPELINE, R_LEAVING);
}

static void test_ready_now_zero_with_incumbent_staying_is_high(void **state)
{
    fixture_t f;
    held_post(&f);
    nominate(&f, "P010", READY_SOON, FRESH);
    evaluate(&f);
    assert_int_equal(f.result.severity, SEV_HIGH);
    ASSERT_REASONS(&f.result, R_NO_READY_NOW, R_PIPELINE);
}

static void test_incumbent_leaving_within_notice_horizon_is_high(void **state)
{
    fixture_t f;
    held_post(&f);
    leaving_on(&f, "2027-03-31", 303);
    nominate(&f, "P010", READY_NOW, FRESH);
    evaluate(&f);
    assert_int_equal(f.result.ready_now, 1);
    assert_int_equal(f.result.severity, SEV_HIGH);
    ASSERT_REASONS(&f.result, R_PIPELINE, R_LEAVING);
}

static void test_ready_now_present_and_incumbent_leaving_soon_is_high_not_critical(void **state)
{
    fixture_t f;
    held_post(&f);
    leaving_on(&f, "2026-08-31", 91);
    nominate(&f, "P010", READY_NOW, FRESH);
    evaluate(&f);
    assert_int_equal(f.result.severity, SEV_HIGH);
    ASSERT_REASONS(&f.result, R_PIPELINE, R_LEAVING);
}

static void test_incumbent_high_risk_of_loss_is_high(void **state)
{
    fixture_t f;
    held_post(&f);
    f.post.incumbent_high_risk_of_loss = true;
    nominate(&f, "P010", READY_NOW, FRESH);
    evaluate(&f);
    assert_int_equal(f.result.severity, SEV_HIGH);
    ASSERT_REASONS(&f.result, R_PIPELINE, R_HIGH_RISK);
}

static void test_high_risk_of_loss_without_incumbent_is_ignored(void **state)
{
    fixture_t f;
    vacant_post(&f);
    f.post.incumbent_high_risk_of_loss = true;
    nominate(&f, "P010", READY_NOW, FRESH);
    evaluate(&f);
    assert_int_equal(f.result.severity, SEV_MEDIUM);
    ASSERT_REASONS(&f.result, R_PIPELINE, R_VACANT);
}

static void test_short_pipeline_with_ready_now_is_medium(void **state)
{
    fixture_t f;
    held_post(&f);
    nominate(&f, "P010", READY_NOW, FRESH);
    evaluate(&f);
    assert_true(f.result.at_risk);
    assert_int_equal(f.result.severity, SEV_MEDIUM);
    ASSERT_REASONS(&f.result, R_PIPELINE);
}

static void test_vacant_post_with_ready_now_is_medium(void **state)
{
    fixture_t f;
    vacant_post(&f);
    nominate(&f, "P010", READY_NOW, FRESH);
    evaluate(&f);
    assert_int_equal(f.result.severity, SEV_MEDIUM);
    ASSERT_REASONS(&f.result, R_PIPELINE, R_VACANT);
}

static void test_full_pipeline_is_not_at_risk_and_has_no_reasons(void **state)
{
    fixture_t f;
    held_post(&f);
    leaving_on(&f, "2026-07-31", 60);
    f.post.incumbent_high_risk_of_loss = true;
    nominate(&f, "P010", READY_NOW, FRESH);
    nominate(&f, "P011", READY_SOON, FRESH);
    nominate(&f, "P012", READY_NOW, LONG_AGO); /* stale, yet no reason */
    evaluate(&f);
    assert_false(f.result.at_risk);
    assert_int_equal(f.result.severity, SEV_NONE);
    assert_int_equal(f.result.stale_nominations, 1);
    ASSERT_NO_REASONS(&f.result);
}

static void test_vacant_post_with_full_pipeline_is_not_at_risk(void **state)
{
    fixture_t f;
    vacant_post(&f);
    nominate(&f, "P010", READY_NOW, FRESH);
    nominate(&f, "P011", READY_NOW, FRESH);
    evaluate(&f);
    assert_true(f.result.vacant);
    assert_false(f.result.at_risk);
    assert_int_equal(f.result.severity, SEV_NONE);
    ASSERT_NO_REASONS(&f.result);
}

/* ---- eligibility ------------------------------------------------------- */

static void test_stale_nomination_is_not_eligible(void **state)
{
    fixture_t f;
    held_post(&f);
    nominate(&f, "P010", READY_NOW, LONG_AGO);
    nominate(&f, "P011", READY_SOON, FRESH);
    evaluate(&f);
    assert_true(f.nominations[0].stale);
    assert_false(f.nominations[0].eligible);
    assert_string_equal(f.nominations[0].ineligible_because, "stale");
    assert_int_equal(f.result.ready_now, 0);
    assert_int_equal(f.result.ready_soon, 1);
    assert_int_equal(f.result.stale_nominations, 1);
    assert_int_equal(f.result.ineligible_nominations, 1);
    assert_int_equal(f.result.severity, SEV_HIGH);
    ASSERT_REASONS(&f.result, R_NO_READY_NOW, R_PIPELINE, R_STALE);
}

static void test_nominee_who_left_nhs_is_not_eligible(void **state)
{
    fixture_t f;
    held_post(&f);
    nominate(&f, "P010", READY_NOW, FRESH)->left_nhs = true;
    evaluate(&f);
    assert_false(f.nominations[0].stale);
    assert_false(f.nominations[0].eligible);
    assert_string_equal(f.nominations[0].ineligible_because, "left_nhs");
    assert_int_equal(f.result.ready_now, 0);
    assert_int_equal(f.result.stale_nominations, 0);
    assert_int_equal(f.result.ineligible_nominations, 1);
}

static void test_fit_and_proper_failed_nominee_is_not_eligible(void **state)
{
    fixture_t f;
    held_post(&f);
    nominate(&f, "P010", READY_NOW, FRESH)->fit_and_proper_failed = true;
    evaluate(&f);
    assert_false(f.nominations[0].eligible);
    assert_string_equal(f.nominations[0].ineligible_because, "fit_and_proper_failed");
    assert_int_equal(f.result.ready_now, 0);
    assert_int_equal(f.result.ineligible_nominations, 1);
}

static void test_incumbent_nominee_is_not_eligible(void **state)
{
    fixture_t f;
    held_post(&f);
    nominate(&f, "P001", READY_NOW, FRESH);
    evaluate(&f);
    assert_false(f.nominations[0].eligible);
    assert_string_equal(f.nominations[0].ineligible_because, "incumbent");
    assert_int_equal(f.result.ready_now, 0);
    assert_int_equal(f.result.ineligible_nominations, 1);
}

static void test_incumbent_match_is_byte_exact(void **state)
{
    fixture_t f;
    held_post(&f);
    nominate(&f, "p001", READY_NOW, FRESH);
    nominate(&f, "P001 ", READY_NOW, FRESH);
    evaluate(&f);
    assert_true(f.nominations[0].eligible);
    assert_true(f.nominations[1].eligible);
    assert_int_equal(f.result.ready_now, 2);
}

static void test_any_nominee_of_a_post_without_incumbent_can_be_eligible(void **state)
{
    fixture_t f;
    interim_post(&f);
    nominate(&f, "P001", READY_NOW, FRESH);
    evaluate(&f);
    assert_true(f.nominations[0].eligible);
    assert_null(f.nominations[0].ineligible_because);
    assert_int_equal(f.result.ready_now, 1);
}

static void test_eligible_nominee_has_no_ineligibility_reason(void **state)
{
    fixture_t f;
    held_post(&f);
    nominate(&f, "P010", READY_NOW, FRESH);
    evaluate(&f);
    assert_true(f.nominations[0].eligible);
    assert_false(f.nominations[0].stale);
    assert_null(f.nominations[0].ineligible_because);
    assert_int_equal(f.result.ineligible_nominations, 0);
}

static void test_excluded_nominees_are_still_counted_stale(void **state)
{
    fixture_t f;
    held_post(&f);
    nominate(&f, "P010", READY_NOW, LONG_AGO)->left_nhs = true;
    nominate(&f, "P011", READY_SOON, LONG_AGO)->fit_and_proper_failed = true;
    nominate(&f, "P001", READY_LATER, LONG_AGO);
    evaluate(&f);
    for (size_t i = 0; i < 3; i++) {
        assert_true(f.nominations[i].stale);
        assert_false(f.nominations[i].eligible);
        assert_string_equal(f.nominations[i].ineligible_because, "stale");
    }
    assert_int_equal(f.result.stale_nominations, 3);
    assert_int_equal(f.result.ineligible_nominations, 3);
    ASSERT_REASONS(&f.result, R_NO_READY_NOW, R_PIPELINE, R_STALE);
}

static void test_ineligibility_reason_is_the_first_that_applies(void **state)
{
    fixture_t f;
    held_post(&f);
    rules_nomination_t *a = nominate(&f, "P001", READY_NOW, FRESH);
    a->left_nhs = true;
    a->fit_and_proper_failed = true;
    nominate(&f, "P001", READY_NOW, FRESH)->fit_and_proper_failed = true;
    evaluate(&f);
    assert_string_equal(f.nominations[0].ineligible_because, "left_nhs");
    assert_string_equal(f.nominations[1].ineligible_because, "fit_and_proper_failed");
}

static void test_ready_in_three_years_counts_in_neither_ready_now_nor_ready_soon(void **state)
{
    fixture_t f;
    held_post(&f);
    nominate(&f, "P010", READY_LATER, FRESH);
    evaluate(&f);
    assert_true(f.nominations[0].eligible);
    assert_int_equal(f.result.ready_now, 0);
    assert_int_equal(f.result.ready_soon, 0);
    assert_int_equal(f.result.ineligible_nominations, 0);
}

static void test_emergency_covers_count_only_eligible_nominees(void **state)
{
    fixture_t f;
    held_post(&f);
    nominate(&f, "P010", READY_SOON, FRESH)->emergency_cover = true;
    nominate(&f, "P011", READY_LATER, FRESH)->emergency_cover = true;
    rules_nomination_t *gone = nominate(&f, "P012", READY_NOW, FRESH);
    gone->emergency_cover = true;
    gone->left_nhs = true;
    nominate(&f, "P013", READY_NOW, LONG_AGO)->emergency_cover = true;
    nominate(&f, "P014", READY_NOW, FRESH);
    evaluate(&f);
    assert_int_equal(f.result.emergency_covers, 2);
    assert_int_equal(f.result.ineligible_nominations, 2);
}

static void test_evaluation_overwrites_previous_marks_and_result(void **state)
{
    fixture_t f;
    held_post(&f);
    rules_nomination_t *n = nominate(&f, "P010", READY_NOW, LONG_AGO);
    n->eligible = true;
    n->ineligible_because = "left_nhs";
    memset(&f.result, 0x5a, sizeof f.result);
    evaluate(&f);
    assert_true(n->stale);
    assert_false(n->eligible);
    assert_string_equal(n->ineligible_because, "stale");
    assert_int_equal(f.result.ready_now, 0);
    assert_int_equal(f.result.emergency_covers, 0);
    ASSERT_REASONS(&f.result, R_NO_READY_NOW, R_PIPELINE, R_STALE);

    /* Re-assessed: the same nomination counts again. */
    n->assessed_on = date_of(FRESH);
    evaluate(&f);
    assert_true(n->eligible);
    assert_false(n->stale);
    assert_null(n->ineligible_because);
    assert_int_equal(f.result.ready_now, 1);
    assert_int_equal(f.result.stale_nominations, 0);
    ASSERT_REASONS(&f.result, R_PIPELINE);
}

/* ---- day boundaries ---------------------------------------------------- */

static void test_assessment_548_days_old_is_fresh(void **state)
{
    fixture_t f;
    held_post(&f);
    nominate(&f, "P010", READY_NOW, "2024-11-30");
    assert_int_equal(f.today - f.nominations[0].assessed_on, 548);
    evaluate(&f);
    assert_false(f.nominations[0].stale);
    assert_true(f.nominations[0].eligible);
    assert_int_equal(f.result.ready_now, 1);
    assert_int_equal(f.result.stale_nominations, 0);
}

static void test_assessment_549_days_old_is_stale(void **state)
{
    fixture_t f;
    held_post(&f);
    nominate(&f, "P010", READY_NOW, "2024-11-29");
    assert_int_equal(f.today - f.nominations[0].assessed_on, 549);
    evaluate(&f);
    assert_true(f.nominations[0].stale);
    assert_false(f.nominations[0].eligible);
    assert_int_equal(f.result.ready_now, 0);
    assert_int_equal(f.result.stale_nominations, 1);
}

static void test_assessment_dated_after_today_is_fresh(void **state)
{
    fixture_t f;
    held_post(&f);
    nominate(&f, "P010", READY_NOW, "2026-06-02");
    evaluate(&f);
    assert_false(f.nominations[0].stale);
    assert_true(f.nominations[0].eligible);
}

static void test_leaving_in_183_days_is_critical(void **state)
{
    fixture_t f;
    held_post(&f);
    leaving_on(&f, "2026-12-01", 183);
    evaluate(&f);
    assert_int_equal(f.result.severity, SEV_CRITICAL);
    ASSERT_REASONS(&f.result, R_NO_READY_NOW, R_PIPELINE, R_LEAVING);
}

static void test_leaving_in_184_days_is_only_high(void **state)
{
    fixture_t f;
    held_post(&f);
    leaving_on(&f, "2026-12-02", 184);
    evaluate(&f);
    assert_int_equal(f.result.severity, SEV_HIGH);
    ASSERT_REASONS(&f.result, R_NO_READY_NOW, R_PIPELINE, R_LEAVING);
}

static void test_leaving_today_is_critical(void **state)
{
    fixture_t f;
    held_post(&f);
    leaving_on(&f, TODAY_TEXT, 0);
    evaluate(&f);
    assert_int_equal(f.result.severity, SEV_CRITICAL);
    ASSERT_REASONS(&f.result, R_NO_READY_NOW, R_PIPELINE, R_LEAVING);
}

static void test_leaving_in_365_days_is_incumbent_leaving(void **state)
{
    fixture_t f;
    held_post(&f);
    leaving_on(&f, "2027-06-01", 365);
    nominate(&f, "P010", READY_NOW, FRESH);
    evaluate(&f);
    assert_int_equal(f.result.severity, SEV_HIGH);
    ASSERT_REASONS(&f.result, R_PIPELINE, R_LEAVING);
}

static void test_leaving_in_366_days_is_not_leaving(void **state)
{
    fixture_t f;
    held_post(&f);
    leaving_on(&f, "2027-06-02", 366);
    nominate(&f, "P010", READY_NOW, FRESH);
    evaluate(&f);
    assert_int_equal(f.result.severity, SEV_MEDIUM);
    ASSERT_REASONS(&f.result, R_PIPELINE);
}

static void test_leaving_date_before_today_is_not_leaving(void **state)
{
    fixture_t f;
    held_post(&f);
    leaving_on(&f, "2026-05-31", -1);
    nominate(&f, "P010", READY_NOW, FRESH);
    evaluate(&f);
    assert_int_equal(f.result.severity, SEV_MEDIUM);
    ASSERT_REASONS(&f.result, R_PIPELINE);
}

static void test_leaving_date_without_incumbent_is_ignored(void **state)
{
    fixture_t f;
    vacant_post(&f);
    leaving_on(&f, "2026-07-01", 30);
    nominate(&f, "P010", READY_NOW, FRESH);
    evaluate(&f);
    assert_int_equal(f.result.severity, SEV_MEDIUM);
    ASSERT_REASONS(&f.result, R_PIPELINE, R_VACANT);

    interim_post(&f);
    leaving_on(&f, "2026-07-01", 30);
    nominate(&f, "P010", READY_NOW, FRESH);
    evaluate(&f);
    assert_int_equal(f.result.severity, SEV_MEDIUM);
    ASSERT_REASONS(&f.result, R_PIPELINE, R_INTERIM);
}

/* ---- reason order ------------------------------------------------------ */

static void test_reasons_of_a_held_post_follow_the_documented_order(void **state)
{
    fixture_t f;
    held_post(&f);
    leaving_on(&f, "2026-10-01", 122);
    f.post.incumbent_high_risk_of_loss = true;
    nominate(&f, "P010", READY_NOW, LONG_AGO);
    evaluate(&f);
    assert_int_equal(f.result.severity, SEV_CRITICAL);
    ASSERT_REASONS(&f.result, R_NO_READY_NOW, R_PIPELINE, R_LEAVING, R_HIGH_RISK, R_STALE);
}

static void test_reasons_of_a_vacant_post_follow_the_documented_order(void **state)
{
    fixture_t f;
    vacant_post(&f);
    nominate(&f, "P010", READY_NOW, LONG_AGO);
    evaluate(&f);
    ASSERT_REASONS(&f.result, R_NO_READY_NOW, R_PIPELINE, R_VACANT, R_STALE);
}

static void test_reasons_of_an_interim_post_follow_the_documented_order(void **state)
{
    fixture_t f;
    interim_post(&f);
    nominate(&f, "P010", READY_NOW, LONG_AGO);
    evaluate(&f);
    ASSERT_REASONS(&f.result, R_NO_READY_NOW, R_PIPELINE, R_INTERIM, R_STALE);
}

/* ---- custom settings --------------------------------------------------- */

static void test_min_ready_now_two_puts_one_ready_successor_at_risk(void **state)
{
    fixture_t f;
    held_post(&f);
    f.settings.min_ready_now = 2;
    nominate(&f, "P010", READY_NOW, FRESH);
    nominate(&f, "P011", READY_SOON, FRESH);
    evaluate(&f);
    assert_true(f.result.at_risk);
    assert_int_equal(f.result.severity, SEV_MEDIUM);
    ASSERT_REASONS(&f.result, R_NO_READY_NOW);
}

static void test_min_pipeline_three_puts_two_successors_at_risk(void **state)
{
    fixture_t f;
    held_post(&f);
    f.settings.min_pipeline = 3;
    nominate(&f, "P010", READY_NOW, FRESH);
    nominate(&f, "P011", READY_SOON, FRESH);
    evaluate(&f);
    assert_true(f.result.at_risk);
    assert_int_equal(f.result.severity, SEV_MEDIUM);
    ASSERT_REASONS(&f.result, R_PIPELINE);
}

static void test_zero_minimums_never_put_a_post_at_risk(void **state)
{
    fixture_t f;
    vacant_post(&f);
    f.settings.min_ready_now = 0;
    f.settings.min_pipeline = 0;
    evaluate(&f);
    assert_false(f.result.at_risk);
    assert_int_equal(f.result.severity, SEV_NONE);
    ASSERT_NO_REASONS(&f.result);
}

static void test_custom_horizons_move_the_boundaries(void **state)
{
    fixture_t f;
    held_post(&f);
    f.settings.critical_horizon = 30;
    f.settings.notice_horizon = 60;
    leaving_on(&f, "2026-07-02", 31);
    evaluate(&f);
    assert_int_equal(f.result.severity, SEV_HIGH);
    ASSERT_REASONS(&f.result, R_NO_READY_NOW, R_PIPELINE, R_LEAVING);

    leaving_on(&f, "2026-08-01", 61);
    nominate(&f, "P010", READY_NOW, FRESH);
    evaluate(&f);
    assert_int_equal(f.result.severity, SEV_MEDIUM);
    ASSERT_REASONS(&f.result, R_PIPELINE);
}

static void test_custom_assessment_max_age_moves_staleness(void **state)
{
    fixture_t f;
    held_post(&f);
    f.settings.assessment_max_age = 90;
    nominate(&f, "P010", READY_NOW, "2026-03-03"); /* 90 days */
    nominate(&f, "P011", READY_NOW, "2026-03-02"); /* 91 days */
    evaluate(&f);
    assert_false(f.nominations[0].stale);
    assert_true(f.nominations[1].stale);
    assert_int_equal(f.result.ready_now, 1);
    assert_int_equal(f.result.stale_nominations, 1);
}

/* ---- alert transitions ------------------------------------------------- */

static void test_becoming_at_risk_raises(void **state)
{
    assert_int_equal(rules_alert_transition(false, SEV_NONE, true, SEV_MEDIUM), ALERT_RAISED);
    assert_int_equal(rules_alert_transition(false, SEV_NONE, true, SEV_CRITICAL), ALERT_RAISED);
}

static void test_higher_severity_escalates(void **state)
{
    assert_int_equal(rules_alert_transition(true, SEV_MEDIUM, true, SEV_HIGH), ALERT_ESCALATED);
    assert_int_equal(rules_alert_transition(true, SEV_HIGH, true, SEV_CRITICAL), ALERT_ESCALATED);
    assert_int_equal(rules_alert_transition(true, SEV_MEDIUM, true, SEV_CRITICAL), ALERT_ESCALATED);
}

static void test_lower_severity_downgrades(void **state)
{
    assert_int_equal(rules_alert_transition(true, SEV_CRITICAL, true, SEV_HIGH), ALERT_DOWNGRADED);
    assert_int_equal(rules_alert_transition(true, SEV_HIGH, true, SEV_MEDIUM), ALERT_DOWNGRADED);
}

static void test_no_longer_at_risk_resolves(void **state)
{
    assert_int_equal(rules_alert_transition(true, SEV_CRITICAL, false, SEV_NONE), ALERT_RESOLVED);
    assert_int_equal(rules_alert_transition(true, SEV_MEDIUM, false, SEV_NONE), ALERT_RESOLVED);
}

static void test_unchanged_state_gives_no_alert(void **state)
{
    assert_int_equal(rules_alert_transition(true, SEV_HIGH, true, SEV_HIGH), ALERT_NONE);
    assert_int_equal(rules_alert_transition(false, SEV_NONE, false, SEV_NONE), ALERT_NONE);
}

/* ---- holders, leaving date and leaving the NHS, from folded facts ---- */

static rules_appointment_t appointment(const char *id, const char *person, bool substantive,
                                       const char *start, const char *planned, const char *actual)
{
    return (rules_appointment_t){id,
                                 person,
                                 substantive,
                                 date_of(start),
                                 planned ? date_of(planned) : DATE_NONE,
                                 actual ? date_of(actual) : DATE_NONE};
}

static void test_an_appointment_is_current_from_its_start_to_the_day_before_an_end(void **state)
{
    date_days_t today = date_of(TODAY_TEXT);
    rules_appointment_t a[] = {
        appointment("A1", "P1", true, TODAY_TEXT, NULL, NULL),          /* starts today: current */
        appointment("A2", "P2", true, "2026-06-02", NULL, NULL),        /* starts tomorrow */
        appointment("A3", "P3", false, "2020-01-01", TODAY_TEXT, NULL), /* planned end today */
        appointment("A4", "P4", false, "2020-01-01", NULL, TODAY_TEXT), /* ended today */
        appointment("A5", "P5", false, "2020-01-01", "2026-06-02",
                    "2026-06-02"), /* ends tomorrow */
    };
    rules_holders_t h;
    rules_holders(a, 5, today, &h);
    assert_int_equal(h.current, 2);
    assert_int_equal(h.substantive, 1);
    assert_string_equal(h.incumbent->person_id, "P1");
}

static void test_the_incumbent_started_last_a_tie_to_the_larger_id(void **state)
{
    date_days_t today = date_of(TODAY_TEXT);
    rules_appointment_t a[] = {
        appointment("A-9", "P1", true, "2024-01-01", NULL, NULL),
        appointment("A-10", "P2", true, "2025-01-01", NULL, NULL),
        appointment("A-11", "P3", true, "2025-01-01", NULL, NULL),
        appointment("A-12", "P4", false, "2026-01-01", NULL, NULL), /* interim: never */
    };
    rules_holders_t h;
    rules_holders(a, 4, today, &h);
    assert_int_equal(h.current, 4);
    assert_int_equal(h.substantive, 3);
    assert_string_equal(h.incumbent->person_id, "P3"); /* "A-11" > "A-10" */
    rules_holders(a + 3, 1, today, &h);                /* interim only */
    assert_int_equal(h.current, 1);
    assert_null(h.incumbent);
    rules_holders(NULL, 0, today, &h); /* vacant */
    assert_int_equal(h.current, 0);
}

static void test_the_leaving_date_is_the_earliest_to_come_of_the_incumbents_dates(void **state)
{
    date_days_t today = date_of(TODAY_TEXT);
    rules_appointment_t inc = appointment("A1", "P1", true, "2020-01-01", "2027-03-31", NULL);
    rules_notice_t notices[] = {{"P2", date_of("2026-07-01")}, /* someone else's notice */
                                {"P1", date_of("2026-12-31")}};
    date_days_t vacancies[] = {date_of("2026-05-01"), /* already past: not to come */
                               date_of("2027-01-31")};
    assert_int_equal(rules_leaving_date(&inc, notices, 2, vacancies, 2, today),
                     date_of("2026-12-31"));
    inc.actual_end = date_of("2026-09-30");
    assert_int_equal(rules_leaving_date(&inc, notices, 2, vacancies, 2, today),
                     date_of("2026-09-30"));
    rules_notice_t today_notice = {"P1", today}; /* today counts */
    assert_int_equal(rules_leaving_date(&inc, &today_notice, 1, NULL, 0, today), today);
    assert_int_equal(rules_leaving_date(NULL, notices, 2, vacancies, 2, today), DATE_NONE);
    inc = appointment("A1", "P1", true, "2020-01-01", NULL, NULL);
    assert_int_equal(rules_leaving_date(&inc, NULL, 0, NULL, 0, today), DATE_NONE);
}

static void test_a_person_has_left_the_nhs_until_a_later_appointment_starts(void **state)
{
    date_days_t left = date_of("2026-01-31");
    assert_true(rules_left_nhs(left, DATE_NONE));
    assert_true(rules_left_nhs(left, date_of("2025-06-01")));
    assert_true(rules_left_nhs(left, left)); /* started the day they left: still left */
    assert_false(rules_left_nhs(left, date_of("2026-02-01")));
    assert_false(rules_left_nhs(DATE_NONE, date_of("2026-02-01")));
    assert_false(rules_left_nhs(DATE_NONE, DATE_NONE));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_settings_are_the_documented_ones),
        cmocka_unit_test(test_ready_now_zero_and_vacant_is_critical),
        cmocka_unit_test(test_ready_now_zero_and_interim_only_is_critical),
        cmocka_unit_test(
            test_ready_now_zero_and_incumbent_leaving_within_critical_horizon_is_critical),
        cmocka_unit_test(test_ready_now_zero_with_incumbent_staying_is_high),
        cmocka_unit_test(test_incumbent_leaving_within_notice_horizon_is_high),
        cmocka_unit_test(test_ready_now_present_and_incumbent_leaving_soon_is_high_not_critical),
        cmocka_unit_test(test_incumbent_high_risk_of_loss_is_high),
        cmocka_unit_test(test_high_risk_of_loss_without_incumbent_is_ignored),
        cmocka_unit_test(test_short_pipeline_with_ready_now_is_medium),
        cmocka_unit_test(test_vacant_post_with_ready_now_is_medium),
        cmocka_unit_test(test_full_pipeline_is_not_at_risk_and_has_no_reasons),
        cmocka_unit_test(test_vacant_post_with_full_pipeline_is_not_at_risk),
        cmocka_unit_test(test_stale_nomination_is_not_eligible),
        cmocka_unit_test(test_nominee_who_left_nhs_is_not_eligible),
        cmocka_unit_test(test_fit_and_proper_failed_nominee_is_not_eligible),
        cmocka_unit_test(test_incumbent_nominee_is_not_eligible),
        cmocka_unit_test(test_incumbent_match_is_byte_exact),
        cmocka_unit_test(test_any_nominee_of_a_post_without_incumbent_can_be_eligible),
        cmocka_unit_test(test_eligible_nominee_has_no_ineligibility_reason),
        cmocka_unit_test(test_excluded_nominees_are_still_counted_stale),
        cmocka_unit_test(test_ineligibility_reason_is_the_first_that_applies),
        cmocka_unit_test(test_ready_in_three_years_counts_in_neither_ready_now_nor_ready_soon),
        cmocka_unit_test(test_emergency_covers_count_only_eligible_nominees),
        cmocka_unit_test(test_evaluation_overwrites_previous_marks_and_result),
        cmocka_unit_test(test_assessment_548_days_old_is_fresh),
        cmocka_unit_test(test_assessment_549_days_old_is_stale),
        cmocka_unit_test(test_assessment_dated_after_today_is_fresh),
        cmocka_unit_test(test_leaving_in_183_days_is_critical),
        cmocka_unit_test(test_leaving_in_184_days_is_only_high),
        cmocka_unit_test(test_leaving_today_is_critical),
        cmocka_unit_test(test_leaving_in_365_days_is_incumbent_leaving),
        cmocka_unit_test(test_leaving_in_366_days_is_not_leaving),
        cmocka_unit_test(test_leaving_date_before_today_is_not_leaving),
        cmocka_unit_test(test_leaving_date_without_incumbent_is_ignored),
        cmocka_unit_test(test_reasons_of_a_held_post_follow_the_documented_order),
        cmocka_unit_test(test_reasons_of_a_vacant_post_follow_the_documented_order),
        cmocka_unit_test(test_reasons_of_an_interim_post_follow_the_documented_order),
        cmocka_unit_test(test_min_ready_now_two_puts_one_ready_successor_at_risk),
        cmocka_unit_test(test_min_pipeline_three_puts_two_successors_at_risk),
        cmocka_unit_test(test_zero_minimums_never_put_a_post_at_risk),
        cmocka_unit_test(test_custom_horizons_move_the_boundaries),
        cmocka_unit_test(test_custom_assessment_max_age_moves_staleness),
        cmocka_unit_test(test_becoming_at_risk_raises),
        cmocka_unit_test(test_higher_severity_escalates),
        cmocka_unit_test(test_lower_severity_downgrades),
        cmocka_unit_test(test_no_longer_at_risk_resolves),
        cmocka_unit_test(test_unchanged_state_gives_no_alert),
        cmocka_unit_test(test_an_appointment_is_current_from_its_start_to_the_day_before_an_end),
        cmocka_unit_test(test_the_incumbent_started_last_a_tie_to_the_larger_id),
        cmocka_unit_test(test_the_leaving_date_is_the_earliest_to_come_of_the_incumbents_dates),
        cmocka_unit_test(test_a_person_has_left_the_nhs_until_a_later_appointment_starts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
