/* succession-dashboard: the live web dashboard, a subscriber to what the
 * system publishes (the post-status, alert and programme-summary topics);
 * it never reads the workers' database. It keeps the current picture in
 * memory (store.h), fed by one consumer (feed.h), and serves the page, the
 * JSON API and the live changes (web.h). Ready once it has read the topics
 * to the ends they had when it started. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "bus.h"
#include "datetime.h"
#include "feed.h"
#include "health.h"
#include "log.h"
#include "service.h"
#include "store.h"
#include "web.h"

#define DASHBOARD_NAME      "succession-dashboard"
#define DASHBOARD_EVENTS    1024  /* changes a live client may fall behind by */
#define DASHBOARD_HEARTBEAT 15000 /* ms: a live client hears something this often */
#define DASHBOARD_RETRY_MS  2000  /* between attempts to find the topics */
#define DASHBOARD_MAX_PEM   (1024 * 1024)

static const char usage[] =
    "usage: succession-dashboard [settings]\n"
    "Serves the dashboard on --dashboard-address:--dashboard-port (127.0.0.1:8090):\n"
    "the page, /api/posts, /api/posts/{id}, /api/alerts, /api/summary and the live\n"
    "changes /api/events. Beyond loopback it refuses to start without\n"
    "--dashboard-auth-file and --dashboard-tls-cert/--dashboard-tls-key.\n\n";

typedef struct dashboard {
    config_t cfg;
    char *credential, *tls_cert, *tls_key; /* read from their files */
    store_t *store;
    bus_t *bus;
    feed_t *feed;
    web_t *web;
    bool assigned, caught_up;
    long next_try_ms; /* monotonic: when to look for the topics again */
} dashboard_t;

/* Checks the exposure settings and reads their files. Returns 0, or -1 with
 * the reason in err: beyond loopback without both a credential and TLS, half
 * a certificate, a file that cannot be read, a bound below 1. */
static int dashboard_check(dashboard_t *d, char *err, size_t size)
{
    const config_t *cfg = &d->cfg;
    bool tls = cfg->dashboard_tls_cert[0] || cfg->dashboard_tls_key[0];
    if (cfg->dashboard_max_posts < 1 || cfg->dashboard_max_alerts < 1 ||
        cfg->dashboard_max_clients < 1) {
        snprintf(err, size, "--dashboard-max-posts, -alerts and -clients must be at least 1");
        return -1;
    }
    if (!access_is_loopback(cfg->dashboard_address) && (!cfg->dashboard_auth_file[0] || !tls)) {
        snprintf(err, size,
                 "--dashboard-address %s is beyond loopback: the dashboard shows personnel data, "
                 "so it needs --dashboard-auth-file and --dashboard-tls-cert/--dashboard-tls-key",
                 cfg->dashboard_address);
        return -1;
    }
    if (tls && (!cfg->dashboard_tls_cert[0] || !cfg->dashboard_tls_key[0])) {
        snprintf(err, size, "--dashboard-tls-cert and --dashboard-tls-key go together");
        return -1;
    }
    if (cfg->dashboard_auth_file[0] &&
        access_read_credential(cfg->dashboard_auth_file, &d->credential, err, size))
        return -1;
    if (tls &&
        (access_read_file(cfg->dashboard_tls_cert, DASHBOARD_MAX_PEM, &d->tls_cert, err, size) ||
         access_read_file(cfg->dashboard_tls_key, DASHBOARD_MAX_PEM, &d->tls_key, err, size)))
        return -1;
    return 0;
}

/* The store, the bus, the feed and the server. Returns 0, or -1 with the
 * reason in err. */
static int dashboard_start(dashboard_t *d, char *err, size_t size)
{
    const config_t *cfg = &d->cfg;
    d->store = store_new((size_t)cfg->dashboard_max_posts, (size_t)cfg->dashboard_max_alerts);
    d->bus = bus_new(DASHBOARD_EVENTS);
    if (!d->store || !d->bus) {
        snprintf(err, size, "out of memory for --dashboard-max-posts %d", cfg->dashboard_max_posts);
        return -1;
    }
    if (!(d->feed = feed_new(cfg, d->store, d->bus, err, size)))
        return -1;
    if (cfg->dashboard_port == 0)
        return 0;
    web_options_t o = {
        cfg->dashboard_address,     cfg->dashboard_port, d->credential, d->tls_cert, d->tls_key,
        cfg->dashboard_max_clients, DASHBOARD_HEARTBEAT};
    if (!(d->web = web_start(&o, d->store, d->bus, err, size)))
        return -1;
    log_info("dashboard_serving", "%s://%s:%d/%s", d->tls_cert ? "https" : "http",
             cfg->dashboard_address, web_port(d->web),
             d->credential ? " (credential required)" : "");
    return 0;
}

/* Assigns the topics when not done yet (retrying now and then), polls, and
 * says on /readyz what the dashboard still waits for. */
static void dashboard_turn(dashboard_t *d)
{
    char why[512];
    if (!d->assigned && datetime_monotonic_ms() >= d->next_try_ms) {
        d->assigned = feed_assign(d->feed, why, sizeof why) == 0;
        if (!d->assigned) {
            log_warn("topics_unavailable", "%s; trying again", why);
            d->next_try_ms = datetime_monotonic_ms() + DASHBOARD_RETRY_MS;
        }
    }
    if (d->assigned)
        feed_poll(d->feed, 200);
    else
        datetime_sleep_ms(100);
    bool caught_up = feed_caught_up(d->feed, why, sizeof why);
    if (caught_up && !d->caught_up)
        log_info("caught_up", "%zu posts, %zu alerts", store_post_count(d->store),
                 store_alert_count(d->store));
    d->caught_up = caught_up;
    health_set_waiting(caught_up ? NULL : why);
    health_heartbeat();
}

static void dashboard_stop(dashboard_t *d)
{
    if (d->bus)
        bus_close(d->bus); /* live clients end, so the server can stop */
    web_stop(d->web);
    feed_free(d->feed);
    bus_free(d->bus);
    store_free(d->store);
    health_stop();
    free(d->credential);
    free(d->tls_cert);
    free(d->tls_key);
    config_free(&d->cfg);
}

int main(int argc, char **argv)
{
    dashboard_t d = {0};
    char *rest[argc > 0 ? argc : 1], err[1024];
    int rest_count = 0, rc = 2;
    service_status_t st =
        service_init(DASHBOARD_NAME, usage, argc, argv, &d.cfg, rest, &rest_count);
    if (st != SERVICE_OK) {
        config_free(&d.cfg);
        return st == SERVICE_HELP ? 0 : 2;
    }
    if (rest_count > 0) {
        snprintf(err, sizeof err, "unexpected argument '%s' (see --help)", rest[0]);
    } else if (dashboard_check(&d, err, sizeof err) == 0) {
        service_install_signals();
        /* No database: readiness is Kafka and having read the topics. */
        health_set_db_up(true);
        health_set_waiting("waiting for the topics");
        rc = service_health_start(DASHBOARD_NAME, &d.cfg, err, sizeof err) ||
                     dashboard_start(&d, err, sizeof err)
                 ? 1
                 : 0;
    }
    if (rc == 0) {
        while (service_running)
            dashboard_turn(&d);
        log_info("stopping", "signal received");
    } else {
        fprintf(stderr, "%s: %s\n", DASHBOARD_NAME, err);
    }
    dashboard_stop(&d);
    return rc;
}
