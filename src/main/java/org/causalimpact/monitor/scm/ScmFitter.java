package org.causalimpact.monitor.scm;

import java.util.ArrayList;
import java.util.List;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.graph.CausalGraph;

/**
 * Fits every structural equation of a graph by (ridge) least squares on a window of rows: a pure
 * function from (graph, data, window) to an immutable {@link FittedScm}.
 */
public final class ScmFitter {
  private final FitOptions options;

  private ScmFitter(FitOptions options) {
    this.options = options;
  }

  public static ScmFitter with(FitOptions options) {
    return new ScmFitter(options);
  }

  /**
   * Fits on rows {@code [from, to)} of {@code table}. A node's equation is fitted on the rows from
   * {@code max(from, maxLag)} on, so that every lag reads an observed value of the table.
   *
   * @throws InputException if a node is not a column, a value is not finite, the window has too
   *     few rows for the number of coefficients, or a term is constant or collinear
   */
  public FittedScm fit(CausalGraph graph, TimeSeriesTable table, int from, int to) {
    double[][] values = columnsOf(graph, table);
    List<FittedEquation> equations = new ArrayList<>();
    for (String node : graph.nodeNames()) {
      EquationLayout layout = EquationLayout.of(graph, node, from, to - from);
      equations.add(fitEquation(layout, values, from, to));
    }
    return new FittedScm(graph, equations, from, to);
  }

  /** The graph's node columns of the table by graph index, checked for finite values. */
  public static double[][] columnsOf(CausalGraph graph, TimeSeriesTable table) {
    double[][] values = new double[graph.size()][];
    for (String node : graph.nodeNames()) {
      if (!table.hasColumn(node)) {
        throw new InputException(
            "the data has no column for node '"
                + node
                + "' (columns: "
                + String.join(", ", table.columns())
                + ")");
      }
      double[] col = table.raw()[table.columnIndex(node)];
      for (int t = 0; t < col.length; t++) {
        if (!Double.isFinite(col[t])) {
          throw new InputException(
              "column '" + node + "' has a non-finite value (" + col[t] + ") at row " + t);
        }
      }
      values[graph.indexOf(node)] = col;
    }
    return values;
  }

  /**
   * Residuals of {@code layout}'s equation refitted on rows {@code [from, to)} of {@code values}
   * (all rows from {@code max(from, maxLag)} on), for the permutation test.
   */
  public double[] residuals(EquationLayout layout, double[][] values, int from, int to) {
    return fitEquation(layout, values, from, to).residuals();
  }

  public FittedEquation fitEquation(EquationLayout layout, double[][] values, int from, int to) {
    int first = Math.max(from, layout.maxLag());
    int n = to - first;
    int p = layout.size();
    if (n < p + 2) {
      throw new InputException(
          "the pre-period has "
              + Math.max(n, 0)
              + " usable rows for node '"
              + layout.nodeName()
              + "' but its equation has "
              + p
              + " coefficients ("
              + String.join(", ", layout.termNames())
              + "): use a pre-period of at least "
              + (p + 2 + layout.maxLag())
              + " rows, or fewer lags, harmonics or covariates");
    }
    double[][] x = new double[n][p];
    double[] y = new double[n];
    EquationLayout.NodeValues v = (node, t) -> values[node][t];
    double[] target = values[layout.node()];
    for (int i = 0; i < n; i++) {
      layout.regressors(v, first + i, x[i]);
      y[i] = target[first + i];
    }
    LeastSquares.Solution s = LeastSquares.solve(x, y, options.ridge());
    if (s.collinearColumn() >= 0) {
      String term = layout.termNames().get(s.collinearColumn());
      throw new InputException(
          "cannot fit node '"
              + layout.nodeName()
              + "': term '"
              + term
              + "' is constant or a linear combination of other terms in the pre-period"
              + " (rows "
              + first
              + ".."
              + (to - 1)
              + "); drop that column or term, or set a ridge penalty");
    }
    double[] coef = s.coefficients();
    double[] res = new double[n];
    double rss = 0;
    double mean = 0;
    for (int i = 0; i < n; i++) {
      mean += y[i];
    }
    mean /= n;
    double tss = 0;
    for (int i = 0; i < n; i++) {
      double fitted = 0;
      for (int k = 0; k < p; k++) {
        fitted += coef[k] * x[i][k];
      }
      res[i] = y[i] - fitted;
      rss += res[i] * res[i];
      tss += (y[i] - mean) * (y[i] - mean);
    }
    double sigma = Math.sqrt(rss / Math.max(1, n - p));
    double r2 = tss > 0 ? 1 - rss / tss : Double.NaN;
    return new FittedEquation(layout, coef, x, s.inverseGram(), res, first, sigma, r2);
  }
}
