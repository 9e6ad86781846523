#!/usr/bin/env bash
# Installs what the local servers need, into .local/ (or $GRIDLOOP_LOCAL):
#   Prometheus + promtool (Debian package), FerretDB (built from source with Go),
#   the Kafka broker's jars (Maven), and Debian's chromium with a Chinese font for
#   the console's browser tests. Each step is skipped when already done.
set -Eeuo pipefail

# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

trap 'printf "[local] ERROR: install.sh failed at line %s (exit %s)\n" "$LINENO" "$?" >&2' ERR

need() {
    command -v "$1" >/dev/null 2>&1 || die "$1 not found: $2"
}

as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

install_prometheus() {
    if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
        say "prometheus: present ($(command -v prometheus))"
        return
    fi
    need apt-get "install Prometheus and promtool yourself, then re-run"
    say "prometheus: installing the Debian package (apt-get)..."
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q \
        || die "apt-get update failed"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        prometheus || die "apt-get install prometheus failed"
    command -v promtool >/dev/null 2>&1 || die "promtool still missing after installing prometheus"
    say "prometheus: installed ($(prometheus --version 2>&1 | head -n 1))"
}

# True when <binary> runs and reports the pinned version. (Output is captured
# first: `... | grep -q` would stop reading early and, with pipefail, fail.)
ferretdb_reports_version() {
    local out
    [[ -x "$1" ]] || return 1
    out="$("$1" --version 2>/dev/null)" || return 1
    [[ $'\n'"$out"$'\n' == *$'\n'"version: $FERRETDB_VERSION"$'\n'* ]]
}

ferretdb_ok() {
    ferretdb_reports_version "$FERRETDB_BIN"
}

# `go install .../cmd/ferretdb@<version>` builds a binary that panics at start:
# its version check wants build/version/version.txt, which a release's module
# does not contain. So build from a copy of the module with that file written.
install_ferretdb() {
    if ferretdb_ok; then
        say "ferretdb: present ($FERRETDB_VERSION)"
        return
    fi
    need go "install Go (1.24 or newer) to build FerretDB"
    local module="github.com/FerretDB/FerretDB" src_root="$LOCAL_DIR/src" src mod_dir started
    src="$src_root/ferretdb-$FERRETDB_VERSION"
    started=$SECONDS
    mkdir -p "$src_root" "$BIN_DIR"

    say "ferretdb: fetching $module@$FERRETDB_VERSION (Go module cache)..."
    mod_dir="$(cd "$src_root" && GOFLAGS=-mod=mod go mod download -json "$module@$FERRETDB_VERSION" \
        | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')" \
        || die "go mod download $module@$FERRETDB_VERSION failed"
    [[ -n "$mod_dir" && -d "$mod_dir" ]] || die "go mod download gave no source folder for $module"

    rm -rf "$src"
    cp -R "$mod_dir" "$src"
    chmod -R u+w "$src"
    printf '%s\n' "$FERRETDB_VERSION" >"$src/build/version/version.txt"

    say "ferretdb: building (about a minute with empty Go caches; seconds after that)..."
    (cd "$src" && GOWORK=off go build -buildvcs=false -o "$FERRETDB_BIN.new" ./cmd/ferretdb) \
        || die "building FerretDB failed (see the go output above)"
    ferretdb_reports_version "$FERRETDB_BIN.new" \
        || die "the FerretDB binary just built does not report $FERRETDB_VERSION"
    mv -f "$FERRETDB_BIN.new" "$FERRETDB_BIN"
    rm -rf "$src"
    rmdir "$src_root" 2>/dev/null || true
    say "ferretdb: built $FERRETDB_BIN in $((SECONDS - started)) s"
}

