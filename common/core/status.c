/* status: the published picture and alert of a judged post. */
#include "status.h"

#include <stdio.h>

/* Where a nomination comes in a status's list: eligible ready now, eligible
 * ready in 1-2 years, other eligible, ineligible. */
static int listing_rank(const rules_nomination_t *n)
{
    if (!n->eligible)
        return 3;
    return n->readiness == SUCCESSION__V1__READINESS__READINESS_READY_NOW         ? 0
           : n->readiness == SUCCESSION__V1__READINESS__READINESS_READY_1_2_YEARS ? 1
                                                                                  : 2;
}

/* Lists the successors of p into room in listing order; returns how many. */
static size_t list_successors(const rules_post_t *p, status_successors_t room)
{
    size_t listed = 0;
    for (int rank = 0; rank < 4; rank++) {
        for (size_t i = 0; i < p->nomination_count && listed < STATUS_MAX_LISTED_SUCCESSORS; i++) {
            const rules_nomination_t *n = &p->nominations[i];
            if (listing_rank(n) != rank)
                continue;
            Succession__V1__Successor *m = &room.msgs[listed];
            succession__v1__successor__init(m);
            m->person_id = (char *)n->person_id;
            m->readiness = n->readiness;
            room.dates[listed][0] = '\0';
            if (n->assessed_on != DATE_NONE)
                datetime_format_date(n->assessed_on, room.dates[listed]);
            m->assessed_on = room.dates[listed];
            m->eligible = n->eligible;
            m->emergency_cover = n->emergency_cover;
            m->stale = n->stale;
            m->ineligible_because = n->eligible ? "" : (char *)n->ineligible_because;
            room.ptrs[listed++] = m;
        }
    }
    return listed;
}

void status_fill_picture(Succession__V1__PostStatus *st, const rules_post_t *p,
                         const rules_result_t *r, Succession__V1__Thresholds *thresholds,
                         const rules_settings_t *settings, status_successors_t room,
                         char leaving_text[DATE_TEXT_SIZE])
{
    st->at_risk = r->at_risk;
    st->severity = r->severity;
    st->ready_now = r->ready_now;
    st->ready_soon = r->ready_soon;
    st->pipeline = r->ready_now + r->ready_soon;
    st->stale_nominations = r->stale_nominations;
    st->ineligible_nominations = r->ineligible_nominations;
    st->emergency_covers = r->emergency_covers;
    st->n_reasons = r->reason_count;
    st->reasons = (Succession__V1__Reason *)r->reasons;
    st->incumbent_person_id = p->incumbent_person_id ? (char *)p->incumbent_person_id : "";
    leaving_text[0] = '\0';
    if (p->incumbent_person_id && p->leaving_date != DATE_NONE)
        datetime_format_date(p->leaving_date, leaving_text);
    st->leaving_date = leaving_text;
    st->vacant = r->vacant;
    st->interim_only = r->interim_only;

    succession__v1__thresholds__init(thresholds);
    thresholds->min_ready_now = settings->min_ready_now;
    thresholds->min_pipeline = settings->min_pipeline;
    thresholds->assessment_max_age = settings->assessment_max_age;
    thresholds->critical_horizon = settings->critical_horizon;
    thresholds->notice_horizon = settings->notice_horizon;
    st->thresholds = thresholds;

    st->n_successors = list_successors(p, room);
    st->successors = room.ptrs;
    st->successors_omitted = (int32_t)(p->nomination_count - st->n_successors);
}

void status_alert(Succession__V1__SuccessionAlert *a, const Succession__V1__PostStatus *st,
                  Succession__V1__AlertState state, Succession__V1__Severity previous, int sequence,
                  char *alert_id, size_t alert_id_size)
{
    snprintf(alert_id, alert_id_size, "%s#%d", st->post_id, sequence);
    succession__v1__succession_alert__init(a);
    a->alert_id = alert_id;
    a->post_id = st->post_id;
    a->sequence = sequence;
    a->state = state;
    a->severity = st->severity;
    a->previous_severity = previous;
    a->ready_now = st->ready_now;
    a->ready_soon = st->ready_soon;
    a->n_reasons = st->n_reasons;
    a->reasons = st->reasons;
    a->thresholds = st->thresholds;
    a->caused_by_event_id = st->caused_by_event_id;
    a->evaluated_at = st->evaluated_at;
    a->ods_code = st->ods_code;
    a->region = st->region;
    a->role = st->role;
    a->stale_nominations = st->stale_nominations;
    a->incumbent_person_id = st->incumbent_person_id;
    a->leaving_date = st->leaving_date;
}
