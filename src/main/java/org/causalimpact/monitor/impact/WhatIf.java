package org.causalimpact.monitor.impact;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.scm.CausalEffect;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.EquationLayout;
import org.causalimpact.monitor.scm.EquationSummary;
import org.causalimpact.monitor.scm.Explanations;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.MeanErrors;
import org.causalimpact.monitor.scm.ScmFitter;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.scm.WorldSimulator;
import org.causalimpact.monitor.uncertainty.ConformalBounds;
import org.causalimpact.monitor.uncertainty.IntervalSettings;
import org.causalimpact.monitor.uncertainty.Quantiles;
import org.causalimpact.monitor.uncertainty.ResidualBootstrap;
import org.causalimpact.monitor.uncertainty.RollingOriginCalibration;

/**
 * Scenario planning before an intervention: the predicted difference between two worlds that have
 * not happened yet, {@code scenario - baseline}, for {@code horizon} steps after the last row of
 * the history, from the SCM fitted on the whole history.
 *
 * <p>Worlds. Both are forecasts with every node simulated, because no future observation exists.
 * The <em>natural</em> world follows every fitted equation. A world with do-specs replaces the
 * intervened nodes' equations (graph surgery) by their do-spec applied to the natural value, so
 * {@code {"shift": d}} is {@code X := X_natural + d}; the other nodes follow their equations in
 * that world. Baseline and scenario are both applied to the same natural world: a baseline of
 * {@code {}} is "no intervention" (then "natural" is the baseline world's value, and the scenario
 * is a change relative to it), and a baseline of {@code {"x": {"shift": 20}}} against a scenario of
 * {@code {"x": {"shift": 50}}} compares spending 20 more with spending 50 more. Supported do-specs
 * are {@code set}, {@code shift} and {@code scale}; {@code observed} is rejected, since it needs
 * observations of the future.
 *
 * <p>Point paths are noise-free ({@code WorldSimulator.run} with no noise): for a linear SCM the
 * mean of each world. The difference of a shift on a root converges to {@code d} times the
 * long-run total effect of {@link Explanations}.
 *
 * <p>Intervals. Bootstrap: {@link ResidualBootstrap} replicates (moving-block residuals, refit,
 * simulated noise), run once per world with the same seed, so that replicate {@code b} of both
 * worlds has the same refitted coefficients and the same noise (common random numbers); the
 * percentile intervals of each world's level, of the difference and of the cumulative difference
 * come from the same replicates. Conformal: {@link RollingOriginCalibration} of the natural
 * world's forecast errors per horizon {@code h}; a world's conformal interval is its mean {@code ±
 * q_h}. That is exact split conformal for a world without do-specs; for an intervened world it
 * omits the error of the estimated effect, and for the difference no conformal interval is given,
 * because the calibration window never observes an intervention, so the error of the estimated
 * effect has no calibration scores.
 *
 * <p>Immutable and thread-safe; {@link #forecast} is a pure function of its arguments and the
 * seed of the interval settings.
 */
public final class WhatIf {
  private final FitOptions fit;
  private final IntervalSettings intervals;

  private WhatIf(FitOptions fit, IntervalSettings intervals) {
    this.fit = Objects.requireNonNull(fit, "fit");
    this.intervals = Objects.requireNonNull(intervals, "intervals");
  }

  public static WhatIf withDefaults() {
    return new WhatIf(FitOptions.ols(), IntervalSettings.defaults());
  }

  public WhatIf withFit(FitOptions f) {
    return new WhatIf(f, intervals);
  }

  public WhatIf withIntervals(IntervalSettings s) {
    return new WhatIf(fit, s);
  }

