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
 * monitor last closed a row, and how long analyses take. When bound, every counter and timer of
 * a {@link KnownTags known} tag set is registered at 0, so that its first increment is a rise
 * {@code increase()} and {@code rate()} see. Thread-safe: stream threads report, HTTP threads
 * scrape.
 */
public final class PipelineMeters implements MeterBinder {
  private final KnownTags known;
  private final Map<String, Counter> recordsIn = new ConcurrentHashMap<>();
  private volatile MeterRegistry registry;
  private volatile Gauges gauges;

  /** Meters that appear at their first increment. */
  public PipelineMeters() {
    this(KnownTags.NONE);
  }

  /** Meters registered at 0 for every tag set of {@code known} when bound. */
  public PipelineMeters(KnownTags known) {
    this.known = known;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    this.gauges = new Gauges(registry);
    this.registry = registry;
    known.inputTopics().forEach(this::recordsIn);
    known.deadLetters().forEach((topic, reasons) -> reasons.forEach(r -> deadLetters(topic, r)));
    known.sendErrors().forEach((topic, reasons) -> reasons.forEach(r -> sendErrors(topic, r)));
    for (String monitor : known.monitors()) {
      latePoints(monitor);
      rowsClosed(monitor);
      recordsOut(registry, monitor);
      fitDuration(monitor);
    }
  }

  /** A record was read from input topic {@code topic}. */
  public void recordIn(String topic) {
    // called for every input record: look the counter up once per topic, not in the registry
    recordsIn.computeIfAbsent(topic, this::counterIn).increment();
  }

  /**
   * A record of {@code sourceTopic} (an input, or an output refused before it was sent) went to its
   * dead-letter topic for {@code reason}.
   */
  public void deadLetter(String sourceTopic, String reason, String monitor) {
    deadLetters(sourceTopic, reason).increment();
    if ("late".equals(reason) && monitor != null) {
      latePoints(monitor).increment();
    }
  }

  /** Kafka refused to write a record to {@code topic} for {@code reason}. */
  public void sendFailed(String topic, String reason) {
    sendErrors(topic, reason).increment();
  }

  /** Monitor {@code monitor} closed a row. */
  public void rowClosed(String monitor) {
    rowsClosed(monitor).increment();
    gauges.set(
        "cim.row.closed.time",
        "wall-clock time (epoch seconds) the monitor last closed a row",
        "seconds",
        Tags.of("monitor", monitor),
        System.currentTimeMillis() / 1000.0);
  }

  /** One analysis of monitor {@code monitor} took {@code nanos}. */
  public void analysisTime(String monitor, long nanos) {
    fitDuration(monitor).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** The counter of impact records written for {@code monitor} (also used by ImpactMeters). */
  static Counter recordsOut(MeterRegistry registry, String monitor) {
    return Counter.builder("cim.impact.records.out")
        .description("impact records emitted")
        .tag("monitor", monitor)
        .register(registry);
  }

  private void recordsIn(String topic) {
    recordsIn.computeIfAbsent(topic, this::counterIn);
  }

  private Counter counterIn(String topic) {
    return Counter.builder("cim.records.in")
        .description("records read from an input topic")
        .tag("topic", topic)
        .register(registry);
  }

  private Counter deadLetters(String topic, String reason) {
    return Counter.builder("cim.dead.letters")
        .description(
            "records sent to <topic>.dlq, by topic (an input, or an output refused before it was"
                + " sent) and reason")
        .tags("topic", topic, "reason", reason)
        .register(registry);
  }

  private Counter sendErrors(String topic, String reason) {
    return Counter.builder("cim.send.errors")
        .description("records Kafka refused to write (after the stream sent them), by reason")
        .tags("topic", topic, "reason", reason)
        .register(registry);
  }

  private Counter latePoints(String monitor) {
    return Counter.builder("cim.late.points")
        .description("metric points that arrived after their row closed (grace exceeded)")
        .tag("monitor", monitor)
        .register(registry);
  }

  private Counter rowsClosed(String monitor) {
    return Counter.builder("cim.rows.closed")
        .description("grid rows closed")
        .tag("monitor", monitor)
        .register(registry);
  }

  private Timer fitDuration(String monitor) {
    return Timer.builder("cim.fit.duration")
        .description("one analysis: fit, calibration and bootstrap of an intervention's rows")
        .tag("monitor", monitor)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
  }
}
