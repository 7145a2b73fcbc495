package org.causalimpact.monitor.impact;

import java.util.List;

/** Everything reported for one outcome node: its step series and its summary. */
public record OutcomeImpact(String node, List<StepImpact> series, Summary summary) {
  public OutcomeImpact {
    series = List.copyOf(series);
  }
}
