package org.causalimpact.monitor.metrics;

import static org.causalimpact.monitor.testing.Scrapes.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.impact.ImpactAnalyzer;
import org.causalimpact.monitor.impact.OutcomeImpact;
import org.causalimpact.monitor.impact.StepImpact;
import org.causalimpact.monitor.impact.StreamingAnalysis;
import org.causalimpact.monitor.live.TopologySettings;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.Intervention;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Prometheus meters fed with a real analysis of the validation monitor. */
class StreamMetersTest {
  /** The stream's meters on a registry of their own, scraped as {@code /metrics} scrapes. */
  private static final class Meters implements AutoCloseable {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final StreamMeters stream;

    Meters(Duration retention, int max, LongSupplier nanoTime) {
      this(KnownTags.NONE, retention, max, nanoTime);
    }

    Meters(KnownTags known, Duration retention, int max, LongSupplier nanoTime) {
      stream = new StreamMeters(registry, retention, max, known, nanoTime);
    }

    String scrape() {
      stream.expire();
      return registry.scrape();
    }

    @Override
    public void close() {
      registry.close();
    }
  }

  private static OutcomeImpact outcome;

  @BeforeAll
  static void analyse() {
    MonitorDefinition def = MonitorLoader.load(Path.of("config/monitors/validation.yaml"));
    Intervention iv =
        new Intervention("c", Map.of("x", new DoSpec.Shift(5.0)), List.of("y"), 400, -1);
    var data = DataSimulator.simulate(def.graph(), def.simulation(), iv, 3L);
    ImpactAnalysis a =
        ImpactAnalyzer.withDefaults()
            .withFit(def.fit())
            .withIntervals(def.intervals())
            .analyze(def.name(), def.graph(), data.table(), 0, iv);
    outcome = a.outcome("y");
  }

  /** The dead letters of {@code topic} and {@code reason} in {@code scrape}. */
  private static double deadLetters(String scrape, String topic, String reason) {
    return sample(
        scrape, "cim_dead_letters_total{reason=\"" + reason + "\",topic=\"" + topic + "\"}");
  }

  /** A step of the analysis as the stream reports it, with the summary's p-values. */
  private StreamingAnalysis.OutcomeStep step(StepImpact s) {
    return new StreamingAnalysis.OutcomeStep(
        outcome.node(),
        s,
        outcome.summary().pValueBootstrap(),
        outcome.summary().pValueConformal(),
        outcome.summary().conformalTest());
  }

  private static String labels(String intervention, String method, String bound) {
    return "{bound=\"" + bound + "\",intervention=\"" + intervention + "\",method=\"" + method
        + "\",monitor=\"validation\",node=\"y\"}";
  }

  @Test
  void impactGaugesShowTheLatestStepWithTheBoundsOfBothMethods() {
    try (Meters meters = new Meters(Duration.ofHours(1), 10, System::nanoTime)) {
      for (StepImpact s : outcome.series()) {
        meters.stream.impact("validation", "c", step(s));
      }
      System.gc(); // gauges hold their values strongly: nothing reads as NaN after a collection
      String text = meters.scrape();
      StepImpact last = outcome.series().get(outcome.series().size() - 1);
      assertEquals(
          last.actual(),
          sample(text, "cim_impact_actual{intervention=\"c\",monitor=\"validation\",node=\"y\"}"),
          1e-9);
      assertEquals(
          last.cumulative().bootstrap().lower(),
          sample(text, "cim_impact_cumulative_effect" + labels("c", "bootstrap", "lower")),
          1e-9);
      assertEquals(
          last.cumulative().conformal().upper(),
          sample(text, "cim_impact_cumulative_effect" + labels("c", "conformal", "upper")),
          1e-9);
      assertEquals(
          last.counterfactual().mean(),
          sample(text, "cim_impact_counterfactual" + labels("c", "conformal", "mean")),
          1e-9);
      assertEquals(
          last.expectedEffect().mean(),
          sample(text, "cim_impact_predicted_effect" + labels("c", "bootstrap", "mean")),
          1e-9);
      assertEquals(
          last.relative(),
          sample(text, "cim_impact_relative_effect" + labels("c", "bootstrap", "mean")),
          1e-12);
      assertTrue(
          sample(text, "cim_impact_relative_effect" + labels("c", "bootstrap", "lower"))
              <= sample(text, "cim_impact_relative_effect" + labels("c", "bootstrap", "upper")));
      assertEquals(
          outcome.summary().pValueBootstrap(),
          sample(
              text,
              "cim_impact_p_value{intervention=\"c\",method=\"bootstrap\",monitor=\"validation\","
                  + "node=\"y\"}"),
          1e-12);
      assertEquals(
          outcome.series().size(),
          sample(text, "cim_impact_records_out_total{monitor=\"validation\"}"),
          0);
      assertEquals(
          1, sample(text, "cim_intervention_active{intervention=\"c\",monitor=\"validation\"}"), 0);
      assertFalse(text.contains("NaN"), text);
    }
  }

