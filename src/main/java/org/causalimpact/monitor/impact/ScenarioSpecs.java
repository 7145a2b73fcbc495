package org.causalimpact.monitor.impact;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.scm.DoSpec;

/** Checks of a what-if request's do-specs and the outcomes it reports. */
final class ScenarioSpecs {
  private ScenarioSpecs() {}

  /** Refuses do-specs on unknown nodes and {@code observed} do-specs, naming the {@code role}. */
  static void check(CausalGraph graph, Map<String, DoSpec> specs, String role) {
    for (Map.Entry<String, DoSpec> e : specs.entrySet()) {
      if (!graph.contains(e.getKey())) {
        throw new InputException(
            "the "
                + role
                + " intervenes on '"
                + e.getKey()
                + "', which is not a node of the graph (nodes: "
                + String.join(", ", graph.nodeNames())
                + ")");
      }
      if (e.getValue() instanceof DoSpec.Observed) {
        throw new InputException(
            "the "
                + role
                + "'s do-spec of '"
                + e.getKey()
                + "' is {\"observed\": true}, which needs observations of the future; use set,"
                + " shift or scale");
      }
    }
  }

  /** The outcomes to report: the named ones, or every descendant of the intervened nodes. */
  static List<String> outcomes(
      CausalGraph graph,
      Map<String, DoSpec> baseline,
      Map<String, DoSpec> scenario,
      List<String> outcomes) {
    for (String o : outcomes) {
      if (!graph.contains(o)) {
        throw new InputException(
            "the outcome '"
                + o
                + "' is not a node of the graph (nodes: "
                + String.join(", ", graph.nodeNames())
                + ")");
      }
    }
    if (!outcomes.isEmpty()) {
      return List.copyOf(new LinkedHashSet<>(outcomes));
    }
    Set<String> intervened = new LinkedHashSet<>(baseline.keySet());
    intervened.addAll(scenario.keySet());
    List<String> descendants = List.copyOf(graph.descendants(intervened));
    if (descendants.isEmpty()) {
      throw new InputException(
          "the intervened nodes "
              + intervened
              + " have no descendants in the graph: name the outcomes to report");
    }
    return descendants;
  }
}
