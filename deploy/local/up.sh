#!/usr/bin/env bash
# Starts the local servers in the background, each only if it is not running yet:
#   kafka       Kafka (KRaft, single node)  127.0.0.1:9092, controller 127.0.0.1:9093
#   mongo       FerretDB on SQLite          127.0.0.1:27017
#   prometheus  Prometheus                  127.0.0.1:9090
# GRIDLOOP_UP picks a subset, e.g. GRIDLOOP_UP="kafka mongo". Run install.sh first.
set -Eeuo pipefail

# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

trap 'printf "[local] ERROR: up.sh failed at line %s (exit %s)\n" "$LINENO" "$?" >&2' ERR

KAFKA_HEAP="${GRIDLOOP_KAFKA_HEAP:--Xmx512m -Xms256m}"
KAFKA_TIMEOUT="${GRIDLOOP_KAFKA_TIMEOUT:-90}"
MONGO_TIMEOUT="${GRIDLOOP_MONGO_TIMEOUT:-30}"
PROMETHEUS_TIMEOUT="${GRIDLOOP_PROMETHEUS_TIMEOUT:-30}"
FERRETDB_DEBUG_ADDR="${GRIDLOOP_FERRETDB_DEBUG_ADDR:--}"
LOG_ROTATE_BYTES=$((50 * 1024 * 1024))

show_log_tail() {
    local log
    log="$(log_file "$1")"
    if [[ -f "$log" ]]; then
        printf '[local] ---- last lines of %s ----\n' "$log" >&2
        tail -n "${2:-40}" "$log" >&2
        printf '[local] ----\n' >&2
    fi
}

# Fail when one of the component's ports is held by a process up.sh did not start.
# With GRIDLOOP_REUSE_SERVERS=1 (for example a second checkout while the first one's
# servers run) say so and return 1 instead: the caller then uses that server as it is.
refuse_foreign_ports() {
    local component="$1" hint="${2:-}" port owner
    for port in $(all_ports "$component"); do
        if port_open "$port"; then
            if [[ "${GRIDLOOP_REUSE_SERVERS:-0}" == 1 ]]; then
                say "$component: port $port already served by another process; reusing it"
                return 1
            fi
            owner="$(port_owner "$port")"
            die "$component: port 127.0.0.1:$port is already in use by a process this checkout's up.sh did not start${owner:+ ($owner)}; stop it (or run down.sh in the checkout that started it) and retry${hint:+ ($hint)}"
        fi
    done
}

# Keep one previous log when the current one grows large.
rotate_log() {
    local log="$1"
    if [[ -f "$log" ]] && (($(stat -c %s "$log") > LOG_ROTATE_BYTES)); then
        mv -f "$log" "$log.1"
    fi
}

# Launch a command detached (own session, nohup, stdin closed, no inherited
# descriptors beyond stdout/stderr, so neither the lock nor a caller's pipe stays
# open), logging to the component's log file. The pid file is written by the
# process that then execs the command, so it holds the server's own pid.
launch() {
    local component="$1" pidfile log marker i pid
    shift
    pidfile="$(pid_file "$component")"
    log="$(log_file "$component")"
    marker="$(cmdline_marker "$component")"
    mkdir -p "$RUN_DIR" "$LOG_DIR"
    rm -f "$pidfile"
    rotate_log "$log"
    printf '\n===== %s: starting %s =====\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$component" >>"$log"
    # shellcheck disable=SC2016  # expanded by the inner shell
    setsid bash -c '
        for fd in /proc/$$/fd/*; do
            fd=${fd##*/}
            if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi 2>/dev/null
        done
        echo "$$" >"$0"
        exec nohup "$@"' "$pidfile" "$@" </dev/null >>"$log" 2>&1 &
    for ((i = 0; i < 50; i++)); do
        if [[ -s "$pidfile" ]]; then
            pid="$(head -n 1 "$pidfile")"
            if process_matches "$pid" "$marker"; then
                return 0
            fi
            kill -0 "$pid" 2>/dev/null || break
        fi
        sleep 0.1
    done
    show_log_tail "$component"
    die "$component: the process did not start"
}

