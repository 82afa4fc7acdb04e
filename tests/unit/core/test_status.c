/* Unit tests of what a judged post publishes (common/core/status.c): the
 * order and the cut of the listed successors, the picture's fields, and the
 * alert of a transition. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "status.h"

#define READY_NOW   SUCCESSION__V1__READINESS__READINESS_READY_NOW
#define READY_SOON  SUCCESSION__V1__READINESS__READINESS_READY_1_2_YEARS
#define READY_LATER SUCCESSION__V1__READINESS__READINESS_READY_3_PLUS_YEARS

enum { MANY = STATUS_MAX_LISTED_SUCCESSORS + 50 };

/* Room for a status's successors, and the nominations it is built from. */
static Succession__V1__Successor msgs[STATUS_MAX_LISTED_SUCCESSORS];
static Succession__V1__Successor *ptrs[STATUS_MAX_LISTED_SUCCESSORS];
static char dates[STATUS_MAX_LISTED_SUCCESSORS][DATE_TEXT_SIZE];
static rules_nomination_t noms[MANY];
static char ids[MANY][16];

static const status_successors_t room = {msgs, ptrs, dates};

static rules_nomination_t nomination(size_t i, Succession__V1__Readiness readiness, bool eligible)
{
    snprintf(ids[i], sizeof ids[i], "P%zu", i);
    return (rules_nomination_t){.person_id = ids[i],
                                .readiness = readiness,
                                .assessed_on = DATE_NONE,
                                .eligible = eligible,
                                .ineligible_because = eligible ? NULL : "left the NHS"};
}

static void fill(Succession__V1__PostStatus *st, rules_post_t *p, rules_result_t *r,
                 Succession__V1__Thresholds *th, char *leaving)
{
    rules_settings_t s;
    rules_settings_default(&s);
    succession__v1__post_status__init(st);
    status_fill_picture(st, p, r, th, &s, room, leaving);
}

static void test_successors_are_listed_eligible_ready_now_first_then_by_readiness(void **state)
{
    noms[0] = nomination(0, READY_NOW, false);
    noms[1] = nomination(1, READY_LATER, true);
    noms[2] = nomination(2, READY_SOON, true);
    noms[3] = nomination(3, READY_NOW, true);
    noms[4] = nomination(4, READY_SOON, true);
    noms[5] = nomination(5, READY_NOW, true);
    rules_post_t p = {.nominations = noms, .nomination_count = 6, .leaving_date = DATE_NONE};
    rules_result_t r = {0};
    Succession__V1__PostStatus st;
    Succession__V1__Thresholds th;
    char leaving[DATE_TEXT_SIZE];
    fill(&st, &p, &r, &th, leaving);

    static const char *const order[] = {"P3", "P5", "P2", "P4", "P1", "P0"};
    assert_int_equal(st.n_successors, 6);
    assert_int_equal(st.successors_omitted, 0);
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(st.successors[i]->person_id, order[i]);
    assert_string_equal(st.successors[5]->ineligible_because, "left the NHS");
    assert_false(st.successors[5]->eligible);
    assert_string_equal(st.successors[0]->ineligible_because, "");
}

static void test_a_status_lists_at_most_the_bound_and_counts_the_rest(void **state)
{
    /* The only ready-now nominee comes last: the cut must not lose them. */
    for (size_t i = 0; i + 1 < MANY; i++)
        noms[i] = nomination(i, READY_LATER, true);
    noms[MANY - 1] = nomination(MANY - 1, READY_NOW, true);
    rules_post_t p = {.nominations = noms, .nomination_count = MANY, .leaving_date = DATE_NONE};
    rules_result_t r = {.ready_now = 1};
    Succession__V1__PostStatus st;
    Succession__V1__Thresholds th;
    char leaving[DATE_TEXT_SIZE];
    fill(&st, &p, &r, &th, leaving);

    assert_int_equal(st.n_successors, STATUS_MAX_LISTED_SUCCESSORS);
    assert_int_equal(st.successors_omitted, MANY - STATUS_MAX_LISTED_SUCCESSORS);
    char expected[16];
    snprintf(expected, sizeof expected, "P%d", MANY - 1);
    assert_string_equal(st.successors[0]->person_id, expected);
    assert_string_equal(st.successors[1]->person_id, "P0");
}

