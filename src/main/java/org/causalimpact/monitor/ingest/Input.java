package org.causalimpact.monitor.ingest;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.causalimpact.monitor.scm.DoSpec;

/**
 * One parsed input for one monitor: a metric point, or the start or end of an intervention. The
 * monitor is the record's key; each input carries where it came from, so that a dead letter written
 * later (a point found late after repartitioning, say) still holds the original bytes and position.
 */
public sealed interface Input extends Routed permits Input.Point, Input.Start, Input.End {
  /** Event time in epoch milliseconds. */
  long timestamp();

  /** Where the input came from. */
  Source source();

  /**
   * A metric point of one node.
   *
   * @param node the series, a node of the monitor
   */
  record Point(String node, long timestamp, double value, Source source) implements Input {}

  /**
   * An intervention starts.
   *
   * @param id the intervention's id
   * @param actions do-spec per intervened node, in the order given
   * @param outcomes the nodes to report; empty means every descendant of the intervened nodes
   */
  record Start(
      String id, long timestamp, Map<String, DoSpec> actions, List<String> outcomes, Source source)
      implements Input {
    public Start {
      Objects.requireNonNull(id, "id");
      actions = Collections.unmodifiableMap(new LinkedHashMap<>(actions));
      outcomes = List.copyOf(outcomes);
    }
  }

  /** An intervention ends at {@code timestamp} (exclusive). */
  record End(String id, long timestamp, Source source) implements Input {
    public End {
      Objects.requireNonNull(id, "id");
    }
  }
}
