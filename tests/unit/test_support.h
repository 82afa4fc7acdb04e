/* test_support: what several unit tests share. */
#ifndef SUCCESSION_TEST_SUPPORT_H
#define SUCCESSION_TEST_SUPPORT_H

#include <stddef.h>
#include <stdlib.h>

/* The shared scenarios folder: $SUCCESSION_SCENARIOS_DIR, else the one the
 * build was configured with (tests/CMakeLists.txt). */
static inline const char *scenarios_dir(void)
{
    const char *env = getenv("SUCCESSION_SCENARIOS_DIR");
    return env && *env ? env : SCENARIOS_DIR;
}

#endif
