package org.causalimpact.monitor.impact;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.FittedEquation;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.ScmFitter;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.uncertainty.Quantiles;

/**
 * Pre-period rows that a simulated equation's fit cannot explain, named in a note before any
 * number, and replaced by the fit's one-step prediction where the fit options ask for it ({@link
 * FitOptions#replaceOutliers}). One odd reading (an outage, a double count, a unit slip) is not
 * noise: the model has no term for it, so it takes it as noise, and the noise's standard
 * deviation, which every interval of both routes scales with, grows with it. Measured on the
 * README's vignette with +30 added to one pre-period row (about 25 noise sds): the estimate stayed
 * (10.3 against 10.4), but the innovations' sd went from 1.2 to 3.6 and the intervals of the
 * average effect widened 2.5 (bootstrap) and 3.6 (conformal) times. By default the rows are kept
 * (what is an error in a metric is the user's call, and a metric with heavy tails would get
 * intervals too narrow for its post-period if its large values were replaced); the note says
 * which they are, how much they inflate the noise, and what to do.
 *
 * <p>A row is named when its standardised residual (for a state-space error, its innovation; see
 * {@link FittedEquation#residual}) lies more than {@value #THRESHOLD} robust standard deviations
 * from the residuals' median, the robust sd being 1.4826 times their median absolute deviation,
 * which the odd rows themselves hardly move, and the rows that far together inflate the noise's
 * sd at least {@value #MIN_INFLATION} times. For normal noise a row is that far with probability
 * 2e-9, so a clean pre-period of any length practical here gets no note.
 *
 * <p>Replacing sets an equation's first outlying row to what the fit predicted for it from the
 * rows before (its one-step prediction) in the table the model is then fitted on again, the
 * calibration's and the paths' observed values included, so that the row adds nothing to the
 * noise; the new fit looks again, and so on, one row an equation a fit, up to {@value #PASSES}
 * fits. One row at a time, because the rows after an outlier are predicted from it: replaced all
 * at once, the next row of a spike was replaced by a value as high as the spike's, which made the
 * normal row after it an outlier in turn.
 */
final class PrePeriodOutliers {
  /** Robust standard deviations from the median beyond which a residual is named. */
  static final double THRESHOLD = 6.0;

  /**
   * Least factor by which the far rows must inflate the noise's standard deviation to be named:
   * a metric with heavy tails has rows that far which cost its intervals little, and replacing
   * them makes the intervals too narrow for its post-period. With Student-t innovations of 3
   * degrees of freedom, 94% of 450-row pre-periods had such a row, and replacing them narrowed
   * the intervals 15% and cost up to 1.7 points of coverage; with this floor 29% are named, and
   * replacing narrows them 5-10% ({@code PrePeriodOutlierStudy} in the tests).
   */
  static final double MIN_INFLATION = 1.2;

  /** Most rows a note lists by time; the count covers all. */
  static final int MOST_LISTED = 5;

  /**
   * Most fits when outliers are replaced: the first and one after each replaced row, so at most
   * {@code PASSES - 1} rows an equation are replaced.
   */
  static final int PASSES = 8;

  private static final String MORE_THAN_REPLACED =
      " (these are more than the " + (PASSES - 1) + " rows an equation that outliers: replace"
          + " replaces)";

  /** The median absolute deviation of a normal sample over its standard deviation, inverted. */
  private static final double MAD_TO_SD = 1.4826;

  /** A robust sd below this share of the metric's own spread is rounding, not noise. */
  private static final double NUMERICAL_ZERO = 1e-8;

  /** One outlying row: its value, the fit's one-step prediction of it, and its distance. */
  record Outlier(int row, double value, double predicted, double robustSds) {}

  /**
   * One equation's outlying rows in row order, and how much they inflate its noise's sd (the
   * residuals' root mean square over that of the other rows).
   */
  record Found(String node, List<Outlier> rows, double inflation) {
    Found merged(Found later) {
      List<Outlier> all = new ArrayList<>(rows);
      all.addAll(later.rows);
      all.sort(Comparator.comparingInt(Outlier::row));
      return new Found(node, List.copyOf(all), inflation);
    }
  }

