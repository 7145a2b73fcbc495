package org.causalimpact.monitor.impact;

import java.util.List;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.uncertainty.ExpandingPermutationInference;
import org.causalimpact.monitor.uncertainty.RollingOriginCalibration;

/**
 * The conformal side of a {@link StreamingAnalysis}: the rolling-origin calibration's bounds and
 * normalised-rank p-value, and the permutation p-value for the outcomes that may need it when the
 * first step has too few calibration scores, as the batch analysis chooses them.
 */
final class StreamingConformal {
  private final double alpha;
  private final RollingOriginCalibration calibration;
  /** {@code [outcome]}: the permutation test, or {@code null} where it never applies. */
  private final ExpandingPermutationInference[] permutationTests;

  /** {@code [outcome]}: whether the batch analysis would have the permutation test at all. */
  private final boolean[] permutationApplies;

  StreamingConformal(StreamingSetup setup, int[] outcomeNodes, int[] outcomePositions) {
    FittedScm model = setup.prepared.model();
    this.alpha = 1 - setup.intervals.level();
    this.calibration =
        RollingOriginCalibration.start(
            model,
            setup.worlds,
            setup.observed,
            outcomePositions,
            setup.maxHorizon,
            setup.fit.ridge(),
            setup.intervals.calibrationFraction());
    // the pools grow with the steps: if the first step has too few scores for a finite bound,
    // the batch analysis of the first rows falls back to the permutation test
    boolean unbounded = !calibration.boundedFrom(1, alpha);
    List<String> outcomes = setup.prepared.outcomes();
    this.permutationTests = new ExpandingPermutationInference[outcomes.size()];
    this.permutationApplies = new boolean[outcomes.size()];
    for (int j = 0; j < outcomes.size(); j++) {
      permutationApplies[j] =
          Analysis.permutationApplies(
              setup.graph, model, outcomes.get(j), setup.prepared.simulatedNames());
      if (unbounded && permutationApplies[j]) {
        permutationTests[j] =
            new ExpandingPermutationInference(
                model.equation(outcomeNodes[j]).layout(),
                setup.observed,
                setup.preStart,
                setup.intervention.start(),
                setup.maxHorizon,
                setup.fit.ridge());
      }
    }
  }

  /** Takes observed row {@code t} into the permutation tests' designs. */
  void addRow(int t) {
    for (ExpandingPermutationInference test : permutationTests) {
      if (test != null) {
        test.addRow(t);
      }
    }
  }

  /** Moves the calibration to the next horizon. */
  void advance() {
    calibration.advance();
  }

  /** See {@link RollingOriginCalibration#addScores}. */
  void addScores(int outcome, double pointSpread, double cumulativeSpread) {
    calibration.addScores(outcome, pointSpread, cumulativeSpread);
  }

  Double pointwiseBound(int outcome, double pointSpread) {
    return calibration.pointwiseBound(outcome, alpha, pointSpread);
  }

  Double cumulativeBound(int outcome, double cumulativeSpread) {
    return calibration.cumulativeBound(outcome, alpha, cumulativeSpread);
  }

  /**
   * The outcome's step with its p-values: the normalised-rank p-value where the cumulative bound
   * {@code qc} is finite, else the permutation p-value where it applies, else none.
   */
  StreamingAnalysis.OutcomeStep step(
      int outcome,
      String node,
      StepImpact impact,
      double pValueBootstrap,
      Double qc,
      double cumulativeError,
      double cumulativeSpread) {
    if (qc != null) {
      Double p = calibration.pValue(outcome, cumulativeError, cumulativeSpread);
      return new StreamingAnalysis.OutcomeStep(
          node, impact, pValueBootstrap, p, p == null ? null : ConformalTest.NORMALISED_RANK);
    }
    if (permutationTests[outcome] != null) {
      return new StreamingAnalysis.OutcomeStep(
          node,
          impact,
          pValueBootstrap,
          permutationTests[outcome].pValue(),
          ConformalTest.PERMUTATION);
    }
    return new StreamingAnalysis.OutcomeStep(node, impact, pValueBootstrap, null, null);
  }

  /** Whether the batch analysis tests the outcome by permutation where the calibration is short. */
  boolean permutationApplies(int outcome) {
    return permutationApplies[outcome];
  }

  /** See {@link RollingOriginCalibration#calibratedHorizons}. */
  int calibratedHorizons() {
    return calibration.calibratedHorizons();
  }

  /** See {@link RollingOriginCalibration#origins}. */
  int origins() {
    return calibration.origins();
  }

  long bytes() {
    long bytes = calibration.bytes();
    for (ExpandingPermutationInference test : permutationTests) {
      if (test != null) {
        bytes += test.bytes();
      }
    }
    return bytes;
  }
}
