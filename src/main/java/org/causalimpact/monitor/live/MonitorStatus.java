package org.causalimpact.monitor.live;

import java.time.Instant;
import java.util.List;
import org.causalimpact.monitor.config.MonitorDefinition;

/**
 * A monitor's live state as the interactive queries see it.
 *
 * @param definition the monitor's definition (graph, step, settings)
 * @param lastClosed start time of the last closed row, or {@code null} before the first
 * @param openSteps grid steps that have points but are not closed yet
 * @param interventions running and ended interventions, in start order
 */
public record MonitorStatus(
    MonitorDefinition definition,
    Instant lastClosed,
    int openSteps,
    List<InterventionStatus> interventions) {
  public MonitorStatus {
    interventions = List.copyOf(interventions);
  }
}
