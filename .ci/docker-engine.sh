# shellcheck shell=bash
# A private Docker engine for the Testcontainers tests, meant to be sourced (by .ci/run):
#
#   source .ci/docker-engine.sh
#   docker_engine_start      # Debian's dockerd (docker.io) on its own socket and directories
#   ...                      # docker / Testcontainers use it through the exported variables
#   docker_engine_stop       # stops it by its PID and removes its directories
#
# The engine runs without iptables rules (--iptables=false), publishes ports on 127.0.0.1 only
# (--ip=127.0.0.1) and stores images with the vfs driver (no overlay mounts needed). It can pull
# nothing: the images the tests use are built locally (src/test/docker/build-kafka-image.sh).
#
# Settings (environment, optional): DOCKER_ENGINE_DIR (default /tmp/cim-docker), DOCKERD (default
# /usr/sbin/dockerd), DOCKER_ENGINE_TIMEOUT seconds to wait for it (default 60).
#
# Exported by docker_engine_start: DOCKER_HOST, DOCKER_API_VERSION (the engine's, so that a newer
# client on the PATH, e.g. /usr/local/bin/docker 28.x, speaks to the 20.10 engine),
# TESTCONTAINERS_RYUK_DISABLED=true (Ryuk's image cannot be pulled; the tests close their
# containers themselves) and TESTCONTAINERS_HOST_OVERRIDE=localhost (this machine looks like a
# container to Testcontainers, which would otherwise try to pull an image to find the host).

DOCKER_ENGINE_DIR=${DOCKER_ENGINE_DIR:-/tmp/cim-docker}

_docker_engine_log() {
  echo "docker-engine: $*" >&2
}

# The engine's client, whatever docker is first on the PATH: Debian's own when installed.
_docker_engine_client() {
  if [ -x /usr/bin/docker ]; then
    echo /usr/bin/docker
  else
    command -v docker
  fi
}

docker_engine_start() {
  local dir=$DOCKER_ENGINE_DIR
  local dockerd=${DOCKERD:-/usr/sbin/dockerd}
  local timeout=${DOCKER_ENGINE_TIMEOUT:-60}
  local sock="$dir/docker.sock" pidfile="$dir/dockerd.pid" client
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    _docker_engine_log "already running (PID $(cat "$pidfile")); docker_engine_stop first"
    return 1
  fi
  [ -x "$dockerd" ] || { _docker_engine_log "no dockerd at $dockerd (Debian: apt-get install docker.io)"; return 1; }
  client=$(_docker_engine_client) || { _docker_engine_log "no docker client"; return 1; }
  mkdir -p "$dir/data" "$dir/exec"
  rm -f "$sock" "$pidfile"
  # setsid: its own session, so that a Ctrl-C or the end of the calling shell does not reach it
  setsid "$dockerd" \
    --iptables=false --ip=127.0.0.1 --storage-driver=vfs \
    --data-root "$dir/data" --exec-root "$dir/exec" \
    -H "unix://$sock" --pidfile "$pidfile" \
    </dev/null >"$dir/dockerd.log" 2>&1 &
  local launched=$! waited=0
  until DOCKER_API_VERSION= "$client" -H "unix://$sock" info >/dev/null 2>&1; do
    if ! kill -0 "$launched" 2>/dev/null; then
      _docker_engine_log "dockerd exited while starting; last lines of $dir/dockerd.log:"
      tail -n 20 "$dir/dockerd.log" >&2
      return 1
    fi
    if [ "$waited" -ge $((timeout * 10)) ]; then
      _docker_engine_log "dockerd does not answer after ${timeout} s; see $dir/dockerd.log"
      kill "$launched" 2>/dev/null || true
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  export DOCKER_HOST="unix://$sock"
  DOCKER_API_VERSION=$(DOCKER_API_VERSION= "$client" version --format '{{.Server.APIVersion}}')
  export DOCKER_API_VERSION
  export TESTCONTAINERS_RYUK_DISABLED=true
  export TESTCONTAINERS_HOST_OVERRIDE=localhost
  _docker_engine_log "dockerd $(DOCKER_API_VERSION= "$client" version --format '{{.Server.Version}}') (PID $(cat "$pidfile"), API $DOCKER_API_VERSION) ready in $((waited / 10)).$((waited % 10)) s on $DOCKER_HOST"
}

docker_engine_stop() {
  local dir=$DOCKER_ENGINE_DIR
  local pidfile="$dir/dockerd.pid" sock="$dir/docker.sock" pid waited=0 client containers
  if [ -f "$pidfile" ]; then
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      # containers and networks a test left behind go first: a network's bridge would outlive
      # the engine on the host
      client=$(_docker_engine_client) || client=
      if [ -n "$client" ]; then
        containers=$(DOCKER_API_VERSION= "$client" -H "unix://$sock" ps -aq 2>/dev/null) || containers=
        if [ -n "$containers" ]; then
          # shellcheck disable=SC2086 # a list of ids
          DOCKER_API_VERSION= "$client" -H "unix://$sock" rm -f $containers >/dev/null 2>&1 || true
        fi
        DOCKER_API_VERSION= "$client" -H "unix://$sock" network prune -f >/dev/null 2>&1 || true
      fi
      # SIGTERM: dockerd stops its containers (10 s each at most), then exits
      kill -TERM "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 300 ]; do
        sleep 0.1
        waited=$((waited + 1))
      done
      if kill -0 "$pid" 2>/dev/null; then
        _docker_engine_log "dockerd (PID $pid) still runs after 30 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
      fi
    fi
  fi
  # whatever the engine left mounted (container shm, network namespaces) goes before its files
  local mounts
  mounts=$(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r)
  for m in $mounts; do
    umount -l "$m" 2>/dev/null || _docker_engine_log "cannot unmount $m"
  done
  if awk -v d="$dir/" 'index($2, d) == 1 { found = 1 } END { exit !found }' /proc/self/mounts; then
    _docker_engine_log "mounts remain under $dir; not removing it"
    return 1
  fi
  rm -rf "$dir"
  if [ "${DOCKER_HOST:-}" = "unix://$dir/docker.sock" ]; then
    unset DOCKER_HOST DOCKER_API_VERSION TESTCONTAINERS_RYUK_DISABLED TESTCONTAINERS_HOST_OVERRIDE
  fi
  _docker_engine_log "stopped (${pid:+PID $pid, }$((waited / 10)).$((waited % 10)) s); removed $dir"
}
