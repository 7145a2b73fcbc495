package org.causalimpact.monitor.state;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.ingest.Source;

/**
 * A monitor's interventions, running and ended. Read and written when an intervention event
 * arrives or a row closes, never per point (the grid lives in {@link GridState}, model health in
 * {@link HealthState}); stored as JSON in a changelogged store. Mutable, owned by one processor
 * task.
 */
public final class MonitorState {
  /** Nothing emitted yet. */
  public static final long NONE = Long.MIN_VALUE;

  public Map<String, Active> interventions = new LinkedHashMap<>();
  public Map<String, Active> ended = new LinkedHashMap<>();

  /** A started intervention. */
  public static final class Active {
    public String id;
    public long startStep;
    /** First step without the do-specs (the end event), or {@code null} while it runs. */
    public Long endStep;

    /** First step no longer reported: {@code endStep} plus the persistence rows. */
    public Long reportEndStep;

    /** Whether the summary of {@code [startStep, endStep)} was emitted. */
    public boolean summarized;
    public Map<String, Map<String, Object>> actions = new LinkedHashMap<>();
    public List<String> outcomes = new ArrayList<>();
    public long emittedThrough = NONE;
    public Source source;
  }
}
