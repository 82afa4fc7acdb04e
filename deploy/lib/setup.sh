# shellcheck shell=bash
# `setup`: Debian packages and the Kafka broker jars. Both steps check first
# and do nothing when already done, so `up` can call setup every time.

APT_PACKAGES=(
    build-essential cmake ninja-build pkg-config
    librdkafka-dev libprotobuf-c-dev protobuf-c-compiler libprotobuf-dev
    libcmocka-dev libjansson-dev libpq-dev libmicrohttpd-dev
    postgresql-15 postgresql-client-15 postgresql-15-pgtap
    kcat jq curl iproute2 clang libclang-rt-14-dev clang-format maven
    chromium openssl python3-venv
)
JAVA_PACKAGE=openjdk-17-jre-headless
KAFKA_POM="$REPO_ROOT/deploy/kafka/pom.xml"
BROKER_MARKER="$BROKER_LIB/.pinned"

pkg_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

# Major version of a java binary (8 for "1.8.0_x", 17 for "17.0.x").
java_major() {
    local v
    v="$("$1" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)"
    [[ "$v" == 1.* ]] && v="${v#1.}"
    echo "${v%%[.+-]*}"
}

# The broker needs Java 17+. Prefer JAVA_HOME, then PATH, then any JVM that
# Debian installed side by side (the default `java` may be an older one).
find_java() {
    local j major
    for j in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
        [[ -n "$j" && -x "$j" ]] || continue
        major="$(java_major "$j")"
        if [[ "$major" =~ ^[0-9]+$ ]] && ((major >= 17)); then
            echo "$j"
            return 0
        fi
    done
    return 1
}

