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

# shellcheck source=harness.sh
source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
run_harness org.causalimpact.monitor.bench.SoakHarness 1g -Dcim.minutes="${MINUTES:-10}"
