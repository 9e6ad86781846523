#!/usr/bin/env bash
# Prints whether each local server is up, with its pid and port.
# Exit status 0 when every selected component (GRIDLOOP_UP, default all) is up.
set -Eeuo pipefail

# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

describe() {
    case "$1" in
        kafka) echo "Kafka broker   127.0.0.1:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT)" ;;
        mongo) echo "FerretDB       mongodb://127.0.0.1:$MONGO_PORT" ;;
        prometheus) echo "Prometheus     http://127.0.0.1:$PROMETHEUS_PORT" ;;
    esac
}

main() {
    local selected c pid port state rc=0 owner
    selected="$(selected_components)"
    for c in $ALL_COMPONENTS; do
        port="$(main_port "$c")"
        if pid="$(running_pid "$c")"; then
            if port_open "$port"; then
                state="up        pid $pid"
            else
                state="starting  pid $pid (port $port not open yet)"
                [[ " $selected " == *" $c "* ]] && rc=1
            fi
        else
            pid=""
            if port_open "$port"; then
                owner="$(port_owner "$port")"
                state="down      (port $port held by a process up.sh did not start${owner:+: $owner})"
            elif [[ -e "$(pid_file "$c")" ]]; then
                state="down      (stale pid file)"
            else
                state="down"
            fi
            [[ " $selected " == *" $c "* ]] && rc=1
        fi
        printf '%-11s %-60s %s\n' "$c" "$state" "$(describe "$c")"
    done
    printf 'local folder: %s\n' "$LOCAL_DIR"
    return "$rc"
}

main "$@"
