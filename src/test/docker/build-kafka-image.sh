#!/usr/bin/env bash
# Builds the image apache/kafka:<kafka.version of the pom> locally, for the Testcontainers tests,
# without pulling anything: a root file system made of busybox (Debian's busybox-static), a
# jlink'ed runtime of the JDK that builds the project, the shared libraries that runtime links,
# the broker's jars resolved by Maven, and the entry point ./run (/etc/kafka/docker/run), imported
# as a one-layer image. The work directory is a temporary one, removed at the end.
#
# Needs: Linux, bash, a JDK 17+ with jmods (JAVA_HOME, else the one of javac on the PATH),
# Maven, a static busybox (BUSYBOX, default /bin/busybox), a Docker client and engine (DOCKER,
# default docker; DOCKER_HOST as usual). Extra Maven arguments, e.g. -o: KAFKA_IMAGE_MVN_ARGS.
set -euo pipefail

SECONDS=0
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
docker=${DOCKER:-docker}
busybox=${BUSYBOX:-/bin/busybox}
# java.desktop only for java.beans, which log4j needs; its native AWT, font and sound libraries
# are deleted below.
modules=java.base,java.desktop,java.logging,java.management,java.naming,java.security.jgss,java.security.sasl,java.xml,jdk.unsupported,jdk.management,jdk.crypto.ec

fail() {
  echo "build-kafka-image: $*" >&2
  exit 1
}

version=$(sed -n 's:.*<kafka\.version>\([^<]*\)</kafka\.version>.*:\1:p' "$root/pom.xml" | head -n 1)
[ -n "$version" ] || fail "no <kafka.version> property in $root/pom.xml"
image="apache/kafka:$version"

if [ -z "${JAVA_HOME:-}" ]; then
  javac=$(command -v javac) || fail "no JAVA_HOME and no javac on the PATH"
  JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$javac")")")
fi
[ -x "$JAVA_HOME/bin/jlink" ] || fail "$JAVA_HOME/bin/jlink missing: JAVA_HOME must be a JDK"
[ -d "$JAVA_HOME/jmods" ] || fail "$JAVA_HOME/jmods missing: jlink needs the JDK's jmods"
java_major=$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 \
  | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p')
[ "${java_major:-0}" -ge 17 ] || fail "Kafka $version needs Java 17 or later; $JAVA_HOME is ${java_major:-unknown}"
[ -x "$busybox" ] || fail "no busybox at $busybox (Debian: apt-get install busybox-static)"
if ldd "$busybox" >/dev/null 2>&1; then
  fail "$busybox is linked dynamically; the image needs a static one (Debian: busybox-static)"
fi
command -v "$docker" >/dev/null || fail "no Docker client '$docker'"
"$docker" version >/dev/null || fail "the Docker engine does not answer (DOCKER_HOST=${DOCKER_HOST:-default})"

work=$(mktemp -d "${TMPDIR:-/tmp}/kafka-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
mkdir -p "$rootfs"/{bin,usr/bin,etc/kafka/docker,opt/kafka/config,opt/kafka/libs,var/lib/kafka/data,root,tmp}
chmod 1777 "$rootfs/tmp"

echo "build-kafka-image: $image from $JAVA_HOME (Java $java_major), $busybox, Kafka $version jars"

# busybox, one link per applet; /bin/bash for the #!/bin/bash script Testcontainers copies in
cp "$busybox" "$rootfs/bin/busybox"
for applet in $("$rootfs/bin/busybox" --list); do
  [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
done
ln -s ../../bin/busybox "$rootfs/usr/bin/env"
printf '#!/bin/sh\nexec /bin/sh "$@"\n' > "$rootfs/bin/bash"
chmod 755 "$rootfs/bin/bash"

# the Java runtime
compress=2
[ "$java_major" -ge 21 ] && compress=zip-6
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --compress="$compress" --output "$rootfs/opt/java"
rm -f "$rootfs"/opt/java/lib/{libawt.so,libawt_headless.so,libawt_xawt.so,libfontmanager.so,libjavajpeg.so,libjawt.so,libjsound.so,liblcms.so,libmlib_image.so,libsplashscreen.so,libfreetype.so}

# the shared libraries the runtime links (and the loader), at the paths ldd names; libjvm.so is
# the runtime's own, loaded by the launcher before the libraries that name it
libs=$(find "$rootfs/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -exec ldd {} \; 2>/dev/null \
  | awk '$1 == "libjvm.so" { next }
         /not found/ { print "MISSING " $1; next }
         { for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }' \
  | sort -u)
if printf '%s\n' "$libs" | grep -q '^MISSING'; then
  fail "libraries not found: $(printf '%s\n' "$libs" | sed -n 's/^MISSING //p' | tr '\n' ' ')"
fi
for lib in $libs; do
  case "$lib" in "$rootfs"/*) continue ;; esac
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done

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

# a little of /etc, and the entry point
printf 'hosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
install -m 755 "$here/run" "$rootfs/etc/kafka/docker/run"

# one layer, no base image, no builder: the same on every engine
old=$("$docker" image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
tar -C "$rootfs" --numeric-owner --owner=0 --group=0 -cf - . \
  | "$docker" import \
      -c 'ENV PATH=/opt/java/bin:/bin JAVA_HOME=/opt/java' \
      -c 'WORKDIR /opt/kafka' \
      -c 'LABEL org.causalimpact.built-by=src/test/docker/build-kafka-image.sh' \
      -c 'CMD ["/etc/kafka/docker/run"]' \
      - "$image" >/dev/null
new=$("$docker" image inspect -f '{{.Id}}' "$image")
if [ -n "$old" ] && [ "$old" != "$new" ]; then
  "$docker" image rm "$old" >/dev/null 2>&1 || true
fi

size=$("$docker" image inspect -f '{{.Size}}' "$image")
echo "build-kafka-image: built $image ($new) in ${SECONDS} s, size $(awk -v b="$size" 'BEGIN { printf "%.1f MB", b / 1e6 }')"
