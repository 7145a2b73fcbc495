package org.causalimpact.monitor.impact;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.causalimpact.monitor.scm.CausalEffect;
import org.causalimpact.monitor.scm.EquationSummary;
import org.causalimpact.monitor.scm.Explanations;
import org.causalimpact.monitor.scm.FittedScm;

/**
 * What a {@link StreamingAnalysis} keeps, besides its running sums, to give the summary of the
 * batch analysis of the rows it has advanced: the fitted equations and effects (small: the model
 * itself is not kept), each outcome's pre-period fit, each outcome's running sum of the expected effect's point path, and from
 * its last step the conformal bound of the sum, the normalised-rank p-value and the last step whose
 * conformal step interval was unbounded. Not thread-safe: part of one analysis.
 */
final class RunningSummary {
  private final int preStart;
  private final List<String> setupNotes;
  private final List<EquationSummary> equations;
  private final List<CausalEffect> effects;
  private final List<PrePeriodFit> preFits;
  private final List<String> placebos;
  private final double[] expectedSum;
  private final int[] lastUnbounded;
  private final Double[] sumBound;
  private final Double[] pNormalised;

  RunningSummary(StreamingSetup setup, int outcomes) {
    FittedScm model = setup.prepared.model();
    this.preStart = setup.preStart;
    this.setupNotes = setup.prepared.notes();
    this.equations = model.summaries();
    this.effects =
        Explanations.effects(
            model, setup.observed, setup.preStart, setup.intervention.start());
    this.preFits = Analysis.prePeriodFits(setup.prepared, setup.graph, setup.preStart);
    this.placebos = setup.prepared.placebos();
    this.expectedSum = new double[outcomes];
    this.lastUnbounded = new int[outcomes];
    this.sumBound = new Double[outcomes];
    this.pNormalised = new Double[outcomes];
  }

  /** Adds the point paths' expected effect of one outcome at the next row. */
  void addExpected(int outcome, double interventional, double counterfactual) {
    expectedSum[outcome] += interventional - counterfactual;
  }

  /** Back to before the first post-period row (the rows are simulated again). */
  void restartSums() {
    Arrays.fill(expectedSum, 0.0);
  }

  /**
   * Step {@code step} (1-based) of an outcome was summarised.
   *
   * @param pointBound its conformal half-width, {@code null} if unbounded
   * @param sumBound the conformal half-width of the sum, {@code null} if unbounded
   * @param p the conformal p-value of the step
   */
  void stepDone(int outcome, int step, Double pointBound, Double sumBound, Double p) {
    if (pointBound == null) {
      lastUnbounded[outcome] = step;
    }
    this.sumBound[outcome] = sumBound;
    this.pNormalised[outcome] = sumBound == null ? null : p;
  }

  /**
   * The batch analysis of the rows so far without its step series, or {@code null} where its
   * conformal summary would need the permutation test's confidence set (an outcome whose sum has
   * no finite conformal bound and whose equation the permutation test serves).
   */
  ImpactAnalysis analysis(
      StreamingAnalysis a,
      double[] cumActual,
      double[] cumPoint,
      ReplicatePaths replicates,
      StreamingConformal conformal) {
    int horizon = a.steps();
    double alpha = 1 - a.level();
    List<String> notes = new ArrayList<>(setupNotes);
    List<OutcomeImpact> outcomes = new ArrayList<>();
    for (int o = 0; o < a.outcomes().size(); o++) {
      if (sumBound[o] == null && conformal.permutationApplies(o)) {
        return null;
      }
      String name = a.outcomes().get(o);
      double[] diff = replicates.cumulativeDifference(o);
      Summary s =
          OutcomeSummaries.summary(
              name,
              horizon,
              cumActual[o],
              cumPoint[o],
              replicates.cumulativeCounterfactual(o),
              diff,
              diff == null ? 0 : expectedSum[o] / horizon,
              sumBound[o],
              pNormalised[o],
              conformal.calibratedHorizons(),
              null,
              Double.NaN,
              alpha,
              lastUnbounded[o],
              notes);
      outcomes.add(new OutcomeImpact(name, List.of(), s));
    }
    if (conformal.origins() == 0) {
      notes.add(Analysis.NO_ORIGINS_NOTE);
    }
    return new ImpactAnalysis(
        a.monitor(),
        a.interventionId(),
        a.level(),
        preStart,
        a.startRow(),
        a.nextRow(),
        outcomes,
        equations,
        effects,
        notes,
        preFits,
        placebos);
  }

  /** Approximate bytes of the pre-period fits kept (two values per outcome and row). */
  long bytes() {
    return preFits.stream().mapToLong(f -> 16L * f.rows()).sum();
  }
}
