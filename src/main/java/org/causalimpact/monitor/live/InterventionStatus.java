package org.causalimpact.monitor.live;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.scm.DoSpec;

/**
 * An intervention as the monitor knows it.
 *
 * @param id its id
 * @param start first post-period step's start time
 * @param end end time (exclusive), or {@code null} while it runs without a known end
 * @param actions its do-specs
 * @param outcomes its outcomes (empty: every descendant)
 * @param stepsReported post-period rows reported so far
 * @param active whether it is still running
 */
public record InterventionStatus(
    String id,
    Instant start,
    Instant end,
    Map<String, DoSpec> actions,
    List<String> outcomes,
    long stepsReported,
    boolean active) {
  public InterventionStatus {
    actions = Map.copyOf(actions);
    outcomes = List.copyOf(outcomes);
  }
}
