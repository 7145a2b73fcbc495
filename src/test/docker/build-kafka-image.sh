#!/usr/bin/env bash
# Builds the image apache/kafka:<kafka.version of the pom> locally, for the Testcontainers tests
# and the compose test, without pulling anything: a root file system made of busybox (Debian's
# busybox-static), a jlink'ed runtime of the JDK that builds the project, the shared libraries
# that runtime links, the broker's jars resolved by Maven, the entry point ./run
# (/etc/kafka/docker/run) and /opt/kafka/bin/kafka-broker-api-versions.sh, imported as a
# one-layer image. The work directory is a temporary one, removed at the end. An image built from
# the same inputs (these files, the Kafka version, the JDK) is kept; FORCE=1 rebuilds it.
#
# Needs: Linux, bash, a JDK 17+ with jmods (JAVA_HOME, else the one of javac on the PATH),
# Maven, a static busybox (BUSYBOX, default /bin/busybox), a Docker client and engine (DOCKER,
# default docker; DOCKER_HOST as usual). Extra Maven arguments, e.g. -o: KAFKA_IMAGE_MVN_ARGS.
set -euo pipefail

SECONDS=0
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
image_script=build-kafka-image
# shellcheck source=src/test/docker/image-lib.sh
source "$here/image-lib.sh"
# java.desktop only for java.beans, which log4j needs
modules=java.base,java.desktop,java.logging,java.management,java.naming,java.security.jgss,java.security.sasl,java.xml,jdk.unsupported,jdk.management,jdk.crypto.ec

version=$(sed -n 's:.*<kafka\.version>\([^<]*\)</kafka\.version>.*:\1:p' "$root/pom.xml" | head -n 1)
[ -n "$version" ] || fail "no <kafka.version> property in $root/pom.xml"
image="apache/kafka:$version"

image_require_jdk
image_require_docker
digest=$(cd "$here" && image_inputs_digest "kafka $version" \
  image-lib.sh build-kafka-image.sh broker-jars.pom.xml run kafka-broker-api-versions.sh)
image_up_to_date "$image" "$digest" && exit 0

work=$(mktemp -d "${TMPDIR:-/tmp}/kafka-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
mkdir -p "$rootfs"/{etc/kafka/docker,opt/kafka/bin,opt/kafka/config,opt/kafka/libs,var/lib/kafka/data}

echo "build-kafka-image: $image from $JAVA_HOME (Java $java_major), $busybox, Kafka $version jars"

# /bin/bash for the #!/bin/bash script Testcontainers copies in
rootfs_busybox "$rootfs"
rootfs_sh_as_bash "$rootfs"
rootfs_jre "$rootfs" "$modules"

# the broker's jars
cp "$here/broker-jars.pom.xml" "$work/pom.xml"
# shellcheck disable=SC2086 # a list of extra arguments
if ! mvn -B -f "$work/pom.xml" ${KAFKA_IMAGE_MVN_ARGS:-} -Dkafka.version="$version" \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$rootfs/opt/kafka/libs" >"$work/maven.log" 2>&1; then
  cat "$work/maven.log" >&2
  fail "Maven could not resolve the broker's jars (log above)"
fi
[ -n "$(ls "$rootfs"/opt/kafka/libs/kafka_2.13-"$version".jar 2>/dev/null)" ] \
  || fail "Maven did not copy kafka_2.13-$version.jar"

rootfs_etc "$rootfs"
install -m 755 "$here/run" "$rootfs/etc/kafka/docker/run"
install -m 755 "$here/kafka-broker-api-versions.sh" "$rootfs/opt/kafka/bin/kafka-broker-api-versions.sh"

image_import "$rootfs" "$image" "$digest" -- \
  'ENV PATH=/opt/java/bin:/bin JAVA_HOME=/opt/java' \
  'WORKDIR /opt/kafka' \
  'LABEL org.causalimpact.built-by=src/test/docker/build-kafka-image.sh' \
  'CMD ["/etc/kafka/docker/run"]'
