package org.causalimpact.monitor.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.impact.ImpactAnalyzer;
import org.causalimpact.monitor.scm.EquationLayout;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.ScmFitter;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.scm.WorldSimulator;
import org.causalimpact.monitor.uncertainty.ConformalBounds;
import org.causalimpact.monitor.uncertainty.IntervalSettings;
import org.causalimpact.monitor.uncertainty.PermutationInference;
import org.causalimpact.monitor.uncertainty.ResidualBootstrap;
import org.causalimpact.monitor.uncertainty.RollingOriginCalibration;

/**
 * A quick breakdown of {@code ImpactAnalyzer.analyze} into its sub-steps, without JMH: each step
 * (reproduced from the public API in the order {@code impact.Analysis} runs them) is timed {@code
 * reps} times after {@code warmup} untimed runs, and min / median / max wall times are printed.
 * The minimum is the number least disturbed by other load on the machine.
 *
 * <p>Usage: {@code java -cp ... org.causalimpact.monitor.bench.StepTimings [rows [post [reps
 * [warmup]]]]}, defaults 5000 500 15 10. Both workloads of {@link EngineBenchmark} are timed;
 * {@code -Dmode=ci} or {@code -Dmode=graph} times one, {@code -Dsteps=TEXT} only the steps whose
 * name contains TEXT (e.g. {@code -Dsteps=analyze} under a profiler). The two {@code summaries:}
 * rows approximate the per-step work of {@code impact.OutcomeSummaries} (package-private), which
 * runs once per outcome inside {@code analyze}.
 */
public final class StepTimings {
  private StepTimings() {}

  public static void main(String[] args) {
    String mode = System.getProperty("mode", "both");
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    int post = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    int reps = args.length > 2 ? Integer.parseInt(args[2]) : 15;
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 10;
    int start = rows - post;
    System.out.printf(
        Locale.ROOT,
        "rows %d, post %d (intervention at row %d), %d timed runs after %d warm-up runs,"
            + " %d CPUs%n",
        rows,
        post,
        start,
        reps,
        warmup,
        Runtime.getRuntime().availableProcessors());
    if (!mode.equals("graph")) {
      time(
        "CausalImpact mode (x1, x2, x3 -> y, ARDL(1,1))",
        BenchData.causalImpactModelGraph(),
        BenchData.causalImpactTable(rows, start, 2.0, 42L),
        BenchData.causalImpactIntervention(start),
        reps,
        warmup);
    }
    if (!mode.equals("ci")) {
    time(
        "graph mode (a -> b -> c -> d, AR(1), do(a + 1.5))",
        BenchData.chainGraph(),
        BenchData.chainTable(rows, start, 1.5, 43L),
        BenchData.chainIntervention(start, 1.5),
        reps,
        warmup);
    }
  }

