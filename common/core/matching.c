/* matching: Hopcroft and Karp's maximum bipartite matching (SIAM J.
 * Computing 2(4), 1973). Each phase layers the graph by a breadth-first
 * search from the free left vertices, then augments along a maximal set of
 * vertex-disjoint shortest augmenting paths found by depth-first searches;
 * O(sqrt(V)) phases of O(E) each. The depth-first search keeps its own
 * stack, so a path as long as the graph costs no call stack. */
#include "matching.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#define UNLAYERED SIZE_MAX /* dist of a left vertex outside the current layers */
#define FREE      (-1L)

typedef struct hk {
    size_t left_count;
    const size_t *offsets, *targets;
    long *pair_left;  /* left_count: the right vertex of each left vertex, or FREE */
    long *pair_right; /* right_count: the left vertex of each right vertex, or FREE */
    size_t *dist;     /* left_count: layer of each left vertex */
    size_t *next;     /* left_count: the next edge to try (the queue during layering) */
    size_t *stack;    /* left_count: the path being searched */
} hk_t;

/* Layers the left vertices by their distance from a free left vertex along
 * alternating paths, stopping at the first layer that reaches a free right
 * vertex; returns that layer's depth (edges from a free left vertex to a
 * free right one), or 0 when no augmenting path is left. Uses next as the
 * queue. */
static size_t hk_layer(hk_t *h)
{
    size_t *queue = h->next, head = 0, tail = 0, depth = 0;
    for (size_t u = 0; u < h->left_count; u++) {
        h->dist[u] = h->pair_left[u] == FREE ? 0 : UNLAYERED;
        if (h->pair_left[u] == FREE)
            queue[tail++] = u;
    }
    /* The queue holds the layers in order: once a layer reaches a free
     * right vertex, every vertex still queued is as deep or deeper. */
    while (head < tail && depth == 0) {
        size_t u = queue[head++];
        for (size_t e = h->offsets[u]; e < h->offsets[u + 1]; e++) {
            long w = h->pair_right[h->targets[e]];
            if (w == FREE) {
                depth = h->dist[u] + 1;
            } else if (h->dist[w] == UNLAYERED) {
                h->dist[w] = h->dist[u] + 1;
                queue[tail++] = (size_t)w;
            }
        }
    }
    return depth;
}

/* Flips the matching along the path on the stack (top stack entries), each
 * left vertex to the right vertex of the edge it last tried. */
static void hk_flip(hk_t *h, size_t top)
{
    for (size_t k = 0; k < top; k++) {
        size_t u = h->stack[k];
        size_t v = h->targets[h->next[u] - 1];
        h->pair_left[u] = (long)v;
        h->pair_right[v] = (long)u;
    }
}

/* Searches the layers from the free left vertex root for a shortest
 * augmenting path (depth edges to a free right vertex) and flips it;
 * returns whether one was found. A left vertex found to lead nowhere leaves
 * the layers for the rest of the phase. */
static bool hk_augment(hk_t *h, size_t root, size_t depth)
{
    size_t top = 0;
    h->stack[top++] = root;
    while (top > 0) {
        size_t u = h->stack[top - 1];
        if (h->next[u] == h->offsets[u + 1]) {
            h->dist[u] = UNLAYERED;
            top--;
            continue;
        }
        long w = h->pair_right[h->targets[h->next[u]++]];
        if (w == FREE && h->dist[u] + 1 == depth) {
            hk_flip(h, top);
            return true;
        }
        if (w != FREE && h->dist[w] == h->dist[u] + 1)
            h->stack[top++] = (size_t)w;
    }
    return false;
}

/* One phase: augments from every free left vertex in turn. */
static long hk_phase(hk_t *h, size_t depth)
{
    long found = 0;
    for (size_t u = 0; u < h->left_count; u++)
        h->next[u] = h->offsets[u];
    for (size_t u = 0; u < h->left_count; u++)
        if (h->pair_left[u] == FREE && hk_augment(h, u, depth))
            found++;
    return found;
}

long matching_maximum(size_t left_count, size_t right_count, const size_t *offsets,
                      const size_t *targets, long *match)
{
    hk_t h = {left_count, offsets, targets, NULL, NULL, NULL, NULL, NULL};
    /* One more entry each, so that an empty side still allocates. */
    h.pair_left = malloc((left_count + 1) * sizeof *h.pair_left);
    h.pair_right = malloc((right_count + 1) * sizeof *h.pair_right);
    h.dist = malloc((left_count + 1) * sizeof *h.dist);
    h.next = malloc((left_count + 1) * sizeof *h.next);
    h.stack = malloc((left_count + 1) * sizeof *h.stack);
    long size = -1;
    if (h.pair_left && h.pair_right && h.dist && h.next && h.stack) {
        for (size_t u = 0; u < left_count; u++)
            h.pair_left[u] = FREE;
        for (size_t v = 0; v < right_count; v++)
            h.pair_right[v] = FREE;
        size = 0;
        for (size_t depth; (depth = hk_layer(&h)) != 0;)
            size += hk_phase(&h, depth);
        for (size_t u = 0; match && u < left_count; u++)
            match[u] = h.pair_left[u];
    }
    free(h.pair_left);
    free(h.pair_right);
    free(h.dist);
    free(h.next);
    free(h.stack);
    return size;
}
