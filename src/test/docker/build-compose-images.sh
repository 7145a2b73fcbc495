#!/usr/bin/env bash
# Builds locally, under the names docker-compose.yml gives them, the images of every service of
# the compose stack that this machine can make without a registry (Grafana is left out: no Debian
# package or Maven artifact provides it):
#
#   kafka          build-kafka-image.sh (the Testcontainers tests' broker image)
#   prometheus     Debian's /usr/bin/prometheus (package prometheus)
#   alertmanager   Debian's /usr/bin/prometheus-alertmanager (package prometheus-alertmanager)
#   monitor        a jlink runtime, target/causal-impact-monitor.jar and config/, laid out as the
#                  Dockerfile does (also the simulator's image)
#
# Each is one layer FROM scratch (see image-lib.sh) with busybox (the health checks run wget, sh,
# grep), the binary and the shared libraries ldd lists for it, and the entry point, user, working
# directory and data directory of the published image it stands in for. The Debian binaries are
# older than the published images' (Prometheus 2.42 for v2.53.4, Alertmanager 0.25 for v0.28.1);
# each image's label org.causalimpact.built-from names what it holds. An image whose inputs are
# unchanged is kept; FORCE=1 rebuilds them all.
#
# Needs: what build-kafka-image.sh needs, the two Debian packages, and the shaded jar (mvn -B
# package -DskipTests). Settings: JAR (default target/causal-impact-monitor.jar of the checkout),
# PROMETHEUS (default /usr/bin/prometheus), ALERTMANAGER (default /usr/bin/prometheus-alertmanager),
# COMPOSE_FILE_PATH (default docker-compose.yml of the checkout).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
image_script=build-compose-images
# shellcheck source=src/test/docker/image-lib.sh
source "$here/image-lib.sh"
compose_file=${COMPOSE_FILE_PATH:-$root/docker-compose.yml}
prometheus=${PROMETHEUS:-/usr/bin/prometheus}
alertmanager=${ALERTMANAGER:-/usr/bin/prometheus-alertmanager}
jar=$(readlink -m "${JAR:-$root/target/causal-impact-monitor.jar}")
# what `jdeps --print-module-deps --ignore-missing-deps --multi-release 17` lists for the shaded
# jar (it takes ~20 s, so it is not run here), with java.logging, java.management, java.xml and
# jdk.crypto.ec named as well; java.desktop's native AWT libraries are deleted: `run` and
# `simulate` draw nothing (`analyze --plot` would need them)
monitor_modules=java.base,java.compiler,java.desktop,java.logging,java.management,java.naming,java.net.http,java.rmi,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.xml,jdk.crypto.ec,jdk.management,jdk.unsupported

