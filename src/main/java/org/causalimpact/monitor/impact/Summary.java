package org.causalimpact.monitor.impact;

/**
 * The post-period summary of one outcome.
 *
 * @param average per-step averages
 * @param cumulative sums over the post-period
 * @param pValueBootstrap two-sided tail-area probability of the observed cumulative sum under the
 *     bootstrap distribution of the counterfactual sum, {@code min(1, 2 min(P*(S >= s), P*(S <=
 *     s)))}: below the level's {@code alpha} when the bootstrap interval excludes zero
 * @param pValueConformal conformal p-value for "no effect", or {@code null} where it cannot be
 *     computed
 * @param conformalTest the method of the conformal p-value and of the average effect's conformal
 *     interval, or {@code null} when there is neither
 */
public record Summary(
    PeriodSummary average,
    PeriodSummary cumulative,
    double pValueBootstrap,
    Double pValueConformal,
    ConformalTest conformalTest) {

  /** A summary whose conformal p-value, if any, is the normalised rank's. */
  public Summary(
      PeriodSummary average,
      PeriodSummary cumulative,
      double pValueBootstrap,
      Double pValueConformal) {
    this(
        average,
        cumulative,
        pValueBootstrap,
        pValueConformal,
        pValueConformal == null ? null : ConformalTest.NORMALISED_RANK);
  }

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
