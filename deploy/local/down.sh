#!/usr/bin/env bash
# Stops the servers that up.sh started (found through their pid files): TERM,
# then KILL after GRIDLOOP_STOP_TIMEOUT seconds (default 20). Stale pid files
# are removed. Arguments pick components (kafka, mongo, prometheus); default all.
set -Eeuo pipefail

# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

trap 'printf "[local] ERROR: down.sh failed at line %s (exit %s)\n" "$LINENO" "$?" >&2' ERR

STOP_TIMEOUT="${GRIDLOOP_STOP_TIMEOUT:-20}"

stop_component() {
    local component="$1" pidfile pid deadline
    pidfile="$(pid_file "$component")"
    if [[ ! -e "$pidfile" ]]; then
        say "$component: not started by up.sh (no pid file)"
        return 0
    fi
    if ! pid="$(running_pid "$component")"; then
        say "$component: not running; removing stale $pidfile"
        rm -f "$pidfile"
        return 0
    fi
    say "$component: stopping pid $pid..."
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        warn "$component: pid $pid still running after ${STOP_TIMEOUT} s; sending KILL"
        kill -KILL "$pid" 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -0 "$pid" 2>/dev/null && die "$component: pid $pid survived KILL"
    fi
    rm -f "$pidfile"
    say "$component: stopped"
}

main() {
    local wanted="${*:-$ALL_COMPONENTS}" names="" c w
    for w in $wanted; do
        names="$names $(component_name "$w")"
    done
    take_lock
    # Reverse start order: prometheus, mongo, kafka.
    for c in prometheus mongo kafka; do
        if [[ " $names " == *" $c "* ]]; then
            stop_component "$c"
        fi
    done
}

main "$@"
