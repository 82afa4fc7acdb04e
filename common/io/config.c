/* config: the settings table, the environment, flags and -X pass-through. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef enum { SETTING_STRING, SETTING_INT } setting_type_t;

typedef struct setting {
    const char *name; /* flag --name, variable SUCCESSION_NAME (upper, '-' as '_') */
    setting_type_t type;
    size_t offset;
    const char *default_value;
    const char *help;
} setting_t;

#define S(name, type, field, def, help)                                                            \
    {                                                                                              \
        name, type, offsetof(config_t, field), def, help                                           \
    }
static const setting_t settings[] = {
    S("brokers", SETTING_STRING, brokers, "127.0.0.1:9092", "Kafka bootstrap servers"),
    S("db", SETTING_STRING, db, "dbname=succession",
      "PostgreSQL connection string (libpq; PG* variables fill the rest)"),
    S("topic-prefix", SETTING_STRING, topic_prefix, "",
      "prefix of every topic and consumer-group name"),
    S("group-id", SETTING_STRING, group_id, "", "consumer group (default: succession-<service>)"),
    S("now", SETTING_STRING, now, "", "fix the clock at this RFC 3339 instant (tests, replays)"),
    S("log-format", SETTING_STRING, log_format, "json", "log lines: json or text"),
    S("log-level", SETTING_STRING, log_level, "info", "debug, info, warn or error"),
    S("kafka-config", SETTING_STRING, kafka_config, "", "librdkafka properties file"),
    S("batch-max-events", SETTING_INT, batch_max_events, "500",
      "a batch closes at this many events"),
    S("batch-max-bytes", SETTING_INT, batch_max_bytes, "8388608",
      "... or when it holds this many bytes (messages and their JSON)"),
    S("batch-max-ms", SETTING_INT, batch_max_ms, "100",
      "... or this many milliseconds after its first event"),
    S("max-event-bytes", SETTING_INT, max_event_bytes, "65536",
      "larger input messages are dead-lettered"),
    S("max-dead-letter-bytes", SETTING_INT, max_dead_letter_bytes, "900000",
      "larger dead letters go out as a bounded record (reason, size, SHA-256, first bytes)"),
    S("db-connect-timeout", SETTING_INT, db_connect_timeout, "10",
      "seconds to wait for a PostgreSQL connection"),
    S("db-statement-timeout", SETTING_INT, db_statement_timeout, "30000",
      "milliseconds a PostgreSQL statement may run (0: no limit)"),
    S("db-tcp-timeout", SETTING_INT, db_tcp_timeout, "30000",
      "milliseconds before a silent PostgreSQL server is given up (TCP)"),
    S("liveness-timeout", SETTING_INT, liveness_timeout, "120",
      "seconds the main loop may stall before /healthz fails"),
    S("http-port", SETTING_INT, http_port, "0", "port for /metrics, /healthz, /readyz (0: off)"),
    S("http-address", SETTING_STRING, http_address, "127.0.0.1",
      "address of the HTTP endpoints (0.0.0.0 for probes from outside)"),
    S("reevaluate-interval", SETTING_INT, reevaluate_interval, "0",
      "seconds between timed re-evaluations (0: the database setting)"),
    S("dashboard-port", SETTING_INT, dashboard_port, "8090",
      "port of the dashboard's page and API (0: off)"),
    S("dashboard-address", SETTING_STRING, dashboard_address, "127.0.0.1",
      "address of the dashboard; beyond loopback it needs the auth file and TLS"),
    S("dashboard-auth-file", SETTING_STRING, dashboard_auth_file, "",
      "file whose first line is the dashboard's credential, user:password (empty: none)"),
    S("dashboard-tls-cert", SETTING_STRING, dashboard_tls_cert, "",
      "PEM certificate of the dashboard's HTTPS (empty: plain HTTP)"),
    S("dashboard-tls-key", SETTING_STRING, dashboard_tls_key, "",
      "PEM private key of that certificate"),
    S("dashboard-max-posts", SETTING_INT, dashboard_max_posts, "50000",
      "posts the dashboard holds; statuses of further posts are counted and dropped"),
    S("dashboard-max-alerts", SETTING_INT, dashboard_max_alerts, "1000",
      "alerts of the dashboard's live feed (the most recent)"),
    S("dashboard-max-clients", SETTING_INT, dashboard_max_clients, "32",
      "live (Server-Sent Events) clients of the dashboard at once"),
};
#define SETTING_COUNT (sizeof settings / sizeof settings[0])

