package org.causalimpact.monitor.scm;

/**
 * The result of {@link NoiseProcess#whiten}: the standardised innovations of a regression's
 * columns filtered with one process's gains.
 *
 * @param columns {@code [column][row]}: the innovations {@code v_t / sqrt(F_t)}
 * @param logDetF {@code sum_t log F_t}
 * @param states {@code [column][k]}: the predicted state {@code a_{n}} after the last row (the
 *     state of the row after the data)
 * @param covariance {@code P_n}, the predicted state covariance of that row
 * @param rowStates {@code [row][column * m + k]}: the predicted state before each row, or
 *     {@code null} if not asked for
 * @param sqrtF {@code sqrt(F_t)} per row
 */
public record Whitened(
    double[][] columns,
    double logDetF,
    double[][] states,
    double[][] covariance,
    double[][] rowStates,
    double[] sqrtF) {}
