package org.causalimpact.monitor.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.config.MeterFilter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.causalimpact.monitor.impact.Estimate;
import org.causalimpact.monitor.impact.Interval;
import org.causalimpact.monitor.impact.StepImpact;
import org.causalimpact.monitor.impact.StreamingAnalysis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest impact of every running intervention per outcome node, with interval bounds and
 * method as tags (docs/observability.md lists them). At most {@code maxInterventions}
 * interventions have impact meters at once (a {@link MeterFilter} denies the rest); the meters of
 * an ended intervention are removed {@code retention} after its end by {@link #expire}, which
 * frees its place. A refused intervention is logged once and remembered until its end, at most
 * {@code maxInterventions} of them at a time (beyond that, refusals are not logged one by one), so
 * memory does not grow with the number of interventions. Thread-safe: stream threads report, HTTP
 * threads scrape.
 */
public final class ImpactMeters implements MeterBinder {
  private static final Logger LOG = LoggerFactory.getLogger(ImpactMeters.class);
  private static final String IMPACT = "cim.impact.";
  private static final String ACTIVE = "cim.intervention.active";

  private final long retentionNanos;
  private final int maxInterventions;
  private final LongSupplier nanoTime;
  private final Set<String> admitted = ConcurrentHashMap.newKeySet();
  private final Set<String> refused = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> endedAt = new ConcurrentHashMap<>();
  private volatile MeterRegistry registry;
  private volatile Gauges gauges;

  /**
   * @param retention how long the meters of an ended intervention stay
   * @param maxInterventions most interventions with impact meters at once
   * @param nanoTime the clock of the retention
   */
  public ImpactMeters(Duration retention, int maxInterventions, LongSupplier nanoTime) {
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
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    registry.config().meterFilter(MeterFilter.deny(this::overCap));
    this.gauges = new Gauges(registry);
    this.registry = registry;
  }

  /** An impact record was emitted for one outcome of an intervention. */
  public void impact(String monitor, String intervention, StreamingAnalysis.OutcomeStep outcome) {
    StepImpact step = outcome.impact();
    String key = monitor + "/" + intervention;
    if (!admit(key)) {
      return;
    }
    endedAt.remove(key);
    Tags base = Tags.of("monitor", monitor, "intervention", intervention);
    gauges.set(ACTIVE, "1 while the intervention runs, 0 after its end", null, base, 1);
    Tags tags = base.and("node", outcome.node());
    gauge("actual", "observed value of the latest reported row", tags, step.actual());
    gauge("step", "post-period rows reported so far", tags, step.step());
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
    gauge(
        "p.value", "p-value of the cumulative effect", tags.and("method", "bootstrap"),
        outcome.pValueBootstrap());
    Double conformal = outcome.pValueConformal();
    if (conformal != null) {
      gauge(
          "p.value", "p-value of the cumulative effect", tags.and("method", "conformal"),
          conformal);
    }
    PipelineMeters.recordsOut(registry, monitor).increment();
  }

  /** An intervention's post-period and any persistence period are over. */
  public void interventionEnded(String monitor, String intervention) {
    refused.remove(monitor + "/" + intervention);
    if (!admitted.contains(monitor + "/" + intervention)) {
      return;
    }
    gauges.set(
        ACTIVE,
        "1 while the intervention runs, 0 after its end",
        null,
        Tags.of("monitor", monitor, "intervention", intervention),
        0);
    endedAt.put(monitor + "/" + intervention, nanoTime.getAsLong());
  }

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
      gauge(what, description, t.and("bound", "mean"), e.mean());
      if (i.lower() != null) {
        gauge(what, description, t.and("bound", "lower"), i.lower());
      }
      if (i.upper() != null) {
        gauge(what, description, t.and("bound", "upper"), i.upper());
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
      gauge("relative.effect", description, t.and("bound", "mean"), step.relative());
      if (i.lower() != null && i.upper() != null) {
        double a = i.lower() / cf;
        double b = i.upper() / cf;
        gauge("relative.effect", description, t.and("bound", "lower"), Math.min(a, b));
        gauge("relative.effect", description, t.and("bound", "upper"), Math.max(a, b));
      }
    }
  }

  private void gauge(String what, String description, Tags tags, double v) {
    gauges.set(IMPACT + what, description, null, tags, v);
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
        refused.remove(key);
        return true;
      }
    }
    if (refused.contains(key)) {
      return false;
    }
    boolean last;
    synchronized (refused) {
      if (refused.size() >= maxInterventions || !refused.add(key)) {
        return false;
      }
      last = refused.size() == maxInterventions;
    }
    LOG.warn(
        "intervention {} gets no impact meters: {} interventions already have them (raise"
            + " monitor.meters.max.interventions or shorten monitor.meters.retention){}",
        key,
        maxInterventions,
        last ? "; as many are refused now, so further refusals are not logged one by one" : "");
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
  public void expire() {
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
          gauges.forget(id.getName(), Tags.of(id.getTagsAsIterable()));
        }
      }
      endedAt.remove(key);
      admitted.remove(key);
    }
  }

  /** How many refused interventions are remembered (for their log line): at most the cap. */
  int refusedRemembered() {
    return refused.size();
  }
}