# Wait until <probe...> succeeds, while the component's process stays alive.
wait_until() {
    local component="$1" timeout="$2" what="$3" deadline pid
    shift 3
    deadline=$((SECONDS + timeout))
    while ((SECONDS < deadline)); do
        if ! pid="$(running_pid "$component")"; then
            show_log_tail "$component"
            die "$component: the process exited while starting"
        fi
        if "$@"; then
            return 0
        fi
        sleep 0.5
    done
    show_log_tail "$component"
    die "$component: $what did not happen within ${timeout} s (pid $pid still running)"
}

# ---------------------------------------------------------------- kafka

# The broker's java command line (heap from GRIDLOOP_KAFKA_HEAP).
kafka_java_cmd() {
    local heap
    read -r -a heap <<<"$KAFKA_HEAP"
    KAFKA_CMD=(java "${heap[@]}" -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20
        -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent
        -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
        "-Dlog4j2.configurationFile=$DEPLOY_DIR/kafka/log4j2.xml"
        "-Dkafka.logs.dir=$LOG_DIR"
        -cp "$KAFKA_LIBS/*" kafka.Kafka "$@")
}

kafka_tool() {
    java -Xmx256m -Dlog4j2.configurationFile="$DEPLOY_DIR/kafka/log4j2.xml" \
        -cp "$KAFKA_LIBS/*" "$@"
}

# Write server.properties from the template (only when its content changes).
kafka_render_config() {
    local config="$1" data="$2" template content
    template="$(<"$DEPLOY_DIR/kafka/server.properties.in")"
    content="${template//@DATA_DIR@/$data}"
    mkdir -p "$(dirname "$config")" "$data"
    if [[ ! -f "$config" ]] || [[ "$(<"$config")" != "$content" ]]; then
        printf '%s\n' "$content" >"$config"
    fi
}

# Format the storage once; the cluster id is kept in <local>/kafka/cluster-id.
kafka_format_once() {
    local config="$1" data="$2" id_file="$KAFKA_DIR/cluster-id" id meta_id
    if [[ -f "$data/meta.properties" ]]; then
        meta_id="$(sed -n 's/^cluster\.id=//p' "$data/meta.properties")"
        if [[ ! -s "$id_file" ]]; then
            printf '%s\n' "$meta_id" >"$id_file"
        elif [[ "$(<"$id_file")" != "$meta_id" ]]; then
            warn "kafka: $id_file says $(<"$id_file") but the storage is formatted for $meta_id; keeping the storage"
        fi
        return 0
    fi
    if [[ -s "$id_file" ]]; then
        id="$(<"$id_file")"
    else
        id="$(kafka_tool kafka.tools.StorageTool random-uuid | tail -n 1)"
        [[ "$id" =~ ^[A-Za-z0-9_-]{22}$ ]] || die "kafka: StorageTool random-uuid gave '$id'"
        printf '%s\n' "$id" >"$id_file"
    fi
    say "kafka: formatting storage in $data (cluster id $id)"
    kafka_tool kafka.tools.StorageTool format --standalone -t "$id" -c "$config" \
        >>"$(log_file kafka)" 2>&1 || {
        show_log_tail kafka 20
        die "kafka: formatting the storage failed"
    }
}

kafka_wait_ready() {
    local pid="$1" rc=0
    say "kafka: waiting for the broker to answer metadata requests (up to ${KAFKA_TIMEOUT} s)..."
    java -Xmx128m -XX:TieredStopAtLevel=1 -Dlog4j2.level=OFF -cp "$KAFKA_LIBS/*" \
        "$DEPLOY_DIR/kafka/KafkaReady.java" "$KAFKA_HOST:$KAFKA_PORT" "$KAFKA_TIMEOUT" "$pid" || rc=$?
    if ((rc != 0)); then
        show_log_tail kafka
        case "$rc" in
            2) die "kafka: the broker exited while starting" ;;
            *) die "kafka: the broker did not answer within ${KAFKA_TIMEOUT} s" ;;
        esac
    fi
}

start_kafka() {
    local config="$KAFKA_DIR/config/server.properties" data="$KAFKA_DIR/data" pid
    if pid="$(running_pid kafka)"; then
        if port_open "$KAFKA_PORT"; then
            say "kafka: already running (pid $pid, $KAFKA_HOST:$KAFKA_PORT)"
            return 0
        fi
        say "kafka: pid $pid is running but not listening yet"
        kafka_wait_ready "$pid"
        return 0
    fi
    refuse_foreign_ports kafka || return 0
    compgen -G "$KAFKA_LIBS/kafka_2.13-*.jar" >/dev/null \
        || die "kafka: no broker jars in $KAFKA_LIBS; run deploy/local/install.sh first"
    command -v java >/dev/null 2>&1 || die "kafka: java not found"
    kafka_render_config "$config" "$data"
    kafka_format_once "$config" "$data"
    say "kafka: starting (log: $(log_file kafka))"
    kafka_java_cmd "$config"
    launch kafka "${KAFKA_CMD[@]}"
    pid="$(running_pid kafka)" || die "kafka: the process vanished"
    kafka_wait_ready "$pid"
}

