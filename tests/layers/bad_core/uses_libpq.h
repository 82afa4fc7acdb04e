/* A core header that breaks the layering: check_layers.sh must refuse it
 * (the test layers_refuse_io). */
#ifndef SUCCESSION_USES_LIBPQ_H
#define SUCCESSION_USES_LIBPQ_H

#include <stddef.h>

#include <libpq-fe.h>

#endif
