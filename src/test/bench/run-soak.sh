#!/usr/bin/env bash
# Soak harness of issue 6 on the embedded real broker (bounded run): the full monitor topology with
# exactly-once under paced, valid load with interventions starting and ending, for a fixed time;
# a line a minute (heap after GC, latency p50/p99, counts), then the checks. Exit status 0 when
# every check passes. See docs/soak.md and the Javadoc of
# src/test/java/org/causalimpact/monitor/bench/SoakHarness.java.
#
# Run from the project root:  src/test/bench/run-soak.sh
#
# Environment (all optional):
#   MINUTES       how long the paced phase runs (default: 10); passed as -Dcim.minutes
#   BUILD_DIR     Maven build directory (default: target); passed as -DbuildDir
#   HARNESS_ARGS  more JVM system properties, e.g. "-Dcim.monitors=50 -Dcim.rowsPerSecond=1"
#   HEAP          max heap (default: 1g)
#   SKIP_BUILD    set to 1 to reuse an existing build
#   MVN_ARGS      extra Maven arguments (e.g. -o)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../../.."

BUILD_DIR="${BUILD_DIR:-target}"
[[ "$BUILD_DIR" == /* ]] || BUILD_DIR="$PWD/$BUILD_DIR"
read -r -a MVN_EXTRA <<< "${MVN_ARGS:-}"
read -r -a EXTRA <<< "-Dcim.minutes=${MINUTES:-10} ${HARNESS_ARGS:-}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

echo "== machine: nproc $(nproc 2>/dev/null || echo '?');" \
  "$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p');" \
  "$("$JAVA" -version 2>&1 | head -1)"

mvn_q() { mvn -B -q ${MVN_EXTRA[@]+"${MVN_EXTRA[@]}"} -DbuildDir="$BUILD_DIR" "$@"; }
[[ "${SKIP_BUILD:-0}" == 1 ]] || mvn_q -DskipTests test-compile
mvn_q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile="$BUILD_DIR/bench-classpath.txt" -Dmdep.includeScope=test

exec "$JAVA" -Xmx"${HEAP:-1g}" "${EXTRA[@]}" \
  -cp "$BUILD_DIR/test-classes:$BUILD_DIR/classes:$(cat "$BUILD_DIR/bench-classpath.txt")" \
  org.causalimpact.monitor.bench.SoakHarness
