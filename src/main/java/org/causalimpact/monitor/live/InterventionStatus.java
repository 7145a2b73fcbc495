package org.causalimpact.monitor.live;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.causalimpact.monitor.scm.DoSpec;

/**
 * An intervention as the monitor knows it.
 *
 * @param id its id
 * @param start first post-period step's start time
 * @param end end time (exclusive), or {@code null} while it runs without a known end; a cancelled
 *     intervention ends at its start, a failed one at the row whose analysis failed
 * @param actions its do-specs
 * @param outcomes its outcomes (empty: every descendant)
 * @param stepsReported post-period rows reported so far
 * @param state where it stands
 */
public record InterventionStatus(
    String id,
    Instant start,
    Instant end,
    Map<String, DoSpec> actions,
    List<String> outcomes,
    long stepsReported,
    State state) {
  public InterventionStatus {
    actions = Map.copyOf(actions);
    outcomes = List.copyOf(outcomes);
  }

  /** Where an intervention stands. */
  public enum State {
    /** Started, but its first step has not closed: model health still runs. */
    PENDING,
    /** Its rows are being reported (through the persistence rows after its end). */
    ACTIVE,
    /** Over: its summaries were emitted. */
    ENDED,
    /** Ended before its first step closed: nothing was reported. */
    CANCELLED,
    /** Its analysis failed on the stored rows; the rows reported before stand. */
    FAILED;

    /** The state as the API writes it: {@code pending}, {@code active}, .... */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Whether its rows are being reported now. */
  public boolean active() {
    return state == State.ACTIVE;
  }
}
