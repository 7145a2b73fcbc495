package org.causalimpact.monitor.impact;

import java.util.Arrays;
import org.causalimpact.monitor.uncertainty.TailPair;

/**
 * The bootstrap percentile intervals of a {@link StreamingAnalysis}'s steps, by a tail selection
 * per outcome and quantity whose cuts follow the quantity's point value from one step to the next.
 */
final class StepPercentiles {
  static final int COUNTERFACTUAL = 0;
  static final int CUMULATIVE = 1;
  static final int INTERVENTIONAL = 2;
  static final int DIFFERENCE = 3;

  private final TailPair tails;
  /** {@code [outcome][quantity]}: the draws of one quantity move a little from step to step. */
  private final TailPair.Series[][] series;

  private final double[] pair = new double[2];
  private final double[] differences;

  StepPercentiles(int outcomes, int replicates, double level) {
    double alpha = 1 - level;
    this.tails = new TailPair(replicates, alpha / 2, 1 - alpha / 2);
    this.series = new TailPair.Series[outcomes][4];
    for (TailPair.Series[] perOutcome : series) {
      Arrays.setAll(perOutcome, k -> new TailPair.Series());
    }
    this.differences = new double[replicates];
  }

  /** The percentile interval of {@code draws} of a quantity, which scatter around {@code center}. */
  Interval of(int outcome, int quantity, double[] draws, double center) {
    tails.compute(draws, series[outcome][quantity], center, pair);
    return Interval.of(pair[0], pair[1]);
  }

  /** The percentile interval of {@code interventional - counterfactual}, per replicate. */
  Interval difference(int outcome, double[] interventional, double[] counterfactual, double center) {
    for (int b = 0; b < counterfactual.length; b++) {
      differences[b] = interventional[b] - counterfactual[b];
    }
    return of(outcome, DIFFERENCE, differences, center);
  }
}
