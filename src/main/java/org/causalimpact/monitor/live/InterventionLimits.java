package org.causalimpact.monitor.live;

import java.time.Duration;

/**
 * Bounds on a monitor's interventions, so that its state stays small however many come and
 * whatever their timestamps (docs/reliability.md, "Bounded state").
 *
 * @param maxRunning most interventions running (or pending) at once per monitor; a start over it is
 *     dead-lettered {@code too-many-running}
 * @param keepEnded most ended interventions kept per monitor (the API lists them; a start that
 *     reuses a kept id is a {@code duplicate-start}); older ones are forgotten
 * @param maxEndedAge an ended intervention is forgotten once its end lies this far behind the
 *     monitor's last closed row (event time), however few are kept
 * @param maxLead a start may lie at most this far after the monitor's newest point or the current
 *     time, whichever is later (the clock serves a backlog replayed long after, whose points catch
 *     up with its events only later); further ahead it is dead-lettered {@code too-far-ahead}
 */
public record InterventionLimits(
    int maxRunning, int keepEnded, Duration maxEndedAge, Duration maxLead) {
  /** Setting of {@link #maxRunning}. */
  public static final String MAX_RUNNING = "monitor.interventions.max.running";

  /** Setting of {@link #keepEnded}. */
  public static final String KEEP_ENDED = "monitor.interventions.ended.keep";

  /** Setting of {@link #maxEndedAge}. */
  public static final String MAX_ENDED_AGE = "monitor.interventions.ended.max.age";

  /** Setting of {@link #maxLead}. */
  public static final String MAX_LEAD = "monitor.interventions.max.lead";

  public InterventionLimits {
    if (maxRunning < 1) {
      throw new IllegalArgumentException("maxRunning must be >= 1, got " + maxRunning);
    }
    if (keepEnded < 0) {
      throw new IllegalArgumentException("keepEnded must be >= 0, got " + keepEnded);
    }
    if (maxEndedAge == null || maxEndedAge.isNegative() || maxEndedAge.isZero()) {
      throw new IllegalArgumentException("maxEndedAge must be a duration > 0, got " + maxEndedAge);
    }
    if (maxLead == null || maxLead.isNegative()) {
      throw new IllegalArgumentException("maxLead must be a duration >= 0, got " + maxLead);
    }
  }

  /** 16 running, 100 ended kept for at most 30 days, starts at most 7 days ahead. */
  public static InterventionLimits defaults() {
    return new InterventionLimits(16, 100, Duration.ofDays(30), Duration.ofDays(7));
  }

  public InterventionLimits withMaxRunning(int n) {
    return new InterventionLimits(n, keepEnded, maxEndedAge, maxLead);
  }

  public InterventionLimits withKeepEnded(int n) {
    return new InterventionLimits(maxRunning, n, maxEndedAge, maxLead);
  }

  public InterventionLimits withMaxEndedAge(Duration d) {
    return new InterventionLimits(maxRunning, keepEnded, d, maxLead);
  }

  public InterventionLimits withMaxLead(Duration d) {
    return new InterventionLimits(maxRunning, keepEnded, maxEndedAge, d);
  }
}