# The image docker-compose.yml names for a service (the file's own two-space layout).
compose_image() {
  local name
  name=$(awk -v s="$1" '
    /^  [A-Za-z0-9_-]+:$/ { in_service = ($1 == s ":") }
    in_service && /^    image:/ { print $2; exit }' "$compose_file")
  [ -n "$name" ] || fail "$compose_file names no image for service $1"
  printf '%s\n' "$name"
}

# The version a Debian binary reports, for the label and the log.
binary_version() {
  "$1" --version 2>&1 | sed -n '1s/.*version \([^ ]*\).*/\1/p'
}

# build_go_image SERVICE BINARY SHARED TARGET DATA_DIR CMD_JSON PORT: the Debian package's server
# BINARY as TARGET, with the package's files under SHARED (templates, web pages) where Debian
# puts them, run as nobody in DATA_DIR (its storage, which belongs to nobody).
build_go_image() {
  local service=$1 binary=$2 shared=$3 target=$4 data=$5 cmd=$6 port=$7 image digest version
  local rootfs="$work/$service"
  SECONDS=0
  image=$(compose_image "$service")
  [ -x "$binary" ] || fail "no $binary (Debian: apt-get install $(dpkg -S "$binary" 2>/dev/null | cut -d: -f1 || echo "the package of $service"))"
  version=$(binary_version "$binary")
  [ -d "$shared" ] || fail "no $shared, which $binary reads (reinstall its Debian package)"
  digest=$(image_inputs_digest "$image $version" "$binary" "$shared" "$here/image-lib.sh" \
    "$here/build-compose-images.sh")
  image_up_to_date "$image" "$digest" && return
  rootfs_busybox "$rootfs"
  cp "$binary" "$rootfs$target"
  mkdir -p "$rootfs$(dirname "$shared")"
  cp -r "$shared" "$rootfs$shared"
  rootfs_libraries "$rootfs" "$binary"
  rootfs_etc "$rootfs"
  echo "build-compose-images: $image from $binary $version"
  image_import "$rootfs" "$image" "$digest" "65534:65534:$data" -- \
    'ENV PATH=/bin' \
    "ENTRYPOINT [\"$target\"]" \
    "CMD $cmd" \
    'USER nobody' \
    "WORKDIR $data" \
    "EXPOSE $port" \
    "LABEL org.causalimpact.built-by=src/test/docker/build-compose-images.sh org.causalimpact.built-from=\"$(basename "$binary") $version (Debian)\""
}

build_monitor_image() {
  local image digest natives rootfs="$work/monitor"
  SECONDS=0
  image=$(compose_image monitor)
  [ -f "$jar" ] || fail "no $jar: build it first (mvn -B -q package -DskipTests)"
  digest=$(cd "$root" && image_inputs_digest "$image $(sha256sum < "$jar")" config \
    "$here/image-lib.sh" "$here/build-compose-images.sh")
  image_up_to_date "$image" "$digest" && return
  echo "build-compose-images: $image from $jar, config/ and $JAVA_HOME (Java $java_major)"
  rootfs_busybox "$rootfs"
  # a real bash: the compose file's health check of the monitor speaks HTTP through /dev/tcp
  cp /bin/bash "$rootfs/bin/bash"
  rootfs_libraries "$rootfs" /bin/bash
  rootfs_jre "$rootfs" "$monitor_modules"
  # the native libraries the jar unpacks into /tmp at run time (RocksDB, zstd, lz4, snappy) link
  # what the runtime does, and the C++ runtime besides
  natives=$("$JAVA_HOME/bin/jar" tf "$jar" | grep -E '^(librocksdbjni-linux64|linux/amd64/.*|net/jpountz/util/linux/amd64/.*|org/xerial/snappy/native/Linux/x86_64/.*)\.so$') \
    || fail "$jar holds no Linux x86-64 native libraries; this script builds for that platform only"
  mkdir -p "$work/natives"
  # shellcheck disable=SC2086 # a list of names
  (cd "$work/natives" && "$JAVA_HOME/bin/jar" xf "$jar" $natives)
  # shellcheck disable=SC2046 # a list of files
  rootfs_libraries "$rootfs" $(find "$work/natives" -name '*.so')
  mkdir -p "$rootfs/app" "$rootfs/var/lib/causal-impact-monitor"
  cp "$jar" "$rootfs/app/causal-impact-monitor.jar"
  cp -r "$root/config" "$rootfs/app/config"
  rootfs_etc "$rootfs" 'cim:x:10001:10001::/app:/sbin/nologin'
  image_import "$rootfs" "$image" "$digest" 10001:10001:/var/lib/causal-impact-monitor/state -- \
    'ENV PATH=/opt/java/bin:/bin JAVA_HOME=/opt/java CIM_STATE_DIR=/var/lib/causal-impact-monitor/state' \
    'WORKDIR /app' \
    'USER cim' \
    'EXPOSE 8080' \
    'ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/causal-impact-monitor.jar"]' \
    'CMD ["run", "--create-topics"]' \
    "LABEL org.causalimpact.built-by=src/test/docker/build-compose-images.sh org.causalimpact.built-from=\"target/causal-impact-monitor.jar, Java $java_major\""
}

[ -f "$compose_file" ] || fail "no compose file $compose_file"
image_require_jdk
image_require_docker
work=$(mktemp -d "${TMPDIR:-/tmp}/compose-images.XXXXXX")
trap 'rm -rf "$work"' EXIT

kafka=$(compose_image kafka)
kafka_version=$(sed -n 's:.*<kafka\.version>\([^<]*\)</kafka\.version>.*:\1:p' "$root/pom.xml" | head -n 1)
[ "$kafka" = "apache/kafka:$kafka_version" ] \
  || fail "$compose_file runs $kafka, but the project's Kafka is $kafka_version: make them agree"
bash "$here/build-kafka-image.sh"
build_go_image prometheus "$prometheus" /usr/share/prometheus/web /bin/prometheus /prometheus \
  '["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]' 9090
build_go_image alertmanager "$alertmanager" /usr/share/prometheus/alertmanager /bin/alertmanager /alertmanager \
  '["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"]' 9093
build_monitor_image
