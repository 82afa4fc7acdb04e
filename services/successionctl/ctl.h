/* successionctl: the operator's tool. Each command is a function over the
 * shared settings; this header is what they share. Commands print results
 * on stdout and problems on stderr as "successionctl COMMAND: where: what",
 * and return the exit status: 0 done, 1 failed, 2 usage error. */
#ifndef SUCCESSIONCTL_CTL_H
#define SUCCESSIONCTL_CTL_H

#include "config.h"
#include "db.h"

typedef struct ctl {
    config_t cfg;
    db_t *db; /* opened by ctl_db() on first use */
} ctl_t;

/* The connected database, or NULL after printing why it cannot be reached. */
db_t *ctl_db(ctl_t *ctl, const char *command);

/* How many posts are designated, and the designation_cap setting (200 when
 * its row is missing), read in the caller's transaction. */
db_status_t ctl_designations(db_t *db, long *designated, long *cap, char *errstr,
                             size_t errstr_size) __attribute__((warn_unused_result));

/* len bytes of s for a terminal, in buf: control characters and malformed
 * bytes as \xNN, cut to fit (text.h); "-" when empty. Text from upstream
 * systems goes through this before it is printed, so that an id cannot
 * steer the operator's terminal. */
const char *ctl_shown(const void *s, size_t len, char *buf, size_t size);

/* Shows progress on stderr when it is a terminal, one line rewritten in
 * place at most twice a second; nothing otherwise, so that logs stay quiet.
 * ctl_progress_end() ends the line. */
void ctl_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ctl_progress_end(void);

/* Prints "successionctl COMMAND: message" on stderr. */
void ctl_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Commands: argv[0] is the command name, argv[1..] its own arguments. */
int cmd_migrate(ctl_t *ctl, int argc, char **argv);
int cmd_topics(ctl_t *ctl, int argc, char **argv);
int cmd_import(ctl_t *ctl, int argc, char **argv);
int cmd_publish(ctl_t *ctl, int argc, char **argv);
int cmd_wait(ctl_t *ctl, int argc, char **argv);
int cmd_status(ctl_t *ctl, int argc, char **argv);
int cmd_alerts(ctl_t *ctl, int argc, char **argv);
int cmd_settings(ctl_t *ctl, int argc, char **argv);
int cmd_dlq(ctl_t *ctl, int argc, char **argv);
int cmd_parked(ctl_t *ctl, int argc, char **argv);
int cmd_report(ctl_t *ctl, int argc, char **argv);
int cmd_candidates(ctl_t *ctl, int argc, char **argv);

#endif
