package org.causalimpact.monitor.impact;

import java.util.List;
import java.util.Optional;
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
 * @param preFits per outcome, in the order of {@code outcomes}, the pre-period's observed values
 *     and the fitted equation's one-step predictions; empty where not computed
 * @param placebos the outcomes the intervention's do() cannot reach (neither intervened nor a
 *     descendant of an intervened node): their "effect" is the model's prediction error, a placebo
 *     check; empty in CausalImpact mode, which sets no node
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
    List<String> notes,
    List<PrePeriodFit> preFits,
    List<String> placebos) {
  public ImpactAnalysis {
    outcomes = List.copyOf(outcomes);
    equations = List.copyOf(equations);
    effects = List.copyOf(effects);
    notes = List.copyOf(notes);
    preFits = List.copyOf(preFits);
    placebos = List.copyOf(placebos);
    if (!preFits.isEmpty() && preFits.size() != outcomes.size()) {
      throw new IllegalArgumentException(
          preFits.size() + " pre-period fits for " + outcomes.size() + " outcomes");
    }
  }

  /** This analysis with {@code notes} instead of its own. */
  public ImpactAnalysis withNotes(List<String> notes) {
    return new ImpactAnalysis(monitor, intervention, level, preStart, postStart, postEnd, outcomes,
        equations, effects, notes, preFits, placebos);
  }

  /** The pre-period fit of outcome {@code node}, if the analysis carries one. */
  public Optional<PrePeriodFit> preFit(String node) {
    return preFits.stream().filter(f -> f.node().equals(node)).findFirst();
  }

  /** Whether outcome {@code node} is a placebo: the intervention's do() cannot reach it. */
  public boolean isPlacebo(String node) {
    return placebos.contains(node);
  }

  public OutcomeImpact outcome(String node) {
    return outcomes.stream()
        .filter(o -> o.node().equals(node))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no outcome '" + node + "'"));
  }
}