static void env_name(const char *name, char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "SUCCESSION_");
    for (const char *p = name; *p && n + 1 < size; p++)
        buf[n++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
    buf[n] = '\0';
}

/* Stores text into the setting's field. Returns 0, or -1 when an integer is
 * not a non-negative number. */
static int setting_store(config_t *cfg, const setting_t *s, const char *text)
{
    char *field = (char *)cfg + s->offset;
    if (s->type == SETTING_STRING) {
        char **str = (char **)field;
        free(*str);
        *str = strdup(text);
        return *str ? 0 : -1;
    }
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < 0 || v > INT_MAX)
        return -1;
    *(int *)field = (int)v;
    return 0;
}

static const setting_t *setting_find(const char *name, size_t len)
{
    for (size_t i = 0; i < SETTING_COUNT; i++)
        if (strlen(settings[i].name) == len && strncmp(settings[i].name, name, len) == 0)
            return &settings[i];
    return NULL;
}

int config_init(config_t *cfg, char *errstr, size_t errstr_size)
{
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        char var[64];
        env_name(settings[i].name, var, sizeof var);
        const char *env = getenv(var);
        if (setting_store(cfg, &settings[i], settings[i].default_value))
            goto fail_default;
        if (env && setting_store(cfg, &settings[i], env)) {
            snprintf(errstr, errstr_size, "%s: '%s' is not a non-negative whole number", var, env);
            return -1;
        }
    }
    return 0;
fail_default:
    snprintf(errstr, errstr_size, "out of memory");
    return -1;
}

/* Adds one "key=value" Kafka property (copied). The text is never echoed
 * back: it may hold a secret. */
static int add_kafka_prop(config_t *cfg, const char *kv, char *errstr, size_t errstr_size)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv) {
        snprintf(errstr, errstr_size,
                 "expected key=value (the text is not shown: it may hold a secret)");
        return -1;
    }
    if (cfg->kafka_prop_count == CONFIG_MAX_KAFKA_PROPS) {
        snprintf(errstr, errstr_size, "more than %d Kafka properties", CONFIG_MAX_KAFKA_PROPS);
        return -1;
    }
    char *copy = strdup(kv);
    if (!copy) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    cfg->kafka_props[cfg->kafka_prop_count++] = copy;
    return 0;
}

int config_parse_args(config_t *cfg, int argc, char **argv, char **rest, int *rest_count, int *help,
                      char *errstr, size_t errstr_size)
{
    *rest_count = 0;
    *help = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            *help = 1;
            continue;
        }
        if (strcmp(arg, "-X") == 0) {
            char e[256];
            if (i + 1 >= argc) {
                snprintf(errstr, errstr_size, "-X: needs key=value");
                return -1;
            }
            if (add_kafka_prop(cfg, argv[++i], e, sizeof e)) {
                snprintf(errstr, errstr_size, "-X: %s", e);
                return -1;
            }
            continue;
        }
        const setting_t *s = NULL;
        const char *value = NULL;
        if (strncmp(arg, "--", 2) == 0) {
            const char *eq = strchr(arg + 2, '=');
            s = setting_find(arg + 2, eq ? (size_t)(eq - arg - 2) : strlen(arg + 2));
            value = eq ? eq + 1 : NULL;
        }
        if (!s) {
            rest[(*rest_count)++] = argv[i];
            continue;
        }
        if (!value && i + 1 >= argc) {
            snprintf(errstr, errstr_size, "--%s: needs a value", s->name);
            return -1;
        }
        if (!value)
            value = argv[++i];
        if (setting_store(cfg, s, value)) {
            snprintf(errstr, errstr_size, "--%s: '%s' is not a non-negative whole number", s->name,
                     value);
            return -1;
        }
    }
    return 0;
}

