/* status: what a judged post publishes (outputs.proto): the picture of a
 * PostStatus and the SuccessionAlert of a transition, built from the facts
 * (rules_post_t) and the verdict (rules_result_t). Pure: the evaluator
 * (io/evaluate.c) adds the post's reference data, packs and records them.
 *
 * Every message built here borrows its strings from its inputs: it lives no
 * longer than they do, and nothing here allocates. */
#ifndef SUCCESSION_STATUS_H
#define SUCCESSION_STATUS_H

#include <stddef.h>

#include "datetime.h"
#include "rules.h"
#include "succession/v1/outputs.pb-c.h"

/* A post status lists at most this many successors, so that a status stays
 * far below Kafka's message size limit however many people are nominated:
 * ids are at most 64 characters, organisation names 200. The rest are
 * counted in successorsOmitted. */
#define STATUS_MAX_LISTED_SUCCESSORS 200

/* Room for the successors of one status: arrays of at least
 * min(count, STATUS_MAX_LISTED_SUCCESSORS) entries, owned by the caller. */
typedef struct status_successors {
    Succession__V1__Successor *msgs;
    Succession__V1__Successor **ptrs;
    char (*dates)[DATE_TEXT_SIZE];
} status_successors_t;

/* Fills the picture of st from the facts p and the verdict r: the counts,
 * reasons, incumbent, leaving date (formatted into leaving_text), vacancy,
 * thresholds and the listed successors: eligible ready now, then eligible
 * ready in 1-2 years, then other eligible, then ineligible, each group in the
 * order of p's nominations, at most STATUS_MAX_LISTED_SUCCESSORS. Leaves the
 * reference data (post, organisation, region, role, designated),
 * evaluatedAt and causedByEventId to the caller. */
void status_fill_picture(Succession__V1__PostStatus *st, const rules_post_t *p,
                         const rules_result_t *r, Succession__V1__Thresholds *thresholds,
                         const rules_settings_t *settings, status_successors_t room,
                         char leaving_text[DATE_TEXT_SIZE]);

/* Fills the alert a of a transition of st to state, from severity previous,
 * numbered sequence; its id "<postId>#<sequence>" is written into alert_id. */
void status_alert(Succession__V1__SuccessionAlert *a, const Succession__V1__PostStatus *st,
                  Succession__V1__AlertState state, Succession__V1__Severity previous, int sequence,
                  char *alert_id, size_t alert_id_size);

#endif