  /**
   * The forecast of two scenarios.
   *
   * @param rows rows of history the model was fitted on (all rows of the table)
   * @param level nominal coverage of every interval
   * @param baseline the baseline's do-specs ({@code {}}: no intervention)
   * @param scenario the scenario's do-specs
   * @param outcomes one entry per outcome node, in request order
   * @param equations the fitted equations
   * @param effects long-run direct and total effects of the fitted model
   * @param notes what the intervals mean and where they are unbounded
   */
  public record Forecast(
      int rows,
      double level,
      Map<String, DoSpec> baseline,
      Map<String, DoSpec> scenario,
      List<OutcomeForecast> outcomes,
      List<EquationSummary> equations,
      List<CausalEffect> effects,
      List<String> notes) {
    public Forecast {
      baseline = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(baseline));
      scenario = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(scenario));
      outcomes = List.copyOf(outcomes);
      equations = List.copyOf(equations);
      effects = List.copyOf(effects);
      notes = List.copyOf(notes);
    }

    /** The forecast of one outcome node. */
    public OutcomeForecast outcome(String node) {
      return outcomes.stream()
          .filter(o -> o.node().equals(node))
          .findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no outcome '" + node + "'"));
    }
  }

  /**
   * One outcome.
   *
   * @param node the node
   * @param series one entry per step {@code 1..horizon}
   * @param average the average difference over the horizon (bootstrap interval only)
   * @param cumulative the sum of the differences over the horizon (bootstrap interval only)
   */
  public record OutcomeForecast(
      String node, List<StepForecast> series, Estimate average, Estimate cumulative) {
    public OutcomeForecast {
      series = List.copyOf(series);
    }
  }

  /**
   * One step ahead of the history.
   *
   * @param step steps after the last history row, from 1
   * @param row the row index, counting the history's rows from 0
   * @param baseline the baseline world's level (both routes)
   * @param scenario the scenario world's level (both routes)
   * @param difference {@code scenario - baseline} (bootstrap only)
   * @param cumulativeDifference the sum of the differences of steps {@code 1..step} (bootstrap
   *     only)
   */
  public record StepForecast(
      int step,
      int row,
      Estimate baseline,
      Estimate scenario,
      Estimate difference,
      Estimate cumulativeDifference) {}

  /**
   * Forecasts both worlds {@code horizon} steps past the last row of {@code history}.
   *
   * @param graph the causal graph; every node must be a column of {@code history}
   * @param history the rows the model is fitted on, oldest first, ending now
   * @param baseline do-specs of the baseline ({@code set}, {@code shift}, {@code scale}); empty for
   *     "no intervention"
   * @param scenario do-specs of the scenario; at least one of the two must be non-empty
   * @param outcomes nodes to report; empty means every descendant of the intervened nodes
   * @param horizon steps to forecast, at least 1
   * @throws InputException when a node is unknown, a do-spec is {@code observed}, there is nothing
   *     to compare or no outcome, or the history cannot support the model (too few rows for its
   *     coefficients, a constant or collinear column, a non-finite value)
   */
  public Forecast forecast(
      CausalGraph graph,
      TimeSeriesTable history,
      Map<String, DoSpec> baseline,
      Map<String, DoSpec> scenario,
      List<String> outcomes,
      int horizon) {
    if (horizon < 1) {
      throw new InputException("the horizon must be at least 1 step, got " + horizon);
    }
    ScenarioSpecs.check(graph, baseline, "baseline");
    ScenarioSpecs.check(graph, scenario, "scenario");
    if (baseline.isEmpty() && scenario.isEmpty()) {
      throw new InputException(
          "both the baseline and the scenario are empty: give the scenario's do-specs, e.g."
              + " {\"ad_spend\": {\"shift\": 50}}");
    }
    List<String> reported = ScenarioSpecs.outcomes(graph, baseline, scenario, outcomes);
    int n = history.rows();
    double[][] observed = ScmFitter.columnsOf(graph, history);
    FittedScm model = ScmFitter.with(fit).fit(graph, history, 0, n);

    // No future observation exists: rows after the history are placeholders that no simulated
    // world reads (every node is simulated, and "observed" do-specs are refused above).
    double[][] extended = new double[graph.size()][];
    for (int j = 0; j < extended.length; j++) {
      extended[j] = Arrays.copyOf(observed[j], n + horizon);
      Arrays.fill(extended[j], n, n + horizon, Double.NaN);
    }
    List<EquationLayout> layouts = model.equations().stream().map(e -> e.layout()).toList();
    List<String> all = graph.nodeNames();
    WorldSimulator natural = new WorldSimulator(graph, layouts, extended, all, Map.of());
    WorldSimulator base = new WorldSimulator(graph, layouts, extended, all, baseline);
    WorldSimulator scen = new WorldSimulator(graph, layouts, extended, all, scenario);
    int[] positions =
        reported.stream().mapToInt(o -> natural.positionOf(graph.indexOf(o))).toArray();

    int d = natural.simulatedCount();
    double[][] coef = new double[graph.size()][];
    for (int j = 0; j < graph.size(); j++) {
      coef[j] = model.equation(j).coefficients();
    }
    double[][] scratch = new double[d][horizon];
    double[][] basePoint = new double[d][horizon];
    double[][] scenPoint = new double[d][horizon];
    double[][] meanErrors = MeanErrors.path(model, natural.simulatedNodes(), horizon);
    base.run(coef, n, n + horizon, meanErrors, scratch, basePoint);
    scen.run(coef, n, n + horizon, meanErrors, scratch, scenPoint);

    // Same settings (seed) and the same simulated nodes in both calls: replicate b draws the same
    // residual blocks, refits the same coefficients and adds the same noise in both worlds.
    ResidualBootstrap.Paths basePaths =
        ResidualBootstrap.run(model, base, positions, n, n + horizon, true, intervals);
    double[][][] baseDraws = basePaths.interventional();
    double[][][] scenDraws =
        ResidualBootstrap.run(model, scen, positions, n, n + horizon, true, intervals)
            .interventional();
    double alpha = 1 - intervals.level();
    RollingOriginCalibration calibration =
        RollingOriginCalibration.start(
            model,
            natural,
            extended,
            positions,
            horizon,
            fit.ridge(),
            intervals.calibrationFraction());
    // the counterfactual paths of the baseline's run are the natural world's, whose spreads
    // normalise the calibration scores
    ConformalBounds[] conformal =
        ConformalBounds.run(calibration, basePaths.counterfactual(), new double[positions.length], alpha);
    int calibrated = calibration.calibratedHorizons();

    List<String> notes = new ArrayList<>();
    notes.add(
        "difference: no conformal interval. Conformal calibration scores are forecast errors of"
            + " the world without intervention; no intervention is observed in the calibration"
            + " window, so the error of the estimated effect has no scores. The bootstrap interval"
            + " (refitted coefficients and resampled noise, common to both worlds) is the"
            + " difference's interval");
    notes.add(
        "baseline, scenario: the conformal interval is the level's forecast ± the split-conformal"
            + " bound of no-intervention forecast errors at that horizon; exact for a world"
            + " without do-specs, while for an intervened world it leaves out the error of the"
            + " estimated effect");
    List<OutcomeForecast> results = new ArrayList<>();
    for (int o = 0; o < reported.size(); o++) {
      results.add(
          outcome(
              reported.get(o),
              o,
              n,
              basePoint[positions[o]],
              scenPoint[positions[o]],
              baseDraws,
              scenDraws,
              conformal[o],
              calibrated,
              alpha,
              notes));
    }
    return new Forecast(
        n,
        intervals.level(),
        baseline,
        scenario,
        results,
        model.summaries(),
        Explanations.effects(model, observed, 0, n),
        notes);
  }

  private static OutcomeForecast outcome(
      String node,
      int o,
      int n,
      double[] base,
      double[] scen,
      double[][][] baseDraws,
      double[][][] scenDraws,
      ConformalBounds conformal,
      int calibratedHorizons,
      double alpha,
      List<String> notes) {
    int horizon = base.length;
    int replicates = baseDraws.length;
    double lo = alpha / 2;
    double hi = 1 - alpha / 2;
    double[] drawBase = new double[replicates];
    double[] drawScen = new double[replicates];
    double[] drawDiff = new double[replicates];
    double[] cumDiff = new double[replicates];
    List<StepForecast> series = new ArrayList<>(horizon);
    double cum = 0;
    int firstUnbounded = -1;
    for (int h = 0; h < horizon; h++) {
      for (int b = 0; b < replicates; b++) {
        double x = baseDraws[b][o][h];
        double y = scenDraws[b][o][h];
        drawBase[b] = x;
        drawScen[b] = y;
        drawDiff[b] = y - x;
        cumDiff[b] += y - x;
      }
      double diff = scen[h] - base[h];
      cum += diff;
      Double q = conformal.pointwise()[h];
      if (q == null) {
        firstUnbounded = h + 1;
      }
      series.add(
          new StepForecast(
              h + 1,
              n + h,
              new Estimate(base[h], conformal(base[h], q), percentile(drawBase, lo, hi)),
              new Estimate(scen[h], conformal(scen[h], q), percentile(drawScen, lo, hi)),
              new Estimate(diff, null, percentile(drawDiff, lo, hi)),
              new Estimate(cum, null, percentile(cumDiff, lo, hi))));
    }
    if (firstUnbounded > 0) {
      notes.add(
          String.format(
              Locale.ROOT,
              "%s: conformal level intervals are unbounded up to step %d: fewer than %d"
                  + " normalised calibration scores of the history at level %s",
              node,
              firstUnbounded,
              Quantiles.minimumCalibration(alpha),
              trim(1 - alpha)));
    }
    if (horizon > calibratedHorizons) {
      notes.add(
          String.format(
              Locale.ROOT,
              "%s: the history calibrates the conformal level intervals up to step %d; beyond it"
                  + " they scale with the model's spread (the bootstrap's)",
              node,
              calibratedHorizons));
    }
    double[] avg = new double[replicates];
    for (int b = 0; b < replicates; b++) {
      avg[b] = cumDiff[b] / horizon;
    }
    return new OutcomeForecast(
        node,
        series,
        new Estimate(cum / horizon, null, percentile(avg, lo, hi)),
        new Estimate(cum, null, percentile(cumDiff, lo, hi)));
  }

  /** {@code mean ± q}; unbounded without a bound or without a finite mean. */
  private static Interval conformal(double mean, Double q) {
    return q == null || !Double.isFinite(mean)
        ? Interval.unbounded()
        : Interval.of(mean - q, mean + q);
  }

  /** The percentile interval; unbounded when a replicate is not finite (an explosive refit). */
  private static Interval percentile(double[] draws, double lo, double hi) {
    for (double x : draws) {
      if (!Double.isFinite(x)) {
        return Interval.unbounded();
      }
    }
    double[] q = Quantiles.type7PairUnsorted(draws, lo, hi);
    return Interval.of(q[0], q[1]);
  }

  private static String trim(double level) {
    String s = String.format(Locale.ROOT, "%.4f", level);
    return s.replaceAll("0+$", "").replaceAll("\\.$", "");
  }
}
