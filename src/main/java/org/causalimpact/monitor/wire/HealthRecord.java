package org.causalimpact.monitor.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;

/**
 * One record of the {@code model.health} topic, keyed {@code monitor/node}: the one-step
 * prediction of a node's equation for a closed row before interventions, its conformal band, and
 * whether and how often the band covers.
 *
 * <pre>{@code
 * {"schema": 1, "monitor", "node", "timestamp", "level", "predicted", "actual",
 *  "band": [lo, hi], "covered", "coverage", "window", "rSquared", "sigma"}
 * }</pre>
 *
 * @param band the band, {@code [null, null]} until the node has enough errors for the level
 * @param covered whether the band covered the actual value; {@code null} without a band
 * @param coverage the rolling share of bands that covered; {@code null} before the first band
 * @param window how many band hits {@code coverage} is over
 * @param rSquared R² of the equation on its fit window
 * @param sigma residual standard deviation of the equation
 */
public record HealthRecord(
    int schema,
    String monitor,
    String node,
    String timestamp,
    double level,
    double predicted,
    double actual,
    EstimateJson.Bounds band,
    Boolean covered,
    Double coverage,
    int window,
    double rSquared,
    double sigma) {
  /** Written once per node and closed row: the writer is looked up once. */
  private static final ObjectWriter WRITER = Json.MAPPER.writerFor(HealthRecord.class);

  /** The record as UTF-8 JSON. */
  public byte[] toJson() {
    try {
      return WRITER.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a model-health record", e);
    }
  }
}
