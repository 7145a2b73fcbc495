package org.causalimpact.monitor.stream;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

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
 */
public record StreamSettings(
    String metricsTopic,
    String interventionsTopic,
    String impactTopic,
    String summaryTopic,
    String healthTopic,
    Duration grace,
    int maxPostRows) {
  public StreamSettings {
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
  }

  public static StreamSettings defaults() {
    return new StreamSettings(
        "metrics", "interventions", "impact", "impact.summary", "model.health",
        Duration.ofSeconds(30), 10_000);
  }

  public StreamSettings withGrace(Duration g) {
    return new StreamSettings(
        metricsTopic, interventionsTopic, impactTopic, summaryTopic, healthTopic, g, maxPostRows);
  }

  /** The dead-letter topic of {@code topic}. */
  public static String dlq(String topic) {
    return topic + ".dlq";
  }

  /** Every topic the monitor reads or writes (inputs, outputs, dead letters). */
  public List<String> topics() {
    return List.of(
        metricsTopic,
        interventionsTopic,
        impactTopic,
        summaryTopic,
        healthTopic,
        dlq(metricsTopic),
        dlq(interventionsTopic));
  }
}
