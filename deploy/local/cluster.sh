#!/usr/bin/env bash
# A three-node Kafka cluster (KRaft, each node a broker and a controller voter) on this
# machine, beside the single-node servers of up.sh and on ports of its own:
#   node 1  broker 127.0.0.1:19092  controller 127.0.0.1:19192
#   node 2  broker 127.0.0.1:19093  controller 127.0.0.1:19193
#   node 3  broker 127.0.0.1:19094  controller 127.0.0.1:19194
# Usage: cluster.sh up | down | status | bootstrap
#   up         start every node not running yet (formatting its storage once), then
#              wait until the cluster lists all three brokers; also restarts a node
#              that was killed
#   down       stop the nodes this script started: TERM, then KILL after a timeout
#   status     one line per node; exit status 0 when all three are up
#   bootstrap  print the bootstrap address list for clients
# Everything lives in <local>/cluster/ (or GRIDLOOP_CLUSTER_DIR): node-<n>/
# (server.properties, data/), logs/, run/ (pid files) and cluster-id. Run install.sh
# first (it provides the jars in <local>/kafka/libs).
set -Eeuo pipefail

# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

trap 'printf "[cluster] ERROR: cluster.sh failed at line %s (exit %s)\n" "$LINENO" "$?" >&2' ERR

NODES="1 2 3"
BROKER_PORT_BASE=19091
CONTROLLER_PORT_BASE=19191
CLUSTER_DIR="${GRIDLOOP_CLUSTER_DIR:-$LOCAL_DIR/cluster}"
[[ "$CLUSTER_DIR" == /* ]] || CLUSTER_DIR="$PWD/$CLUSTER_DIR"
CLUSTER_RUN="$CLUSTER_DIR/run"
CLUSTER_LOGS="$CLUSTER_DIR/logs"
CLUSTER_ID_FILE="$CLUSTER_DIR/cluster-id"
CLUSTER_HEAP="${GRIDLOOP_CLUSTER_HEAP:--Xmx384m -Xms128m}"
CLUSTER_TIMEOUT="${GRIDLOOP_CLUSTER_TIMEOUT:-120}"
STOP_TIMEOUT="${GRIDLOOP_STOP_TIMEOUT:-20}"

say() { printf '[cluster] %s\n' "$*"; }

broker_port() { echo $((BROKER_PORT_BASE + $1)); }
controller_port() { echo $((CONTROLLER_PORT_BASE + $1)); }
node_dir() { printf '%s/node-%s\n' "$CLUSTER_DIR" "$1"; }
node_config() { printf '%s/server.properties\n' "$(node_dir "$1")"; }
node_pid_file() { printf '%s/node-%s.pid\n' "$CLUSTER_RUN" "$1"; }
node_log() { printf '%s/node-%s.log\n' "$CLUSTER_LOGS" "$1"; }

# The node's config path is on its command line: no other broker has it.
node_marker() { printf 'kafka.Kafka %s\n' "$(node_config "$1")"; }

bootstrap() {
    local n out=""
    for n in $NODES; do
        out="$out,127.0.0.1:$(broker_port "$n")"
    done
    printf '%s\n' "${out#,}"
}

voters() {
    local n out=""
    for n in $NODES; do
        out="$out,$n@127.0.0.1:$(controller_port "$n")"
    done
    printf '%s\n' "${out#,}"
}

controller_bootstrap() {
    local n out=""
    for n in $NODES; do
        out="$out,127.0.0.1:$(controller_port "$n")"
    done
    printf '%s\n' "${out#,}"
}

# Print the pid of node <n> when it runs (started by this script), or fail.
node_pid() {
    local pidfile pid
    pidfile="$(node_pid_file "$1")"
    [[ -s "$pidfile" ]] || return 1
    pid="$(head -n 1 "$pidfile")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    process_matches "$pid" "$(node_marker "$1")" || return 1
    printf '%s\n' "$pid"
}

take_cluster_lock() {
    mkdir -p "$CLUSTER_RUN"
    exec 8>"$CLUSTER_RUN/.lock"
    if command -v flock >/dev/null 2>&1; then
        flock -w 300 8 || die "another cluster.sh run holds $CLUSTER_RUN/.lock"
    fi
}

cluster_tool() {
    java -Xmx256m -Dlog4j2.configurationFile="$DEPLOY_DIR/kafka/log4j2.xml" \
        -cp "$KAFKA_LIBS/*" "$@"
}

render_config() {
    local n="$1" template content
    template="$(<"$DEPLOY_DIR/kafka/cluster.properties.in")"
    content="${template//@NODE_ID@/$n}"
    content="${content//@BROKER_PORT@/$(broker_port "$n")}"
    content="${content//@CONTROLLER_PORT@/$(controller_port "$n")}"
    content="${content//@VOTERS@/$(voters)}"
    content="${content//@BOOTSTRAP@/$(controller_bootstrap)}"
    content="${content//@DATA_DIR@/$(node_dir "$n")/data}"
    mkdir -p "$(node_dir "$n")/data"
    if [[ ! -f "$(node_config "$n")" ]] || [[ "$(<"$(node_config "$n")")" != "$content" ]]; then
        printf '%s\n' "$content" >"$(node_config "$n")"
    fi
}

# One cluster id for all three nodes, chosen the first time and kept.
cluster_id() {
    local id
    if [[ ! -s "$CLUSTER_ID_FILE" ]]; then
        id="$(cluster_tool kafka.tools.StorageTool random-uuid | tail -n 1)"
        [[ "$id" =~ ^[A-Za-z0-9_-]{22}$ ]] || die "StorageTool random-uuid gave '$id'"
        printf '%s\n' "$id" >"$CLUSTER_ID_FILE"
    fi
    printf '%s\n' "$(<"$CLUSTER_ID_FILE")"
}

format_once() {
    local n="$1" data id
    data="$(node_dir "$n")/data"
    [[ -f "$data/meta.properties" ]] && return 0
    id="$(cluster_id)"
    say "node $n: formatting $data (cluster id $id)"
    cluster_tool kafka.tools.StorageTool format -t "$id" -c "$(node_config "$n")" \
        >>"$(node_log "$n")" 2>&1 || {
        tail -n 20 "$(node_log "$n")" >&2
        die "node $n: formatting the storage failed"
    }
}

# Start node <n> detached in its own session; the pid file holds the java pid.
launch_node() {
    local n="$1" pidfile log heap i pid
    pidfile="$(node_pid_file "$n")"
    log="$(node_log "$n")"
    read -r -a heap <<<"$CLUSTER_HEAP"
    rm -f "$pidfile"
    printf '\n===== %s: starting node %s =====\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$n" >>"$log"
    # shellcheck disable=SC2016  # expanded by the inner shell
    setsid bash -c '
        for fd in /proc/$$/fd/*; do
            fd=${fd##*/}
            if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi 2>/dev/null
        done
        echo "$$" >"$0"
        exec nohup "$@"' "$pidfile" \
        java "${heap[@]}" -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
        -XX:+ExitOnOutOfMemoryError -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
        "-Dlog4j2.configurationFile=$DEPLOY_DIR/kafka/log4j2.xml" \
        "-Dkafka.logs.dir=$CLUSTER_LOGS" \
        -cp "$KAFKA_LIBS/*" kafka.Kafka "$(node_config "$n")" \
        </dev/null >>"$log" 2>&1 &
    for ((i = 0; i < 50; i++)); do
        if pid="$(node_pid "$n")"; then
            say "node $n: started (pid $pid, broker 127.0.0.1:$(broker_port "$n"), log $log)"
            return 0
        fi
        sleep 0.1
    done
    tail -n 40 "$log" >&2
    die "node $n: the process did not start"
}

