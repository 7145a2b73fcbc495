package org.causalimpact.monitor.impact;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.graph.Level;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.TimeSeriesTable;

/**
 * A simulation study of one odd reading in the pre-period ({@link PrePeriodOutliers}): the
 * CausalImpact design of issue 17 (y = 1.2 x + level + AR(0.3) noise of innovation sd 1, the level
 * a random walk of sd {@code levelSd} a step, x = 100 + AR(0.9) noise, effect +3 a step after
 * {@code pre} rows, {@code post} rows after), each data set analysed three times with CausalImpact
 * mode's defaults: clean; with {@code spike} added to one pre-period row drawn at random (past
 * the first eighth), outliers kept; and the same with outliers replaced. For each, the coverage
 * of the true average effect by the 95% intervals (conformal / bootstrap), their mean width, and
 * how many analyses named an outlier.
 *
 * <p>Run (after {@code mvn -DskipTests package}, {@code target/bench-classpath.txt} as {@code
 * src/test/bench/run-benchmarks.sh} writes it): {@code java -cp
 * target/test-classes:target/classes:$(cat target/bench-classpath.txt)
 * org.causalimpact.monitor.impact.PrePeriodOutlierStudy 1000 25 1 0.05 450 150} (data sets,
 * spike, seed, level sd, pre rows, post rows; a seventh argument {@code t3} draws the noise's
 * innovations from Student's t with 3 degrees of freedom, a metric with heavy tails).
 */
public final class PrePeriodOutlierStudy {
  static final String[] SETTINGS = {"clean", "spike, kept", "spike, replaced"};

  /**
   * Per setting ({@link #SETTINGS}): coverage and mean width, conformal then bootstrap, and the
   * share of analyses with an outlier note.
   */
  record Result(double[][] coverage, double[][] width, double[] noted) {}

  private PrePeriodOutlierStudy() {}

  static Result run(int sets, double spike, long seed, double levelSd, int pre, int post) {
    return run(sets, spike, seed, levelSd, pre, post, false);
  }

  /** With {@code heavy}, the noise's innovations are Student-t of 3 degrees of freedom. */
  static Result run(
      int sets, double spike, long seed, double levelSd, int pre, int post, boolean heavy) {
    CausalGraph graph = CausalImpactModel.graph("y", List.of("x"), 0, 0, null, false, Level.AUTO);
    double[][] coverage = new double[3][2];
    double[][] width = new double[3][2];
    double[] noted = new double[3];
    IntStream.range(0, sets)
        .parallel()
        .forEach(
            r -> {
              SplittableRandom random = new SplittableRandom(seed * 1_000_003L + r);
              double[][] yx = series(random, pre, post, levelSd, heavy);
              double[] y = yx[0];
              double[] x = yx[1];
              double[] spiked = y.clone();
              spiked[pre / 8 + random.nextInt(pre - pre / 8 - 2)] += spike;
              for (int s = 0; s < 3; s++) {
                TimeSeriesTable table =
                    new TimeSeriesTable(
                        List.of("y", "x"), new double[][] {s == 0 ? y : spiked, x}, null);
                ImpactAnalysis a =
                    ImpactAnalyzer.withDefaults()
                        .withFit(FitOptions.ols().withReplaceOutliers(s == 2))
                        .analyze(
                            "study",
                            graph,
                            table,
                            0,
                            new Intervention("post", Map.of(), List.of("y"), pre, -1));
                Estimate e = a.outcomes().get(0).summary().average().effect();
                Interval[] routes = {e.conformal(), e.bootstrap()};
                boolean note = a.notes().stream().anyMatch(m -> m.contains("outlier"));
                synchronized (coverage) {
                  for (int k = 0; k < 2; k++) {
                    coverage[s][k] += routes[k].contains(3.0) ? 1.0 / sets : 0;
                    width[s][k] += (routes[k].upper() - routes[k].lower()) / sets;
                  }
                  noted[s] += note ? 1.0 / sets : 0;
                }
              }
            });
    return new Result(coverage, width, noted);
  }

  /**
   * {@code {y, x}} of the design: y = 1.2 x + level + AR(0.3) noise (+3 from row {@code pre}),
   * the level a random walk of sd {@code levelSd}, x = 100 + AR(0.9) noise.
   */
  static double[][] series(
      SplittableRandom random, int pre, int post, double levelSd, boolean heavy) {
    int n = pre + post;
    double[] x = new double[n];
    double[] y = new double[n];
    double xs = 0;
    double level = 0;
    double noise = 0;
    for (int t = 0; t < n; t++) {
      xs = 0.9 * xs + random.nextGaussian();
      level += levelSd * random.nextGaussian();
      noise = 0.3 * noise + (heavy ? studentT3(random) : random.nextGaussian());
      x[t] = 100 + xs;
      y[t] = 1.2 * x[t] + level + noise + (t >= pre ? 3 : 0);
    }
    return new double[][] {y, x};
  }

  private static double studentT3(SplittableRandom random) {
    double chi2 = 0;
    for (int k = 0; k < 3; k++) {
      double g = random.nextGaussian();
      chi2 += g * g;
    }
    return random.nextGaussian() / Math.sqrt(chi2 / 3);
  }

  public static void main(String[] args) {
    int sets = Integer.parseInt(args[0]);
    Result r =
        run(
            sets,
            Double.parseDouble(args[1]),
            Long.parseLong(args[2]),
            Double.parseDouble(args[3]),
            Integer.parseInt(args[4]),
            Integer.parseInt(args[5]),
            args.length > 6 && args[6].equals("t3"));
    for (int s = 0; s < 3; s++) {
      System.out.printf(
          Locale.ROOT,
          "%-16s coverage %.1f%% / %.1f%%, width %.3f / %.3f, outlier note in %.1f%%%n",
          SETTINGS[s],
          100 * r.coverage()[s][0],
          100 * r.coverage()[s][1],
          r.width()[s][0],
          r.width()[s][1],
          100 * r.noted()[s]);
    }
  }
}
