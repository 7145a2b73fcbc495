package org.causalimpact.monitor.stream;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The small per-monitor state (the closed rows live in their own store): open grid cells, stream
 * time, the last closed step, the last value of each node (for imputation) and the interventions.
 * Mutable, owned by one processor task; stored as JSON in a changelogged store.
 */
final class MonitorState {
  /** No step closed yet. */
  static final long NONE = Long.MIN_VALUE;

  public long lastClosedStep = NONE;
  public long maxEventTime = NONE;
  public TreeMap<Long, Map<String, Cell>> open = new TreeMap<>();
  public double[] lastValues;
  public Map<String, Active> interventions = new LinkedHashMap<>();
  public Map<String, Active> ended = new LinkedHashMap<>();

  /** Step from which the current model-health fit predicts (its fit ends just before). */
  public long healthFitStep = NONE;

  /** Per node, the latest one-step absolute errors, oldest first (at most {@code HEALTH_WINDOW}). */
  public Map<String, List<Double>> healthErrors = new LinkedHashMap<>();

  /** Per node, whether each of the latest one-step bands covered the actual value. */
  public Map<String, List<Boolean>> healthCovered = new LinkedHashMap<>();

  /** Aggregate of the points of one node in one step. */
  static final class Cell {
    public double sum;
    public long count;
    public double last;
    public long lastTime = Long.MIN_VALUE;
  }

  /** A started intervention. */
  static final class Active {
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
