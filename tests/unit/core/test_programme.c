/* Unit tests of the programme's view (common/core/programme.c) on hand-made
 * sets of designated posts: shared successors, contended posts, the groups
 * and their figures, simultaneous cover within each group, the summary
 * message, and the order of candidates for designation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "programme.h"

#define NONE     SUCCESSION__V1__SEVERITY__SEVERITY_NONE
#define MEDIUM   SUCCESSION__V1__SEVERITY__SEVERITY_MEDIUM
#define HIGH     SUCCESSION__V1__SEVERITY__SEVERITY_HIGH
#define CRITICAL SUCCESSION__V1__SEVERITY__SEVERITY_CRITICAL

/* A post not at risk in LONDON, CHIEF_EXECUTIVE, whose ready-now successors
 * are the NULL-terminated ids (its ready_now and pipeline their number). */
static programme_post_t post(const char *id, const char *const *ids)
{
    size_t n = 0;
    while (ids && ids[n])
        n++;
    return (programme_post_t){.post_id = id,
                              .region = "LONDON",
                              .role = "CHIEF_EXECUTIVE",
                              .severity = NONE,
                              .ready_now = (int)n,
                              .pipeline = (int)n,
                              .ready_now_ids = ids,
                              .ready_now_id_count = n};
}

static const programme_group_t *group(const programme_t *p, const char *key)
{
    for (size_t i = 0; i < p->group_count; i++)
        if (strcmp(p->groups[i].key, key) == 0)
            return &p->groups[i];
    fail_msg("no group %s", key);
    return NULL;
}

/* Rounded figures are compared to the decimal written in the test. */
static void assert_decimal(double actual, double expected)
{
    if (fabs(actual - expected) > 1e-9)
        fail_msg("%.6f is not %.6f", actual, expected);
}

static void test_no_posts_give_a_national_group_of_zeros(void **state)
{
    programme_t p;
    assert_int_equal(programme_build(NULL, 0, &p), 0);
    assert_int_equal(p.group_count, 1);
    const programme_group_t *g = &p.groups[0];
    assert_string_equal(g->key, "national");
    assert_int_equal(g->designated, 0);
    assert_int_equal(g->at_risk, 0);
    assert_int_equal(g->covered, 0);
    assert_decimal(g->percent_covered, 0);
    assert_decimal(g->mean_ready_now, 0);
    assert_decimal(g->mean_pipeline, 0);
    assert_int_equal(g->shared_successors, 0);
    assert_int_equal(g->contended_posts, 0);
    assert_int_equal(g->simultaneous_cover, 0);
    assert_int_equal(p.sharer_count, 0);
    assert_int_equal(p.contended_count, 0);
    programme_free(&p);
    assert_int_equal(p.group_count, 0);
    assert_null(p.groups);
}

static void test_groups_are_national_then_regions_then_roles_by_name(void **state)
{
    static char ids[5][8];
    programme_post_t posts[5];
    const char *regions[] = {"NORTH_WEST", "LONDON", "MIDLANDS", "LONDON", "NORTH_WEST"};
    const char *roles[] = {"FINANCE_DIRECTOR", "CHIEF_EXECUTIVE", "CHAIR", "CHIEF_EXECUTIVE",
                           "CHIEF_EXECUTIVE"};
    for (size_t i = 0; i < 5; i++) {
        snprintf(ids[i], sizeof ids[i], "P%zu", i);
        posts[i] = post(ids[i], NULL);
        posts[i].region = regions[i];
        posts[i].role = roles[i];
    }
    programme_t p;
    assert_int_equal(programme_build(posts, 5, &p), 0);
    static const char *const keys[] = {
        "national",   "region:LONDON",        "region:MIDLANDS",      "region:NORTH_WEST",
        "role:CHAIR", "role:CHIEF_EXECUTIVE", "role:FINANCE_DIRECTOR"};
    static const int designated[] = {5, 2, 1, 2, 1, 3, 1};
    assert_int_equal(p.group_count, 7);
    for (size_t i = 0; i < 7; i++) {
        assert_string_equal(p.groups[i].key, keys[i]);
        assert_int_equal(p.groups[i].designated, designated[i]);
    }
    programme_free(&p);
}

