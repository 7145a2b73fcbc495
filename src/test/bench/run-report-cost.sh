#!/usr/bin/env bash
# Cost of one intervention-report request at post-period step 100 and 5,000 (issue 19, item 5):
# the analysis once per closed row, the live page's incremental poll, a page of 500 steps.
# See the Javadoc of src/test/java/org/causalimpact/monitor/bench/ReportCost.java.
#
# Run from the project root:  src/test/bench/run-report-cost.sh
#
# Environment (all optional):
#   BUILD_DIR     Maven build directory (default: target); passed as -DbuildDir
#   HARNESS_ARGS  JVM system properties, e.g. "-Dcim.posts=100,1000,5000 -Dcim.requests=100"
#   HEAP          max heap (default: 1g)
#   SKIP_BUILD    set to 1 to reuse an existing build
#   MVN_ARGS      extra Maven arguments (e.g. -o)
set -euo pipefail

# shellcheck source=harness.sh
source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
run_harness org.causalimpact.monitor.bench.ReportCost 1g
