/* sim_write: the simulator's one entry point: builds the world of a
 * sim_options_t (sim_world.h) and writes it into a folder. */
#ifndef SUCCESSION_SIM_WRITE_H
#define SUCCESSION_SIM_WRITE_H

#include <stddef.h>

#include "sim_options.h"

/* What was written: rows of organisations.csv and posts.csv (without the
 * header), the posts designated, and the lines of events.jsonl. */
typedef struct sim_summary {
    long organisations, posts, designated, events;
} sim_summary_t;

/* Simulates the world of o at datetime_today() and writes organisations.csv,
 * posts.csv and events.jsonl into o->out, made if need be (existing files
 * are replaced). The same options and clock give byte-identical files.
 * Fills *summary. Returns 0, or -1 with "where: what" in errstr: "out of
 * memory", or a path and why it could not be made or written (files
 * written before it stay). */
int sim_write_example(const sim_options_t *o, sim_summary_t *summary, char *errstr,
                      size_t errstr_size) __attribute__((warn_unused_result));

#endif