install_kafka() {
    local stamp="$KAFKA_DIR/libs.stamp" sum started
    need sha256sum "coreutils is required"
    sum="$(sha256sum "$KAFKA_POM" | cut -d' ' -f1)"
    if [[ -d "$KAFKA_LIBS" && -f "$stamp" && "$(cat "$stamp")" == "$sum" ]] \
        && compgen -G "$KAFKA_LIBS/kafka_2.13-*.jar" >/dev/null; then
        say "kafka: jars present ($(basename "$(compgen -G "$KAFKA_LIBS/kafka_2.13-*.jar" | head -n 1)"))"
        return
    fi
    need java "install a Java 17+ JDK"
    need mvn "install Maven"
    started=$SECONDS
    mkdir -p "$KAFKA_DIR"
    rm -rf "$KAFKA_LIBS.new"
    say "kafka: resolving the broker's jars with Maven..."
    mkdir -p "$LOG_DIR"
    if ! mvn -B -Dstyle.color=never -f "$KAFKA_POM" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS.new" >"$LOG_DIR/install-maven.log" 2>&1; then
        tail -n 40 "$LOG_DIR/install-maven.log" >&2
        die "mvn dependency:copy-dependencies failed for $KAFKA_POM (full output: $LOG_DIR/install-maven.log)"
    fi
    compgen -G "$KAFKA_LIBS.new/kafka_2.13-*.jar" >/dev/null \
        || die "Maven copied no kafka_2.13 jar into $KAFKA_LIBS.new"
    rm -rf "$KAFKA_LIBS"
    mv "$KAFKA_LIBS.new" "$KAFKA_LIBS"
    printf '%s\n' "$sum" >"$stamp"
    say "kafka: $(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars in $KAFKA_LIBS ($((SECONDS - started)) s)"
}

# True when fontconfig knows a font that covers Chinese.
has_chinese_font() {
    command -v fc-list >/dev/null 2>&1 && [[ -n "$(fc-list :lang=zh family 2>/dev/null)" ]]
}

# apt-get install, updating the package lists first only when the install fails on
# stale or missing lists (a fresh container has none).
apt_install() {
    need apt-get "install $* yourself, then re-run"
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends "$@"; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q \
            || die "apt-get update failed"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            --no-install-recommends "$@" || die "apt-get install $* failed"
    fi
}

# The console's browser tests drive Debian's chromium through Playwright; nothing else
# downloads a browser. Without a Chinese font the console's Chinese text renders as
# boxes, so the font is checked on its own, not only when chromium is missing.
install_chromium() {
    local packages=()
    [[ -x /usr/bin/chromium ]] || packages+=(chromium)
    has_chinese_font || packages+=(fonts-wqy-microhei)
    if [[ ${#packages[@]} -eq 0 ]]; then
        say "chromium: present ($(/usr/bin/chromium --version 2>/dev/null || echo unknown))"
        return
    fi
    say "chromium: installing ${packages[*]} (Debian packages, apt-get)..."
    apt_install "${packages[@]}"
    [[ -x /usr/bin/chromium ]] || die "/usr/bin/chromium still missing after installing it"
    has_chinese_font || die "no Chinese font known to fontconfig after installing one"
    say "chromium: installed ($(/usr/bin/chromium --version 2>/dev/null || echo unknown))"
}

check_config_files() {
    local f
    for f in "$DEPLOY_DIR/kafka/log4j2.xml" "$DEPLOY_DIR/kafka/server.properties.in" \
        "$DEPLOY_DIR/kafka/KafkaReady.java" "$DEPLOY_DIR/probe.py" "$PROMETHEUS_CONFIG"; do
        [[ -f "$f" ]] || die "missing $f"
    done
    mkdir -p "$GRIDLOOP_ROOT/deploy/prometheus/rules"
}

main() {
    local started=$SECONDS
    say "install into $LOCAL_DIR"
    mkdir -p "$LOCAL_DIR" "$BIN_DIR" "$LOG_DIR" "$RUN_DIR"
    check_config_files
    install_prometheus
    install_ferretdb
    install_kafka
    install_chromium
    say "install done in $((SECONDS - started)) s"
}

main "$@"
