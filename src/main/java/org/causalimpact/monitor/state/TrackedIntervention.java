package org.causalimpact.monitor.state;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.ingest.Source;
import org.causalimpact.monitor.scm.DoSpec;

/**
 * One started intervention of a monitor and how far it has been reported, running or ended; part
 * of {@link Interventions}. Mutable, owned by one processor task.
 */
public final class TrackedIntervention {
  /** Nothing emitted yet. */
  public static final long NONE = Long.MIN_VALUE;

  public String id;
  public long startStep;

  /** First step without the do-specs (the end event), or {@code null} while it runs. */
  public Long endStep;

  /** First step no longer reported: {@code endStep} plus the persistence rows. */
  public Long reportEndStep;

  /**
   * Whether reporting stopped at {@code monitor.max.post.rows} before an end event came: {@code
   * endStep} is then the cap, not the end of the do-specs.
   */
  public boolean stoppedAtMaxPostRows;

  /** Whether the summary of {@code [startStep, endStep)} was emitted. */
  public boolean summarized;

  /** Do-spec per intervened node, in the order given. */
  public Map<String, DoSpec> actions = new LinkedHashMap<>();

  public List<String> outcomes = new ArrayList<>();

  /** Last step reported, or {@link #NONE}. */
  public long emittedThrough = NONE;

  /** The start event, for dead letters about the intervention. */
  public Source source;
}