  /** What {@link #fit} ends with: the model, the table and observed values it was fitted on. */
  record Fitted(FittedScm model, TimeSeriesTable table, double[][] observed, List<String> notes) {}

  private PrePeriodOutliers() {}

  /**
   * Fits the model on rows {@code [preStart, t0)} of {@code table} (whose node columns by graph
   * index are {@code recorded}, which are not modified) with the stochastic levels of {@code
   * simulated}, names the outliers of the simulated equations and, if {@code fit} asks for it,
   * replaces them and fits again.
   */
  static Fitted fit(
      CausalGraph graph,
      TimeSeriesTable table,
      double[][] recorded,
      int preStart,
      int t0,
      FitOptions fit,
      Set<String> simulated) {
    ScmFitter fitter = ScmFitter.with(fit);
    TimeSeriesTable current = table;
    double[][] observed = recorded;
    FittedScm model = fitter.fit(graph, current, preStart, t0, simulated::contains);
    Map<String, Found> replaced = new LinkedHashMap<>();
    List<Found> found = find(graph, model, current, observed, simulated, preStart);
    for (int pass = 1; pass < PASSES && fit.replaceOutliers() && !found.isEmpty(); pass++) {
      // only each equation's first outlier: the predictions of the rows after it read it (a level
      // that followed a spike predicts the next rows high), so they wait for the next fit
      List<Found> first = new ArrayList<>();
      for (Found f : found) {
        first.add(new Found(f.node(), List.of(f.rows().get(0)), f.inflation()));
      }
      current = replace(current, first);
      for (Found f : first) {
        replaced.merge(f.node(), f, Found::merged);
      }
      observed = ScmFitter.columnsOf(graph, current);
      model = fitter.fit(graph, current, preStart, t0, simulated::contains);
      found = find(graph, model, current, observed, simulated, preStart);
    }
    List<String> notes = new ArrayList<>();
    for (Found f : replaced.values()) {
      notes.add(note(f, current, true));
    }
    for (Found f : found) {
      notes.add(note(f, current, false) + (fit.replaceOutliers() ? MORE_THAN_REPLACED : ""));
    }
    return new Fitted(model, current, observed, notes);
  }

  /** The outliers of the equations of {@code nodes}, in graph order; none for a clean fit. */
  static List<Found> find(
      CausalGraph graph,
      FittedScm model,
      TimeSeriesTable table,
      double[][] observed,
      Set<String> nodes,
      int preStart) {
    List<Found> out = new ArrayList<>();
    for (String node : graph.nodeNames()) {
      if (nodes.contains(node)) {
        Found f = find(node, model, table, observed, graph.indexOf(node), preStart);
        if (f != null) {
          out.add(f);
        }
      }
    }
    return out;
  }

