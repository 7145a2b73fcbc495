#!/usr/bin/env bash
# Throughput / latency / heap harness of issue 5 on the embedded real broker (bounded run):
# the full monitor topology next to a bare parse-and-forward topology on the same input, with
# exactly-once, then row-close -> impact-record latency and heap per monitor. See the Javadoc of
# src/test/java/org/causalimpact/monitor/bench/ThroughputHarness.java.
#
# Run from the project root:  src/test/bench/run-throughput.sh
#
# Environment (all optional):
#   BUILD_DIR     Maven build directory (default: target); passed as -DbuildDir
#   HARNESS_ARGS  JVM system properties, e.g. "-Dcim.monitors=1000 -Dcim.rows=300"
#   HEAP          max heap (default: 2g)
#   SKIP_BUILD    set to 1 to reuse an existing build
#   MVN_ARGS      extra Maven arguments (e.g. -o)
set -euo pipefail

# shellcheck source=harness.sh
source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
run_harness org.causalimpact.monitor.bench.ThroughputHarness 2g
