package org.causalimpact.monitor.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.graph.NodeDefinition;
import org.causalimpact.monitor.graph.Parent;
import org.causalimpact.monitor.scm.SimulationSpec;
import org.causalimpact.monitor.scm.TrueEquation;

/**
 * The {@code simulation} section of a monitor definition (see {@link MonitorLoader} for the
 * format): the true equation of every node, checked against the monitor's graph. Stateless.
 */
final class SimulationLoader {
  private static final String[] EQUATION_FIELDS = {
    "intercept", "parents", "ar", "seasonal", "trend", "noise", "level", "noiseAr"
  };

  private SimulationLoader() {}

  static SimulationSpec simulation(YamlMap sim, CausalGraph graph) {
    sim.allowOnly("rows", "equations");
    int rows =
        sim.requiredInteger(
            "rows", 0, Integer.MAX_VALUE, "give the number of rows to draw, e.g. 'rows: 600'");
    YamlMap equations =
        sim.requiredMapping(
            "equations", "give the true equation of every node, e.g. 'visits: {intercept: 50,"
                + " noise: 10}'");
    for (String key : equations.keys()) {
      if (!graph.contains(key)) {
        throw equations.failHere(
            "has an equation for '"
                + key
                + "', which is not a node of the graph (nodes: "
                + String.join(", ", graph.nodeNames())
                + "); remove it or fix its name");
      }
    }
    Map<String, TrueEquation> byNode = new LinkedHashMap<>();
    for (NodeDefinition node : graph.nodes()) {
      JsonNode value = equations.get(node.name());
      if (value == null) {
        throw equations.failHere(
            "has no equation for node '"
                + node.name()
                + "': every node needs one, e.g. '"
                + node.name()
                + ": {intercept: 0, noise: 1}'");
      }
      byNode.put(node.name(), equation(equations.mapping(value, node.name()), node));
    }
    return sim.build("rows", () -> new SimulationSpec(rows, byNode));
  }

  private static TrueEquation equation(YamlMap eq, NodeDefinition node) {
    eq.allowOnly(EQUATION_FIELDS);
    double intercept = eq.number("intercept", 0);
    Map<String, List<Double>> parents = parentCoefficients(eq, node);

    List<Double> ar = List.of();
    JsonNode arValue = eq.get("ar");
    if (arValue != null) {
      ar = coefficients(eq, "ar", arValue);
      if (node.arOrder() == 0 && !ar.isEmpty()) {
        throw eq.fail(
            "ar",
            "is given but node '"
                + node.name()
                + "' has no own lags (ar order 0): remove it, or set 'ar: N' on the node");
      }
      if (ar.size() > node.arOrder()) {
        throw eq.fail(
            "ar",
            "has "
                + coefficientCount(ar.size())
                + " but node '"
                + node.name()
                + "' has ar order "
                + node.arOrder()
                + ": give at most "
                + node.arOrder()
                + " (phi_1, phi_2, ...) or raise 'ar' of the node");
      }
    }

    List<Double> seasonal = List.of();
    JsonNode seasonalValue = eq.get("seasonal");
    if (node.seasonality() != null) {
      int expected = 2 * node.seasonality().harmonics();
      if (seasonalValue == null) {
        throw eq.fail(
            "seasonal",
            "is missing: node '"
                + node.name()
                + "' has seasonality with "
                + node.seasonality().harmonics()
                + " harmonics, so give "
                + expected
                + " coefficients a_1, b_1, ... (sine, cosine)");
      }
      seasonal = coefficients(eq, "seasonal", seasonalValue);
      if (seasonal.size() != expected) {
        throw eq.fail(
            "seasonal",
            "must have 2 * harmonics = "
                + expected
                + " coefficients a_1, b_1, ... (sine, cosine), got "
                + seasonal.size());
      }
    } else if (seasonalValue != null && !coefficients(eq, "seasonal", seasonalValue).isEmpty()) {
      throw eq.fail(
          "seasonal",
          "is given but node '"
              + node.name()
              + "' has no seasonality: remove it, or set 'seasonality' on the node");
    }

    double trend = eq.number("trend", 0);
    double noise =
        eq.requiredNumber(
            "noise", "give the standard deviation of the Gaussian error, e.g. 'noise: 1.0'");

    List<Double> arPadded = padded(ar, node.arOrder());
    List<Double> seasonalTerms = seasonal;
    double level = eq.number("level", 0);
    double noiseAr = eq.number("noiseAr", 0);
    eq.build("level", () -> TrueEquation.checkLevel(level));
    eq.build("noiseAr", () -> TrueEquation.checkNoiseAr(noiseAr));
    return eq.build(
        "noise",
        () ->
            new TrueEquation(
                intercept, parents, arPadded, seasonalTerms, trend, noise, level, noiseAr));
  }

  /** Coefficients of every parent, exactly the node's parents, padded to lags 0..maxLag. */
  private static Map<String, List<Double>> parentCoefficients(YamlMap eq, NodeDefinition node) {
    List<String> expected = node.parents().stream().map(Parent::node).toList();
    YamlMap given = eq.optionalMapping("parents");
    if (given != null) {
      for (String key : given.keys()) {
        if (!expected.contains(key)) {
          throw given.fail(
              key,
              "is not a parent of '"
                  + node.name()
                  + "' in the graph (its parents: "
                  + (expected.isEmpty() ? "none" : String.join(", ", expected))
                  + "): remove it, or add it to the node's parents under 'nodes'");
        }
      }
    }
    Map<String, List<Double>> out = new LinkedHashMap<>();
    for (Parent p : node.parents()) {
      JsonNode v = given == null ? null : given.get(p.node());
      if (v == null) {
        throw eq.fail(
            "parents",
            "has no coefficients for parent '"
                + p.node()
                + "' of '"
                + node.name()
                + "': give one list per parent, e.g. 'parents: {"
                + p.node()
                + ": [1.0]}'");
      }
      List<Double> c = coefficients(given, p.node(), v);
      int max = p.maxLag() + 1;
      if (c.isEmpty()) {
        throw given.fail(
            p.node(), "is empty: give at least the lag-0 coefficient (0 for no effect)");
      }
      if (c.size() > max) {
        throw given.fail(
            p.node(),
            "has "
                + coefficientCount(c.size())
                + " but parent '"
                + p.node()
                + "' enters '"
                + node.name()
                + "' at lags 0.."
                + p.maxLag()
                + ": give at most "
                + max
                + " (lag 0 first), or raise the parent's 'lags' under 'nodes'");
      }
      out.put(p.node(), padded(c, max));
    }
    return out;
  }

  /** A list of finite numbers; a single number stands for a one-element list. */
  private static List<Double> coefficients(YamlMap in, String key, JsonNode value) {
    if (value.isNumber()) {
      return List.of(in.number(value, key));
    }
    List<JsonNode> items = in.list(value, key);
    List<Double> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      out.add(in.number(items.get(i), key + "[" + i + "]"));
    }
    return List.copyOf(out);
  }

  private static String coefficientCount(int n) {
    return n == 1 ? "1 coefficient" : n + " coefficients";
  }

  private static List<Double> padded(List<Double> values, int length) {
    if (values.size() >= length) {
      return values;
    }
    List<Double> out = new ArrayList<>(values);
    out.addAll(Collections.nCopies(length - values.size(), 0.0));
    return List.copyOf(out);
  }
}
