/* store: the dashboard's picture. A post is added then updated in place;
 * beyond max_posts new posts are refused while held ones still update; a
 * tombstone forgets a picture; filters by region, role, severity,
 * designation and text; every sort with its tie-break; the feed keeps the
 * alerts evaluated last, drops repeats, and each post keeps its own
 * history; summaries come national first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

typedef struct post_spec {
    const char *post_id, *organisation, *region, *role, *leaving_date;
    int severity, ready_now, pipeline;
} post_spec_t;

/* Stores a post whose JSON is {"postId":"ID"} (what the queries copy). */
static store_result_t put_post(store_t *store, const post_spec_t *spec)
{
    Succession__V1__PostStatus s = SUCCESSION__V1__POST_STATUS__INIT;
    s.post_id = (char *)spec->post_id;
    s.ods_code = "ODS";
    s.organisation_name = (char *)(spec->organisation ? spec->organisation : "Trust");
    s.region = (char *)(spec->region ? spec->region : "LONDON");
    s.role = (char *)(spec->role ? spec->role : "CHIEF_EXECUTIVE");
    s.leaving_date = (char *)(spec->leaving_date ? spec->leaving_date : "");
    s.severity = spec->severity;
    s.ready_now = spec->ready_now;
    s.pipeline = spec->pipeline;
    s.designated = true;
    char json[128];
    snprintf(json, sizeof json, "{\"postId\":\"%s\"}", spec->post_id);
    return store_put_status(store, &s, json);
}

static store_result_t put_alert(store_t *store, const char *post_id, int sequence, long seconds)
{
    Google__Protobuf__Timestamp at = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
    Succession__V1__SuccessionAlert a = SUCCESSION__V1__SUCCESSION_ALERT__INIT;
    at.seconds = seconds;
    a.post_id = (char *)post_id;
    a.sequence = sequence;
    a.evaluated_at = &at;
    char json[128];
    snprintf(json, sizeof json, "{\"a\":\"%s#%d\"}", post_id, sequence);
    return store_put_alert(store, &a, json);
}

/* The post ids of a /api/posts answer, comma-separated, into buf. */
static const char *listed(store_t *store, const store_filter_t *filter, store_sort_t sort,
                          char *buf, size_t size)
{
    char *json = store_posts_json(store, filter, sort, 0, 100);
    assert_non_null(json);
    size_t n = 0;
    buf[0] = '\0';
    for (const char *p = json; (p = strstr(p, "\"postId\":\"")) != NULL;) {
        p += 10;
        size_t len = strcspn(p, "\"");
        n += (size_t)snprintf(buf + n, size - n, "%s%.*s", n ? "," : "", (int)len, p);
        p += len;
    }
    free(json);
    return buf;
}

static const store_filter_t all = {NULL, NULL, -1, NULL, -1};

static void test_a_post_is_added_then_updated_in_place(void **state)
{
    store_t *store = store_new(10, 10);
    assert_int_equal(put_post(store, &(post_spec_t){.post_id = "A", .severity = 3}), STORE_ADDED);
    assert_int_equal(put_post(store, &(post_spec_t){.post_id = "A", .severity = 1}), STORE_UPDATED);
    assert_int_equal(store_post_count(store), 1);
    char *json = store_posts_json(store, &all, STORE_SORT_POST, 0, 10);
    assert_string_equal(json, "{\"total\":1,\"posts\":[{\"postId\":\"A\"}]}");
    free(json);
    store_free(store);
}

static void test_beyond_max_posts_new_posts_are_refused_and_held_ones_update(void **state)
{
    store_t *store = store_new(2, 10);
    assert_int_equal(put_post(store, &(post_spec_t){.post_id = "A"}), STORE_ADDED);
    assert_int_equal(put_post(store, &(post_spec_t){.post_id = "B"}), STORE_ADDED);
    assert_int_equal(put_post(store, &(post_spec_t){.post_id = "C"}), STORE_FULL);
    assert_int_equal(put_post(store, &(post_spec_t){.post_id = "B", .severity = 2}), STORE_UPDATED);
    assert_int_equal(store_post_count(store), 2);
    assert_null(store_post_json(store, "C"));
    store_free(store);
}