refuse_foreign() {
    local n="$1" port owner
    for port in "$(broker_port "$n")" "$(controller_port "$n")"; do
        if port_open "$port"; then
            owner="$(port_owner "$port")"
            die "node $n: port 127.0.0.1:$port is held by a process cluster.sh did not start${owner:+ ($owner)}"
        fi
    done
}

wait_for_cluster() {
    local rc=0 n
    say "waiting until the cluster lists all three brokers (up to ${CLUSTER_TIMEOUT} s)..."
    java -Xmx128m -XX:TieredStopAtLevel=1 -Dlog4j2.level=OFF -cp "$KAFKA_LIBS/*" \
        "$DEPLOY_DIR/kafka/KafkaReady.java" "$(bootstrap)" "$CLUSTER_TIMEOUT" 0 3 || rc=$?
    if ((rc != 0)); then
        for n in $NODES; do
            node_pid "$n" >/dev/null || warn "node $n is not running; see $(node_log "$n")"
        done
        die "the cluster did not list three brokers within ${CLUSTER_TIMEOUT} s"
    fi
}

cmd_up() {
    local n pid started=$SECONDS
    compgen -G "$KAFKA_LIBS/kafka_2.13-*.jar" >/dev/null \
        || die "no broker jars in $KAFKA_LIBS; run deploy/local/install.sh (or set GRIDLOOP_LOCAL)"
    command -v java >/dev/null 2>&1 || die "java not found"
    command -v setsid >/dev/null 2>&1 || die "setsid (util-linux) not found"
    take_cluster_lock
    mkdir -p "$CLUSTER_LOGS" "$CLUSTER_RUN"
    for n in $NODES; do
        if pid="$(node_pid "$n")"; then
            say "node $n: already running (pid $pid)"
            continue
        fi
        refuse_foreign "$n"
        render_config "$n"
        format_once "$n"
        launch_node "$n"
    done
    wait_for_cluster
    say "up: three brokers at $(bootstrap) ($((SECONDS - started)) s)"
}

