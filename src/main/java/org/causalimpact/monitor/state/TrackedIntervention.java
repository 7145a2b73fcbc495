package org.causalimpact.monitor.state;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.ingest.Source;
import org.causalimpact.monitor.scm.DoSpec;

/**
 * One started intervention of a monitor and how far it has been reported, running or ended: the
 * value of the {@code monitor-interventions} store under {@link #key}, as JSON ({@link
 * StateSerdes#INTERVENTION}). Mutable, owned by one processor task.
 */
public final class TrackedIntervention {
  /** Nothing emitted yet. */
  public static final long NONE = Long.MIN_VALUE;

  /** How an intervention left the running ones. */
  public enum Ending {
    /** Its end (or the post-row limit) came and its summaries were emitted. */
    @JsonProperty("ended")
    ENDED,
    /** An end at or before its start came before its first row closed: nothing was reported. */
    @JsonProperty("cancelled")
    CANCELLED,
    /** Its analysis failed on the stored rows (a dead letter says why); reported rows stand. */
    @JsonProperty("failed")
    FAILED
  }

  public String id;
  public long startStep;

  /**
   * First step without the do-specs (the end event), or {@code null} while it runs without one.
   * Every ended intervention has one: a cancelled one's is its start, a failed one's the row whose
   * analysis failed (unless it had an end already).
   */
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

  /**
   * The start event, for dead letters about the intervention while it runs; {@code null} once it
   * ended (nothing dead-letters an ended intervention, and its bytes would only fill the store).
   */
  public Source source;

  /** How it left the running ones; {@code null} while it runs (or is pending). */
  public Ending ending;

  /** The key of intervention {@code id} of {@code monitor}: monitor names hold no {@code /}. */
  public static String key(String monitor, String id) {
    return monitor + "/" + id;
  }

  /** Whether no row of it was reported yet: its first step has not closed. */
  public boolean pending() {
    return emittedThrough == NONE && ending == null;
  }
}
