package org.causalimpact.monitor.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Model health per node before interventions: the equation's R² and residual scale on its fit
 * window, and the rolling coverage of its one-step bands. Thread-safe.
 */
public final class HealthMeters implements MeterBinder {
  private volatile Gauges gauges;

  @Override
  public void bindTo(MeterRegistry registry) {
    this.gauges = new Gauges(registry);
  }

  /**
   * A model-health record for one node.
   *
   * @param coverage rolling share of one-step bands that covered, or {@code null} before any
   */
  public void health(
      String monitor, String node, double rSquared, double residualScale, Double coverage) {
    Tags tags = Tags.of("monitor", monitor, "node", node);
    gauges.set("cim.model.fit.r2", "R² of the node's equation on its fit window", null, tags,
        rSquared);
    gauges.set(
        "cim.model.residual.scale", "residual standard deviation of the node's equation", null,
        tags, residualScale);
    if (coverage != null) {
      gauges.set(
          "cim.model.onestep.coverage",
          "rolling share of one-step bands that covered the actual value",
          null,
          tags,
          coverage);
    }
  }
}
