package org.causalimpact.monitor.scm;

/**
 * The effect of one node on another in a fitted model.
 *
 * @param cause the node moved
 * @param outcome the node affected
 * @param direct the long-run direct effect (sum of the edge's lag coefficients divided by the
 *     outcome's own-lag factor {@code 1 - sum phi}), 0 without an edge
 * @param total the long-run total effect: the sum over all directed paths of the products of
 *     direct effects (chain rule)
 * @param contribution normalised contribution {@code E|dy/dx_i| / sum_j E|dy/dx_j|} among the
 *     outcome's ancestors, where {@code dy/dx_i} is the total effect times the deviation of
 *     {@code x_i} from its mean
 */
public record CausalEffect(
    String cause, String outcome, double direct, double total, double contribution) {}
