/* successionctl migrate and topics: set up the database and the topics. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "datetime.h"
#include "kafka.h"
#include "service.h"

/* How often migrate --check --wait asks again. */
#define CHECK_PAUSE_MS 2000

/* migrate --check: compares the schema with the newest migration this
 * binary embeds, asking again every CHECK_PAUSE_MS for up to wait_s seconds
 * while it is older or the database does not answer. Returns the exit
 * status: 0 up to date, 2 older, 1 no answer. */
static int check_schema(ctl_t *ctl, long wait_s)
{
    long deadline = datetime_monotonic_ms() + wait_s * 1000;
    char err[1024];
    int rc;
    for (;;) {
        if (!ctl->db)
            ctl->db = service_db_new(&ctl->cfg);
        if (!ctl->db) {
            snprintf(err, sizeof err, "out of memory");
            rc = -1;
        } else if (db_connect_once(ctl->db, err, sizeof err)) {
            rc = -1;
        } else {
            rc = db_schema_check(ctl->db, err, sizeof err);
        }
        if (rc == 0 || !service_running || datetime_monotonic_ms() >= deadline)
            break;
        datetime_sleep_ms(CHECK_PAUSE_MS);
    }
    if (rc == 0) {
        printf("the schema has %s, the newest migration of this binary\n", db_newest_migration());
        return 0;
    }
    ctl_error("migrate", "%s", err);
    return rc == 1 ? 2 : 1;
}

int cmd_migrate(ctl_t *ctl, int argc, char **argv)
{
    bool check = false;
    long wait_s = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--check") == 0) {
            check = true;
        } else if (strcmp(argv[i], "--wait") == 0 && i + 1 < argc && atol(argv[i + 1]) > 0) {
            wait_s = atol(argv[++i]);
        } else {
            ctl_error("migrate", "unexpected argument '%s'", argv[i]);
            return 2;
        }
    }
    if (wait_s > 0 && !check) {
        ctl_error("migrate", "--wait goes with --check");
        return 2;
    }
    if (check)
        return check_schema(ctl, wait_s);
    db_t *db = ctl_db(ctl, "migrate");
    if (!db)
        return 1;
    char err[1024];
    int applied = db_migrate(db, err, sizeof err);
    if (applied < 0) {
        ctl_error("migrate", "%s", err);
        return 1;
    }
    printf("applied %d migration(s); the schema is up to date\n", applied);
    return 0;
}

int cmd_topics(ctl_t *ctl, int argc, char **argv)
{
    int partitions = 6, replication = 1;
    for (int i = 1; i < argc; i++) {
        bool is_partitions = strcmp(argv[i], "--partitions") == 0;
        if ((is_partitions || strcmp(argv[i], "--replication-factor") == 0) && i + 1 < argc) {
            int v = atoi(argv[++i]);
            if (v < 1) {
                ctl_error("topics", "%s: '%s' is not a positive number", argv[i - 1], argv[i]);
                return 2;
            }
            *(is_partitions ? &partitions : &replication) = v;
        } else {
            ctl_error("topics", "unexpected argument '%s'", argv[i]);
            return 2;
        }
    }
    char err[512];
    rd_kafka_t *rk = kafka_producer_new(&ctl->cfg, false, NULL, NULL, err, sizeof err);
    if (!rk) {
        ctl_error("topics", "%s", err);
        return 2;
    }
    int rc = kafka_create_topics(rk, &ctl->cfg, partitions, replication, err, sizeof err);
    rd_kafka_destroy(rk);
    if (rc) {
        ctl_error("topics", "%s", err);
        return 1;
    }
    printf("topics ready (%d partitions, %d replica(s) each; post status compacted)\n", partitions,
           replication);
    return 0;
}