# ---------------------------------------------------------------- mongo (FerretDB)

mongo_ping() {
    "$PYTHON" "$DEPLOY_DIR/probe.py" mongo-ping "$MONGO_HOST" "$MONGO_PORT"
}

start_mongo() {
    local pid
    if pid="$(running_pid mongo)"; then
        if port_open "$MONGO_PORT"; then
            say "mongo: FerretDB already running (pid $pid, $MONGO_HOST:$MONGO_PORT)"
            return 0
        fi
        wait_until mongo "$MONGO_TIMEOUT" "a ping" mongo_ping
        return 0
    fi
    refuse_foreign_ports mongo || return 0
    [[ -x "$FERRETDB_BIN" ]] || die "mongo: $FERRETDB_BIN missing; run deploy/local/install.sh first"
    mkdir -p "$LOCAL_DIR/ferretdb" "$LOCAL_DIR/ferretdb-state"
    say "mongo: starting FerretDB (log: $(log_file mongo))"
    launch mongo "$FERRETDB_BIN" \
        --handler=sqlite \
        --sqlite-url="file:$LOCAL_DIR/ferretdb/" \
        --listen-addr="$MONGO_HOST:$MONGO_PORT" \
        --telemetry=disable \
        --debug-addr="$FERRETDB_DEBUG_ADDR" \
        --state-dir="$LOCAL_DIR/ferretdb-state" \
        --log-level=INFO
    wait_until mongo "$MONGO_TIMEOUT" "a ping" mongo_ping
    say "mongo: ready ($MONGO_HOST:$MONGO_PORT)"
}

# ---------------------------------------------------------------- prometheus

prometheus_ready() {
    "$PYTHON" "$DEPLOY_DIR/probe.py" http-ok "http://$PROMETHEUS_HOST:$PROMETHEUS_PORT/-/ready"
}

start_prometheus() {
    local pid
    if pid="$(running_pid prometheus)"; then
        if port_open "$PROMETHEUS_PORT"; then
            say "prometheus: already running (pid $pid, $PROMETHEUS_HOST:$PROMETHEUS_PORT)"
            return 0
        fi
        wait_until prometheus "$PROMETHEUS_TIMEOUT" "/-/ready" prometheus_ready
        return 0
    fi
    refuse_foreign_ports prometheus \
        "if it is the Debian package's service: systemctl disable --now prometheus" || return 0
    command -v prometheus >/dev/null 2>&1 || die "prometheus: not installed; run deploy/local/install.sh first"
    if command -v promtool >/dev/null 2>&1; then
        promtool check config "$PROMETHEUS_CONFIG" >/dev/null 2>&1 \
            || die "prometheus: 'promtool check config $PROMETHEUS_CONFIG' fails"
    fi
    mkdir -p "$LOCAL_DIR/prometheus"
    say "prometheus: starting (log: $(log_file prometheus))"
    launch prometheus "$(command -v prometheus)" \
        --config.file="$PROMETHEUS_CONFIG" \
        --storage.tsdb.path="$LOCAL_DIR/prometheus" \
        --web.listen-address="$PROMETHEUS_HOST:$PROMETHEUS_PORT" \
        --web.enable-lifecycle
    wait_until prometheus "$PROMETHEUS_TIMEOUT" "/-/ready" prometheus_ready
    say "prometheus: ready (http://$PROMETHEUS_HOST:$PROMETHEUS_PORT)"
}

main() {
    local started=$SECONDS components c
    components="$(selected_components)"
    command -v setsid >/dev/null 2>&1 || die "setsid (util-linux) not found"
    PYTHON="$(python_bin)"
    take_lock
    mkdir -p "$LOG_DIR" "$RUN_DIR"
    for c in $components; do
        "start_$c"
    done
    say "up: $components ready ($((SECONDS - started)) s)"
}

main "$@"
