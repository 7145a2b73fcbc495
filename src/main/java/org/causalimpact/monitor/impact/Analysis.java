package org.causalimpact.monitor.impact;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.IntStream;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.scm.EquationLayout;
import org.causalimpact.monitor.scm.Explanations;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.MeanErrors;
import org.causalimpact.monitor.scm.ScmFitter;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.scm.WorldSimulator;
import org.causalimpact.monitor.uncertainty.ConformalBounds;
import org.causalimpact.monitor.uncertainty.BootstrapBands;
import org.causalimpact.monitor.uncertainty.IntervalSettings;
import org.causalimpact.monitor.uncertainty.PermutationInference;
import org.causalimpact.monitor.uncertainty.ResidualBootstrap;
import org.causalimpact.monitor.uncertainty.RollingOriginCalibration;

/** The steps of {@link ImpactAnalyzer#analyze}. */
final class Analysis {
  /** Fewest pre-period rows accepted at all. */
  static final int MIN_PRE_ROWS = 3;

  /** The note of an analysis whose pre-period has no calibration origin. */
  static final String NO_ORIGINS_NOTE =
      "conformal step intervals are unbounded: the pre-period is too short for any calibration"
          + " origin; lengthen it or raise the calibration fraction";

  private Analysis() {}

  static ImpactAnalysis run(
      String monitor,
      CausalGraph graph,
      TimeSeriesTable table,
      int preStart,
      Intervention intervention,
      FitOptions fit,
      IntervalSettings settings) {
    int t0 = intervention.start();
    int postEnd = intervention.endWithin(table.rows());
    requirePrePeriod(preStart, t0);
    if (t0 >= table.rows() || postEnd <= t0) {
      throw new InputException(
          "the intervention starts at row "
              + t0
              + " but the data has only "
              + table.rows()
              + " rows: there is no post-period to analyse");
    }
    Prepared prepared = prepare(graph, table, preStart, intervention, fit);
    List<String> outcomes = prepared.outcomes();
    Set<String> simulatedNames = prepared.simulatedNames();
    double[][] observed = prepared.observed();
    FittedScm model = prepared.model();
    WorldSimulator worlds = worlds(graph, model, observed, simulatedNames, intervention);
    int[] outcomePos =
        outcomes.stream().mapToInt(o -> worlds.positionOf(graph.indexOf(o))).toArray();
    boolean hasActions = !intervention.actions().isEmpty();
    int horizon = postEnd - t0;
    int d = worlds.simulatedCount();

    double[][] coef = new double[graph.size()][];
    for (int j = 0; j < graph.size(); j++) {
      coef[j] = model.equation(j).coefficients();
    }
    double[][] cfPoint = new double[d][horizon];
    double[][] ivPoint = hasActions ? new double[d][horizon] : null;
    worlds.run(
        coef,
        t0,
        postEnd,
        MeanErrors.path(model, worlds.simulatedNodes(), horizon),
        cfPoint,
        ivPoint);

    ResidualBootstrap.Paths paths =
        ResidualBootstrap.run(model, worlds, outcomePos, t0, postEnd, hasActions, settings);
    RollingOriginCalibration calibration =
        RollingOriginCalibration.start(
            model,
            worlds,
            observed,
            outcomePos,
            horizon,
            fit.ridge(),
            settings.calibrationFraction());
    double alpha = 1 - settings.level();
    double[] finalErrors = new double[outcomes.size()];
    for (int o = 0; o < outcomes.size(); o++) {
      double[] obs = observed[graph.indexOf(outcomes.get(o))];
      double[] cf = cfPoint[outcomePos[o]];
      double cumActual = 0;
      double cumPoint = 0;
      for (int h = 0; h < horizon; h++) {
        cumActual += obs[t0 + h];
        cumPoint += cf[h];
      }
      finalErrors[o] = cumActual - cumPoint;
    }
    // the bootstrap's intervals of every step, which the report shows and which normalise the
    // calibration scores: computed once, for all outcomes at once
    BootstrapBands[] bands = new BootstrapBands[outcomes.size()];
    IntStream.range(0, outcomes.size())
        .parallel()
        .forEach(
            o -> bands[o] = BootstrapBands.of(paths.counterfactual(), o, alpha));
    ConformalBounds[] conformal =
        ConformalBounds.run(calibration, bands, finalErrors, alpha);

    List<String> notes = new ArrayList<>(prepared.notes());
    OutcomeImpact[] results = new OutcomeImpact[outcomes.size()];
    List<List<String>> outcomeNotes = new ArrayList<>();
    for (int o = 0; o < outcomes.size(); o++) {
      outcomeNotes.add(new ArrayList<>());
    }
    // Outcomes are independent given the paths and bounds; summarising them is the costliest
    // remaining step on long post-periods, so they run in parallel.
    IntStream.range(0, outcomes.size())
        .parallel()
        .forEach(
            o -> {
              String name = outcomes.get(o);
              int node = graph.indexOf(name);
              double[] actual = Arrays.copyOfRange(observed[node], t0, postEnd);
              double[] cf = cfPoint[outcomePos[o]];
              double[] iv = hasActions ? ivPoint[outcomePos[o]] : null;
              PermutationInference cwz =
                  permutationApplies(graph, model, name, simulatedNames)
                      ? permutationTest(graph, model, fit, observed, node, preStart, t0, postEnd)
                      : null;
              results[o] =
                  OutcomeSummaries.build(
                      name,
                      table,
                      t0,
                      actual,
                      cf,
                      iv,
                      o,
                      paths,
                      bands[o],
                      conformal[o],
                      calibration.calibratedHorizons(),
                      cwz,
                      model.equation(node).sigma(),
                      alpha,
                      outcomeNotes.get(o));
            });
    outcomeNotes.forEach(notes::addAll);
    if (calibration.origins() == 0) {
      notes.add(NO_ORIGINS_NOTE);
    }
    return new ImpactAnalysis(
        monitor,
        intervention.id(),
        settings.level(),
        preStart,
        t0,
        postEnd,
        List.of(results),
        model.summaries(),
        Explanations.effects(model, observed, preStart, t0),
        notes,
        prePeriodFits(prepared, graph, preStart),
        prepared.placebos());
  }

