#!/usr/bin/env bash
# Heap of the running interventions of issue 5 (1,000 monitors in <= 2 GB): sets up N streaming
# analyses as the stream keeps them in memory and reports the used heap after GC per analysis.
# See the Javadoc of src/test/java/org/causalimpact/monitor/bench/LiveAnalysesHeap.java.
#
# Run from the project root:  src/test/bench/run-live-heap.sh
#
# Environment (all optional):
#   BUILD_DIR     Maven build directory (default: target); passed as -DbuildDir
#   HARNESS_ARGS  JVM system properties, e.g. "-Dcim.analyses=100 -Dcim.steps=10"
#   HEAP          max heap (default: 2g)
#   SKIP_BUILD    set to 1 to reuse an existing build
#   MVN_ARGS      extra Maven arguments (e.g. -o)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../../.."

BUILD_DIR="${BUILD_DIR:-target}"
case "$BUILD_DIR" in
  /*) ;;
  *) BUILD_DIR="$PWD/$BUILD_DIR" ;;
esac
read -r -a MVN_EXTRA <<< "${MVN_ARGS:-}"
read -r -a EXTRA <<< "${HARNESS_ARGS:-}"
JAVA=java
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"; fi

"$JAVA" -version 2>&1 | head -1
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  mvn -B -q ${MVN_EXTRA[@]+"${MVN_EXTRA[@]}"} -DbuildDir="$BUILD_DIR" -DskipTests test-compile
fi
CP_FILE="$BUILD_DIR/bench-classpath.txt"
mvn -B -q ${MVN_EXTRA[@]+"${MVN_EXTRA[@]}"} -DbuildDir="$BUILD_DIR" \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test
CP="$BUILD_DIR/test-classes:$BUILD_DIR/classes:$(cat "$CP_FILE")"

"$JAVA" -Xmx"${HEAP:-2g}" ${EXTRA[@]+"${EXTRA[@]}"} -cp "$CP" \
  org.causalimpact.monitor.bench.LiveAnalysesHeap
