package org.causalimpact.monitor.state;

/**
 * A closed grid step of one monitor.
 *
 * @param step step index: {@code floor(epoch millis / step millis)}
 * @param values value per node in graph order; NaN where a node had no value yet to impute from
 * @param imputed per node, whether the value was carried forward because no point arrived
 * @param errors per node, the model-health one-step absolute error this row added to the node's
 *     error ring (NaN where it added none); {@code null} if model health did not run on the row (an
 *     intervention was running)
 * @param hits per node, whether the model-health band covered the value: 1, 0, or -1 where no band
 *     existed yet; {@code null} exactly when {@code errors} is
 */
public record GridRow(long step, double[] values, boolean[] imputed, double[] errors, byte[] hits) {
  public GridRow(long step, double[] values, boolean[] imputed) {
    this(step, values, imputed, null, null);
  }

  /** This row with what model health made of it. */
  public GridRow withHealth(double[] errors, byte[] hits) {
    return new GridRow(step, values, imputed, errors, hits);
  }

  public boolean complete() {
    for (double v : values) {
      if (!Double.isFinite(v)) {
        return false;
      }
    }
    return true;
  }
}
