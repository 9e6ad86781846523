#!/usr/bin/env bash
# Make `docker compose` (the v2+ CLI plugin) available on this machine.
#
# Does nothing when `docker compose version` already works. Otherwise builds the
# plugin from the Go module proxy's copy of github.com/docker/compose into
#   ${GRIDLOOP_LOCAL:-<repo>/.local}/bin/docker-compose
# and installs a copy as a Docker CLI plugin under
#   ${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins/docker-compose
#
# The first build takes a few minutes on two cores; Go's module and build caches
# make later runs fast. Safe to run again and from several shells at once.
#
# Environment:
#   GRIDLOOP_LOCAL            where local tools go (default: <repo>/.local)
#   GRIDLOOP_COMPOSE_VERSION  module version to build (default below)
#   GRIDLOOP_COMPOSE_REBUILD  set to 1 to rebuild even if a binary is present

set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(cd "${script_dir}/../.." && pwd -P)"

# v5.6.0 builds with Go 1.26; later releases ask for a newer Go toolchain.
compose_module="github.com/docker/compose/v5"
compose_version="${GRIDLOOP_COMPOSE_VERSION:-v5.6.0}"

local_dir="${GRIDLOOP_LOCAL:-${repo_root}/.local}"
bin_dir="${local_dir}/bin"
binary="${bin_dir}/docker-compose"
plugin_dir="${DOCKER_CONFIG:-${HOME}/.docker}/cli-plugins"
plugin="${plugin_dir}/docker-compose"

log() { printf 'compose-plugin: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v docker >/dev/null 2>&1 \
    || die "the docker CLI is not on PATH; install it first (Debian: docker.io or docker-ce-cli)"

if docker compose version >/dev/null 2>&1; then
    log "already available: $(docker compose version)"
    exit 0
fi

mkdir -p "${bin_dir}" "${plugin_dir}"

# One build at a time: a second caller waits, then finds the binary ready.
if command -v flock >/dev/null 2>&1; then
    exec 9>"${bin_dir}/.docker-compose.lock"
    flock 9
fi

binary_version() {
    "${binary}" version --short 2>/dev/null || true
}

want="${compose_version#v}"
if [[ "${GRIDLOOP_COMPOSE_REBUILD:-0}" != "1" && -x "${binary}" \
      && "$(binary_version)" == "${want}" ]]; then
    log "reusing ${binary} (${want})"
else
    command -v go >/dev/null 2>&1 \
        || die "Go is needed to build the compose plugin (go 1.26 or newer on PATH)"

    # Build outside any module or workspace of ours, with settings that could
    # have been left in the caller's environment switched off.
    export GOWORK=off GOFLAGS=-buildvcs=false GO111MODULE=on CGO_ENABLED=0

    work_dir="$(mktemp -d)"
    trap 'rm -rf "${work_dir}"' EXIT

    log "fetching ${compose_module}@${compose_version} through the Go module proxy"
    # `go install module/cmd@version` refuses this module because its go.mod has
    # exclude directives, so build inside the module's own directory instead.
    (cd "${work_dir}" && go mod download -json "${compose_module}@${compose_version}") \
        >"${work_dir}/download.json" \
        || die "go mod download failed: $(cat "${work_dir}/download.json")"
    src_dir="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' "${work_dir}/download.json")"
    [[ -n "${src_dir}" && -f "${src_dir}/go.mod" ]] \
        || die "no module directory in: $(cat "${work_dir}/download.json")"

    log "building docker-compose ${compose_version} (first time: several minutes)"
    start=${SECONDS}
    (cd "${src_dir}" && go build -trimpath \
        -ldflags "-s -w -X ${compose_module}/internal.Version=${compose_version}" \
        -o "${work_dir}/docker-compose" ./cmd)
    log "built in $((SECONDS - start))s"

    "${work_dir}/docker-compose" version >/dev/null \
        || die "the freshly built binary does not run"
    install -m 0755 "${work_dir}/docker-compose" "${binary}.tmp"
    mv -f "${binary}.tmp" "${binary}"
fi

# A copy, not a link: the plugin keeps working when this work tree goes away.
install -m 0755 "${binary}" "${plugin}.tmp"
mv -f "${plugin}.tmp" "${plugin}"
log "installed ${plugin}"

docker compose version
