package org.causalimpact.monitor.scm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.graph.Level;

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
    return fit(graph, table, from, to, node -> true);
  }

  /**
   * As {@link #fit(CausalGraph, TimeSeriesTable, int, int)}, with the stochastic level of each
   * node's definition only for the nodes {@code withLevel} accepts; the others are fitted as
   * ordinary regressions. An analysis simulates only some nodes (the intervened ones, their
   * descendants and the outcomes): the others' errors are never drawn, so their level need not be
   * estimated.
   */
  public FittedScm fit(
      CausalGraph graph, TimeSeriesTable table, int from, int to, Predicate<String> withLevel) {
    double[][] values = columnsOf(graph, table);
    List<EquationPosterior> equations = new ArrayList<>();
    for (String node : graph.nodeNames()) {
      Level level = withLevel.test(node) ? graph.node(node).level() : Level.NONE;
      EquationLayout layout = EquationLayout.of(graph, node, from, to - from);
      int n = to - Math.max(from, layout.maxLag());
      // a trend is offered unless the covariates are to carry the metric's course on their own
      // (a synthetic control: too few rows to fit them all)
      boolean offerTrend =
          level == Level.AUTO
              && !graph.node(node).hasTrendTerm()
              && n >= SYNTHETIC_ROWS_PER_TERM * layout.size();
      equations.add(
          offerTrend
              ? fitWithTrend(
                  EquationLayout.of(graph, node, from, to - from, true), layout, values, from, to)
              : fitPosterior(layout, level, values, from, to));
    }
    return new FittedScm(graph, equations, from, to);
  }

  /**
   * The equation of a node whose level is {@link Level#AUTO} and that asks for no trend, fitted on
   * rows {@code [from, to)} with a linear trend that is selected, not forced: the posterior weighs
   * the models with and without it ({@link SubsetSearch}, prior probability {@value
   * SubsetSearch#TREND_INCLUSION}), so a metric that grows gets a counterfactual that grows on,
   * and one that does not keeps the fit it had. Where the parents' terms are selected ({@link
   * #selects}), jointly with them. Not below {@link #SYNTHETIC_ROWS_PER_TERM} rows a term: there
   * the covariates are many controls, whose combination is to carry the metric's course (a
   * synthetic control), and a trend of its own would compete with them (on California's 19 pre
   * years it took the decline the other states share and left an effect whose interval held 0).
   * {@code layout} is {@code base}, the node's own terms, plus that trend
   * as its last term; the checks of {@link #fitEquation} apply to {@code base}, so they name only
   * terms the node has.
   */
  private EquationPosterior fitWithTrend(
      EquationLayout layout, EquationLayout base, double[][] values, int from, int to) {
    int first = Math.max(from, layout.maxLag());
    int n = to - first;
    fitEquation(base, values, from, to); // for its checks, which name the node's own terms
    boolean[] forced = new boolean[layout.size()];
    if (selects(base, n)) {
      // the parents' terms are selected with it
      System.arraycopy(forcedTerms(base), 0, forced, 0, base.size());
    } else {
      Arrays.fill(forced, true);
    }
    forced[layout.size() - 1] = false;
    double[][] x = regressors(layout, values, first, n);
    double[] y = Arrays.copyOfRange(values[layout.node()], first, first + n);
    EquationPosterior posterior =
        StateSpaceFitter.fit(layout, Level.AUTO, x, y, first, options.ridge(), forced, base);
    return posterior != null ? posterior : fitPosterior(base, Level.AUTO, values, from, to);
  }

  /** The regressors of {@code layout} on rows {@code first .. first + n - 1}, {@code [row][k]}. */
  private static double[][] regressors(
      EquationLayout layout, double[][] values, int first, int n) {
    double[][] x = new double[n][layout.size()];
    EquationLayout.NodeValues v = (node, t) -> values[node][t];
    for (int i = 0; i < n; i++) {
      layout.regressors(v, first + i, x[i]);
    }
    return x;
  }

  /**
   * The equation of {@code layout} fitted on rows {@code [from, to)}: once by least squares for
   * {@link Level#NONE}, otherwise over the grid of error processes of {@link StateSpaceFitter}.
   * The checks of {@link #fitEquation} apply in every case.
   */
  public EquationPosterior fitPosterior(
      EquationLayout layout, Level level, double[][] values, int from, int to) {
    int first = Math.max(from, layout.maxLag());
    int n = to - first;
    boolean[] forced = level != Level.NONE && selects(layout, n) ? forcedTerms(layout) : null;
    FittedEquation ordinary = null;
    if (forced == null) {
      ordinary = fitEquation(layout, values, from, to);
      if (level == Level.NONE) {
        return EquationPosterior.single(ordinary);
      }
    } else {
      requireRows(layout, forced, n, first, to);
    }
    int p = layout.size();
    double[][] x = regressors(layout, values, first, n);
    double[] y = Arrays.copyOfRange(values[layout.node()], first, first + n);
    EquationPosterior posterior =
        StateSpaceFitter.fit(layout, level, x, y, first, options.ridge(), forced, null);
    if (posterior != null) {
      return posterior;
    }
    if (ordinary == null) {
      throw new InputException(
          "cannot fit node '"
              + layout.nodeName()
              + "': no subset of its "
              + (p - countForced(forced))
              + " parent terms gives a regular fit on rows "
              + first
              + ".."
              + (to - 1)
              + "; check for constant or duplicated columns");
    }
    return EquationPosterior.single(ordinary);
  }

  /**
   * Rows per coefficient below which the parent terms of an equation with a stochastic level are
   * selected ({@link SubsetSearch}, against the model with them all shrunk, {@link
   * DenseShrinkage}) instead of all fitted by least squares, which spends a coefficient on each
   * control whether it matters or not: with 30 controls on 200 rows the intervals where two of
   * them matter were 2.4 times as wide as with selection (README, "Many control series"). With
   * more terms than rows least squares has no solution at all. An equation of level {@link
   * Level#NONE} is the ordinary regression and is never selected.
   */
  static final int ROWS_PER_TERM = 20;

  /**
   * Rows per coefficient below which a selected equation is a synthetic control: the covariates are
   * to carry the metric's course, and no trend of its own is offered ({@link #fitWithTrend}).
   */
  static final int SYNTHETIC_ROWS_PER_TERM = 5;

  /**
   * Fewest usable rows with which parent terms are selected: below it no selection is trusted and
   * the equation must fit whole (or fail with the pre-period message).
   */
  static final int MIN_SELECTION_ROWS = 10;

  /** Whether {@code layout}'s parent terms are selected on {@code n} rows. */
  static boolean selects(EquationLayout layout, int n) {
    boolean[] forced = forcedTerms(layout);
    return countForced(forced) < layout.size()
        && n < ROWS_PER_TERM * layout.size()
        && n >= Math.max(MIN_SELECTION_ROWS, countForced(forced) + 3);
  }

  /** The terms that are never selected away: all but the parents' (current and lagged) terms. */
  static boolean[] forcedTerms(EquationLayout layout) {
    boolean[] forced = new boolean[layout.size()];
    for (int k = 0; k < forced.length; k++) {
      forced[k] = layout.sourceNode(k) < 0 || layout.isOwnLag(k);
    }
    return forced;
  }

  private static int countForced(boolean[] forced) {
    int c = 0;
    for (boolean f : forced) {
      c += f ? 1 : 0;
    }
    return c;
  }

  private static void requireRows(EquationLayout layout, boolean[] forced, int n, int first, int to) {
    int pf = countForced(forced);
    if (n < pf + 2) {
      throw new InputException(
          "the pre-period has "
              + Math.max(n, 0)
              + " usable rows for node '"
              + layout.nodeName()
              + "' but even without its parent terms its equation has "
              + pf
              + " coefficients: use a pre-period of at least "
              + (pf + 2 + layout.maxLag())
              + " rows, or fewer lags or harmonics");
    }
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
              + " rows, or fewer lags, harmonics or covariates (with a stochastic level, e.g."
              + " level auto, the covariates are selected instead)");
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