  /** The pre-period fit of every outcome, in report order. */
  static List<PrePeriodFit> prePeriodFits(Prepared prepared, CausalGraph graph, int preStart) {
    return prepared.outcomes().stream()
        .map(
            o ->
                PrePeriodFit.of(
                    prepared.model(),
                    prepared.observed(),
                    prepared.recorded()[graph.indexOf(o)],
                    graph.indexOf(o),
                    preStart))
        .toList();
  }

  /**
   * What an analysis knows before it reads a post-period row.
   *
   * @param outcomes the outcome nodes, in report order
   * @param simulatedNames the simulated set D: intervened nodes, their descendants and the outcomes
   * @param observed the table's node columns by graph index, with the pre-period outliers that
   *     the fit options replace replaced ({@link PrePeriodOutliers})
   * @param recorded the table's node columns as given
   * @param model the SCM fitted on the pre-period
   * @param notes what the report should say about the outcomes before any number: see {@link
   *     #placeboNotes} and {@link PrePeriodOutliers}
   * @param placebos the outcomes do() cannot reach, in report order
   */
  record Prepared(
      List<String> outcomes,
      Set<String> simulatedNames,
      double[][] observed,
      double[][] recorded,
      FittedScm model,
      List<String> notes,
      List<String> placebos) {}

  /**
   * Resolves the outcomes and the simulated set, checks them, and fits the model on rows {@code
   * [preStart, intervention.start())} of {@code table}.
   */
  static Prepared prepare(
      CausalGraph graph,
      TimeSeriesTable table,
      int preStart,
      Intervention intervention,
      FitOptions fit) {
    int t0 = intervention.start();
    for (String node : intervention.actions().keySet()) {
      requireNode(graph, node, "intervened node");
    }
    for (String node : intervention.outcomes()) {
      requireNode(graph, node, "outcome");
    }
    List<String> outcomes = new ArrayList<>(intervention.outcomes());
    if (outcomes.isEmpty()) {
      outcomes.addAll(graph.descendants(intervention.actions().keySet()));
      if (outcomes.isEmpty()) {
        throw new InputException(
            "the intervened nodes "
                + intervention.actions().keySet()
                + " have no descendants in the graph: name the outcomes to report");
      }
    }
    Set<String> reachable = new LinkedHashSet<>(intervention.actions().keySet());
    reachable.addAll(graph.descendants(intervention.actions().keySet()));
    Set<String> simulatedNames = new LinkedHashSet<>(reachable);
    simulatedNames.addAll(outcomes);

    double[][] raw = ScmFitter.columnsOf(graph, table);
    for (String o : outcomes) {
      requireVarying(raw[graph.indexOf(o)], o, preStart, t0);
    }
    PrePeriodOutliers.Fitted fitted =
        PrePeriodOutliers.fit(graph, table, raw, preStart, t0, fit, simulatedNames);
    List<String> placebos =
        intervention.actions().isEmpty()
            ? List.of()
            : outcomes.stream().filter(o -> !reachable.contains(o)).toList();
    List<String> notes = new ArrayList<>(placeboNotes(intervention, placebos));
    notes.addAll(fitted.notes());
    return new Prepared(
        List.copyOf(outcomes),
        simulatedNames,
        fitted.observed(),
        raw,
        fitted.model(),
        List.copyOf(notes),
        placebos);
  }

