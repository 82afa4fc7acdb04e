# shellcheck shell=bash
# `fresh-check`: proves the README's promise that `deploy/dev.sh test` works
# on a bare Debian 12 machine. A bookworm root is made with mmdebstrap, a
# clean clone of HEAD goes into it, and the test command runs there in a
# chroot with nothing from the host but its network set-up.

FRESH_SUITE=bookworm
FRESH_INCLUDE=ca-certificates,git,sudo,procps
FRESH_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# Ports of the stack inside the root: it shares the host's network, where a
# developer's own stack may run on the defaults (19092/19093/15432).
FRESH_KAFKA_PORT="${FRESH_KAFKA_PORT:-29092}"
FRESH_KAFKA_CONTROLLER_PORT="${FRESH_KAFKA_CONTROLLER_PORT:-29093}"
FRESH_PG_PORT="${FRESH_PG_PORT:-25432}"

# Set by cmd_fresh_check.
FRESH_WORK=""       # private folder from mktemp -d (mode 700)
FRESH_ROOT=""       # the Debian root, $FRESH_WORK/root
FRESH_NAME=""       # the clone is /root/$FRESH_NAME inside the root
FRESH_T0=0
FRESH_STEP=""       # the step under way, for the summary when it fails
FRESH_STEP_T0=0
FRESH_TEST_RC=0
FRESH_TIMES=()      # one "step  seconds" line per finished step

# git on the checkout, which may belong to another user when run as root.
fresh_git() {
    git -c safe.directory="$REPO_ROOT" -C "$REPO_ROOT" "$@"
}

# fresh_step NAME CMD... : run one step and remember how long it took. A
# failing step ends the script (set -e); fresh_finish reports it.
fresh_step() {
    FRESH_STEP=$1
    FRESH_STEP_T0="$(now_ms)"
    shift
    log "fresh-check: $FRESH_STEP"
    "$@"
    fresh_step_done ""
}

# Records the step under way with its duration and NOTE.
fresh_step_done() {
    [[ -n "$FRESH_STEP" ]] || return 0
    FRESH_TIMES+=("$(printf '  %-44s %7ss %s' "$FRESH_STEP" \
        "$(fmt_secs $(( $(now_ms) - FRESH_STEP_T0 )))" "$1")")
    FRESH_STEP=""
}

# mmdebstrap from Debian, installed like the project's own packages.
ensure_mmdebstrap() {
    if pkg_installed mmdebstrap; then
        log "mmdebstrap: present"
        return 0
    fi
    log "installing: mmdebstrap"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mmdebstrap
}

# A fresh private folder (unpredictable name, mode 700) and a bare bookworm
# root in it. Debian's default mirror is the one the host uses too.
fresh_bootstrap() {
    FRESH_WORK="$(mktemp -d /var/tmp/fresh-check.XXXXXXXXXX)"
    chmod 700 "$FRESH_WORK"
    # /proc/mounts shows resolved paths: compare against the same.
    FRESH_WORK="$(cd -P "$FRESH_WORK" && pwd)"
    FRESH_ROOT="$FRESH_WORK/root"
    log "root: $FRESH_ROOT"
    as_root mmdebstrap --variant=apt --include="$FRESH_INCLUDE" "$FRESH_SUITE" "$FRESH_ROOT"
}

# Mount points under the root, deepest first.
fresh_mounts() {
    [[ -n "$FRESH_WORK" ]] || return 0
    awk -v top="$FRESH_WORK" '$2 == top || index($2, top "/") == 1 { print $2 }' /proc/mounts \
        | sort -r -u
}

# proc, and /dev and /sys bound recursively (with /dev/pts and /dev/shm,
# which PostgreSQL needs). Slave propagation, so that unmounting them again
# can never reach the host's own /dev or /sys.
fresh_mount() {
    local d
    as_root mount -t proc proc "$FRESH_ROOT/proc"
    for d in dev sys; do
        as_root mount --rbind "/$d" "$FRESH_ROOT/$d"
        as_root mount --make-rslave "$FRESH_ROOT/$d"
    done
}

# Lazily unmounts everything under the root, a few rounds for stragglers.
# Fails when something is still mounted.
fresh_unmount() {
    local m round
    for round in 1 2 3; do
        [[ -n "$(fresh_mounts)" ]] || return 0
        while IFS= read -r m; do
            as_root umount -l "$m" 2>/dev/null || true
        done < <(fresh_mounts)
        ((round < 3)) && sleep 0.5
    done
    [[ -z "$(fresh_mounts)" ]]
}

# Pids of the processes whose root directory is ours (ours alone, so they
# may be stopped).
fresh_pids() {
    local p r
    for p in /proc/[0-9]*; do
        r="$(as_root readlink "$p/root" 2>/dev/null)" || continue
        [[ "$r" == "$FRESH_ROOT" ]] && echo "${p#/proc/}"
    done
    return 0
}

