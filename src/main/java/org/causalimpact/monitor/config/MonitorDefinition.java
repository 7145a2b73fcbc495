package org.causalimpact.monitor.config;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.SimulationSpec;
import org.causalimpact.monitor.uncertainty.IntervalSettings;

/**
 * A monitor as defined in {@code config/monitors/NAME.yaml}: its causal graph, its grid step, the
 * length of the pre-intervention window, and how models and intervals are computed.
 *
 * @param name the monitor's name
 * @param step grid step length
 * @param preWindow number of rows before an intervention used to fit the model
 * @param graph validated causal graph with per-node equation terms
 * @param fit fitting options (ridge, outliers)
 * @param intervals interval settings (level, bootstrap, conformal, seed)
 * @param simulation true equations for {@code simulate}, or {@code null} when not given
 * @param prometheus the Prometheus series that feed each node through the remote-write receiver,
 *     by node name; nodes without a selector are absent (empty when no node has one)
 */
public record MonitorDefinition(
    String name,
    Duration step,
    int preWindow,
    CausalGraph graph,
    FitOptions fit,
    IntervalSettings intervals,
    SimulationSpec simulation,
    Map<String, PrometheusSelector> prometheus) {
  public MonitorDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(fit, "fit");
    Objects.requireNonNull(intervals, "intervals");
    prometheus = Map.copyOf(prometheus);
    for (String node : prometheus.keySet()) {
      if (!graph.contains(node)) {
        throw new IllegalArgumentException(
            "a Prometheus selector is given for '" + node + "', which is not a node of " + name);
      }
    }
  }
}
