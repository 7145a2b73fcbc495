package org.causalimpact.monitor.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.KafkaStreams;
import org.causalimpact.monitor.impact.Estimate;
import org.causalimpact.monitor.impact.Interval;
import org.causalimpact.monitor.impact.StepImpact;
import org.causalimpact.monitor.impact.StreamingAnalysis;
import org.causalimpact.monitor.live.StreamListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor's Prometheus meters (docs/observability.md lists them): the latest impact of every
 * running intervention per outcome node, with interval bounds and method as tags; model health
 * per node; pipeline counters; and Kafka Streams' own metrics once {@link #bindStreams} is called.
 *
 * <p>Impact gauges hold their values strongly (a gauge never reads a collected box as NaN). At most
 * {@code maxInterventions} interventions have impact meters at once (a {@link MeterFilter} denies
 * the rest, logged once each); the meters of an ended intervention are removed {@code retention}
 * after its end, which frees its place. Thread-safe: stream threads report, HTTP threads scrape.
 */
public final class MonitorMeters implements StreamListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MonitorMeters.class);
  private static final String IMPACT = "cim.impact.";
  private static final String ACTIVE = "cim.intervention.active";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final long retentionNanos;
  private final int maxInterventions;
  private final LongSupplier nanoTime;
  private final Map<String, Value> values = new ConcurrentHashMap<>();
  private final Set<String> admitted = ConcurrentHashMap.newKeySet();
  private final Set<String> refused = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> endedAt = new ConcurrentHashMap<>();
  private final Map<String, Counter> recordsIn = new ConcurrentHashMap<>();
  private volatile KafkaStreamsMetrics streamsMetrics;

  /** A gauge's value; the gauge holds it strongly. */
  private static final class Value {
    volatile double v = Double.NaN;

    double get() {
      return v;
    }
  }

  /**
   * @param retention how long the meters of an ended intervention stay
   * @param maxInterventions most interventions with impact meters at once
   */
  public MonitorMeters(Duration retention, int maxInterventions) {
    this(retention, maxInterventions, System::nanoTime);
  }

  MonitorMeters(Duration retention, int maxInterventions, LongSupplier nanoTime) {
    if (retention.isNegative()) {
      throw new IllegalArgumentException("meter retention must be >= 0, got " + retention);
    }
    if (maxInterventions < 1) {
      throw new IllegalArgumentException(
          "maxInterventions must be >= 1, got " + maxInterventions);
    }
    this.retentionNanos = retention.toNanos();
    this.maxInterventions = maxInterventions;
    this.nanoTime = nanoTime;
    registry.config().meterFilter(MeterFilter.deny(this::overCap));
  }

  /** The registry (for tests and for binding more meters). */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Every meter in the Prometheus text format, after removing expired interventions. */
  public String scrape() {
    expire();
    return registry.scrape();
  }

  /** Adds Kafka Streams' own metrics of {@code streams} (closed with these meters). */
  public void bindStreams(KafkaStreams streams) {
    KafkaStreamsMetrics m = new KafkaStreamsMetrics(streams);
    m.bindTo(registry);
    KafkaStreamsMetrics old = streamsMetrics;
    streamsMetrics = m;
    if (old != null) {
      old.close();
    }
  }

  @Override
  public void close() {
    KafkaStreamsMetrics m = streamsMetrics;
    streamsMetrics = null;
    if (m != null) {
      m.close();
    }
    registry.close();
  }

  // ---- what the stream reports ----

  @Override
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

  @Override
  public void deadLetter(String sourceTopic, String reason, String monitor) {
    Counter.builder("cim.dead.letters")
        .description("input records sent to the dead-letter topic, by reason")
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

  @Override
  public void rowClosed(String monitor, long stepStartMillis) {
    Counter.builder("cim.rows.closed")
        .description("grid rows closed")
        .tag("monitor", monitor)
        .register(registry)
        .increment();
    gauge(
        "cim.row.closed.time",
        "wall-clock time (epoch seconds) the monitor last closed a row",
        "seconds",
        Tags.of("monitor", monitor),
        System.currentTimeMillis() / 1000.0);
  }

  @Override
  public void impact(String monitor, String intervention, StreamingAnalysis.OutcomeStep outcome) {
    StepImpact step = outcome.impact();
    String key = monitor + "/" + intervention;
    if (!admit(key)) {
      return;
    }
    endedAt.remove(key);
    Tags base = Tags.of("monitor", monitor, "intervention", intervention);
    gauge(ACTIVE, "1 while the intervention runs, 0 after its end", null, base, 1);
    Tags tags = base.and("node", outcome.node());
    impactGauge("actual", "observed value of the latest reported row", tags, step.actual());
    impactGauge(
        "step", "post-period rows reported so far", tags, step.step());
    estimate("counterfactual", "value without the intervention", tags, step.counterfactual());
    estimate("predicted", "value the model expects under the do-operator", tags, step.expected());
    estimate("effect", "pointwise effect, actual minus counterfactual", tags, step.effect());
    estimate(
        "predicted.effect", "effect the model predicts from the do-specs", tags,
        step.expectedEffect());
    estimate(
        "cumulative.effect", "effect summed since the intervention started", tags,
        step.cumulative());
    relative(tags, step);
    impactGauge(
        "p.value", "p-value of the cumulative effect", tags.and("method", "bootstrap"),
        outcome.pValueBootstrap());
    Double conformal = outcome.pValueConformal();
    if (conformal != null) {
      impactGauge(
          "p.value", "p-value of the cumulative effect", tags.and("method", "conformal"),
          conformal);
    }
    Counter.builder("cim.impact.records.out")
        .description("impact records emitted")
        .tag("monitor", monitor)
        .register(registry)
        .increment();
  }

  @Override
  public void interventionEnded(String monitor, String intervention) {
    if (!admitted.contains(monitor + "/" + intervention)) {
      return;
    }
    gauge(
        ACTIVE,
        "1 while the intervention runs, 0 after its end",
        null,
        Tags.of("monitor", monitor, "intervention", intervention),
        0);
    endedAt.put(monitor + "/" + intervention, nanoTime.getAsLong());
  }

  @Override
  public void health(
      String monitor, String node, double rSquared, double residualScale, Double coverage) {
    Tags tags = Tags.of("monitor", monitor, "node", node);
    gauge("cim.model.fit.r2", "R² of the node's equation on its fit window", null, tags, rSquared);
    gauge(
        "cim.model.residual.scale", "residual standard deviation of the node's equation", null,
        tags, residualScale);
    if (coverage != null) {
      gauge(
          "cim.model.onestep.coverage",
          "rolling share of one-step bands that covered the actual value",
          null,
          tags,
          coverage);
    }
  }

  @Override
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

  // ---- helpers ----

  private void estimate(String what, String description, Tags tags, Estimate e) {
    if (e == null) {
      return;
    }
    for (String method : List.of("bootstrap", "conformal")) {
      Interval i = "bootstrap".equals(method) ? e.bootstrap() : e.conformal();
      if (i == null) {
        continue;
      }
      Tags t = tags.and("method", method);
      impactGauge(what, description, t.and("bound", "mean"), e.mean());
      if (i.lower() != null) {
        impactGauge(what, description, t.and("bound", "lower"), i.lower());
      }
      if (i.upper() != null) {
        impactGauge(what, description, t.and("bound", "upper"), i.upper());
      }
    }
  }

  /** The relative effect and its bounds: the effect's interval over the counterfactual mean. */
  private void relative(Tags tags, StepImpact step) {
    double cf = step.counterfactual().mean();
    if (!Double.isFinite(step.relative()) || cf == 0) {
      return;
    }
    String description = "effect relative to the counterfactual";
    for (String method : List.of("bootstrap", "conformal")) {
      Interval i =
          "bootstrap".equals(method) ? step.effect().bootstrap() : step.effect().conformal();
      if (i == null) {
        continue;
      }
      Tags t = tags.and("method", method);
      impactGauge("relative.effect", description, t.and("bound", "mean"), step.relative());
      if (i.lower() != null && i.upper() != null) {
        double a = i.lower() / cf;
        double b = i.upper() / cf;
        impactGauge("relative.effect", description, t.and("bound", "lower"), Math.min(a, b));
        impactGauge("relative.effect", description, t.and("bound", "upper"), Math.max(a, b));
      }
    }
  }

  private void impactGauge(String what, String description, Tags tags, double v) {
    gauge(IMPACT + what, description, null, tags, v);
  }

  private void gauge(String name, String description, String unit, Tags tags, double v) {
    String key = valueKey(name, tags);
    Value box = values.get(key);
    if (box == null) {
      Value fresh = new Value();
      box = values.putIfAbsent(key, fresh);
      if (box == null) {
        box = fresh;
        Gauge.builder(name, fresh, Value::get)
            .description(description)
            .baseUnit(unit)
            .tags(tags)
            .strongReference(true)
            .register(registry);
      }
    }
    box.v = v;
  }

  private static String valueKey(String name, Tags tags) {
    return name + tags;
  }

  /**
   * Whether intervention {@code key} ({@code monitor/intervention}) may have impact meters: it has
   * them already, or fewer than the cap have.
   */
  private boolean admit(String key) {
    if (admitted.contains(key)) {
      return true;
    }
    synchronized (admitted) {
      if (admitted.size() < maxInterventions) {
        admitted.add(key);
        return true;
      }
    }
    if (refused.add(key)) {
      LOG.warn(
          "intervention {} gets no impact meters: {} interventions already have them (raise"
              + " monitor.meters.max.interventions or shorten monitor.meters.retention)",
          key,
          maxInterventions);
    }
    return false;
  }

  /** The cap as a meter filter: impact meters of interventions not admitted are no-ops. */
  private boolean overCap(Meter.Id id) {
    if (id.getTag("intervention") == null
        || !id.getName().startsWith(IMPACT) && !id.getName().equals(ACTIVE)) {
      return false;
    }
    return !admitted.contains(id.getTag("monitor") + "/" + id.getTag("intervention"));
  }

  /** Removes the meters of interventions that ended more than the retention ago. */
  void expire() {
    long now = nanoTime.getAsLong();
    for (Map.Entry<String, Long> e : new ArrayList<>(endedAt.entrySet())) {
      if (now - e.getValue() < retentionNanos) {
        continue;
      }
      String key = e.getKey();
      int slash = key.indexOf('/');
      String monitor = key.substring(0, slash);
      String intervention = key.substring(slash + 1);
      for (Meter m : new ArrayList<>(registry.getMeters())) {
        Meter.Id id = m.getId();
        if (monitor.equals(id.getTag("monitor"))
            && intervention.equals(id.getTag("intervention"))) {
          registry.remove(m);
          values.remove(valueKey(id.getName(), Tags.of(id.getTagsAsIterable())));
        }
      }
      endedAt.remove(key);
      admitted.remove(key);
      refused.remove(key);
    }
  }
}
