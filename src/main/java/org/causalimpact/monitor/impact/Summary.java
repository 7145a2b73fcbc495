package org.causalimpact.monitor.impact;

/**
 * The post-period summary of one outcome.
 *
 * @param average per-step averages
 * @param cumulative sums over the post-period
 * @param pValueBootstrap tail-area probability of the observed cumulative sum under the bootstrap
 *     distribution of the counterfactual sum, {@code min(P*(S >= s), P*(S <= s))}
 * @param pValueConformal permutation p-value for "no effect" (Chernozhukov, Wuthrich and Zhu 2021),
 *     or {@code null} where it cannot be computed
 */
public record Summary(
    PeriodSummary average, PeriodSummary cumulative, double pValueBootstrap, Double pValueConformal) {

  /** Whether the bootstrap interval of the average effect excludes zero. */
  public boolean significantBootstrap() {
    return average.effect().bootstrap().excludesZero();
  }

  /**
   * Whether the conformal interval of the average effect excludes zero; {@code false} when it is
   * unbounded.
   */
  public boolean significantConformal() {
    Interval c = average.effect().conformal();
    return c != null && c.excludesZero();
  }
}
