/* config: every setting of every service, in one typed table.
 *
 * Precedence: the default, then the SUCCESSION_<NAME> environment variable,
 * then the command-line flag --<name> VALUE (or --<name>=VALUE). Kafka client
 * properties pass straight to librdkafka: -X key=value (repeatable) and a
 * properties file (--kafka-config FILE, "key=value" lines, # comments).
 * PostgreSQL takes a libpq connection string (--db), and libpq's own PG*
 * variables fill in whatever it leaves out. */
#ifndef SUCCESSION_CONFIG_H
#define SUCCESSION_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "topics.h"

#define CONFIG_MAX_KAFKA_PROPS 64

typedef struct config {
    char *brokers;             /* bootstrap.servers */
    char *db;                  /* libpq connection string */
    char *topic_prefix;        /* prepended to every topic and group name */
    char *group_id;            /* consumer group; default derived from the service */
    char *now;                 /* fixes the clock (RFC 3339); empty: real time */
    char *log_format;          /* json | text */
    char *log_level;           /* debug | info | warn | error */
    char *kafka_config;        /* librdkafka properties file */
    int batch_max_events;      /* a batch closes at this many messages ... */
    int batch_max_bytes;       /* ... or this many bytes held (messages and their JSON) ... */
    int batch_max_ms;          /* ... or this long after its first message */
    int max_event_bytes;       /* larger input messages are dead-lettered */
    int max_dead_letter_bytes; /* larger dead letters go out as a bounded record */
    int db_connect_timeout;    /* seconds */
    int db_statement_timeout;  /* milliseconds */
    int db_tcp_timeout;        /* milliseconds */
    int liveness_timeout;      /* seconds the main loop may stall before /healthz fails */
    int http_port;             /* metrics and health; 0: off */
    char *http_address;        /* where they listen */
    int reevaluate_interval;   /* seconds; 0: the database setting */
    int dashboard_port;        /* the dashboard's page and API; 0: off */
    char *dashboard_address;   /* where they listen; beyond loopback needs auth and TLS */
    char *dashboard_auth_file; /* its first line is the credential; empty: no authentication */
    char *dashboard_tls_cert;  /* PEM certificate (chain); empty: plain HTTP */
    char *dashboard_tls_key;   /* PEM private key of that certificate */
    int dashboard_max_posts;   /* posts held in memory */
    int dashboard_max_alerts;  /* alerts of the live feed held in memory */
    int dashboard_max_clients; /* live (Server-Sent Events) clients at once */
    /* -X pairs, "key=value" strings, owned */
    char *kafka_props[CONFIG_MAX_KAFKA_PROPS];
    size_t kafka_prop_count;
} config_t;

/* Fills cfg with defaults and then the environment. Returns 0, or -1 with
 * the variable and the problem in errstr. Free with config_free(). */
int config_init(config_t *cfg, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

/* Applies command-line flags from argv[1..argc-1]. Arguments that are not
 * settings (a subcommand, its flags, file names) are moved, in order, to
 * rest[0..*rest_count-1] (borrowed from argv; rest holds argc entries).
 * "--help" sets *help. Returns 0, or -1 with "--flag: problem" in errstr. */
int config_parse_args(config_t *cfg, int argc, char **argv, char **rest, int *rest_count, int *help,
                      char *errstr, size_t errstr_size) __attribute__((warn_unused_result));

/* Lists every setting with its flag, variable, default and meaning. */
void config_print_help(FILE *out);

/* Reads a librdkafka properties file into cfg's -X list (file entries go
 * first, so -X flags win). Returns 0, or -1 with "FILE:LINE: problem". */
int config_read_kafka_file(config_t *cfg, const char *path, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

/* Writes prefix + name into buf. */
void config_topic(const config_t *cfg, const char *name, char *buf, size_t buf_size);

/* Writes the consumer group of the worker `service` (e.g. "vacancy-worker")
 * into buf: the group-id setting as given when it is set, otherwise prefix +
 * "succession-" + service. Returns 0, or -1 with "group-id: ..." in errstr
 * when the name does not fit in buf_size bytes. */
int config_group(const config_t *cfg, const char *service, char *buf, size_t buf_size, char *errstr,
                 size_t errstr_size) __attribute__((warn_unused_result));

void config_free(config_t *cfg);

#endif
