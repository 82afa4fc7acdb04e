/* matching: a maximum matching in a bipartite graph (Hopcroft and Karp, "An
 * n^5/2 algorithm for maximum matchings in bipartite graphs", SIAM J.
 * Computing 2(4), 1973): O(E sqrt(V)). Pure. */
#ifndef SUCCESSION_MATCHING_H
#define SUCCESSION_MATCHING_H

#include <stddef.h>

/* The graph: left vertices 0..left_count-1, right vertices
 * 0..right_count-1; the edges of left vertex u go to
 * targets[offsets[u] .. offsets[u+1]-1] (offsets has left_count+1 entries).
 * Writes into match (left_count entries, may be NULL) the right vertex each
 * left vertex is matched to, or -1. Returns the size of a maximum matching,
 * or -1 when out of memory. Iterative; its memory, O(left_count +
 * right_count), is freed before it returns. */
long matching_maximum(size_t left_count, size_t right_count, const size_t *offsets,
                      const size_t *targets, long *match);

#endif
