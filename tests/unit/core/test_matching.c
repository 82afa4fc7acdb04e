/* Unit tests of the maximum bipartite matching (common/core/matching.c):
 * against an exhaustive search on small random graphs, on hand-made graphs
 * where a greedy assignment falls short, and on a chain long enough that a
 * recursive search would exhaust the stack. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "matching.h"

enum { SMALL = 7, CHAIN = 20000 };

/* A graph as matching_maximum takes it, with room for CHAIN left vertices of
 * two edges each. */
typedef struct graph {
    size_t left, right;
    size_t offsets[CHAIN + 1];
    size_t targets[2 * CHAIN];
} graph_t;

static graph_t g;
static long match[CHAIN];

/* Starts an empty graph of left x right vertices. */
static void graph_start(size_t left, size_t right)
{
    g.left = left;
    g.right = right;
    g.offsets[0] = 0;
}

/* Gives left vertex u (the next one) the n edges to targets. */
static void graph_edges(size_t u, const size_t *targets, size_t n)
{
    for (size_t k = 0; k < n; k++)
        g.targets[g.offsets[u] + k] = targets[k];
    g.offsets[u + 1] = g.offsets[u] + n;
}

static bool graph_has_edge(size_t u, size_t v)
{
    for (size_t e = g.offsets[u]; e < g.offsets[u + 1]; e++)
        if (g.targets[e] == v)
            return true;
    return false;
}

/* Checks that match is a matching of g of the given size: every matched
 * pair an edge, every right vertex used once. */
static void assert_valid_matching(long size)
{
    static bool used[CHAIN];
    for (size_t v = 0; v < g.right; v++)
        used[v] = false;
    long matched = 0;
    for (size_t u = 0; u < g.left; u++) {
        if (match[u] == -1)
            continue;
        assert_in_range(match[u], 0, (long)g.right - 1);
        assert_true(graph_has_edge(u, (size_t)match[u]));
        assert_false(used[match[u]]);
        used[match[u]] = true;
        matched++;
    }
    assert_int_equal(matched, size);
}

static long maximum(void)
{
    long size = matching_maximum(g.left, g.right, g.offsets, g.targets, match);
    assert_valid_matching(size);
    return size;
}

/* The largest matching of left vertices u.. whose right vertices avoid the
 * set used, by trying every choice. */
static long exhaustive(const unsigned *adjacent, size_t left, size_t u, unsigned used)
{
    if (u == left)
        return 0;
    long best = exhaustive(adjacent, left, u + 1, used);
    for (size_t v = 0; v < SMALL; v++) {
        if (!(adjacent[u] & ~used & (1u << v)))
            continue;
        long with = 1 + exhaustive(adjacent, left, u + 1, used | (1u << v));
        if (with > best)
            best = with;
    }
    return best;
}

/* A fixed sequence of pseudo-random numbers (xorshift32). */
static uint32_t next_random(uint32_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    return *state;
}

static void test_small_random_graphs_match_an_exhaustive_search(void **state)
{
    static const unsigned density[] = {0, 10, 25, 40, 60, 80, 100}; /* percent of pairs */
    uint32_t seed = 20240611;
    int empty = 0, complete = 0;
    for (int round = 0; round < 700; round++) {
        size_t left = next_random(&seed) % (SMALL + 1);
        size_t right = next_random(&seed) % (SMALL + 1);
        unsigned percent = density[round % 7];
        unsigned adjacent[SMALL] = {0};
        graph_start(left, right);
        for (size_t u = 0; u < left; u++) {
            size_t targets[SMALL], n = 0;
            for (size_t v = 0; v < right; v++) {
                if (next_random(&seed) % 100 < percent) {
                    targets[n++] = v;
                    adjacent[u] |= 1u << v;
                }
            }
            graph_edges(u, targets, n);
        }
        empty += g.offsets[left] == 0;
        complete += left > 0 && right > 0 && g.offsets[left] == left * right;
        assert_int_equal(maximum(), exhaustive(adjacent, left, 0, 0));
    }
    /* The sample includes empty and complete graphs. */
    assert_true(empty > 10);
    assert_true(complete > 10);
}

