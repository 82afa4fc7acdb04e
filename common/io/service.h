/* service: what every executable does first. Reads the configuration
 * (defaults, environment, flags), sets up logging and the clock, and
 * installs the signal handlers: the first SIGTERM/SIGINT clears
 * service_running, the second exits at once. */
#ifndef SUCCESSION_SERVICE_H
#define SUCCESSION_SERVICE_H

#include <signal.h>
#include <stdio.h>

#include "config.h"
#include "db.h"

extern volatile sig_atomic_t service_running;

typedef enum {
    SERVICE_OK = 0,
    SERVICE_HELP = 1,    /* --help was printed: exit 0 */
    SERVICE_USAGE = 2,   /* a configuration error was printed: exit 2 */
    SERVICE_STOPPED = 3, /* a signal came first: exit 0 */
} service_status_t;

/* Initialises cfg from the environment and argv. Arguments that are not
 * settings go to rest (argc entries, borrowed from argv). On --help prints
 * `usage` (may be NULL) and the settings. Errors are printed as one line,
 * "NAME: problem", on stderr. */
service_status_t service_init(const char *name, const char *usage, int argc, char **argv,
                              config_t *cfg, char **rest, int *rest_count);

/* Installs the SIGTERM/SIGINT handlers and ignores SIGPIPE. */
void service_install_signals(void);

/* A database handle for cfg's connection string and timeouts (db_new), or
 * NULL when out of memory. */
db_t *service_db_new(const config_t *cfg);

/* Waits for the database (not ready meanwhile, the heartbeat beating: it
 * waits, it is not stuck), then compares its schema with the newest
 * migration this binary embeds (db_schema_check). Returns SERVICE_OK to go
 * on; SERVICE_USAGE when the schema is older, after printing "NAME: why" on
 * stderr (exit 2: restarting cannot mend it before successionctl migrate
 * runs); SERVICE_STOPPED when a signal came first. */
service_status_t service_check_schema(const char *name, db_t *db);

/* Starts the health and metrics endpoints as cfg says (health_start). */
int service_health_start(const char *name, const config_t *cfg, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

#endif