# Stops whatever still runs inside the root (normally nothing: the inner
# test stops its stack). SIGTERM, up to 10 s, then SIGKILL.
fresh_stop_leftovers() {
    [[ -n "$FRESH_ROOT" ]] || return 0
    local -a pids
    local waited=0 p
    mapfile -t pids < <(fresh_pids)
    ((${#pids[@]})) || return 0
    for p in "${pids[@]}"; do
        warn "still running inside the root, stopping it: $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-100)"
    done
    as_root kill -TERM "${pids[@]}" 2>/dev/null || true
    while ((waited < 100)); do
        mapfile -t pids < <(fresh_pids)
        ((${#pids[@]})) || return 0
        sleep 0.1
        waited=$((waited + 1))
    done
    warn "killing: ${pids[*]}"
    as_root kill -KILL "${pids[@]}" 2>/dev/null || true
    sleep 0.5
}

# Only the host's network set-up goes into ROOT (the first root when not
# given): name resolution and the extra CA certificates (without them Maven
# Central and npm do not answer here).
fresh_network() {
    local f root="${1:-$FRESH_ROOT}"
    for f in resolv.conf hosts; do
        # Unlink first: never write through a symlink in the root.
        as_root rm -f "$root/etc/$f"
        as_root cp -L "/etc/$f" "$root/etc/$f"
    done
    if compgen -G '/usr/local/share/ca-certificates/*' >/dev/null; then
        as_root cp -rL /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
    fi
    as_root chroot "$root" env -i PATH="$FRESH_PATH" update-ca-certificates >/dev/null
}

# Runs CMD in the root with an empty environment but for the basics.
fresh_chroot() {
    as_root chroot "$FRESH_ROOT" env -i HOME=/root PATH="$FRESH_PATH" LANG=C.UTF-8 "$@"
}

# A clean clone of the commit HEAD (so no uncommitted changes) to
# /root/NAME, and ../shared beside it as the tests expect. The clone is made
# in the private folder, then handed to root. A checkout owned by someone
# else (sudo) is trusted through a throw-away git config, as git's own
# safe.directory check would refuse it.
fresh_clone() {
    local head=$1 stage="$FRESH_WORK/clone" shared="$REPO_ROOT/../shared"
    printf '[safe]\n\tdirectory = %s\n\tdirectory = %s/.git\n' "$REPO_ROOT" "$REPO_ROOT" \
        >"$FRESH_WORK/gitconfig"
    GIT_CONFIG_GLOBAL="$FRESH_WORK/gitconfig" git clone -q --no-hardlinks "$REPO_ROOT" "$stage"
    if [[ "$(git -C "$stage" rev-parse HEAD)" != "$head" ]]; then
        git -C "$stage" -c advice.detachedHead=false checkout -q "$head"
    fi
    as_root mv "$stage" "$FRESH_ROOT/root/$FRESH_NAME"
    as_root chown -R 0:0 "$FRESH_ROOT/root/$FRESH_NAME"
    if [[ -e "$shared" ]]; then
        as_root cp -rL "$shared" "$FRESH_ROOT/root/shared"
    else
        warn "no ../shared beside the checkout: tests that read it will fail"
    fi
}

# The README's test command, inside; its status is kept in FRESH_TEST_RC.
fresh_test() {
    FRESH_TEST_RC=0
    # shellcheck disable=SC2016 # expanded by the inner bash
    as_root chroot "$FRESH_ROOT" env -i HOME=/root PATH="$FRESH_PATH" CI=true LANG=C.UTF-8 \
        SUCCESSION_KAFKA_PORT="$FRESH_KAFKA_PORT" \
        SUCCESSION_KAFKA_CONTROLLER_PORT="$FRESH_KAFKA_CONTROLLER_PORT" \
        SUCCESSION_PG_PORT="$FRESH_PG_PORT" \
        bash -c 'cd "/root/$1" && shift && exec ./deploy/dev.sh test "$@"' fresh-check "$FRESH_NAME" "$@" \
        </dev/null &
    # Waited for in the background, so that a signal reaches fresh_finish at
    # once (which then stops everything inside), not only when the test ends.
    wait "$!" || FRESH_TEST_RC=$?
    fresh_step_done "(exit $FRESH_TEST_RC)"
    if ((FRESH_TEST_RC)); then
        warn "the test failed inside the root (exit $FRESH_TEST_RC); its logs are in /root/$FRESH_NAME/.local/state/logs there"
    fi
}

# The Debian package, built inside the first root by `deploy/dev.sh package`,
# installed with apt-get into a second bare root that has none of the build
# packages, where every binary it ships must run --help. Reports what it
# installed.
fresh_package() {
    local deb pkgroot="$FRESH_WORK/pkgroot" b
    # shellcheck disable=SC2016 # expanded by the inner bash
    deb="$(fresh_chroot bash -c 'cd "/root/$1" && ./deploy/dev.sh package | tail -n 1' fresh-check "$FRESH_NAME")"
    [[ "$deb" == *.deb ]] || die "deploy/dev.sh package printed no package: $deb"
    as_root mmdebstrap --variant=apt --include=ca-certificates "$FRESH_SUITE" "$pkgroot"
    fresh_network "$pkgroot"
    as_root cp "$FRESH_ROOT$deb" "$pkgroot/tmp/"
    local inside="/tmp/$(basename "$deb")"
    # mmdebstrap leaves no package lists behind.
    as_root chroot "$pkgroot" env -i PATH="$FRESH_PATH" apt-get update -q >/dev/null
    as_root chroot "$pkgroot" env -i PATH="$FRESH_PATH" DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "$inside" >/dev/null
    for b in $(as_root chroot "$pkgroot" dpkg -L succession-watch | grep '^/usr/bin/'); do
        as_root chroot "$pkgroot" env -i PATH="$FRESH_PATH" "$b" --help >/dev/null ||
            die "$b --help failed in the package's root"
        log "package: $b --help ran"
    done
    as_root chroot "$pkgroot" getent passwd succession >/dev/null ||
        die "the package did not add the user succession"
    as_root rm -rf --one-file-system "$pkgroot"
}

# EXIT trap: stop what is left inside, unmount, then remove the root (kept
# after a failure with FRESH_KEEP=1), and print the timings.
fresh_finish() {
    local rc=$? t0
    # Clean-up must not be cut short: a second Ctrl-C is ignored.
    trap - EXIT
    trap '' INT TERM
    fresh_step_done "(failed, exit $rc)"
    t0="$(now_ms)"
    if [[ -n "$FRESH_WORK" ]]; then
        fresh_stop_leftovers
        if ! fresh_unmount; then
            warn "still mounted, so $FRESH_WORK is left in place: $(fresh_mounts | tr '\n' ' ')"
            ((rc)) || rc=1
        elif ((rc)) && [[ "${FRESH_KEEP:-0}" == 1 ]]; then
            log "FRESH_KEEP=1: the root stays in $FRESH_ROOT"
            log "logs: $FRESH_ROOT/root/$FRESH_NAME/.local/state/logs"
            log "remove it with: rm -rf --one-file-system $FRESH_WORK"
        elif [[ "$(basename "$FRESH_WORK")" == fresh-check.* ]]; then
            # --one-file-system: never descend into anything mounted after all.
            as_root rm -rf --one-file-system "$FRESH_WORK"
        fi
    fi
    FRESH_TIMES+=("$(printf '  %-44s %7ss' "clean-up" "$(fmt_secs $(( $(now_ms) - t0 )))")")
    printf '\nfresh-check timings:\n'
    printf '%s\n' "${FRESH_TIMES[@]}"
    printf '  %-44s %7ss  exit %s\n' "total" "$(fmt_secs $(( $(now_ms) - FRESH_T0 )))" "$rc"
    exit "$rc"
}

cmd_fresh_check() {
    FRESH_T0="$(now_ms)"
    is_root || command -v sudo >/dev/null || die "fresh-check needs root (mount, chroot): run it as root or install sudo"
    local head
    head="$(fresh_git rev-parse HEAD)" || die "cannot read HEAD of $REPO_ROOT"
    FRESH_NAME="$(basename "$REPO_ROOT")"
    log "fresh-check: testing commit ${head:0:12} from a clean clone; uncommitted changes are NOT included"
    if [[ -n "$(fresh_git status --porcelain --untracked-files=no)" ]]; then
        warn "this checkout has uncommitted changes; they are left out of the check"
    fi
    trap fresh_finish EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    fresh_step "install mmdebstrap if missing" ensure_mmdebstrap
    fresh_step "bootstrap bare Debian 12 ($FRESH_SUITE)" fresh_bootstrap
    fresh_step "mount proc, /dev, /sys" fresh_mount
    fresh_step "copy the host's network set-up" fresh_network
    fresh_step "clone ${head:0:12} and ../shared" fresh_clone "$head"
    log "inside: ports Kafka $FRESH_KAFKA_PORT/$FRESH_KAFKA_CONTROLLER_PORT, PostgreSQL $FRESH_PG_PORT"
    fresh_step "inside: deploy/dev.sh test${*:+ $*}" fresh_test "$@"
    ((FRESH_TEST_RC)) && exit "$FRESH_TEST_RC"
    fresh_step "package: build, install in a second bare root" fresh_package
    exit 0
}