  private static void time(
      String title,
      CausalGraph graph,
      TimeSeriesTable table,
      Intervention intervention,
      int reps,
      int warmup) {
    ImpactAnalyzer analyzer = ImpactAnalyzer.withDefaults();
    IntervalSettings settings = analyzer.intervals();
    ScmFitter fitter = ScmFitter.with(analyzer.fit());
    int t0 = intervention.start();
    int end = intervention.endWithin(table.rows());
    int horizon = end - t0;
    double alpha = 1 - settings.level();

    double[][] observed = ScmFitter.columnsOf(graph, table);
    FittedScm model = fitter.fit(graph, table, 0, t0);
    List<String> outcomes =
        intervention.outcomes().isEmpty()
            ? List.copyOf(graph.descendants(intervention.actions().keySet()))
            : intervention.outcomes();
    Set<String> simulated = new LinkedHashSet<>(intervention.actions().keySet());
    simulated.addAll(graph.descendants(intervention.actions().keySet()));
    simulated.addAll(outcomes);
    List<EquationLayout> layouts = model.equations().stream().map(e -> e.layout()).toList();
    WorldSimulator worlds =
        new WorldSimulator(graph, layouts, observed, simulated, intervention.actions());
    int[] outcomePos =
        outcomes.stream().mapToInt(o -> worlds.positionOf(graph.indexOf(o))).toArray();
    boolean hasActions = !intervention.actions().isEmpty();
    double[][] coef = new double[graph.size()][];
    for (int j = 0; j < graph.size(); j++) {
      coef[j] = model.equation(j).coefficients();
    }
    double[][] cfPoint = new double[worlds.simulatedCount()][horizon];
    double[][] ivPoint = hasActions ? new double[worlds.simulatedCount()][horizon] : null;
    worlds.run(coef, t0, end, null, cfPoint, ivPoint);
    ResidualBootstrap.Paths paths =
        ResidualBootstrap.run(model, worlds, outcomePos, t0, end, hasActions, settings);
    ConformalBounds[] bounds =
        ConformalBounds.run(
            RollingOriginCalibration.start(
                model,
                worlds,
                observed,
                outcomePos,
                horizon,
                analyzer.fit().ridge(),
                settings.calibrationFraction()),
            paths.counterfactual(),
            new double[outcomePos.length],
            alpha);

    Map<String, Supplier<Object>> steps = new LinkedHashMap<>();
    steps.put("fit (ScmFitter.fit, pre-period)", () -> fitter.fit(graph, table, 0, t0));
    steps.put(
        "point paths (WorldSimulator.run)",
        () -> {
          double[][] cf = new double[worlds.simulatedCount()][horizon];
          double[][] iv = hasActions ? new double[worlds.simulatedCount()][horizon] : null;
          worlds.run(coef, t0, end, null, cf, iv);
          return cf;
        });
    steps.put(
        "bootstrap (ResidualBootstrap, " + settings.replicates() + " replicates)",
        () -> ResidualBootstrap.run(model, worlds, outcomePos, t0, end, hasActions, settings));
    steps.put(
        "calibration (RollingOriginCalibration)",
        () ->
            ConformalBounds.run(
                RollingOriginCalibration.start(
                    model,
                    worlds,
                    observed,
                    outcomePos,
                    horizon,
                    analyzer.fit().ridge(),
                    settings.calibrationFraction()),
                paths.counterfactual(),
                new double[outcomePos.length],
                alpha));
    for (int o = 0; o < outcomes.size(); o++) {
      String name = outcomes.get(o);
      int node = graph.indexOf(name);
      double[] y = observed[node];
      double sum = 0;
      for (int h = 0; h < horizon; h++) {
        sum += y[t0 + h] - cfPoint[outcomePos[o]][h];
      }
      double effectMean = sum / horizon;
      boolean used = bounds[o].cumulative()[horizon - 1] == null;
      PermutationInference test =
          permutationTest(graph, model, fitter, observed, worlds, cfPoint, node, t0, end);
      double sigma = model.equation(node).sigma();
      steps.put(
          "permutation test, outcome "
              + name
              + (used ? " (used by analyze)" : " (NOT used: conformal bound is finite)"),
          () -> {
            Double[] set = test.confidenceSet(effectMean, sigma > 0 ? sigma : 1e-9, alpha);
            return new Object[] {set, test.pValue(0)};
          });
    }
    int outcomeCount = outcomes.size();
    steps.put(
        "summaries: bootstrap percentiles per step (" + (hasActions ? 4 : 2) + " sorts/step)",
        () -> {
          int b = settings.replicates();
          double[] draw = new double[b];
          double[] cum = new double[b];
          double acc = 0;
          for (int o = 0; o < outcomeCount; o++) {
            Arrays.fill(cum, 0);
            for (int h = 0; h < horizon; h++) {
              for (int r = 0; r < b; r++) {
                draw[r] = paths.counterfactual()[r][o][h];
                cum[r] += draw[r];
              }
              for (int k = 0; k < (hasActions ? 2 : 1); k++) {
                double[] s1 = draw.clone();
                Arrays.sort(s1);
                double[] s2 = cum.clone();
                Arrays.sort(s2);
                acc += s1[b / 2] + s2[b / 2];
              }
            }
          }
          return acc;
        });
    steps.put(
        "analyze (everything)",
        () -> analyzer.analyze("bench", graph, table, 0, intervention));

    System.out.println();
    System.out.println(title);
    System.out.printf(Locale.ROOT, "  %-62s %9s %9s %9s%n", "step", "min ms", "median", "max");
    String only = System.getProperty("steps", "");
    for (Map.Entry<String, Supplier<Object>> s : steps.entrySet()) {
      if (!s.getKey().contains(only)) {
        continue;
      }
      double[] ms = new double[reps];
      Object sink = null;
      for (int i = 0; i < warmup; i++) {
        sink = s.getValue().get();
      }
      for (int i = 0; i < reps; i++) {
        long a = System.nanoTime();
        sink = s.getValue().get();
        ms[i] = (System.nanoTime() - a) / 1e6;
      }
      if (sink == null) {
        throw new IllegalStateException();
      }
      Arrays.sort(ms);
      System.out.printf(
          Locale.ROOT,
          "  %-62s %9.2f %9.2f %9.2f%n",
          s.getKey(),
          ms[0],
          ms[reps / 2],
          ms[reps - 1]);
    }
  }

  /** As {@code impact.Analysis.permutationTest}. */
  private static PermutationInference permutationTest(
      CausalGraph graph,
      FittedScm model,
      ScmFitter fitter,
      double[][] observed,
      WorldSimulator worlds,
      double[][] cfPoint,
      int node,
      int t0,
      int postEnd) {
    double[][] base = observed.clone();
    for (int j = 0; j < graph.size(); j++) {
      int pos = worlds.positionOf(j);
      if (pos >= 0 && j != node) {
        double[] v = observed[j].clone();
        System.arraycopy(cfPoint[pos], 0, v, t0, postEnd - t0);
        base[j] = v;
      }
    }
    EquationLayout layout = model.equation(node).layout();
    return new PermutationInference(
        theta -> {
          double[][] values = base.clone();
          double[] y = observed[node].clone();
          for (int t = t0; t < postEnd; t++) {
            y[t] -= theta;
          }
          values[node] = y;
          return fitter.residuals(layout, values, 0, postEnd);
        },
        postEnd - t0);
  }
}
