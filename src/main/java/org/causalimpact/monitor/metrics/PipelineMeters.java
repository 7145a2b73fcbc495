package org.causalimpact.monitor.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline's meters: records read per input topic, dead letters per topic and reason, records
 * Kafka refused to write per topic and reason, late points and closed rows per monitor, when a
 * monitor last closed a row, and how long analyses take. Thread-safe: stream threads report, HTTP
 * threads scrape.
 */
public final class PipelineMeters implements MeterBinder {
  private final Map<String, Counter> recordsIn = new ConcurrentHashMap<>();
  private volatile MeterRegistry registry;
  private volatile Gauges gauges;

  @Override
  public void bindTo(MeterRegistry registry) {
    this.gauges = new Gauges(registry);
    this.registry = registry;
  }

  /** A record was read from input topic {@code topic}. */
  public void recordIn(String topic) {
    // called for every input record: look the counter up once per topic, not in the registry
    recordsIn
        .computeIfAbsent(
            topic,
            t ->
                Counter.builder("cim.records.in")
                    .description("records read from an input topic")
                    .tag("topic", t)
                    .register(registry))
        .increment();
  }

  /**
   * A record of {@code sourceTopic} (an input, or an output refused before it was sent) went to its
   * dead-letter topic for {@code reason}.
   */
  public void deadLetter(String sourceTopic, String reason, String monitor) {
    Counter.builder("cim.dead.letters")
        .description(
            "records sent to <topic>.dlq, by topic (an input, or an output refused before it was"
                + " sent) and reason")
        .tags("topic", sourceTopic, "reason", reason)
        .register(registry)
        .increment();
    if ("late".equals(reason) && monitor != null) {
      Counter.builder("cim.late.points")
          .description("metric points that arrived after their row closed (grace exceeded)")
          .tag("monitor", monitor)
          .register(registry)
          .increment();
    }
  }

  /** Kafka refused to write a record to {@code topic} for {@code reason}. */
  public void sendFailed(String topic, String reason) {
    Counter.builder("cim.send.errors")
        .description("records Kafka refused to write (after the stream sent them), by reason")
        .tags("topic", topic, "reason", reason)
        .register(registry)
        .increment();
  }

  /** Monitor {@code monitor} closed a row. */
  public void rowClosed(String monitor) {
    Counter.builder("cim.rows.closed")
        .description("grid rows closed")
        .tag("monitor", monitor)
        .register(registry)
        .increment();
    gauges.set(
        "cim.row.closed.time",
        "wall-clock time (epoch seconds) the monitor last closed a row",
        "seconds",
        Tags.of("monitor", monitor),
        System.currentTimeMillis() / 1000.0);
  }

  /** One analysis of monitor {@code monitor} took {@code nanos}. */
  public void analysisTime(String monitor, long nanos) {
    Timer.builder("cim.fit.duration")
        .description("one analysis: fit, calibration and bootstrap of an intervention's rows")
        .tag("monitor", monitor)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }
}