static void test_a_tombstone_forgets_the_picture_and_keeps_the_history(void **state)
{
    store_t *store = store_new(10, 10);
    put_post(store, &(post_spec_t){.post_id = "A"});
    put_alert(store, "A", 1, 100);
    assert_true(store_remove_status(store, "A"));
    assert_false(store_remove_status(store, "A"));
    assert_int_equal(store_post_count(store), 0);
    char *json = store_post_json(store, "A");
    assert_string_equal(json, "{\"status\":null,\"alerts\":[{\"a\":\"A#1\"}]}");
    free(json);
    char buf[64];
    assert_string_equal(listed(store, &all, STORE_SORT_POST, buf, sizeof buf), "");
    store_free(store);
}

static store_t *three_posts(void)
{
    store_t *store = store_new(10, 10);
    put_post(store, &(post_spec_t){"RX1-CEO", "Nottingham University Hospitals", "MIDLANDS",
                                   "CHIEF_EXECUTIVE", "2026-09-30", 3, 0, 1});
    put_post(store, &(post_spec_t){"RJ1-FD", "Guy's and St Thomas'", "LONDON", "FINANCE_DIRECTOR",
                                   "", 1, 1, 1});
    put_post(store, &(post_spec_t){"15F-CEO", "NHS Leeds", "NORTH_EAST_AND_YORKSHIRE",
                                   "CHIEF_EXECUTIVE", "2027-01-31", 3, 0, 2});
    return store;
}

static void test_filters_by_region_role_severity_and_text(void **state)
{
    store_t *store = three_posts();
    char buf[128];
    store_filter_t f = all;
    f.region = "LONDON";
    assert_string_equal(listed(store, &f, STORE_SORT_POST, buf, sizeof buf), "RJ1-FD");
    f = all;
    f.role = "CHIEF_EXECUTIVE";
    assert_string_equal(listed(store, &f, STORE_SORT_POST, buf, sizeof buf), "15F-CEO,RX1-CEO");
    f.severity = 1;
    assert_string_equal(listed(store, &f, STORE_SORT_POST, buf, sizeof buf), "");
    f = all;
    f.query = "nottingham"; /* the organisation, any case */
    assert_string_equal(listed(store, &f, STORE_SORT_POST, buf, sizeof buf), "RX1-CEO");
    f.query = "-fd"; /* part of a post id */
    assert_string_equal(listed(store, &f, STORE_SORT_POST, buf, sizeof buf), "RJ1-FD");
    f = all;
    f.designated = 0;
    assert_string_equal(listed(store, &f, STORE_SORT_POST, buf, sizeof buf), "");
    store_free(store);
}

static void test_each_sort_orders_then_breaks_ties_by_post_id(void **state)
{
    store_t *store = three_posts();
    char buf[128];
    static const struct {
        const char *name, *want;
    } cases[] = {
        {"severity", "RX1-CEO,15F-CEO,RJ1-FD"}, /* critical; fewest ready now; smaller pipeline */
        {"post", "15F-CEO,RJ1-FD,RX1-CEO"},     {"organisation", "RJ1-FD,15F-CEO,RX1-CEO"},
        {"region", "RJ1-FD,RX1-CEO,15F-CEO"},   {"role", "15F-CEO,RX1-CEO,RJ1-FD"},
        {"readyNow", "15F-CEO,RX1-CEO,RJ1-FD"}, {"pipeline", "RJ1-FD,RX1-CEO,15F-CEO"},
        {"leaving", "RX1-CEO,15F-CEO,RJ1-FD"}, /* soonest first, none last */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        store_sort_t sort;
        assert_int_equal(store_sort_parse(cases[i].name, &sort), 0);
        assert_string_equal(listed(store, &all, sort, buf, sizeof buf), cases[i].want);
    }
    store_sort_t sort;
    assert_int_equal(store_sort_parse("random", &sort), -1);
    store_free(store);
}

static void test_a_page_counts_every_match(void **state)
{
    store_t *store = three_posts();
    char *json = store_posts_json(store, &all, STORE_SORT_POST, 1, 1);
    assert_string_equal(json, "{\"total\":3,\"posts\":[{\"postId\":\"RJ1-FD\"}]}");
    free(json);
    store_free(store);
}

static void test_severity_names_are_the_enum_names(void **state)
{
    int severity = -1;
    assert_int_equal(store_severity_parse("SEVERITY_CRITICAL", &severity), 0);
    assert_int_equal(severity, 3);
    assert_int_equal(store_severity_parse("critical", &severity), -1);
}

