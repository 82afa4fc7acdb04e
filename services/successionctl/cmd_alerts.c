/* successionctl alerts: the alert topic, a line per alert for people or
 * JSON Lines in the proto3 JSON mapping for programs (--json). It follows
 * the topic from what comes next (or from the beginning) until stopped, or
 * with --until-idle until it has read everything there is. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "pbjson.h"
#include "show.h"
#include "topic_reader.h"

#define ALERTS_IDLE_MS 1000 /* --until-idle: quiet this long at the end of every partition */

static void print_alert_line(const Succession__V1__SuccessionAlert *a)
{
    char reasons[512], id[96], cause[80];
    printf("%-16s %-10s %-9s ready now %d, soon %d  %s  (caused by %s)\n",
           ctl_shown(a->alert_id, strlen(a->alert_id), id, sizeof id),
           show_enum(&succession__v1__alert_state__descriptor, a->state, 12),
           show_enum(&succession__v1__severity__descriptor, a->severity, 9), a->ready_now,
           a->ready_soon, show_reasons(a->reasons, a->n_reasons, reasons, sizeof reasons),
           ctl_shown(a->caused_by_event_id, strlen(a->caused_by_event_id), cause, sizeof cause));
}

/* Shows one message of the alert topic; arg points to the --json flag. */
static void visit_alert(const rd_kafka_message_t *m, void *arg)
{
    const bool *json = arg;
    Succession__V1__SuccessionAlert *a =
        succession__v1__succession_alert__unpack(NULL, m->len, m->payload);
    if (!a) {
        ctl_error("alerts", "[%d] @%lld cannot be decoded", (int)m->partition,
                  (long long)m->offset);
        return;
    }
    if (*json)
        show_json_line(pbjson_encode(&a->base));
    else
        print_alert_line(a);
    fflush(stdout);
    succession__v1__succession_alert__free_unpacked(a, NULL);
}

int cmd_alerts(ctl_t *ctl, int argc, char **argv)
{
    bool from_beginning = false, json = false, until_idle = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--from-beginning") == 0) {
            from_beginning = true;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--until-idle") == 0) {
            until_idle = true;
        } else {
            ctl_error("alerts", "usage: alerts [--from-beginning] [--json] [--until-idle]");
            return 2;
        }
    }
    char err[512], topic[256];
    config_topic(&ctl->cfg, TOPIC_ALERTS, topic, sizeof topic);
    reader_t *reader = reader_new(&ctl->cfg, "alerts", topic, err, sizeof err);
    if (!reader) {
        ctl_error("alerts", "%s", err);
        return 2;
    }
    int rc = 0;
    if (reader_follow(reader, from_beginning, until_idle ? ALERTS_IDLE_MS : 0, visit_alert, &json,
                      err, sizeof err)) {
        ctl_error("alerts", "%s", err);
        rc = 1;
    }
    reader_free(reader);
    return rc;
}
