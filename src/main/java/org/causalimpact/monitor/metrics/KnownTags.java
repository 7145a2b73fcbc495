package org.causalimpact.monitor.metrics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.live.TopologySettings;

/**
 * The bounded tag values of the pipeline's counters that are known when the application starts:
 * the input topics, every dead-letter reason of each topic, the send-error reasons of each output
 * and dead-letter topic, and the monitors. {@link PipelineMeters} registers a counter at 0 for
 * each, so that the first dead letter of a reason is an increase Prometheus sees ({@code
 * increase()} and {@code rate()} only see a counter rise between two samples).
 *
 * <p>The reason lists here are the one list in code of the reason words the stream uses; they are
 * documented in docs/input-contract.md, and {@code KnownTagsTest} fails when {@code src/main} uses
 * a reason that is not listed. Immutable.
 *
 * @param inputTopics the topics records are read from ({@code cim.records.in})
 * @param deadLetters the reasons of each topic whose records can be dead-lettered ({@code
 *     cim.dead.letters})
 * @param sendErrors the reasons of each topic Kafka can refuse a record of ({@code
 *     cim.send.errors})
 * @param monitors the monitors' names ({@code cim.rows.closed}, {@code cim.late.points}, ...)
 */
public record KnownTags(
    List<String> inputTopics,
    Map<String, List<String>> deadLetters,
    Map<String, List<String>> sendErrors,
    List<String> monitors) {
  /** Reasons of a record of either input topic: checks on its value, key and monitor. */
  public static final List<String> INPUT_REASONS =
      List.of(
          "empty", "oversize", "invalid-utf8", "malformed-json", "wrong-type", "missing-field",
          "bad-timestamp", "unknown-monitor", "missing-key", "wrong-key");

  /** Reasons of a metric point only. */
  public static final List<String> METRICS_REASONS =
      List.of("non-finite", "out-of-range", "unknown-series", "late");

  /** Reasons of an intervention event only. */
  public static final List<String> INTERVENTIONS_REASONS =
      List.of(
          "invalid-intervention", "duplicate-start", "too-far-ahead", "too-many-running",
          "end-without-start", "already-ended", "analysis-failed");

  /** Reasons of an output that is not written (to {@code <output>.dlq}). */
  public static final List<String> OUTPUT_REASONS = List.of("too-large", "refused");

  /** Reasons of a record Kafka refused to write. */
  public static final List<String> SEND_ERROR_REASONS =
      List.of("too-large", "invalid-timestamp", "invalid-record", "serialization", "send-failed");

  /** No tag value known in advance: every counter appears at its first increment. */
  public static final KnownTags NONE = new KnownTags(List.of(), Map.of(), Map.of(), List.of());

  public KnownTags {
    inputTopics = List.copyOf(inputTopics);
    deadLetters = copy(deadLetters);
    sendErrors = copy(sendErrors);
    monitors = List.copyOf(monitors);
  }

  /**
   * The tags of the monitor reading and writing the topics of {@code topics}: inputs with the
   * reasons of both inputs and their own, outputs with {@link #OUTPUT_REASONS}, Kafka's refusals on
   * every output and dead-letter topic.
   */
  public static KnownTags of(TopologySettings topics, Collection<String> monitors) {
    Map<String, List<String>> dead = new LinkedHashMap<>();
    dead.put(topics.metricsTopic(), concat(INPUT_REASONS, METRICS_REASONS));
    dead.put(topics.interventionsTopic(), concat(INPUT_REASONS, INTERVENTIONS_REASONS));
    List<String> outputs =
        List.of(topics.impactTopic(), topics.summaryTopic(), topics.healthTopic());
    outputs.forEach(o -> dead.put(o, OUTPUT_REASONS));
    Map<String, List<String>> send = new LinkedHashMap<>();
    for (String topic : topics.topics()) {
      if (!topic.equals(topics.metricsTopic()) && !topic.equals(topics.interventionsTopic())) {
        send.put(topic, SEND_ERROR_REASONS);
      }
    }
    return new KnownTags(
        List.of(topics.metricsTopic(), topics.interventionsTopic()),
        dead,
        send,
        List.copyOf(monitors));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }

  private static Map<String, List<String>> copy(Map<String, List<String>> m) {
    Map<String, List<String>> c = new LinkedHashMap<>();
    m.forEach((k, v) -> c.put(k, List.copyOf(v)));
    return Collections.unmodifiableMap(c);
  }
}
