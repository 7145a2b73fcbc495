package org.causalimpact.monitor.impact;

import java.util.List;
import org.causalimpact.monitor.scm.CausalEffect;
import org.causalimpact.monitor.scm.EquationSummary;

/**
 * The result of analysing one intervention: per outcome the step series and summary, the fitted
 * equations and the causal explanation, and notes about anything a reader must know (for example
 * that conformal intervals are unbounded beyond some step because the calibration was short).
 *
 * @param monitor monitor name
 * @param intervention intervention id
 * @param level nominal interval level
 * @param preStart first pre-period row
 * @param postStart first post-period row ({@code T0}); the pre-period is {@code [preStart, postStart)}
 * @param postEnd row after the last post-period row
 * @param outcomes one entry per outcome node
 * @param equations fitted equations of every node
 * @param effects direct and total effects, with contributions, for every ordered pair of nodes with
 *     a directed path
 * @param notes caveats in plain words
 */
public record ImpactAnalysis(
    String monitor,
    String intervention,
    double level,
    int preStart,
    int postStart,
    int postEnd,
    List<OutcomeImpact> outcomes,
    List<EquationSummary> equations,
    List<CausalEffect> effects,
    List<String> notes) {
  public ImpactAnalysis {
    outcomes = List.copyOf(outcomes);
    equations = List.copyOf(equations);
    effects = List.copyOf(effects);
    notes = List.copyOf(notes);
  }

  public OutcomeImpact outcome(String node) {
    return outcomes.stream()
        .filter(o -> o.node().equals(node))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no outcome '" + node + "'"));
  }
}
