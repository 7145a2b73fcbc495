package org.causalimpact.monitor.uncertainty;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.graph.Aggregation;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.graph.Level;
import org.causalimpact.monitor.graph.NodeDefinition;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.FittedEquation;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.NoiseProcess;
import org.causalimpact.monitor.scm.ScmFitter;
import org.causalimpact.monitor.scm.SimulationSpec;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.scm.TrueEquation;
import org.junit.jupiter.api.Test;

/**
 * {@link BootstrapPlan} of a level model: the simulated future errors are centred on the model's
 * own forecast. The data have a linear trend the model (a local level without slope) does not
 * have, so its standardised innovations average well above 0; resampled uncentred, that mean moved
 * every path's level a little at every step and the paths' average drifted off the forecast.
 * 2,000 replicates, 150 steps, data seed 5; tolerance 4 Monte Carlo standard errors.
 */
class BootstrapPlanTest {
  @Test
  void levelModelPathsAreCentredOnTheForecast() {
    CausalGraph graph =
        CausalGraph.of(
            List.of(
                new NodeDefinition("y", List.of(), 0, null, false, Aggregation.MEAN, Level.LOCAL)));
    int rows = 300;
    TrueEquation eq = new TrueEquation(10, Map.of(), List.of(), List.of(), 0.05, 1.0);
    TimeSeriesTable table =
        DataSimulator.simulate(graph, new SimulationSpec(rows, Map.of("y", eq)), null, 5L).table();
    FittedScm model = ScmFitter.with(new FitOptions(0)).fit(graph, table, 0, rows);
    int horizon = 150;
    IntervalSettings settings = IntervalSettings.defaults().withReplicates(2000);
    BootstrapPlan plan = new BootstrapPlan(model, new int[] {0}, settings, horizon);

    double sum = 0;
    double sumSq = 0;
    double[] out = new double[1];
    for (int b = 0; b < plan.replicates(); b++) {
      BootstrapPlan.Replicate rep = plan.replicate(model, b);
      FittedEquation comp = model.posterior(0).component(rep.component[0]);
      NoiseProcess.Forecast quiet =
          comp.process().forecast(comp.forecastCovariance(), horizon);
      double[] state = rep.initialState[0].clone();
      double gap = 0;
      for (int h = 0; h < horizon; h++) {
        plan.noise(rep, h, out);
        // the same state stepped with no innovation: the replicate's own point forecast
        gap += out[0] - quiet.step(state, h, 0.0);
      }
      gap /= horizon;
      sum += gap;
      sumSq += gap * gap;
    }
    int n = plan.replicates();
    double mean = sum / n;
    double se = Math.sqrt((sumSq / n - mean * mean) / n);
    assertTrue(
        Math.abs(mean) < 4 * se,
        "mean gap of the paths' average from the forecast " + mean + " (MC s.e. " + se + ")");
  }
}
