/* successionctl migrate and topics: set up the database and the topics. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "kafka.h"

int cmd_migrate(ctl_t *ctl, int argc, char **argv)
{
    if (argc > 1) {
        ctl_error("migrate", "unexpected argument '%s'", argv[1]);
        return 2;
    }
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
