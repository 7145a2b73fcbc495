# Shared by the harness scripts in this directory (sourced, not run): builds the test classes
# unless SKIP_BUILD=1, resolves the test classpath, prints the machine, and runs a harness class.
#
# Environment (all optional): BUILD_DIR (default: target), MVN_ARGS, HARNESS_ARGS, HEAP,
# SKIP_BUILD, JAVA_HOME.
#
#   run_harness <main class> <default heap> [JVM options...]
run_harness() {
  local main="$1" heap="$2"
  shift 2
  cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
  local build="${BUILD_DIR:-target}"
  [[ "$build" == /* ]] || build="$PWD/$build"
  local mvn_extra extra
  read -r -a mvn_extra <<< "${MVN_ARGS:-}"
  read -r -a extra <<< "${HARNESS_ARGS:-}"
  local java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
  echo "== machine: nproc $(nproc 2>/dev/null || echo '?');" \
    "$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p');" \
    "$("$java" -version 2>&1 | head -1)"
  if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    mvn -B -q ${mvn_extra[@]+"${mvn_extra[@]}"} -DbuildDir="$build" -DskipTests test-compile
  fi
  mvn -B -q ${mvn_extra[@]+"${mvn_extra[@]}"} -DbuildDir="$build" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.outputFile="$build/bench-classpath.txt" -Dmdep.includeScope=test
  exec "$java" -Xmx"${HEAP:-$heap}" "$@" ${extra[@]+"${extra[@]}"} \
    -cp "$build/test-classes:$build/classes:$(cat "$build/bench-classpath.txt")" "$main"
}
