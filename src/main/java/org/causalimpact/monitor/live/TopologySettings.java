package org.causalimpact.monitor.live;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.causalimpact.monitor.ingest.DeadLetter;

/**
 * Topic names and grid settings of the streaming monitor.
 *
 * @param metricsTopic metric points in
 * @param interventionsTopic intervention events in
 * @param impactTopic one impact record per outcome node per closed post-period row
 * @param summaryTopic the final summary of each ended intervention
 * @param healthTopic one-step-ahead predictions of every node before interventions (model health)
 * @param grace how long after a step's end late points are still accepted
 * @param maxPostRows rows after an intervention's start kept for it; an intervention still running
 *     then is ended with a summary
 * @param healthRefitEvery before interventions, the model-health coefficients are solved again
 *     from the sliding window's sums every this many closed rows (the sums themselves move every
 *     row)
 * @param persistenceRows after an intervention's end, keep reporting this many rows (the effect
 *     that persists once the do-specs stop), then emit a second summary; 0 reports nothing after
 *     the end
 * @param keyedByMonitor the inputs are keyed by monitor name (every metric point and intervention
 *     event by its monitor's, with Kafka's default partitioner, and both topics have as many
 *     partitions): points and events go straight to their monitor's task, without the {@code
 *     by-monitor} repartition topic; a record keyed otherwise is dead-lettered
 * @param interventions bounds on each monitor's interventions (running, ended kept, how far ahead)
 */
public record TopologySettings(
    String metricsTopic,
    String interventionsTopic,
    String impactTopic,
    String summaryTopic,
    String healthTopic,
    Duration grace,
    int maxPostRows,
    int healthRefitEvery,
    int persistenceRows,
    boolean keyedByMonitor,
    InterventionLimits interventions) {
  /** Default of {@link #healthRefitEvery}. */
  public static final int DEFAULT_HEALTH_REFIT_EVERY = 1;

  public TopologySettings {
    Objects.requireNonNull(metricsTopic, "metricsTopic");
    Objects.requireNonNull(interventionsTopic, "interventionsTopic");
    Objects.requireNonNull(impactTopic, "impactTopic");
    Objects.requireNonNull(summaryTopic, "summaryTopic");
    Objects.requireNonNull(healthTopic, "healthTopic");
    if (grace == null || grace.isNegative()) {
      throw new IllegalArgumentException("grace must be a duration >= 0, got " + grace);
    }
    if (maxPostRows < 1) {
      throw new IllegalArgumentException("maxPostRows must be >= 1, got " + maxPostRows);
    }
    if (healthRefitEvery < 1) {
      throw new IllegalArgumentException(
          "healthRefitEvery must be >= 1, got " + healthRefitEvery);
    }
    if (persistenceRows < 0) {
      throw new IllegalArgumentException("persistenceRows must be >= 0, got " + persistenceRows);
    }
    Objects.requireNonNull(interventions, "interventions");
  }

  /** Settings with the default {@link InterventionLimits}. */
  public TopologySettings(
      String metricsTopic,
      String interventionsTopic,
      String impactTopic,
      String summaryTopic,
      String healthTopic,
      Duration grace,
      int maxPostRows,
      int healthRefitEvery,
      int persistenceRows,
      boolean keyedByMonitor) {
    this(
        metricsTopic, interventionsTopic, impactTopic, summaryTopic, healthTopic, grace,
        maxPostRows, healthRefitEvery, persistenceRows, keyedByMonitor,
        InterventionLimits.defaults());
  }

  /** Settings with the default model-health refit interval and no persistence period. */
  public TopologySettings(
      String metricsTopic,
      String interventionsTopic,
      String impactTopic,
      String summaryTopic,
      String healthTopic,
      Duration grace,
      int maxPostRows) {
    this(
        metricsTopic,
        interventionsTopic,
        impactTopic,
        summaryTopic,
        healthTopic,
        grace,
        maxPostRows,
        DEFAULT_HEALTH_REFIT_EVERY,
        0,
        false);
  }

  public static TopologySettings defaults() {
    return new TopologySettings(
        "metrics", "interventions", "impact", "impact.summary", "model.health",
        Duration.ofSeconds(30), 10_000);
  }

  public TopologySettings withGrace(Duration g) {
    return new TopologySettings(
        metricsTopic,
        interventionsTopic,
        impactTopic,
        summaryTopic,
        healthTopic,
        g,
        maxPostRows,
        healthRefitEvery,
        persistenceRows,
        keyedByMonitor,
        interventions);
  }

  public TopologySettings withPersistenceRows(int rows) {
    return new TopologySettings(
        metricsTopic, interventionsTopic, impactTopic, summaryTopic, healthTopic, grace,
        maxPostRows, healthRefitEvery, rows, keyedByMonitor, interventions);
  }

  public TopologySettings withKeyedByMonitor(boolean keyed) {
    return new TopologySettings(
        metricsTopic, interventionsTopic, impactTopic, summaryTopic, healthTopic, grace,
        maxPostRows, healthRefitEvery, persistenceRows, keyed, interventions);
  }

  public TopologySettings withInterventions(InterventionLimits limits) {
    return new TopologySettings(
        metricsTopic, interventionsTopic, impactTopic, summaryTopic, healthTopic, grace,
        maxPostRows, healthRefitEvery, persistenceRows, keyedByMonitor, limits);
  }

  /** The dead-letter topic of {@code topic}. */
  public static String dlq(String topic) {
    return DeadLetter.topicOf(topic);
  }

  /**
   * Every topic the monitor reads or writes (inputs, outputs, dead letters: of the inputs, and of
   * the outputs for records too large for their topic).
   */
  public List<String> topics() {
    return List.of(
        metricsTopic,
        interventionsTopic,
        impactTopic,
        summaryTopic,
        healthTopic,
        dlq(metricsTopic),
        dlq(interventionsTopic),
        dlq(impactTopic),
        dlq(summaryTopic),
        dlq(healthTopic));
  }
}
