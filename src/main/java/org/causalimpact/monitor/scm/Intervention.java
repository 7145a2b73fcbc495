package org.causalimpact.monitor.scm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An intervention on a monitor: which nodes it sets and how, from which row it starts, until
 * which row it runs, and which nodes to report.
 *
 * @param id the intervention's name
 * @param actions do-spec per intervened node; may be empty when the treatment is not a node of
 *     the graph (CausalImpact mode: the outcome is shocked by something the model does not see)
 * @param outcomes nodes to report; empty means every descendant of the intervened nodes
 * @param start first row of the post-period (the intervention time {@code T0})
 * @param end row after the last post-period row (exclusive), or {@code -1} for "to the end of data"
 * @param actionEnd row from which the do-specs no longer hold (exclusive end of the intervention
 *     itself), or {@code -1} when they hold through the whole post-period; rows from {@code
 *     actionEnd} to {@code end} are the persistence period: the intervened nodes follow their own
 *     equations again and the effect that remains is what carries over through the lags
 */
public record Intervention(
    String id,
    Map<String, DoSpec> actions,
    List<String> outcomes,
    int start,
    int end,
    int actionEnd) {
  public Intervention {
    Objects.requireNonNull(id, "id");
    actions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(actions));
    outcomes = List.copyOf(outcomes);
    if (start < 0) {
      throw new IllegalArgumentException("intervention start row must be >= 0, got " + start);
    }
    if (end != -1 && end <= start) {
      throw new IllegalArgumentException(
          "intervention end row " + end + " must be after its start row " + start);
    }
    if (actionEnd != -1 && actionEnd <= start) {
      throw new IllegalArgumentException(
          "intervention action end row " + actionEnd + " must be after its start row " + start);
    }
    if (actionEnd != -1 && end != -1 && actionEnd > end) {
      throw new IllegalArgumentException(
          "intervention action end row " + actionEnd + " is after its post-period end " + end);
    }
    if (actions.isEmpty() && outcomes.isEmpty()) {
      throw new IllegalArgumentException(
          "intervention '" + id + "' names neither intervened nodes nor outcomes");
    }
  }

  /** An intervention whose do-specs hold through the whole post-period. */
  public Intervention(
      String id, Map<String, DoSpec> actions, List<String> outcomes, int start, int end) {
    this(id, actions, outcomes, start, end, -1);
  }

  /** The row from which the do-specs stop, {@code Integer.MAX_VALUE} if they never do. */
  public int actionEndRow() {
    return actionEnd == -1 ? Integer.MAX_VALUE : actionEnd;
  }

  /** The post-period end for a table of {@code rows} rows. */
  public int endWithin(int rows) {
    return end == -1 ? rows : Math.min(end, rows);
  }
}