/* "key = value" becomes "key=value", as librdkafka's names have no spaces. */
static void trim_around_equals(char *line)
{
    char *eq = strchr(line, '=');
    if (!eq)
        return;
    char *key_end = eq;
    while (key_end > line && isspace((unsigned char)key_end[-1]))
        key_end--;
    char *value = eq + 1;
    while (isspace((unsigned char)*value))
        value++;
    *key_end = '=';
    memmove(key_end + 1, value, strlen(value) + 1);
}

int config_read_kafka_file(config_t *cfg, const char *path, char *errstr, size_t errstr_size)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        return -1;
    }
    /* File entries go before -X entries already given, so flags win. */
    size_t given = cfg->kafka_prop_count;
    char *from_flags[CONFIG_MAX_KAFKA_PROPS];
    memcpy(from_flags, cfg->kafka_props, given * sizeof(char *));
    cfg->kafka_prop_count = 0;
    char *line = NULL, e[256];
    size_t line_size = 0;
    int lineno = 0, rc = 0;
    ssize_t n;
    while ((n = getline(&line, &line_size, f)) >= 0) {
        lineno++;
        if (strlen(line) != (size_t)n) {
            snprintf(errstr, errstr_size, "%s:%d: a NUL byte in the line", path, lineno);
            rc = -1;
            break;
        }
        char *p = line, *end = line + n;
        while (end > p && isspace((unsigned char)end[-1]))
            *--end = '\0';
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '\0' || *p == '#')
            continue;
        trim_around_equals(p);
        if (add_kafka_prop(cfg, p, e, sizeof e)) {
            snprintf(errstr, errstr_size, "%s:%d: %s", path, lineno, e);
            rc = -1;
            break;
        }
    }
    if (rc == 0 && ferror(f)) {
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        rc = -1;
    }
    free(line);
    fclose(f);
    for (size_t i = 0; i < given; i++) {
        if (rc == 0 && cfg->kafka_prop_count == CONFIG_MAX_KAFKA_PROPS) {
            snprintf(errstr, errstr_size, "%s: too many properties", path);
            rc = -1;
        }
        if (rc == 0)
            cfg->kafka_props[cfg->kafka_prop_count++] = from_flags[i];
        else
            free(from_flags[i]);
    }
    return rc;
}

void config_print_help(FILE *out)
{
    fprintf(out, "Settings (flag, environment variable, default):\n");
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        char var[64];
        env_name(settings[i].name, var, sizeof var);
        fprintf(out, "  --%-20s %-32s [%s]\n      %s\n", settings[i].name, var,
                settings[i].default_value, settings[i].help);
    }
    fprintf(out, "  -X key=value               a librdkafka property (repeatable; wins over"
                 " --kafka-config)\n");
}

void config_topic(const config_t *cfg, const char *name, char *buf, size_t buf_size)
{
    snprintf(buf, buf_size, "%s%s", cfg->topic_prefix, name);
}

int config_group(const config_t *cfg, const char *service, char *buf, size_t buf_size, char *errstr,
                 size_t errstr_size)
{
    int n = cfg->group_id[0]
                ? snprintf(buf, buf_size, "%s", cfg->group_id)
                : snprintf(buf, buf_size, "%ssuccession-%s", cfg->topic_prefix, service);
    if (n < 0 || (size_t)n >= buf_size) {
        snprintf(errstr, errstr_size, "group-id: the consumer group name is longer than %zu bytes",
                 buf_size - 1);
        return -1;
    }
    return 0;
}

void config_free(config_t *cfg)
{
    for (size_t i = 0; i < SETTING_COUNT; i++)
        if (settings[i].type == SETTING_STRING)
            free(*(char **)((char *)cfg + settings[i].offset));
    for (size_t i = 0; i < cfg->kafka_prop_count; i++)
        free(cfg->kafka_props[i]);
    memset(cfg, 0, sizeof *cfg);
}
