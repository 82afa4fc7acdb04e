/* service: configuration, logging, clock and signals for every executable. */
#include "service.h"

#include <string.h>
#include <unistd.h>

#include "datetime.h"
#include "health.h"
#include "log.h"

volatile sig_atomic_t service_running = 1;

static void on_signal(int sig)
{
    (void)sig;
    if (!service_running)
        _exit(1); /* second signal: leave now; open transactions roll back */
    service_running = 0;
}

void service_install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

service_status_t service_init(const char *name, const char *usage, int argc, char **argv,
                              config_t *cfg, char **rest, int *rest_count)
{
    char err[512];
    int help = 0;
    if (config_init(cfg, err, sizeof err) ||
        config_parse_args(cfg, argc, argv, rest, rest_count, &help, err, sizeof err))
        goto usage;
    if (help) {
        if (usage)
            fputs(usage, stdout);
        config_print_help(stdout);
        return SERVICE_HELP;
    }
    if (cfg->kafka_config[0] && config_read_kafka_file(cfg, cfg->kafka_config, err, sizeof err))
        goto usage;
    log_level_t level;
    if (log_level_parse(cfg->log_level, &level)) {
        snprintf(err, sizeof err, "--log-level: '%s' is not debug, info, warn or error",
                 cfg->log_level);
        goto usage;
    }
    if (strcmp(cfg->log_format, "json") != 0 && strcmp(cfg->log_format, "text") != 0) {
        snprintf(err, sizeof err, "--log-format: '%s' is not json or text", cfg->log_format);
        goto usage;
    }
    if (datetime_set_now(cfg->now)) {
        snprintf(err, sizeof err, "--now (SUCCESSION_NOW): '%s' is not an RFC 3339 instant",
                 cfg->now);
        goto usage;
    }
    if (cfg->batch_max_events < 1) {
        snprintf(err, sizeof err, "--batch-max-events: must be at least 1");
        goto usage;
    }
    log_init(name, strcmp(cfg->log_format, "json") == 0, level);
    return SERVICE_OK;
usage:
    fprintf(stderr, "%s: %s\n", name, err);
    return SERVICE_USAGE;
}

db_t *service_db_new(const config_t *cfg)
{
    db_timeouts_t t = {.connect_s = cfg->db_connect_timeout,
                       .statement_ms = cfg->db_statement_timeout,
                       .tcp_ms = cfg->db_tcp_timeout};
    return db_new(cfg->db, &t);
}

int service_health_start(const char *name, const config_t *cfg, char *errstr, size_t errstr_size)
{
    if (health_start(name, cfg->http_address, cfg->http_port, cfg->liveness_timeout, errstr,
                     errstr_size))
        return -1;
    if (health_port() > 0)
        log_info("http_serving", "health and metrics on http://%s:%d/", cfg->http_address,
                 health_port());
    return 0;
}

service_status_t service_check_schema(const char *name, db_t *db)
{
    char err[1024];
    for (long backoff = 100; service_running; backoff = backoff < 5000 ? backoff * 2 : 5000) {
        int rc = db_connect_once(db, err, sizeof err) ? -1 : db_schema_check(db, err, sizeof err);
        health_set_db_up(db_is_up(db));
        if (rc == 0)
            return SERVICE_OK;
        if (rc == 1) {
            fprintf(stderr, "%s: %s\n", name, err);
            return SERVICE_USAGE;
        }
        log_warn("db_unavailable", "cannot compare the schema yet (retrying in %ld ms): %s",
                 backoff, err);
        for (long waited = 0; waited < backoff && service_running; waited += 100) {
            health_heartbeat();
            datetime_sleep_ms(100);
        }
    }
    return SERVICE_STOPPED;
}
