package org.causalimpact.monitor.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.causalimpact.monitor.impact.StreamingAnalysis;
import org.causalimpact.monitor.live.StreamListener;

/**
 * What the stream reports, turned into meters: one binder per capability ({@link PipelineMeters},
 * {@link ImpactMeters}, {@link HealthMeters}), each bound to the registry passed in. Thread-safe.
 */
public final class StreamMeters implements StreamListener {
  private final PipelineMeters pipeline;
  private final ImpactMeters impact;
  private final HealthMeters health = new HealthMeters();

  /**
   * Binds the three to {@code registry}; pipeline counters appear at their first increment.
   *
   * @param retention how long the meters of an ended intervention stay
   * @param maxInterventions most interventions with impact meters at once
   */
  public StreamMeters(MeterRegistry registry, Duration retention, int maxInterventions) {
    this(registry, retention, maxInterventions, KnownTags.NONE, System::nanoTime);
  }

  /**
   * The same, with the pipeline counters of {@code known} registered at 0 (the application's
   * topics and monitors), so that their first increment shows in {@code increase()}.
   */
  public StreamMeters(
      MeterRegistry registry, Duration retention, int maxInterventions, KnownTags known) {
    this(registry, retention, maxInterventions, known, System::nanoTime);
  }

  /** The same, with the clock of the retention. */
  public StreamMeters(
      MeterRegistry registry,
      Duration retention,
      int maxInterventions,
      KnownTags known,
      LongSupplier nanoTime) {
    this.pipeline = new PipelineMeters(known);
    this.impact = new ImpactMeters(retention, maxInterventions, nanoTime);
    // the impact meters' filter first: Micrometer wants every filter before the first meter
    impact.bindTo(registry);
    pipeline.bindTo(registry);
    health.bindTo(registry);
  }

  /** Removes the meters of interventions that ended more than the retention ago. */
  public void expire() {
    impact.expire();
  }

  @Override
  public void recordIn(String topic) {
    pipeline.recordIn(topic);
  }

  @Override
  public void deadLetter(String sourceTopic, String reason, String monitor) {
    pipeline.deadLetter(sourceTopic, reason, monitor);
  }

  @Override
  public void sendFailed(String topic, String reason) {
    pipeline.sendFailed(topic, reason);
  }

  @Override
  public void rowClosed(String monitor, long stepStartMillis) {
    pipeline.rowClosed(monitor);
  }

  @Override
  public void analysisTime(String monitor, long nanos) {
    pipeline.analysisTime(monitor, nanos);
  }

  @Override
  public void impact(String monitor, String intervention, StreamingAnalysis.OutcomeStep outcome) {
    impact.impact(monitor, intervention, outcome);
  }

  @Override
  public void interventionEnded(String monitor, String intervention) {
    impact.interventionEnded(monitor, intervention);
  }

  @Override
  public void health(
      String monitor, String node, double rSquared, double residualScale, Double coverage) {
    health.health(monitor, node, rSquared, residualScale, coverage);
  }
}
