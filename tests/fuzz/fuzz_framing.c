/* fuzz_framing: the schema registry's framing (framing.c) read from any
 * bytes. Whatever they are: bare bytes are the whole input; a framed message
 * is a suffix of it, behind a path of 1 to FRAMING_MAX_DEPTH entries, and
 * its header written afresh reads back to the same schema id, index and
 * message; a refusal says why and only ever concerns bytes that start with
 * the magic 0; the path's text is cut to fit any buffer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "framing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "%s\n", what);
        abort();
    }
}

/* The header of f written again, then its message: read back alike. */
static void check_rewritten(const framing_t *f)
{
    uint8_t *again = malloc(FRAMING_HEADER_MAX + f->message_len + 1);
    check(again != NULL, "out of memory");
    size_t n = framing_header(f->schema_id, f->indexes[0], again);
    check(n <= FRAMING_HEADER_MAX, "a header longer than FRAMING_HEADER_MAX");
    if (f->message_len)
        memcpy(again + n, f->message, f->message_len);
    framing_t back;
    char err[256];
    check(framing_parse(again, n + f->message_len, &back, err, sizeof err) == 0,
          "a written header is refused");
    check(back.framed && back.schema_id == f->schema_id && framing_names(&back, f->indexes[0]) &&
              back.message_len == f->message_len &&
              (!f->message_len || memcmp(back.message, f->message, f->message_len) == 0),
          "a written header reads back otherwise");
    free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    framing_t f;
    char err[256] = "";
    if (framing_parse(data, size, &f, err, sizeof err)) {
        check(err[0] != '\0', "a refusal without a reason");
        check(size > 0 && data[0] == 0, "bytes without the magic 0 refused");
        return 0;
    }
    check(f.message + f.message_len == data + size, "the message is not the input's end");
    check(f.message >= data, "the message starts before the input");
    if (!f.framed) {
        check(f.message == data, "bare bytes are not the whole input");
        return 0;
    }
    check(data[0] == 0, "framed without the magic 0");
    check(f.depth >= 1 && f.depth <= FRAMING_MAX_DEPTH, "a path outside its bounds");
    char small[8];
    framing_path_text(&f, small, sizeof small);
    check(strlen(small) < sizeof small, "the path's text overflows");
    if (f.depth == 1)
        check_rewritten(&f);
    return 0;
}
