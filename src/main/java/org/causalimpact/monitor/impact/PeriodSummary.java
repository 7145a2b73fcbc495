package org.causalimpact.monitor.impact;

/**
 * One column of the CausalImpact-style summary: the post-period average or the cumulative sum.
 * "Prediction" is the counterfactual (what would have happened without the intervention), as in
 * CausalImpact.
 *
 * @param actual observed average (or sum)
 * @param predicted counterfactual prediction with both intervals
 * @param predictedSd standard deviation of the prediction across bootstrap replicates
 * @param effect absolute effect {@code actual - predicted} with both intervals
 * @param effectSd standard deviation of the effect (equal to {@code predictedSd})
 * @param relative relative effect {@code effect / predicted} with both intervals
 * @param expectedEffect the model's predicted effect of the do-operator with its bootstrap
 *     interval, or {@code null} in CausalImpact mode
 */
public record PeriodSummary(
    double actual,
    Estimate predicted,
    double predictedSd,
    Estimate effect,
    double effectSd,
    Estimate relative,
    Estimate expectedEffect) {}
