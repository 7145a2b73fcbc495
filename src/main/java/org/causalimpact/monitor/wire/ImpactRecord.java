package org.causalimpact.monitor.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * One record of the {@code impact} topic: one outcome of one running intervention at one closed
 * post-period row, keyed {@code monitor/intervention/node}.
 *
 * <pre>{@code
 * {"schema": 1, "monitor", "intervention", "node", "timestamp", "phase", "level", "imputed",
 *  "row", "time", "step", "actual", "counterfactual", "expected", "effect", "expectedEffect",
 *  "cumulative", "relative", "pValue": {"bootstrap", "conformal", "conformalMethod"}}
 * }</pre>
 *
 * @param phase {@code active} while the do-specs hold, {@code after-end} in the persistence rows
 * @param imputed whether the outcome's value in this row was carried forward (no point arrived)
 * @param step the row as the report's series writes it
 */
public record ImpactRecord(
    int schema,
    String monitor,
    String intervention,
    String node,
    String timestamp,
    String phase,
    double level,
    boolean imputed,
    @JsonUnwrapped AnalysisReport.Step step,
    PValue pValue) {

  /**
   * The two-sided p-values of the cumulative effect through this row; conformal {@code null} if
   * none, and then no {@code conformalMethod} ({@code normalised-rank} or {@code permutation}).
   */
  public record PValue(
      double bootstrap,
      Double conformal,
      @JsonInclude(JsonInclude.Include.NON_NULL) String conformalMethod) {}
}
