package org.causalimpact.monitor.stream;

/**
 * A closed grid step of one monitor.
 *
 * @param step step index: {@code floor(epoch millis / step millis)}
 * @param values value per node in graph order; NaN where a node had no value yet to impute from
 * @param imputed per node, whether the value was carried forward because no point arrived
 */
record GridRow(long step, double[] values, boolean[] imputed) {
  boolean complete() {
    for (double v : values) {
      if (!Double.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  boolean anyImputed() {
    for (boolean b : imputed) {
      if (b) {
        return true;
      }
    }
    return false;
  }
}