install_packages() {
    local -a missing=()
    local p
    for p in "${APT_PACKAGES[@]}"; do
        pkg_installed "$p" || missing+=("$p")
    done
    find_java >/dev/null || missing+=("$JAVA_PACKAGE")
    # npm comes with Debian's nodejs as a package of its own, and inside
    # other builds of node: only a machine without it needs both.
    command -v npm >/dev/null || missing+=(nodejs npm)
    if ((${#missing[@]} == 0)); then
        log "Debian packages: all present"
        return 0
    fi
    log "installing: ${missing[*]}"
    # Refresh the index only when there is something to install: keeps a
    # set-up machine's `setup` quick and offline.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

pinned_kafka_version() {
    sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_POM" | head -n1
}

# The marker records the pinned version plus a hash of the pom, so bumping
# Kafka or its logging backend re-fetches, and nothing else does.
broker_pin() {
    printf 'kafka %s pom %s\n' "$(pinned_kafka_version)" "$(sha256sum "$KAFKA_POM" | cut -c1-16)"
}

broker_fetched() {
    [[ -f "$BROKER_MARKER" && "$(<"$BROKER_MARKER")" == "$(broker_pin)" ]]
}

# The broker logs through SLF4J; exactly one binding must sit next to
# slf4j-api and it must speak the same API line (1.7 vs 2.x), otherwise the
# broker silently falls back to no logging at all.
check_slf4j_pair() {
    local -a api=("$1"/slf4j-api-*.jar)
    [[ ${#api[@]} -eq 1 && -f "${api[0]}" ]] || die "expected exactly one slf4j-api jar in $1"
    local want
    case "$(basename "${api[0]}")" in
        slf4j-api-1.*) want=log4j-slf4j-impl ;;
        slf4j-api-2.*) want=log4j-slf4j2-impl ;;
        *) die "unrecognised $(basename "${api[0]}")" ;;
    esac
    compgen -G "$1/$want-*.jar" >/dev/null \
        || die "$(basename "${api[0]}") needs $want as backend: update deploy/kafka/pom.xml"
}

fetch_broker() {
    if broker_fetched; then
        log "Kafka $(pinned_kafka_version): jars present"
        return 0
    fi
    local version tmp
    version="$(pinned_kafka_version)"
    [[ -n "$version" ]] || die "no <kafka.version> in $KAFKA_POM"
    log "fetching Kafka $version from Maven Central"
    # Download next to the final place and swap in whole, so an interrupted
    # fetch never leaves a half-filled lib/ that looks complete.
    tmp="$BROKER_DIR/lib.tmp"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    # Maven's output (even with -q it emits stray terminal escapes) goes to a
    # file and is shown only when the fetch fails.
    if ! mvn -q -B -f "$KAFKA_POM" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$tmp" >"$BROKER_DIR/fetch.log" 2>&1; then
        cat "$BROKER_DIR/fetch.log" >&2
        die "fetching the Kafka jars failed"
    fi
    check_slf4j_pair "$tmp"
    rm -rf "$BROKER_LIB"
    mv "$tmp" "$BROKER_LIB"
    broker_pin >"$BROKER_MARKER"
}

# The npm packages of deploy/web (the NHS design system the dashboard
# embeds, puppeteer-core for its browser tests), exactly as the lock file
# pins them, into .local/web; fetched again only when the pins change.
web_pin() {
    cat "$WEB_PACKAGES/package.json" "$WEB_PACKAGES/package-lock.json" | sha256sum | cut -c1-16
}

fetch_web() {
    if [[ -f "$WEB_DIR/.pinned" && "$(<"$WEB_DIR/.pinned")" == "$(web_pin)" ]]; then
        log "npm packages: present"
        return 0
    fi
    command -v npm >/dev/null || die "npm is missing: run deploy/dev.sh setup"
    log "fetching the npm packages of deploy/web"
    local tmp="$WEB_DIR.tmp"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    cp "$WEB_PACKAGES/package.json" "$WEB_PACKAGES/package-lock.json" "$tmp/"
    # No install scripts: nothing is downloaded but the packages themselves.
    if ! (cd "$tmp" && npm ci --ignore-scripts --omit=peer --no-audit --no-fund) >"$tmp.log" 2>&1; then
        cat "$tmp.log" >&2
        die "fetching the npm packages failed"
    fi
    rm -rf "$WEB_DIR" "$tmp.log"
    mv "$tmp" "$WEB_DIR"
    web_pin >"$WEB_DIR/.pinned"
}

# Prometheus and promtool, for the alerting rules' tests, are unpacked from
# Debian's package into .local/tools rather than installed: installing it
# enables and starts a system-wide Prometheus on port 9090.
PROMETHEUS_DIR="$TOOLS_DIR/prometheus"
fetch_prometheus() {
    if [[ -x "$PROMETHEUS_DIR/usr/bin/promtool" ]]; then
        log "Prometheus: $("$PROMETHEUS_DIR/usr/bin/promtool" --version 2>&1 | head -n1)"
        return 0
    fi
    log "unpacking Debian's prometheus package into $PROMETHEUS_DIR"
    local tmp
    tmp="$(mktemp -d)"
    chmod 0755 "$tmp" # apt's own user downloads into it
    if ! (cd "$tmp" && apt-get download -q prometheus >/dev/null); then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        (cd "$tmp" && apt-get download -q prometheus >/dev/null) || die "apt-get download prometheus failed"
    fi
    rm -rf "$PROMETHEUS_DIR"
    dpkg-deb -x "$tmp"/prometheus_*.deb "$PROMETHEUS_DIR"
    rm -rf "$tmp"
}

# kubernetes-validate (PyPI) checks the Kubernetes manifests offline against
# the API's JSON schemas, which the package carries; it lives in a virtual
# environment of its own.
MANIFEST_VALIDATOR=kubernetes-validate==1.37.0
VALIDATOR_VENV="$TOOLS_DIR/venv"
install_validator() {
    local marker="$VALIDATOR_VENV/.pinned"
    if [[ -f "$marker" && "$(<"$marker")" == "$MANIFEST_VALIDATOR" ]]; then
        log "$MANIFEST_VALIDATOR: present"
        return 0
    fi
    log "installing $MANIFEST_VALIDATOR into $VALIDATOR_VENV"
    rm -rf "$VALIDATOR_VENV"
    /usr/bin/python3 -m venv "$VALIDATOR_VENV"
    "$VALIDATOR_VENV/bin/pip" install -q --disable-pip-version-check "$MANIFEST_VALIDATOR" ||
        die "pip install $MANIFEST_VALIDATOR failed"
    echo "$MANIFEST_VALIDATOR" >"$marker"
}

cmd_setup() {
    install_packages
    fetch_broker
    fetch_web
    mkdir -p "$TOOLS_DIR"
    fetch_prometheus
    install_validator
}
