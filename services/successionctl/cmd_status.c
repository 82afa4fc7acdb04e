/* successionctl status: the succession picture of every designated post, for
 * people (a table, or counts by region) and for programs (--json: JSON Lines
 * in the proto3 JSON mapping). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "pbjson.h"
#include "show.h"

static void print_status_row(const Succession__V1__PostStatus *s)
{
    char reasons[512], post[80], incumbent[80];
    printf("%-10s %-14s %-24s %-23s %-8s %3d %4d %5d  %-10s %-10s %s\n",
           show_enum(&succession__v1__severity__descriptor, s->severity, 9),
           ctl_shown(s->post_id, strlen(s->post_id), post, sizeof post), s->region, s->role,
           s->ods_code, s->ready_now, s->ready_soon, s->stale_nominations,
           ctl_shown(s->incumbent_person_id, strlen(s->incumbent_person_id), incumbent,
                     sizeof incumbent),
           s->leaving_date[0] ? s->leaving_date : "-",
           show_reasons(s->reasons, s->n_reasons, reasons, sizeof reasons));
}

/* At-risk designated posts counted by region and severity. */
typedef struct summary {
    char regions[16][32];
    int counts[16][4]; /* by Severity */
    int region_count;
} summary_t;

static void summary_add(summary_t *sum, const Succession__V1__PostStatus *s)
{
    int r = 0;
    while (r < sum->region_count && strcmp(sum->regions[r], s->region) != 0)
        r++;
    if (r == sum->region_count && r < 16)
        snprintf(sum->regions[sum->region_count++], sizeof sum->regions[0], "%s", s->region);
    if (r < 16 && s->severity >= 0 && s->severity < 4)
        sum->counts[r][s->severity]++;
}

static void summary_print(const summary_t *sum)
{
    int total[4] = {0};
    printf("%-26s %8s %6s %6s %10s\n", "REGION", "CRITICAL", "HIGH", "MEDIUM", "NOT AT RISK");
    for (int r = 0; r < sum->region_count; r++) {
        const int *c = sum->counts[r];
        printf("%-26s %8d %6d %6d %10d\n", sum->regions[r], c[3], c[2], c[1], c[0]);
        for (int k = 0; k < 4; k++)
            total[k] += c[k];
    }
    printf("%-26s %8d %6d %6d %10d\n", "ALL REGIONS", total[3], total[2], total[1], total[0]);
}

/* Shows each stored status of res as asked; returns 0, or 1 when one
 * cannot be decoded. */
static int show_statuses(PGresult *res, bool json, summary_t *sum)
{
    int rc = 0;
    for (int i = 0; i < PQntuples(res); i++) {
        size_t len;
        uint8_t *bytes = db_bytea_decode(PQgetvalue(res, i, 0), &len);
        Succession__V1__PostStatus *s =
            bytes ? succession__v1__post_status__unpack(NULL, len, bytes) : NULL;
        if (!s) {
            ctl_error("status", "a stored status cannot be decoded");
            rc = 1;
        } else if (json) {
            show_json_line(pbjson_encode(&s->base));
        } else if (sum) {
            summary_add(sum, s);
        } else {
            print_status_row(s);
        }
        if (s)
            succession__v1__post_status__free_unpacked(s, NULL);
        free(bytes);
    }
    return rc;
}

int cmd_status(ctl_t *ctl, int argc, char **argv)
{
    bool json = false, summary = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--summary") == 0) {
            summary = true;
        } else {
            ctl_error("status", "usage: status [--json | --summary]");
            return 2;
        }
    }
    summary_t sum = {0};
    db_t *db = ctl_db(ctl, "status");
    if (!db)
        return 1;
    PGresult *res;
    char err[512];
    if (db_exec(db,
                "SELECT s.status FROM post_state s JOIN post p USING (post_id) "
                "WHERE p.designated ORDER BY s.severity DESC, s.post_id",
                0, NULL, &res, err, sizeof err) != DB_OK) {
        ctl_error("status", "%s", err);
        return 1;
    }
    if (!json && !summary)
        printf("%-10s %-14s %-24s %-23s %-8s %3s %4s %5s  %-10s %-10s %s\n", "SEVERITY", "POST",
               "REGION", "ROLE", "ORG", "NOW", "SOON", "STALE", "INCUMBENT", "LEAVING", "REASONS");
    int rc = show_statuses(res, json, summary ? &sum : NULL);
    if (summary)
        summary_print(&sum);
    if (!json)
        printf("%d designated posts\n", PQntuples(res));
    PQclear(res);
    return rc;
}