static void test_the_picture_carries_the_verdict_incumbent_and_thresholds(void **state)
{
    date_days_t leaving_day, assessed;
    assert_int_equal(datetime_parse_date("2026-12-31", &leaving_day), 0);
    assert_int_equal(datetime_parse_date("2026-03-01", &assessed), 0);
    noms[0] = nomination(0, READY_SOON, true);
    noms[0].assessed_on = assessed;
    rules_post_t p = {.incumbent_person_id = "INC",
                      .leaving_date = leaving_day,
                      .nominations = noms,
                      .nomination_count = 1};
    rules_result_t r = {.ready_now = 0,
                        .ready_soon = 1,
                        .at_risk = true,
                        .severity = SUCCESSION__V1__SEVERITY__SEVERITY_HIGH,
                        .reasons = {SUCCESSION__V1__REASON__REASON_NO_READY_NOW_SUCCESSOR},
                        .reason_count = 1};
    Succession__V1__PostStatus st;
    Succession__V1__Thresholds th;
    char leaving[DATE_TEXT_SIZE];
    fill(&st, &p, &r, &th, leaving);

    assert_true(st.at_risk);
    assert_int_equal(st.severity, SUCCESSION__V1__SEVERITY__SEVERITY_HIGH);
    assert_int_equal(st.pipeline, 1);
    assert_int_equal(st.n_reasons, 1);
    assert_int_equal(st.reasons[0], SUCCESSION__V1__REASON__REASON_NO_READY_NOW_SUCCESSOR);
    assert_string_equal(st.incumbent_person_id, "INC");
    assert_string_equal(st.leaving_date, "2026-12-31");
    assert_string_equal(st.successors[0]->assessed_on, "2026-03-01");
    assert_ptr_equal(st.thresholds, &th);
    assert_int_equal(th.min_pipeline, 2);
    assert_int_equal(th.notice_horizon, 365);

    /* Without an incumbent there is no leaving date to show. */
    p.incumbent_person_id = NULL;
    fill(&st, &p, &r, &th, leaving);
    assert_string_equal(st.incumbent_person_id, "");
    assert_string_equal(st.leaving_date, "");
}

static void test_an_alert_is_numbered_by_post_and_sequence_and_copies_the_status(void **state)
{
    Succession__V1__PostStatus st = SUCCESSION__V1__POST_STATUS__INIT;
    st.post_id = "RJ1-CEO";
    st.region = "LONDON";
    st.severity = SUCCESSION__V1__SEVERITY__SEVERITY_CRITICAL;
    st.ready_now = 0;
    st.ready_soon = 2;
    st.caused_by_event_id = "v-7";
    Succession__V1__SuccessionAlert a;
    char id[32];
    status_alert(&a, &st, SUCCESSION__V1__ALERT_STATE__ALERT_STATE_ESCALATED,
                 SUCCESSION__V1__SEVERITY__SEVERITY_HIGH, 3, id, sizeof id);
    assert_string_equal(a.alert_id, "RJ1-CEO#3");
    assert_int_equal(a.sequence, 3);
    assert_int_equal(a.state, SUCCESSION__V1__ALERT_STATE__ALERT_STATE_ESCALATED);
    assert_int_equal(a.severity, SUCCESSION__V1__SEVERITY__SEVERITY_CRITICAL);
    assert_int_equal(a.previous_severity, SUCCESSION__V1__SEVERITY__SEVERITY_HIGH);
    assert_int_equal(a.ready_soon, 2);
    assert_string_equal(a.region, "LONDON");
    assert_string_equal(a.caused_by_event_id, "v-7");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_successors_are_listed_eligible_ready_now_first_then_by_readiness),
        cmocka_unit_test(test_a_status_lists_at_most_the_bound_and_counts_the_rest),
        cmocka_unit_test(test_the_picture_carries_the_verdict_incumbent_and_thresholds),
        cmocka_unit_test(test_an_alert_is_numbered_by_post_and_sequence_and_copies_the_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