/* Post j has persons j-1 and j, listed in that order (person i is ready for
 * posts i and i+1); the posts come last first, so that taking the first free
 * person of each post leaves post 0 without one. */
static void build_chain(size_t n)
{
    graph_start(n, n);
    for (size_t u = 0; u < n; u++) {
        size_t post = n - 1 - u;
        size_t persons[2] = {post - 1, post};
        if (post == 0)
            graph_edges(u, &persons[1], 1);
        else
            graph_edges(u, persons, 2);
    }
}

static void test_a_chain_is_covered_whole_where_greedy_falls_one_short(void **state)
{
    build_chain(6);
    assert_int_equal(maximum(), 6);
    assert_int_equal(match[5], 0); /* post 0 can only have person 0 */
}

static void test_one_person_ready_for_everything_covers_one(void **state)
{
    static const size_t everyone[] = {0};
    graph_start(5, 1);
    for (size_t u = 0; u < 5; u++)
        graph_edges(u, everyone, 1);
    assert_int_equal(maximum(), 1);
}

static void test_one_person_ready_for_everything_beside_others(void **state)
{
    /* Person 0 is ready for all five posts, person 1 for post 0 only,
     * person 2 for post 1 only: the most is three, not the two of giving
     * post 0 its first-listed person. */
    static const size_t post0[] = {0, 1}, post1[] = {0, 2}, rest[] = {0};
    graph_start(5, 3);
    graph_edges(0, post0, 2);
    graph_edges(1, post1, 2);
    for (size_t u = 2; u < 5; u++)
        graph_edges(u, rest, 1);
    assert_int_equal(maximum(), 3);
    assert_int_equal(match[0], 1);
    assert_int_equal(match[1], 2);
}

static void test_nobody_ready_covers_nothing(void **state)
{
    graph_start(4, 3);
    for (size_t u = 0; u < 4; u++)
        graph_edges(u, NULL, 0);
    assert_int_equal(maximum(), 0);
    for (size_t u = 0; u < 4; u++)
        assert_int_equal(match[u], -1);

    graph_start(0, 0);
    assert_int_equal(matching_maximum(0, 0, g.offsets, g.targets, NULL), 0);
    graph_start(3, 0);
    for (size_t u = 0; u < 3; u++)
        graph_edges(u, NULL, 0);
    assert_int_equal(maximum(), 0);
}

static void test_the_size_is_returned_without_a_match_array(void **state)
{
    build_chain(50);
    assert_int_equal(matching_maximum(g.left, g.right, g.offsets, g.targets, NULL), 50);
}

static long chain_size;

static void *match_chain(void *unused)
{
    chain_size = matching_maximum(g.left, g.right, g.offsets, g.targets, match);
    return NULL;
}

static void test_a_long_chain_needs_no_deep_stack_and_is_fast(void **state)
{
    /* After a first greedy pass the only augmenting path runs the whole
     * chain, 2 * CHAIN - 1 edges: on a 256 KiB stack, too deep to follow by
     * recursion. */
    build_chain(CHAIN);
    pthread_attr_t small_stack;
    pthread_t thread;
    assert_int_equal(pthread_attr_init(&small_stack), 0);
    assert_int_equal(pthread_attr_setstacksize(&small_stack, 256 * 1024), 0);
    clock_t start = clock();
    assert_int_equal(pthread_create(&thread, &small_stack, match_chain, NULL), 0);
    assert_int_equal(pthread_join(thread, NULL), 0);
    double seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
    pthread_attr_destroy(&small_stack);
    assert_int_equal(chain_size, CHAIN);
    assert_valid_matching(chain_size);
    assert_true(seconds < 2.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_random_graphs_match_an_exhaustive_search),
        cmocka_unit_test(test_a_chain_is_covered_whole_where_greedy_falls_one_short),
        cmocka_unit_test(test_one_person_ready_for_everything_covers_one),
        cmocka_unit_test(test_one_person_ready_for_everything_beside_others),
        cmocka_unit_test(test_nobody_ready_covers_nothing),
        cmocka_unit_test(test_the_size_is_returned_without_a_match_array),
        cmocka_unit_test(test_a_long_chain_needs_no_deep_stack_and_is_fast),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
