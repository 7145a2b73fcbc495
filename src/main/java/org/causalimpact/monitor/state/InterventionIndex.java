package org.causalimpact.monitor.state;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which interventions a monitor has: the value of the {@code monitor-state} store, keyed by monitor
 * name, as JSON ({@link StateSerdes#INTERVENTIONS}). Only ids: each intervention's record is stored
 * under its own key ({@link TrackedIntervention#key}), so a closed row rewrites the running
 * interventions and not the ended ones, and no value grows with the number of interventions. The
 * index changes only when an intervention starts, ends or is forgotten. Mutable, owned by one
 * processor task.
 */
@JsonPropertyOrder({"version", "running", "ended"})
public final class InterventionIndex {
  /** Version 1 was one record with every intervention in it (no {@code version} field). */
  public static final int VERSION = 2;

  public int version = VERSION;

  /** Ids of the running interventions (pending ones included), in start order. */
  public List<String> running = new ArrayList<>();

  /** Ids of the ended interventions kept, in end order, each with its end step. */
  public Map<String, Long> ended = new LinkedHashMap<>();

  /**
   * The records of a version-1 value, which held them all; empty otherwise. Not stored: the
   * processor writes them under their own keys when it next changes the monitor's interventions,
   * and reads fall back to them until then.
   */
  @JsonIgnore public Map<String, TrackedIntervention> upgraded = new LinkedHashMap<>();

  /** The index of a version-1 value: its running and ended interventions, records kept aside. */
  static InterventionIndex upgrade(
      Map<String, TrackedIntervention> running, Map<String, TrackedIntervention> ended) {
    InterventionIndex index = new InterventionIndex();
    index.running.addAll(running.keySet());
    index.upgraded.putAll(running);
    for (TrackedIntervention iv : ended.values()) {
      if (iv.ending == null) {
        // version 1 did not say how: a failed analysis left no end step
        iv.ending = iv.endStep == null ? TrackedIntervention.Ending.FAILED
            : TrackedIntervention.Ending.ENDED;
      }
      if (iv.endStep == null) {
        iv.endStep = Math.max(iv.startStep, iv.emittedThrough + 1);
      }
      iv.source = null;
      index.ended.put(iv.id, iv.endStep);
      index.upgraded.put(iv.id, iv);
    }
    return index;
  }
}