static void test_the_feed_keeps_the_alerts_evaluated_last(void **state)
{
    store_t *store = store_new(10, 2);
    assert_int_equal(put_alert(store, "A", 1, 300), STORE_ADDED);
    assert_int_equal(put_alert(store, "B", 1, 100), STORE_ADDED);
    assert_int_equal(put_alert(store, "C", 1, 200), STORE_ADDED); /* drops B's */
    assert_int_equal(store_alert_count(store), 2);
    char *json = store_alerts_json(store, 10);
    assert_string_equal(json, "{\"alerts\":[{\"a\":\"A#1\"},{\"a\":\"C#1\"}]}");
    free(json);
    /* Older than the whole feed: only in its post's history. */
    assert_int_equal(put_alert(store, "D", 1, 50), STORE_ADDED);
    json = store_alerts_json(store, 1);
    assert_string_equal(json, "{\"alerts\":[{\"a\":\"A#1\"}]}");
    free(json);
    json = store_post_json(store, "D");
    assert_string_equal(json, "{\"status\":null,\"alerts\":[{\"a\":\"D#1\"}]}");
    free(json);
    store_free(store);
}

static void test_a_repeated_alert_is_dropped(void **state)
{
    store_t *store = store_new(10, 10);
    assert_int_equal(put_alert(store, "A", 1, 100), STORE_ADDED);
    assert_int_equal(put_alert(store, "A", 1, 100), STORE_REPEAT);
    assert_int_equal(store_alert_count(store), 1);
    store_free(store);
}

static void test_a_post_keeps_its_most_recent_alerts(void **state)
{
    store_t *store = store_new(10, 1000);
    for (int seq = 1; seq <= STORE_POST_ALERTS + 5; seq++)
        assert_int_equal(put_alert(store, "A", seq, 1000 + seq), STORE_ADDED);
    char *json = store_post_json(store, "A");
    char first[32], last[32];
    snprintf(first, sizeof first, "[{\"a\":\"A#%d\"}", STORE_POST_ALERTS + 5);
    snprintf(last, sizeof last, "{\"a\":\"A#6\"}]}");
    assert_non_null(strstr(json, first));
    assert_non_null(strstr(json, last));
    assert_null(strstr(json, "\"A#5\""));
    free(json);
    store_free(store);
}

static store_result_t put_summary(store_t *store, const char *key)
{
    Succession__V1__ProgrammeSummary s = SUCCESSION__V1__PROGRAMME_SUMMARY__INIT;
    s.key = (char *)key;
    char json[64];
    snprintf(json, sizeof json, "\"%s\"", key);
    return store_put_summary(store, &s, json);
}

static void test_summaries_come_national_then_regions_then_roles(void **state)
{
    store_t *store = store_new(10, 10);
    assert_int_equal(put_summary(store, "role:CHAIR"), STORE_ADDED);
    assert_int_equal(put_summary(store, "region:MIDLANDS"), STORE_ADDED);
    assert_int_equal(put_summary(store, "national"), STORE_ADDED);
    assert_int_equal(put_summary(store, "region:LONDON"), STORE_ADDED);
    assert_int_equal(put_summary(store, "national"), STORE_UPDATED);
    char *json = store_summaries_json(store);
    assert_string_equal(
        json,
        "{\"summaries\":[\"national\",\"region:LONDON\",\"region:MIDLANDS\",\"role:CHAIR\"]}");
    free(json);
    store_free(store);
}

static void test_summaries_beyond_the_bound_are_refused(void **state)
{
    store_t *store = store_new(10, 10);
    char key[32];
    for (int i = 0; i < STORE_MAX_SUMMARIES; i++) {
        snprintf(key, sizeof key, "role:R%d", i);
        assert_int_equal(put_summary(store, key), STORE_ADDED);
    }
    assert_int_equal(put_summary(store, "national"), STORE_FULL);
    store_free(store);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_post_is_added_then_updated_in_place),
        cmocka_unit_test(test_beyond_max_posts_new_posts_are_refused_and_held_ones_update),
        cmocka_unit_test(test_a_tombstone_forgets_the_picture_and_keeps_the_history),
        cmocka_unit_test(test_filters_by_region_role_severity_and_text),
        cmocka_unit_test(test_each_sort_orders_then_breaks_ties_by_post_id),
        cmocka_unit_test(test_a_page_counts_every_match),
        cmocka_unit_test(test_severity_names_are_the_enum_names),
        cmocka_unit_test(test_the_feed_keeps_the_alerts_evaluated_last),
        cmocka_unit_test(test_a_repeated_alert_is_dropped),
        cmocka_unit_test(test_a_post_keeps_its_most_recent_alerts),
        cmocka_unit_test(test_summaries_come_national_then_regions_then_roles),
        cmocka_unit_test(test_summaries_beyond_the_bound_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
