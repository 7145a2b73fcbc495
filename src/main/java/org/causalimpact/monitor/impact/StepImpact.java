package org.causalimpact.monitor.impact;

/**
 * The impact on one outcome node at one post-period step.
 *
 * @param row row index in the analysed table
 * @param label the row's time label as read (or the index)
 * @param step 1-based step since the intervention started
 * @param actual observed value
 * @param counterfactual the value without the intervention (model), with both intervals
 * @param expected the value the model expects under the do-operator, bootstrap interval only; {@code
 *     null} when the intervention has no modelled action (CausalImpact mode)
 * @param effect observed effect {@code actual - counterfactual}
 * @param expectedEffect the model's predicted effect {@code expected - counterfactual}, or {@code
 *     null}
 * @param cumulative running sum of the observed effect since the start
 * @param relative {@code effect / counterfactual} (NaN when the counterfactual is 0)
 */
public record StepImpact(
    int row,
    String label,
    int step,
    double actual,
    Estimate counterfactual,
    Estimate expected,
    Estimate effect,
    Estimate expectedEffect,
    Estimate cumulative,
    double relative) {}
