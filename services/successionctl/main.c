/* successionctl: dispatches to the command named by the first argument. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "ctl.h"
#include "datetime.h"
#include "service.h"
#include "text.h"

typedef struct command {
    const char *name;
    int (*run)(ctl_t *, int, char **);
    const char *synopsis;
} command_t;

static const command_t commands[] = {
    {"migrate", cmd_migrate,
     "migrate [--check [--wait S]]   apply the database migrations; --check only compares "
     "(exit 2 while the schema is older than this binary)"},
    {"topics", cmd_topics,
     "topics [--partitions N] [--replication-factor R]   create missing topics (6, 1)"},
    {"import", cmd_import,
     "import --organisations FILE --posts FILE   upsert reference data (CSV)"},
    {"publish", cmd_publish,
     "publish [--unchecked] [--rate N] [--framing confluent --schema-id N] FILE.jsonl   "
     "publish events (canonical JSON Lines)"},
    {"wait", cmd_wait,
     "wait [--timeout S]           until every worker caught up and the outbox is empty"},
    {"status", cmd_status,
     "status [--json | --summary]  the succession picture of every designated post"},
    {"alerts", cmd_alerts,
     "alerts [--from-beginning] [--json] [--until-idle]   read the alert topic"},
    {"settings", cmd_settings,
     "settings [NAME=VALUE ...]    show or change thresholds and horizons"},
    {"dlq", cmd_dlq,
     "dlq list [--json] | dlq replay (--all | --offset N ...)   dead letters: why, and re-publish"},
    {"report", cmd_report,
     "report [--json | --published]   the programme's view: cover, shared successors, by "
     "region and role"},
    {"candidates", cmd_candidates,
     "candidates [--limit N] [--json]   the weakest posts outside the designated ones"},
    {"parked", cmd_parked,
     "parked [--json]              events waiting for their post to be registered"},
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static const char usage_head[] = "Usage: successionctl [settings] COMMAND [arguments]\n"
                                 "The operator's tool of the succession watch.\n\nCommands:\n";

static void print_usage(FILE *out)
{
    fputs(usage_head, out);
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %s\n", commands[i].synopsis);
    fputs("\n", out);
}

static struct {
    long shown_at; /* monotonic ms of the last line shown */
    bool shown;
} progress;

void ctl_progress(const char *fmt, ...)
{
    long now = datetime_monotonic_ms();
    if (!isatty(STDERR_FILENO) || (progress.shown && now - progress.shown_at < 500))
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("\r", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\033[K", stderr); /* the rest of the line, from a longer one before */
    va_end(ap);
    progress.shown = true;
    progress.shown_at = now;
}

void ctl_progress_end(void)
{
    if (progress.shown)
        fputs("\n", stderr);
    progress.shown = false;
}

void ctl_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "successionctl %s: ", command);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

const char *ctl_shown(const void *s, size_t len, char *buf, size_t size)
{
    text_clean_into(s, len, TEXT_CONTROLS, buf, size);
    return buf[0] ? buf : "-";
}

db_t *ctl_db(ctl_t *ctl, const char *command)
{
    char err[512];
    if (!ctl->db)
        ctl->db = service_db_new(&ctl->cfg);
    if (!ctl->db || db_connect_once(ctl->db, err, sizeof err)) {
        ctl_error(command, "cannot connect to PostgreSQL: %s", ctl->db ? err : "out of memory");
        return NULL;
    }
    return ctl->db;
}

db_status_t ctl_designations(db_t *db, long *designated, long *cap, char *errstr,
                             size_t errstr_size)
{
    PGresult *res;
    db_status_t st = db_exec(db,
                             "SELECT count(*) FILTER (WHERE designated), coalesce((SELECT value "
                             "FROM setting WHERE name = 'designation_cap'), 200) FROM post",
                             0, NULL, &res, errstr, errstr_size);
    if (st != DB_OK)
        return st;
    *designated = atol(PQgetvalue(res, 0, 0));
    *cap = atol(PQgetvalue(res, 0, 1));
    PQclear(res);
    return DB_OK;
}

int main(int argc, char **argv)
{
    ctl_t ctl = {0};
    char *rest[argc];
    int rest_count, rc = 2;
    char usage[4096];
    FILE *u = fmemopen(usage, sizeof usage, "w");
    print_usage(u);
    fclose(u);
    service_status_t s =
        service_init("successionctl", usage, argc, argv, &ctl.cfg, rest, &rest_count);
    if (s != SERVICE_OK) {
        rc = s == SERVICE_HELP ? 0 : 2;
        goto done;
    }
    if (rest_count == 0) {
        print_usage(stderr);
        goto done;
    }
    service_install_signals();
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        if (strcmp(rest[0], commands[i].name) == 0) {
            rc = commands[i].run(&ctl, rest_count, rest);
            goto done;
        }
    }
    fprintf(stderr, "successionctl: unknown command '%s' (see --help)\n", rest[0]);
done:
    db_free(ctl.db);
    config_free(&ctl.cfg);
    return rc;
}