stop_node() {
    local n="$1" pid deadline
    if ! pid="$(node_pid "$n")"; then
        rm -f "$(node_pid_file "$n")"
        say "node $n: not running"
        return 0
    fi
    say "node $n: stopping pid $pid..."
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        warn "node $n: pid $pid still running after ${STOP_TIMEOUT} s; sending KILL"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
    fi
    rm -f "$(node_pid_file "$n")"
    say "node $n: stopped"
}

cmd_down() {
    local n pids=()
    take_cluster_lock
    # Stopping all at once: a node that shuts down alone waits for the others to take
    # over its partitions, which takes longer than stopping them together.
    for n in $NODES; do
        stop_node "$n" &
        pids+=("$!")
    done
    for n in "${pids[@]}"; do
        wait "$n"
    done
}

cmd_status() {
    local n pid rc=0
    for n in $NODES; do
        if pid="$(node_pid "$n")"; then
            if port_open "$(broker_port "$n")"; then
                printf 'node %s  up        pid %-8s broker 127.0.0.1:%s controller 127.0.0.1:%s\n' \
                    "$n" "$pid" "$(broker_port "$n")" "$(controller_port "$n")"
            else
                printf 'node %s  starting  pid %-8s (broker port %s not open yet)\n' \
                    "$n" "$pid" "$(broker_port "$n")"
                rc=1
            fi
        else
            printf 'node %s  down\n' "$n"
            rc=1
        fi
    done
    printf 'cluster folder: %s\n' "$CLUSTER_DIR"
    return "$rc"
}

main() {
    case "${1:-}" in
        up) cmd_up ;;
        down) cmd_down ;;
        status) cmd_status ;;
        bootstrap) bootstrap ;;
        *)
            sed -n '2,/^set /p' "${BASH_SOURCE[0]}" | sed -n 's/^# \{0,1\}//p' >&2
            exit 64
            ;;
    esac
}

main "$@"
