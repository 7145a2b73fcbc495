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

# shellcheck source=harness.sh
source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
run_harness org.causalimpact.monitor.bench.LiveAnalysesHeap 2g
