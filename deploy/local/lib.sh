# Shared settings and helpers for the deploy/local scripts. Source it; do not run it.
# shellcheck shell=bash disable=SC2034  # the settings below are used by the scripts that source this

# Repository root, from this file's location (not the caller's working directory).
GRIDLOOP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL_DIR="${GRIDLOOP_LOCAL:-$GRIDLOOP_ROOT/.local}"
case "$LOCAL_DIR" in
    /*) ;;
    *) LOCAL_DIR="$PWD/$LOCAL_DIR" ;;
esac

DEPLOY_DIR="$GRIDLOOP_ROOT/deploy/local"
BIN_DIR="$LOCAL_DIR/bin"
LOG_DIR="$LOCAL_DIR/logs"
RUN_DIR="$LOCAL_DIR/run"

KAFKA_DIR="$LOCAL_DIR/kafka"
KAFKA_LIBS="$KAFKA_DIR/libs"
KAFKA_POM="$DEPLOY_DIR/kafka/pom.xml"
KAFKA_HOST=127.0.0.1
KAFKA_PORT=9092
KAFKA_CONTROLLER_PORT=9093

FERRETDB_VERSION=v1.24.2
FERRETDB_BIN="$BIN_DIR/ferretdb"
MONGO_HOST=127.0.0.1
MONGO_PORT=27017

PROMETHEUS_CONFIG="$GRIDLOOP_ROOT/deploy/prometheus/prometheus.yml"
PROMETHEUS_HOST=127.0.0.1
PROMETHEUS_PORT=9090

# Components in start order. GRIDLOOP_UP selects a subset for up.sh and status.sh.
ALL_COMPONENTS="kafka mongo prometheus"

say() { printf '[local] %s\n' "$*"; }
warn() { printf '[local] WARNING: %s\n' "$*" >&2; }
die() {
    printf '[local] ERROR: %s\n' "$*" >&2
    exit 1
}

# Python for the stdlib-only probes: the project's virtualenv if present.
python_bin() {
    if [[ -x "$GRIDLOOP_ROOT/.venv/bin/python" ]]; then
        printf '%s\n' "$GRIDLOOP_ROOT/.venv/bin/python"
    elif command -v python3 >/dev/null 2>&1; then
        command -v python3
    else
        die "python3 not found (needed for the readiness probes)"
    fi
}

# Normalise a component name; "ferretdb" is an alias of "mongo".
component_name() {
    case "$1" in
        kafka) echo kafka ;;
        mongo | ferretdb) echo mongo ;;
        prometheus) echo prometheus ;;
        *) die "unknown component '$1' (expected: $ALL_COMPONENTS)" ;;
    esac
}

# The name used for the component's pid file and log file.
file_name() {
    case "$1" in
        mongo) echo ferretdb ;;
        *) echo "$1" ;;
    esac
}

pid_file() { printf '%s/%s.pid\n' "$RUN_DIR" "$(file_name "$1")"; }
log_file() { printf '%s/%s.log\n' "$LOG_DIR" "$(file_name "$1")"; }

# A string the process's command line must contain, so a recycled pid is not
# mistaken for one of ours.
cmdline_marker() {
    case "$1" in
        kafka) echo "kafka.Kafka" ;;
        mongo) echo "ferretdb --handler" ;;
        prometheus) echo "prometheus --config.file" ;;
    esac
}

main_port() {
    case "$1" in
        kafka) echo "$KAFKA_PORT" ;;
        mongo) echo "$MONGO_PORT" ;;
        prometheus) echo "$PROMETHEUS_PORT" ;;
    esac
}

# Every port the component listens on.
all_ports() {
    case "$1" in
        kafka) echo "$KAFKA_PORT $KAFKA_CONTROLLER_PORT" ;;
        *) main_port "$1" ;;
    esac
}

# True when something accepts TCP connections on 127.0.0.1:<port>.
port_open() {
    # shellcheck disable=SC2016  # $1 is expanded by the inner shell
    timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# Who listens on a port, when ss can tell (best effort, for error messages).
port_owner() {
    if command -v ss >/dev/null 2>&1; then
        ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\(.*\)))/\1/p' | head -n 1
    fi
}

process_matches() {
    local pid="$1" marker="$2" cmdline
    [[ -r "/proc/$pid/cmdline" ]] || return 1
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
    [[ "$cmdline" == *"$marker"* ]]
}

# Print the pid of the component's running process (started by up.sh), or fail.
running_pid() {
    local component="$1" pidfile pid
    pidfile="$(pid_file "$component")"
    [[ -s "$pidfile" ]] || return 1
    pid="$(head -n 1 "$pidfile")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    process_matches "$pid" "$(cmdline_marker "$component")" || return 1
    printf '%s\n' "$pid"
}

# Components selected by GRIDLOOP_UP (default: all), normalised, in start order.
selected_components() {
    local wanted="${GRIDLOOP_UP:-$ALL_COMPONENTS}" c w out=""
    for w in $wanted; do
        component_name "$w" >/dev/null
    done
    for c in $ALL_COMPONENTS; do
        for w in $wanted; do
            if [[ "$(component_name "$w")" == "$c" ]]; then
                out="$out $c"
                break
            fi
        done
    done
    printf '%s\n' "${out# }"
}

# Serialise up.sh and down.sh runs against the same local folder.
take_lock() {
    mkdir -p "$RUN_DIR"
    exec 9>"$RUN_DIR/.lock"
    if command -v flock >/dev/null 2>&1; then
        flock -w 300 9 || die "another up.sh/down.sh holds $RUN_DIR/.lock"
    fi
}
