/* array_literal: what db_array_append makes of awkward elements, for
 * tests/sql/test_array_literal.sql to read back through PostgreSQL's own
 * array parser.
 *
 *   array_literal literal    the text[] literal of the elements
 *   array_literal elements   the same elements, each as hex of its UTF-8
 *                            bytes (NULL for the NULL element), comma-separated
 *
 * Hex needs no escaping, so the second form is an independent statement of
 * what the first must read back as. Exits 0, or 1 on bad usage or when out
 * of memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

static const char *const elements[] = {
    "plain",
    "a \"quoted\" word",
    "back\\slash and \\\\ two",
    "\\\"",
    "comma, inside",
    "{braces}",
    "}{",
    NULL,
    "",
    "NULL",
    "null",
    "  leading and trailing  ",
    "tab\tnew\nline",
    "Gwasanaeth Iechyd Cymru \xe2\x80\x94 \xc3\xa9 \xe4\xb8\xad \xf0\x9f\x8f\xa5",
    "'single'",
    "ends with a backslash\\",
};
#define ELEMENT_COUNT (sizeof elements / sizeof elements[0])

static int print_literal(void)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < ELEMENT_COUNT; i++)
        rc = db_array_append(&buf, &len, &cap, elements[i]);
    if (rc == 0)
        rc = db_array_finish(&buf, &len, &cap);
    if (rc == 0)
        fputs(buf, stdout);
    free(buf);
    return rc;
}

static void print_hex(void)
{
    for (size_t i = 0; i < ELEMENT_COUNT; i++) {
        if (i > 0)
            putchar(',');
        if (!elements[i]) {
            fputs("NULL", stdout);
            continue;
        }
        for (const unsigned char *p = (const unsigned char *)elements[i]; *p; p++)
            printf("%02x", *p);
    }
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "literal") == 0) {
        if (print_literal() != 0) {
            fprintf(stderr, "array_literal: out of memory\n");
            return 1;
        }
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "elements") == 0) {
        print_hex();
        return 0;
    }
    fprintf(stderr, "usage: array_literal literal|elements\n");
    return 1;
}
