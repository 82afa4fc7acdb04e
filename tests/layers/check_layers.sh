#!/usr/bin/env bash
# Holds the pure core to its contract (common/README.md): a file in the core
# folder includes only the C standard library, protobuf-c, jansson, the
# generated message headers and other headers of the core. Anything else (libpq,
# librdkafka, libmicrohttpd, POSIX I/O, an io/ header) fails, naming the file
# and line.
#
# usage: check_layers.sh CORE_DIR
set -euo pipefail
core="${1:?usage: check_layers.sh CORE_DIR}"

std='assert|complex|ctype|errno|fenv|float|inttypes|iso646|limits|locale|math|setjmp|signal|stdalign|stdarg|stdatomic|stdbool|stddef|stdint|stdio|stdlib|stdnoreturn|string|tgmath|threads|time|uchar|wchar|wctype'
allowed_system="^(($std)\\.h|protobuf-c/protobuf-c\\.h|jansson\\.h)\$"
include='^[[:space:]]*#[[:space:]]*include[[:space:]]*([<"])([^>"]+)[>"]'
generated='^(succession/v1|google/protobuf)/[a-z_]+\.pb-c\.h$'

bad=0
shopt -s nullglob
for file in "$core"/*.c "$core"/*.h; do
    lineno=0
    while IFS= read -r line; do
        lineno=$((lineno + 1))
        [[ "$line" =~ $include ]] || continue
        kind="${BASH_REMATCH[1]}" header="${BASH_REMATCH[2]}"
        if [[ "$kind" == '<' ]]; then
            [[ "$header" =~ $allowed_system ]] && continue
        else
            [[ "$header" =~ $generated || ( "$header" != */* && -f "$core/$header" ) ]] && continue
        fi
        close='>'
        [[ "$kind" == '<' ]] || close='"'
        echo "$file:$lineno: the core may not include $kind$header$close (see common/README.md)" >&2
        bad=1
    done <"$file"
done
exit "$bad"
