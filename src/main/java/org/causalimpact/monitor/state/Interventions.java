package org.causalimpact.monitor.state;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A monitor's interventions, running and ended, by id: the value of the {@code monitor-state}
 * store. Read and written when an intervention event arrives or a row closes, never per point (the
 * grid lives in {@link GridState}, model health in {@link HealthState}); stored as JSON ({@link
 * StateSerdes#INTERVENTIONS}). Mutable, owned by one processor task.
 */
@JsonPropertyOrder({"interventions", "ended"})
public final class Interventions {
  /** Running interventions, in start order (stored as {@code interventions}). */
  @JsonProperty("interventions")
  public Map<String, TrackedIntervention> running = new LinkedHashMap<>();

  /** Ended interventions, in end order. */
  public Map<String, TrackedIntervention> ended = new LinkedHashMap<>();
}