static void test_severity_is_counted_among_the_posts_at_risk(void **state)
{
    static char ids[6][8];
    programme_post_t posts[6];
    static const int at_risk[] = {1, 1, 1, 1, 0, 1};
    static const Succession__V1__Severity severity[] = {CRITICAL, HIGH, HIGH, MEDIUM, HIGH, NONE};
    for (size_t i = 0; i < 6; i++) {
        snprintf(ids[i], sizeof ids[i], "P%zu", i);
        posts[i] = post(ids[i], NULL);
        posts[i].at_risk = at_risk[i];
        posts[i].severity = severity[i];
    }
    posts[0].region = "MIDLANDS";
    programme_t p;
    assert_int_equal(programme_build(posts, 6, &p), 0);
    const programme_group_t *g = group(&p, "national");
    assert_int_equal(g->designated, 6);
    assert_int_equal(g->at_risk, 5);
    assert_int_equal(g->critical, 1);
    assert_int_equal(g->high, 2); /* not the post that is not at risk */
    assert_int_equal(g->medium, 1);
    g = group(&p, "region:LONDON");
    assert_int_equal(g->at_risk, 4);
    assert_int_equal(g->critical, 0);
    assert_int_equal(g->high, 2);
    programme_free(&p);
}

static void test_percent_covered_and_means_are_rounded_half_away_from_zero(void **state)
{
    static const char *const one[] = {"a", NULL}, *const other[] = {"b", NULL};
    static char ids[16][8];
    programme_post_t posts[16];
    for (size_t i = 0; i < 16; i++) {
        snprintf(ids[i], sizeof ids[i], "P%02zu", i);
        posts[i] = post(ids[i], NULL);
    }
    programme_t p;

    /* 2 of 3 covered; 2 ready now and 1 in the pipeline over 3 posts. */
    posts[0] = post(ids[0], one);
    posts[1] = post(ids[1], other);
    posts[1].pipeline = 0;
    assert_int_equal(programme_build(posts, 3, &p), 0);
    assert_int_equal(p.groups[0].covered, 2);
    assert_decimal(p.groups[0].percent_covered, 66.7);
    assert_decimal(p.groups[0].mean_ready_now, 0.67);
    assert_decimal(p.groups[0].mean_pipeline, 0.33);
    programme_free(&p);

    /* 1 of 16 covered is 6.25%, shown 6.3. */
    posts[1] = post(ids[1], NULL);
    posts[0].pipeline = 3;
    assert_int_equal(programme_build(posts, 16, &p), 0);
    assert_decimal(p.groups[0].percent_covered, 6.3);
    programme_free(&p);

    /* Over 8 posts: 1 ready now is 0.125 per post, shown 0.13; a pipeline
     * of 3 is 0.375, shown 0.38. */
    assert_int_equal(programme_build(posts, 8, &p), 0);
    assert_decimal(p.groups[0].percent_covered, 12.5);
    assert_decimal(p.groups[0].mean_ready_now, 0.13);
    assert_decimal(p.groups[0].mean_pipeline, 0.38);
    programme_free(&p);
}

/* Seven posts: persons a and e are ready now for two posts each, b for three;
 * c and d for one each. P1 (a, b), P2 (a), P4 (b) and P6 (e) are covered
 * only by shared successors; P3 has c and P5 has d besides; P7 nobody. P1
 * and P2 are in LONDON, the rest in MIDLANDS. Listed out of order. */
static const char *const p1[] = {"b", "a", NULL}, *const p2[] = {"a", NULL},
                         *const p3[] = {"c", "b", NULL}, *const p4[] = {"b", NULL},
                         *const p5[] = {"e", "d", NULL}, *const p6[] = {"e", NULL};

static size_t shared_world(programme_post_t *posts)
{
    posts[0] = post("P4", p4);
    posts[1] = post("P2", p2);
    posts[2] = post("P7", NULL);
    posts[3] = post("P6", p6);
    posts[4] = post("P1", p1);
    posts[5] = post("P5", p5);
    posts[6] = post("P3", p3);
    for (size_t i = 0; i < 7; i++)
        if (strcmp(posts[i].post_id, "P3") >= 0)
            posts[i].region = "MIDLANDS";
    return 7;
}

