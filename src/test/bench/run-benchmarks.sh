#!/usr/bin/env bash
# Performance check of issue 2, item 6:
#   (1) fit + calibration + 1,000 bootstrap replicates, T = 5,000 rows, 4 nodes: <= 200 ms
#   (2) the whole `analyze` process on a 5,000-row CSV: <= 1 s wall
#
# Run from the project root:  src/test/bench/run-benchmarks.sh
#
# Environment (all optional):
#   BUILD_DIR   Maven build directory (default: target); passed as -DbuildDir
#   JMH_REGEX   benchmarks to run (default: EngineBenchmark)
#   JMH_ARGS    JMH options (default: -f 1; e.g. "-f 1 -p post=500 -prof gc")
#   WALL_RUNS   timed runs of `analyze` (default: 5)
#   SKIP_BUILD  set to 1 to reuse an existing build
#   MVN_ARGS    extra Maven arguments (e.g. -o)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../../.."   # project root (this file is src/test/bench/)

BUILD_DIR="${BUILD_DIR:-target}"
case "$BUILD_DIR" in
  /*) ;;
  *) BUILD_DIR="$PWD/$BUILD_DIR" ;;
esac
JMH_REGEX="${JMH_REGEX:-EngineBenchmark}"
# Forks, warm-up and measurement come from the annotations of EngineBenchmark (1 fork, 3 x 1 s
# warm-up, 5 x 1 s measurement; longer for fullAnalysisGraphMode): about 3.5 minutes on 2 cores.
JMH_ARGS="${JMH_ARGS:--f 1}"
WALL_RUNS="${WALL_RUNS:-5}"
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  JAVA="$JAVA_HOME/bin/java"
else
  JAVA=java
fi
read -r -a MVN_EXTRA <<< "${MVN_ARGS:-}"

CP_FILE="$BUILD_DIR/bench-classpath.txt"
RESULT="$BUILD_DIR/jmh-result.json"
JAR="$BUILD_DIR/causal-impact-monitor.jar"

echo "== machine"
echo "nproc: $(nproc 2>/dev/null || echo '?')"
if command -v lscpu >/dev/null; then lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core|Socket)' || true; fi
"$JAVA" -version 2>&1

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "== build (jar + test classes)"
  # package runs test-compile too (-DskipTests skips running the tests, not compiling them); the
  # JMH annotation processor generates the benchmark harness into the test classes.
  mvn -B -q ${MVN_EXTRA[@]+"${MVN_EXTRA[@]}"} -DbuildDir="$BUILD_DIR" -DskipTests package
fi
mvn -B -q ${MVN_EXTRA[@]+"${MVN_EXTRA[@]}"} -DbuildDir="$BUILD_DIR" \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test
CP="$BUILD_DIR/test-classes:$BUILD_DIR/classes:$(cat "$CP_FILE")"

echo "== JMH: $JMH_REGEX $JMH_ARGS"
# shellcheck disable=SC2086  # JMH_ARGS is a list of options
"$JAVA" -cp "$CP" org.openjdk.jmh.Main "$JMH_REGEX" $JMH_ARGS -rf json -rff "$RESULT"
echo "JMH results: $RESULT"
echo "target (1): fullAnalysis, rows=5000, post=500 (and 100): <= 200 ms/op"

echo "== analyze wall clock ($WALL_RUNS runs)"
"$JAVA" -cp "$CP" -Dcim.jar="$JAR" -Dcim.runs="$WALL_RUNS" \
  org.causalimpact.monitor.bench.AnalyzeWallClock
