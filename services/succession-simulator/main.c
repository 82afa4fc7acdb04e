/* succession-simulator: writes a national-scale, deterministic example of
 * the top-200 succession programme (sim_write.h) into the folder named by
 * --out. Problems go to stderr as "succession-simulator: where: what"; the
 * exit status is 0 written, 1 failed, 2 usage error. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "datetime.h"
#include "sim_options.h"
#include "sim_write.h"

#define PROGRAM "succession-simulator"

static void print_usage(FILE *out)
{
    fprintf(out,
            "Usage: " PROGRAM " --out DIR [--seed N] [--events N] [--organisations N] "
            "[--designated N]\n"
            "Writes a national-scale example of the top-200 succession programme into DIR\n"
            "(made if need be): organisations.csv, posts.csv and events.jsonl.\n\n"
            "  --out DIR           the folder to write\n"
            "  --seed N            the seed of every random choice (%d)\n"
            "  --events N          about this many event lines, %d-%d (%d)\n"
            "  --organisations N   %d-%d (%d), six board posts each\n"
            "  --designated N      posts to designate, at most 2 an organisation (%d)\n"
            "  --help              this text\n\n"
            "The history ends the day before now; SUCCESSION_NOW (an RFC 3339 instant)\n"
            "fixes now. The same seed, sizes and now give byte-identical files.\n",
            SIM_DEFAULT_SEED, SIM_MIN_EVENTS, SIM_MAX_EVENTS, SIM_DEFAULT_EVENTS, SIM_MIN_ORGS,
            SIM_MAX_ORGS, SIM_DEFAULT_ORGS, SIM_TOP200);
}

int main(int argc, char **argv)
{
    sim_options_t o;
    sim_summary_t written;
    char err[PATH_MAX + 256]; /* a path and why it failed */
    const char *now = getenv("SUCCESSION_NOW");
    if (sim_options_parse(&o, argc, argv, err, sizeof err)) {
        fprintf(stderr, PROGRAM ": %s\n", err);
        print_usage(stderr);
        return 2;
    }
    if (o.help) {
        print_usage(stdout);
        return 0;
    }
    if (datetime_set_now(now)) {
        fprintf(stderr, PROGRAM ": SUCCESSION_NOW: '%s' is not an RFC 3339 instant\n", now);
        return 2;
    }
    if (sim_write_example(&o, &written, err, sizeof err)) {
        fprintf(stderr, PROGRAM ": %s\n", err);
        return 1;
    }
    printf("wrote %ld organisations, %ld posts (%ld designated), %ld events to %s\n",
           written.organisations, written.posts, written.designated, written.events, o.out);
    return 0;
}