  /** One equation's outliers, or {@code null} if it has none. */
  private static Found find(
      String node,
      FittedScm model,
      TimeSeriesTable table,
      double[][] observed,
      int index,
      int preStart) {
    FittedEquation eq = model.equation(node);
    int n = eq.observations();
    if (n < 3) {
      return null;
    }
    double[] r = new double[n];
    for (int i = 0; i < n; i++) {
      r[i] = eq.residual(i);
    }
    double median = Quantiles.type7Unsorted(r, 0.5);
    double[] deviation = new double[n];
    for (int i = 0; i < n; i++) {
      deviation[i] = Math.abs(r[i] - median);
    }
    double robustSd = MAD_TO_SD * Quantiles.type7Unsorted(deviation, 0.5);
    if (!(robustSd > NUMERICAL_ZERO * spread(table, node, eq.firstRow(), n))) {
      // a fit that reproduces the pre-period (or a metric that hardly moves) has residuals of
      // rounding size, among which any one looks far out
      return null;
    }
    List<Integer> flagged = new ArrayList<>();
    double all = 0;
    double clean = 0;
    for (int i = 0; i < n; i++) {
      all += r[i] * r[i];
      if (deviation[i] / robustSd > THRESHOLD) {
        flagged.add(i);
      } else {
        clean += r[i] * r[i];
      }
    }
    double inflation =
        flagged.isEmpty() ? 1 : Math.sqrt((all / n) / (clean / (n - flagged.size())));
    if (!(inflation >= MIN_INFLATION)) {
      // none, or the far rows of a metric with heavy tails, which cost its intervals little
      return null;
    }
    PrePeriodFit fitted = PrePeriodFit.of(model, observed, index, preStart);
    List<Outlier> rows = new ArrayList<>();
    for (int i : flagged) {
      int t = eq.firstRow() + i;
      rows.add(
          new Outlier(
              t, observed[index][t], fitted.fitted(t - preStart), deviation[i] / robustSd));
    }
    return new Found(node, List.copyOf(rows), inflation);
  }

  /** {@code table} with every outlier's value set to its one-step prediction. */
  private static TimeSeriesTable replace(TimeSeriesTable table, List<Found> found) {
    double[][] values = table.values();
    double[][] copy = new double[values.length][];
    for (int c = 0; c < values.length; c++) {
      copy[c] = values[c].clone();
    }
    for (Found f : found) {
      int c = table.columnIndex(f.node());
      for (Outlier o : f.rows()) {
        copy[c][o.row()] = o.predicted();
      }
    }
    return new TimeSeriesTable(table.columns(), copy, table.labels());
  }

  /** The standard deviation of {@code node}'s values on rows {@code [first, first + n)}. */
  private static double spread(TimeSeriesTable table, String node, int first, int n) {
    double[] column = table.column(node);
    double sum = 0;
    double squares = 0;
    for (int t = first; t < first + n; t++) {
      double v = column[t];
      sum += v;
      squares += v * v;
    }
    double mean = sum / n;
    return Math.sqrt(Math.max(0, squares / n - mean * mean));
  }

  /** The note on one equation's outliers, kept or replaced. */
  static String note(Found f, TimeSeriesTable table, boolean replaced) {
    int count = f.rows().size();
    List<String> listed = new ArrayList<>();
    for (Outlier o : f.rows().subList(0, Math.min(count, MOST_LISTED))) {
      listed.add(
          replaced
              ? String.format(
                  Locale.ROOT,
                  "%s (%.1f; %.4g replaced by %.4g)",
                  table.label(o.row()),
                  o.robustSds(),
                  o.value(),
                  o.predicted())
              : String.format(Locale.ROOT, "%s (%.1f)", table.label(o.row()), o.robustSds()));
    }
    String rows =
        String.format(
            Locale.ROOT,
            "%s: %d pre-period row%s, far from what the fit predicts one step ahead (in robust"
                + " sds): %s%s; ",
            f.node(),
            count,
            count == 1 ? " is an outlier" : "s are outliers",
            String.join(", ", listed),
            count > listed.size() ? ", ..." : "");
    String one = count == 1 ? "it" : "them";
    if (replaced) {
      return rows
          + String.format(
              Locale.ROOT,
              "with %s the noise's standard deviation was %.1f times what the other rows gave, so"
                  + " %s replaced by the fit's one-step prediction (outliers: replace) in the"
                  + " model and its intervals",
              one,
              f.inflation(),
              count == 1 ? "it was" : "they were");
    }
    return rows
        + String.format(
            Locale.ROOT,
            "with %s the noise's standard deviation is %.1f times what the other rows give, and"
                + " every interval is wider by about as much. If %s a bad reading, correct it in"
                + " the input, start the pre-period after it, or have it replaced (analyze"
                + " --outliers replace; a monitor's model.outliers: replace)",
            one,
            f.inflation(),
            count == 1 ? "it is" : "one is");
  }
}
