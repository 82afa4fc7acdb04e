/* migrations: the numbered SQL files of deploy/migrations, embedded at
 * build time (cmake/embed_migrations.cmake writes migrations_data.c). */
#ifndef SUCCESSION_MIGRATIONS_H
#define SUCCESSION_MIGRATIONS_H

#include <stddef.h>

typedef struct migration {
    const char *name; /* file name, e.g. "001_reference.sql" */
    const char *sql;
} migration_t;

extern const migration_t migrations[];
extern const size_t migration_count;

#endif
