package org.causalimpact.monitor.live;

import org.causalimpact.monitor.impact.StreamingAnalysis;

/**
 * What the topology tells the outside while it runs (meters, say), besides the records it writes.
 * Called from stream threads, several at once; implementations must be thread-safe and quick, and
 * must not throw. Every method does nothing by default. Under exactly-once a task that is retried
 * reprocesses its records, so counts seen here can exceed the records committed to the topics.
 */
public interface StreamListener {
  /** Does nothing. */
  StreamListener NONE = new StreamListener() {};

  /** A record was read from input topic {@code topic}. */
  default void recordIn(String topic) {}

  /** A record of {@code sourceTopic} went to its dead-letter topic for {@code reason}. */
  default void deadLetter(String sourceTopic, String reason, String monitor) {}

  /**
   * Kafka refused to write a record to {@code topic} (the producer or the broker, after the
   * topology forwarded it) for {@code reason}, a bounded word such as {@code too-large}.
   */
  default void sendFailed(String topic, String reason) {}

  /** Monitor {@code monitor} closed the grid row starting at {@code stepStartMillis}. */
  default void rowClosed(String monitor, long stepStartMillis) {}

  /**
   * An impact record was emitted.
   *
   * @param step the row reported for one outcome, with the p-values of the analysis through it
   */
  default void impact(String monitor, String intervention, StreamingAnalysis.OutcomeStep step) {}

  /** An intervention's post-period and any persistence period are over; no more records come. */
  default void interventionEnded(String monitor, String intervention) {}

  /**
   * A model-health record for one node.
   *
   * @param coverage rolling share of one-step bands that covered the actual value, or {@code null}
   *     before any band exists
   */
  default void health(
      String monitor, String node, double rSquared, double residualScale, Double coverage) {}

  /** One analysis (fit, calibration and bootstrap) of monitor {@code monitor} took this long. */
  default void analysisTime(String monitor, long nanos) {}
}