static void test_shared_successors_and_contended_posts_follow_their_definitions(void **state)
{
    programme_post_t posts[7];
    programme_t p;
    assert_int_equal(programme_build(posts, shared_world(posts), &p), 0);

    assert_int_equal(p.sharer_count, 3);
    assert_string_equal(p.sharers[0].person_id, "b");
    assert_int_equal(p.sharers[0].posts, 3);
    assert_string_equal(p.sharers[1].person_id, "a"); /* two posts, by id */
    assert_int_equal(p.sharers[1].posts, 2);
    assert_string_equal(p.sharers[2].person_id, "e");
    assert_int_equal(p.sharers[2].posts, 2);

    static const char *const contended[] = {"P1", "P2", "P4", "P6"};
    assert_int_equal(p.contended_count, 4);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(p.contended[i], contended[i]);

    const programme_group_t *g = group(&p, "national");
    assert_int_equal(g->covered, 6);
    assert_int_equal(g->shared_successors, 3);
    assert_int_equal(g->contended_posts, 4);
    /* five persons for six covered posts: P2-a, P1-b, P3-c, P5-d, P6-e */
    assert_int_equal(g->simultaneous_cover, 5);

    /* b is ready now for one London post only, but is shared nationally. */
    g = group(&p, "region:LONDON");
    assert_int_equal(g->designated, 2);
    assert_int_equal(g->shared_successors, 2);
    assert_int_equal(g->contended_posts, 2);
    assert_int_equal(g->simultaneous_cover, 2);
    g = group(&p, "region:MIDLANDS");
    assert_int_equal(g->designated, 5);
    assert_int_equal(g->shared_successors, 2); /* b and e, not c or d */
    assert_int_equal(g->contended_posts, 2);   /* P4 and P6 */
    assert_int_equal(g->simultaneous_cover, 4);
    programme_free(&p);
}

static void test_a_repeated_nomination_does_not_make_a_shared_successor(void **state)
{
    static const char *const twice[] = {"a", "a", NULL};
    programme_post_t posts[1] = {post("P1", twice)};
    programme_t p;
    assert_int_equal(programme_build(posts, 1, &p), 0);
    assert_int_equal(p.sharer_count, 0);
    assert_int_equal(p.contended_count, 0);
    assert_int_equal(p.groups[0].simultaneous_cover, 1);
    programme_free(&p);
}

static void test_cover_is_matched_within_each_group(void **state)
{
    /* s is the only ready-now successor of a London post and of a Midlands
     * post of the same role: one post nationally, one in each region. */
    static const char *const s[] = {"s", NULL};
    programme_post_t posts[2] = {post("L1", s), post("M1", s)};
    posts[1].region = "MIDLANDS";
    programme_t p;
    assert_int_equal(programme_build(posts, 2, &p), 0);
    assert_int_equal(group(&p, "national")->covered, 2);
    assert_int_equal(group(&p, "national")->simultaneous_cover, 1);
    assert_int_equal(group(&p, "region:LONDON")->simultaneous_cover, 1);
    assert_int_equal(group(&p, "region:MIDLANDS")->simultaneous_cover, 1);
    assert_int_equal(group(&p, "role:CHIEF_EXECUTIVE")->simultaneous_cover, 1);
    assert_int_equal(group(&p, "region:LONDON")->shared_successors, 1);
    assert_int_equal(group(&p, "region:LONDON")->contended_posts, 1);
    programme_free(&p);
}

static void test_cover_is_a_maximum_where_greedy_assignment_is_not(void **state)
{
    /* a is ready for all three posts and comes first in every list (and by
     * id): giving each post in turn its first free person covers two. */
    static const char *const q1[] = {"a", "b", NULL}, *const q2[] = {"a", "c", NULL},
                             *const q3[] = {"a", NULL};
    programme_post_t posts[3] = {post("Q1", q1), post("Q2", q2), post("Q3", q3)};
    programme_t p;
    assert_int_equal(programme_build(posts, 3, &p), 0);
    assert_int_equal(p.groups[0].simultaneous_cover, 3);
    assert_int_equal(p.groups[0].contended_posts, 1); /* Q3 */
    programme_free(&p);
}

static void test_ten_times_the_world_is_built_quickly(void **state)
{
    /* 2,000 posts of 20 ready-now successors each, every person ready for
     * two neighbouring posts (post i has persons 10i .. 10i+19, modulo). */
    enum { POSTS = 2000, PER_POST = 20, PERSONS = POSTS * PER_POST / 2 };
    static char post_ids[POSTS][8], person_ids[PERSONS][8];
    static const char *nominees[POSTS][PER_POST];
    static programme_post_t posts[POSTS];
    for (size_t i = 0; i < PERSONS; i++)
        snprintf(person_ids[i], sizeof person_ids[i], "x%05zu", i);
    for (size_t i = 0; i < POSTS; i++) {
        snprintf(post_ids[i], sizeof post_ids[i], "P%04zu", i);
        for (size_t k = 0; k < PER_POST; k++)
            nominees[i][k] = person_ids[(10 * i + k) % PERSONS];
        posts[i] = (programme_post_t){.post_id = post_ids[i],
                                      .region = i % 2 ? "LONDON" : "MIDLANDS",
                                      .role = "CHIEF_EXECUTIVE",
                                      .ready_now = PER_POST,
                                      .pipeline = PER_POST,
                                      .ready_now_ids = nominees[i],
                                      .ready_now_id_count = PER_POST};
    }
    programme_t p;
    clock_t start = clock();
    assert_int_equal(programme_build(posts, POSTS, &p), 0);
    double seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
    assert_true(seconds < 2.0);
    assert_int_equal(p.sharer_count, PERSONS);
    assert_string_equal(p.sharers[0].person_id, "x00000");
    assert_string_equal(p.sharers[PERSONS - 1].person_id, "x19999");
    assert_int_equal(p.contended_count, POSTS);
    assert_int_equal(p.groups[0].shared_successors, PERSONS);
    assert_int_equal(p.groups[0].simultaneous_cover, POSTS);
    /* Each region has every person once: its posts are every other one. */
    assert_int_equal(group(&p, "region:LONDON")->shared_successors, PERSONS);
    assert_int_equal(group(&p, "region:LONDON")->simultaneous_cover, POSTS / 2);
    programme_free(&p);
}