  @Test
  void pipelineCountersAndHealthGauges() {
    try (Meters meters = new Meters(Duration.ofHours(1), 10, System::nanoTime)) {
      meters.stream.recordIn("metrics");
      meters.stream.recordIn("metrics");
      meters.stream.deadLetter("metrics", "late", "validation");
      meters.stream.deadLetter("interventions", "unknown-monitor", null);
      meters.stream.sendFailed("impact.summary", "too-large");
      meters.stream.sendFailed("impact.summary", "too-large");
      meters.stream.rowClosed("validation", 0);
      meters.stream.health("validation", "y", 0.8, 1.1, 0.93);
      meters.stream.analysisTime("validation", 2_000_000);
      String text = meters.scrape();
      assertEquals(2, sample(text, "cim_records_in_total{topic=\"metrics\"}"), 0);
      assertEquals(
          1, sample(text, "cim_dead_letters_total{reason=\"late\",topic=\"metrics\"}"), 0);
      assertEquals(1, sample(text, "cim_late_points_total{monitor=\"validation\"}"), 0);
      assertEquals(
          2,
          sample(text, "cim_send_errors_total{reason=\"too-large\",topic=\"impact.summary\"}"),
          0);
      assertEquals(1, sample(text, "cim_rows_closed_total{monitor=\"validation\"}"), 0);
      double closedAt = sample(text, "cim_row_closed_time_seconds{monitor=\"validation\"}");
      assertTrue(Math.abs(closedAt - System.currentTimeMillis() / 1000.0) < 60, "" + closedAt);
      assertEquals(
          0.93, sample(text, "cim_model_onestep_coverage{monitor=\"validation\",node=\"y\"}"), 0);
      assertEquals(0.8, sample(text, "cim_model_fit_r2{monitor=\"validation\",node=\"y\"}"), 0);
      assertEquals(1, sample(text, "cim_fit_duration_seconds_count{monitor=\"validation\"}"), 0);
      assertEquals(
          0.002, sample(text, "cim_fit_duration_seconds_sum{monitor=\"validation\"}"), 1e-12);
      assertTrue(text.contains("cim_fit_duration_seconds_bucket{"), "histogram buckets");
    }
  }

  /**
   * Counters of the known topics, reasons and monitors are there at 0 before their first
   * increment, so that Prometheus sees the first dead letter as a rise from 0.
   */
  @Test
  void knownCountersStartAtZeroAndTheFirstIncrementRaisesThem() {
    KnownTags known = KnownTags.of(TopologySettings.defaults(), List.of("validation"));
    try (Meters meters = new Meters(known, Duration.ofHours(1), 10, System::nanoTime)) {
      String text = meters.scrape();
      for (String reason : KnownTags.INPUT_REASONS) {
        for (String topic : List.of("metrics", "interventions")) {
          assertEquals(0, deadLetters(text, topic, reason), 0, topic + " " + reason);
        }
      }
      assertEquals(0, deadLetters(text, "metrics", "late"), 0);
      assertEquals(0, deadLetters(text, "model.health", "refused"), 0);
      assertEquals(
          0,
          sample(text, "cim_send_errors_total{reason=\"send-failed\",topic=\"impact.dlq\"}"),
          0);
      assertEquals(0, sample(text, "cim_records_in_total{topic=\"interventions\"}"), 0);
      assertEquals(0, sample(text, "cim_late_points_total{monitor=\"validation\"}"), 0);
      assertEquals(0, sample(text, "cim_rows_closed_total{monitor=\"validation\"}"), 0);
      assertEquals(0, sample(text, "cim_impact_records_out_total{monitor=\"validation\"}"), 0);
      assertEquals(0, sample(text, "cim_fit_duration_seconds_count{monitor=\"validation\"}"), 0);
      // a reason of an input is not registered for an output, nor a metrics-only one for events
      assertFalse(text.contains("reason=\"late\",topic=\"interventions\""), text);
      assertFalse(text.contains("reason=\"empty\",topic=\"impact\""), text);

      // the first dead letter of a known reason and of one not known in advance
      meters.stream.deadLetter("metrics", "late", "validation");
      meters.stream.deadLetter("metrics", "a-new-reason", null);
      text = meters.scrape();
      assertEquals(1, deadLetters(text, "metrics", "late"), 0);
      assertEquals(1, deadLetters(text, "metrics", "a-new-reason"), 0);
      assertEquals(1, sample(text, "cim_late_points_total{monitor=\"validation\"}"), 0);
    }
  }

  @Test
  void endedInterventionsLeaveAfterTheRetentionAndFreeTheirPlaceUnderTheCap() {
    AtomicLong now = new AtomicLong();
    try (Meters meters = new Meters(Duration.ofMinutes(10), 1, now::get)) {
      StepImpact step = outcome.series().get(0);
      meters.stream.impact("validation", "first", step(step));
      meters.stream.impact("validation", "second", step(step)); // over the cap of 1
      String text = meters.scrape();
      assertTrue(text.contains("intervention=\"first\""));
      assertFalse(text.contains("intervention=\"second\""), "the cap denies a second one");

      meters.stream.interventionEnded("validation", "first");
      now.addAndGet(Duration.ofMinutes(9).toNanos());
      text = meters.scrape();
      assertEquals(
          0, sample(text, "cim_intervention_active{intervention=\"first\",monitor=\"validation\"}"),
          0);
      now.addAndGet(Duration.ofMinutes(2).toNanos());
      text = meters.scrape();
      assertFalse(text.contains("intervention=\"first\""), "removed after the retention");

      meters.stream.impact("validation", "second", step(step));
      text = meters.scrape();
      assertEquals(
          step.actual(),
          sample(
              text, "cim_impact_actual{intervention=\"second\",monitor=\"validation\",node=\"y\"}"),
          1e-9);
    }
  }
}
