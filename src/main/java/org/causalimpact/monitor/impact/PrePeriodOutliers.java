package org.causalimpact.monitor.impact;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.scm.FittedEquation;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.uncertainty.Quantiles;

/**
 * Pre-period rows that a simulated equation's fit cannot explain, named in a note before any
 * number. One odd reading (an outage, a double count, a unit slip) is not noise: the model has no
 * term for it, so it takes it as noise, and the noise's standard deviation, which every interval
 * of both routes scales with, grows with it. Measured on the README's vignette with +30 added to
 * one pre-period row (about 25 noise sds): the estimate stayed (10.3 against 10.4), but the
 * innovations' sd went from 1.2 to 3.6 and the intervals of the average effect widened 2.5
 * (bootstrap) and 3.6 (conformal) times. The engine does
 * not remove such rows (what is an error in a metric is the user's call); the note says which rows
 * they are, how much they inflate the noise, and what to do.
 *
 * <p>A row is named when its standardised residual (for a state-space error, its innovation; see
 * {@link FittedEquation#residual}) lies more than {@value #THRESHOLD} robust standard deviations
 * from the residuals' median, the robust sd being 1.4826 times their median absolute deviation,
 * which the odd rows themselves hardly move. For normal noise a row is that far with probability
 * 2e-9, so a clean pre-period of any length practical here gets no note.
 */
final class PrePeriodOutliers {
  /** Robust standard deviations from the median beyond which a residual is named. */
  static final double THRESHOLD = 6.0;

  /** The median absolute deviation of a normal sample over its standard deviation, inverted. */
  private static final double MAD_TO_SD = 1.4826;

  /** Most rows a note lists by time; the count covers all. */
  static final int MOST_LISTED = 5;

  /** A robust sd below this share of the metric's own spread is rounding, not noise. */
  private static final double NUMERICAL_ZERO = 1e-8;

  private PrePeriodOutliers() {}

  /** The notes for the equations of {@code nodes} (graph order), none for a clean pre-period. */
  static List<String> notes(
      CausalGraph graph, FittedScm model, TimeSeriesTable table, Set<String> nodes) {
    List<String> notes = new ArrayList<>();
    for (String node : graph.nodeNames()) {
      String note = nodes.contains(node) ? note(node, model.equation(node), table) : null;
      if (note != null) {
        notes.add(note);
      }
    }
    return notes;
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

  /** The note for one equation's fit, or {@code null} if no row is an outlier. */
  static String note(String node, FittedEquation eq, TimeSeriesTable table) {
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
    List<String> listed = new ArrayList<>();
    int count = 0;
    double all = 0;
    double clean = 0;
    for (int i = 0; i < n; i++) {
      double z = deviation[i] / robustSd;
      all += r[i] * r[i];
      if (z > THRESHOLD) {
        count++;
        if (listed.size() < MOST_LISTED) {
          listed.add(
              String.format(Locale.ROOT, "%s (%.1f)", table.label(eq.firstRow() + i), z));
        }
      } else {
        clean += r[i] * r[i];
      }
    }
    if (count == 0) {
      return null;
    }
    double inflation = Math.sqrt((all / n) / (clean / (n - count)));
    return String.format(
        Locale.ROOT,
        "%s: %d pre-period row%s, far from what the fit predicts one step ahead (in robust sds):"
            + " %s%s; with %s the noise's standard deviation is %.1f times what the other rows"
            + " give, and every interval is wider by about as much. If %s a bad reading, correct"
            + " it in the input or start the pre-period after it",
        node,
        count,
        count == 1 ? " is an outlier" : "s are outliers",
        String.join(", ", listed),
        count > listed.size() ? ", ..." : "",
        count == 1 ? "it" : "them",
        inflation,
        count == 1 ? "it is" : "one is");
  }
}