static void test_a_summary_carries_the_group_and_leaves_trend_and_time(void **state)
{
    programme_group_t g = {.key = "region:LONDON",
                           .designated = 12,
                           .at_risk = 5,
                           .critical = 1,
                           .high = 2,
                           .medium = 2,
                           .covered = 9,
                           .percent_covered = 75.0,
                           .mean_ready_now = 1.42,
                           .mean_pipeline = 2.08,
                           .shared_successors = 3,
                           .contended_posts = 2,
                           .simultaneous_cover = 7};
    Succession__V1__TrendPoint point = SUCCESSION__V1__TREND_POINT__INIT;
    Succession__V1__TrendPoint *trend[] = {&point};
    Google__Protobuf__Timestamp at = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
    Succession__V1__ProgrammeSummary s;
    succession__v1__programme_summary__init(&s);
    s.trend = trend;
    s.n_trend = 1;
    s.evaluated_at = &at;
    programme_summary(&s, &g);
    assert_string_equal(s.key, "region:LONDON");
    assert_int_equal(s.designated, 12);
    assert_int_equal(s.at_risk, 5);
    assert_int_equal(s.critical, 1);
    assert_int_equal(s.high, 2);
    assert_int_equal(s.medium, 2);
    assert_int_equal(s.covered, 9);
    assert_decimal(s.percent_covered, 75.0);
    assert_decimal(s.mean_ready_now, 1.42);
    assert_decimal(s.mean_pipeline, 2.08);
    assert_int_equal(s.shared_successors, 3);
    assert_int_equal(s.contended_posts, 2);
    assert_int_equal(s.simultaneous_cover, 7);
    assert_ptr_equal(s.trend, trend);
    assert_int_equal(s.n_trend, 1);
    assert_ptr_equal(s.evaluated_at, &at);
}

static void test_candidates_are_ranked_weakest_first_down_to_post_id(void **state)
{
    programme_candidate_t c[] = {
        {"F", false, NONE, 0, 1},    {"E", true, MEDIUM, 0, 0}, {"D", true, HIGH, 1, 1},
        {"C", true, HIGH, 0, 2},     {"B2", true, HIGH, 0, 1},  {"B1", true, HIGH, 0, 1},
        {"A", true, CRITICAL, 1, 3}, {"G", false, NONE, 0, 0},  {"H", false, NONE, 2, 2},
    };
    programme_rank_candidates(c, sizeof c / sizeof c[0]);
    static const char *const order[] = {"A", "B1", "B2", "C", "D", "E", "G", "F", "H"};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        assert_string_equal(c[i].post_id, order[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_posts_give_a_national_group_of_zeros),
        cmocka_unit_test(test_groups_are_national_then_regions_then_roles_by_name),
        cmocka_unit_test(test_severity_is_counted_among_the_posts_at_risk),
        cmocka_unit_test(test_percent_covered_and_means_are_rounded_half_away_from_zero),
        cmocka_unit_test(test_shared_successors_and_contended_posts_follow_their_definitions),
        cmocka_unit_test(test_a_repeated_nomination_does_not_make_a_shared_successor),
        cmocka_unit_test(test_cover_is_matched_within_each_group),
        cmocka_unit_test(test_cover_is_a_maximum_where_greedy_assignment_is_not),
        cmocka_unit_test(test_ten_times_the_world_is_built_quickly),
        cmocka_unit_test(test_a_summary_carries_the_group_and_leaves_trend_and_time),
        cmocka_unit_test(test_candidates_are_ranked_weakest_first_down_to_post_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
