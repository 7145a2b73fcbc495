package org.causalimpact.monitor.state;

/**
 * The names of the per-monitor stores, each keyed by monitor name (rows: {@code monitor/chunk},
 * interventions: {@code monitor/id}). A name is also the stem of the store's changelog topic, so
 * it never changes.
 */
public final class StoreNames {
  private StoreNames() {}

  /** Per-monitor ids of the interventions, running and ended ({@link InterventionIndex}, JSON). */
  public static final String STATE_STORE = "monitor-state";

  /**
   * One record per intervention kept ({@link TrackedIntervention}, JSON), keyed {@code
   * monitor/id}.
   */
  public static final String INTERVENTIONS_STORE = "monitor-interventions";

  /** Per-monitor grid: last closed step, stream time, open cells, last values (binary). */
  public static final String GRID_STORE = "monitor-grid";

  /** Per-monitor model-health progress ({@link HealthState}, binary). */
  public static final String HEALTH_STORE = "monitor-health";

  /** Closed grid rows in chunks of {@value RowChunk#SIZE} steps, keyed {@code monitor/chunk}. */
  public static final String ROWS_STORE = "monitor-rows";
}