  /**
   * A note per outcome that the intervention's do() cannot reach: neither an intervened node nor
   * a descendant of one. Its interventional world equals its counterfactual one, so the estimated
   * "effect" is the model's prediction error over the post-period, a placebo check of the model;
   * a significant one says the model misfits, not that the intervention acted. None when the
   * intervention sets no node (CausalImpact mode: the treatment is outside the graph).
   */
  private static List<String> placeboNotes(Intervention intervention, List<String> placebos) {
    return placebos.stream()
        .map(
            o ->
                o
                    + ": not a descendant of the intervened node"
                    + (intervention.actions().size() == 1 ? " " : "s ")
                    + String.join(", ", intervention.actions().keySet())
                    + ", so do() cannot change it; its effect estimate measures the model's"
                    + " error (a placebo check), and a significant one means the model misfits,"
                    + " not that the intervention acted")
        .toList();
  }

  /** The simulator of the intervention's worlds over {@code observed}. */
  static WorldSimulator worlds(
      CausalGraph graph,
      FittedScm model,
      double[][] observed,
      Set<String> simulatedNames,
      Intervention intervention) {
    List<EquationLayout> layouts = model.equations().stream().map(e -> e.layout()).toList();
    return new WorldSimulator(
        graph,
        layouts,
        observed,
        simulatedNames,
        intervention.actions(),
        intervention.actionEndRow());
  }

  /**
   * Whether no parent of outcome {@code name} is simulated: then the outcome's structural equation
   * is the null model of the permutation test.
   */
  static boolean parentsUnaffected(CausalGraph graph, String name, Set<String> simulatedNames) {
    return graph.parents(name).stream().noneMatch(simulatedNames::contains);
  }

  /**
   * Whether the permutation test serves outcome {@code name}: its parents are unaffected and its
   * error is white noise (the test refits the equation by ordinary least squares on pre- and
   * post-period rows; a level that may drift would absorb the effect it tests).
   */
  static boolean permutationApplies(
      CausalGraph graph, FittedScm model, String name, Set<String> simulatedNames) {
    return parentsUnaffected(graph, name, simulatedNames)
        && model.equation(name).process().isStatic();
  }

  static void requirePrePeriod(int preStart, int t0) {
    if (preStart < 0 || t0 - preStart < MIN_PRE_ROWS) {
      throw new InputException(
          "the pre-period (rows "
              + preStart
              + ".."
              + (t0 - 1)
              + ") must have at least "
              + MIN_PRE_ROWS
              + " rows before the intervention starts at row "
              + t0);
    }
  }

  /**
   * The permutation test of the outcome's equation fitted on pre- and post-period under a constant
   * effect; own lags read the adjusted outcome. Only for outcomes whose parents the intervention
   * does not change, where the null model is exactly the outcome's structural equation.
   */
  private static PermutationInference permutationTest(
      CausalGraph graph,
      FittedScm model,
      FitOptions fit,
      double[][] observed,
      int node,
      int preStart,
      int t0,
      int postEnd) {
    EquationLayout layout = model.equation(node).layout();
    ScmFitter fitter = ScmFitter.with(fit);
    return new PermutationInference(
        theta -> {
          double[][] values = observed.clone();
          double[] y = observed[node].clone();
          for (int t = t0; t < postEnd; t++) {
            y[t] -= theta;
          }
          values[node] = y;
          return fitter.residuals(layout, values, preStart, postEnd);
        },
        postEnd - t0);
  }

  private static void requireNode(CausalGraph graph, String node, String role) {
    if (!graph.contains(node)) {
      throw new InputException(
          "the "
              + role
              + " '"
              + node
              + "' is not a node of the graph (nodes: "
              + String.join(", ", graph.nodeNames())
              + ")");
    }
  }

  static void requireVarying(double[] values, String node, int from, int to) {
    double first = values[from];
    for (int t = from + 1; t < to; t++) {
      if (values[t] != first) {
        return;
      }
    }
    throw new InputException(
        String.format(
            Locale.ROOT,
            "the outcome '%s' is constant (%s) over the whole pre-period (rows %d..%d): there is"
                + " nothing to learn a counterfactual from; check the column and the periods",
            node,
            first,
            from,
            to - 1));
  }
}
