package org.causalimpact.monitor.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.wire.Json;

/**
 * The body of {@code POST /api/monitors/{m}/whatif}, checked against the monitor's graph:
 *
 * <pre>{@code
 * {"baseline": {} or {"node": {"shift": 0}},        optional, default {} (no intervention)
 *  "scenario": {"ad_spend": {"shift": 50}},          required, a do-spec per node
 *  "horizon": 60,                                    required, integer in 1..10000
 *  "outcomes": ["signups"]}                          optional, default: descendants of the
 *                                                    intervened nodes
 * }</pre>
 *
 * A do-spec has exactly one of {@code set}, {@code shift}, {@code scale}, a number of magnitude at
 * most {@value #MAX_MAGNITUDE} (larger ones make the simulated worlds overflow to infinity); {@code
 * observed} needs observations of the future and is refused. Unknown fields, duplicate keys and
 * trailing tokens are refused. The body is read as a JSON tree and checked field by field: no
 * data binding, so no polymorphic typing. Every error names the field as a dotted path.
 *
 * @param baseline do-specs of the baseline world
 * @param scenario do-specs of the scenario world
 * @param horizon steps to forecast
 * @param outcomes the outcome nodes (never empty: the default is filled in)
 */
record WhatIfRequest(
    Map<String, DoSpec> baseline,
    Map<String, DoSpec> scenario,
    int horizon,
    List<String> outcomes) {
  static final int MAX_HORIZON = 10_000;

  /**
   * Largest magnitude of a do-spec's value: with series of any realistic size, a horizon of {@value
   * #MAX_HORIZON} steps and sums and squares of the simulated values, the forecast stays far below
   * the largest double (about 1.8e308).
   */
  static final double MAX_MAGNITUDE = 1e12;

  private static final ObjectReader JSON =
      Json.MAPPER
          .reader()
          .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final Set<String> FIELDS = Set.of("baseline", "scenario", "horizon", "outcomes");
  private static final Set<String> KINDS = Set.of("set", "shift", "scale", "observed");

  WhatIfRequest {
    baseline = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(baseline));
    scenario = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(scenario));
    outcomes = List.copyOf(outcomes);
  }

  /**
   * Parses and checks a body.
   *
   * @throws ApiError 400 naming the field at fault
   */
  static WhatIfRequest parse(byte[] body, CausalGraph graph) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      throw ApiError.badField(
          "body",
          "not valid JSON"
              + (loc == null
                  ? ""
                  : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")")
              + ": "
              + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiError.badField("body", "cannot be read: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw ApiError.badField(
          "body",
          "must be a JSON object such as {\"scenario\": {\"node\": {\"shift\": 1}}, \"horizon\":"
              + " 24}");
    }
    for (Map.Entry<String, JsonNode> f : root.properties()) {
      if (!FIELDS.contains(f.getKey())) {
        throw ApiError.badField(
            f.getKey(), "unknown field; allowed fields are baseline, scenario, horizon, outcomes");
      }
    }
    Map<String, DoSpec> baseline = specs(root.get("baseline"), "baseline", graph, false);
    if (!root.has("scenario")) {
      throw ApiError.badField(
          "scenario", "required: the do-specs of the scenario, e.g. {\"node\": {\"shift\": 1}}");
    }
    Map<String, DoSpec> scenario = specs(root.get("scenario"), "scenario", graph, true);
    if (baseline.isEmpty() && scenario.isEmpty()) {
      throw ApiError.badField(
          "scenario", "is empty and so is the baseline: there is nothing to compare");
    }
    int horizon = horizon(root.get("horizon"));
    List<String> outcomes = outcomes(root.get("outcomes"), graph);
    if (outcomes.isEmpty()) {
      Set<String> intervened = new LinkedHashSet<>(baseline.keySet());
      intervened.addAll(scenario.keySet());
      outcomes = List.copyOf(graph.descendants(intervened));
      if (outcomes.isEmpty()) {
        throw ApiError.badField(
            "outcomes",
            "required here: the intervened nodes " + intervened + " have no descendants");
      }
    }
    return new WhatIfRequest(baseline, scenario, horizon, outcomes);
  }

  private static Map<String, DoSpec> specs(
      JsonNode node, String field, CausalGraph graph, boolean required) {
    Map<String, DoSpec> out = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      if (required) {
        throw ApiError.badField(field, "must be an object {\"node\": {\"shift\": 1}, ...}");
      }
      return out;
    }
    if (!node.isObject()) {
      throw ApiError.badField(
          field, "must be an object {\"node\": {\"shift\": 1}, ...}, found " + brief(node));
    }
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String name = e.getKey();
      String path = field + "." + name;
      if (!graph.contains(name)) {
        throw ApiError.badField(
            path,
            "'"
                + name
                + "' is not a node of the monitor's graph (nodes: "
                + String.join(", ", graph.nodeNames())
                + ")");
      }
      out.put(name, doSpec(e.getValue(), path));
    }
    return out;
  }

  private static DoSpec doSpec(JsonNode spec, String path) {
    if (!spec.isObject() || spec.size() != 1) {
      throw ApiError.badField(
          path,
          "a do-spec needs exactly one of {\"set\": c}, {\"shift\": d}, {\"scale\": s}; found "
              + brief(spec));
    }
    Map.Entry<String, JsonNode> e = spec.properties().iterator().next();
    String kind = e.getKey();
    JsonNode v = e.getValue();
    if (!KINDS.contains(kind)) {
      throw ApiError.badField(path + "." + kind, "unknown do-spec kind: use set, shift or scale");
    }
    if (kind.equals("observed")) {
      throw ApiError.badField(
          path + ".observed",
          "a what-if forecasts the future, where nothing is observed yet: use set, shift or"
              + " scale");
    }
    if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
      throw ApiError.badField(path + "." + kind, "needs a finite number, found " + brief(v));
    }
    double x = v.asDouble();
    if (Math.abs(x) > MAX_MAGNITUDE) {
      throw ApiError.badField(
          path + "." + kind,
          "must be at most 1e12 in magnitude (larger values make the forecast overflow), found "
              + brief(v));
    }
    return switch (kind) {
      case "set" -> new DoSpec.Set(x);
      case "shift" -> new DoSpec.Shift(x);
      default -> new DoSpec.Scale(x);
    };
  }

  private static int horizon(JsonNode n) {
    if (n == null || n.isNull()) {
      throw ApiError.badField(
          "horizon", "required: the number of steps to forecast, 1.." + MAX_HORIZON);
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      throw ApiError.badField(
          "horizon", "must be an integer in 1.." + MAX_HORIZON + ", found " + brief(n));
    }
    int h = n.intValue();
    if (h < 1 || h > MAX_HORIZON) {
      throw ApiError.badField("horizon", "must be in 1.." + MAX_HORIZON + ", got " + h);
    }
    return h;
  }

  private static List<String> outcomes(JsonNode n, CausalGraph graph) {
    List<String> out = new ArrayList<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (!n.isArray() || n.isEmpty()) {
      throw ApiError.badField(
          "outcomes", "must be a non-empty array of node names (or left out), found " + brief(n));
    }
    Set<String> seen = new LinkedHashSet<>();
    for (int i = 0; i < n.size(); i++) {
      JsonNode o = n.get(i);
      String path = "outcomes[" + i + "]";
      if (!o.isTextual()) {
        throw ApiError.badField(path, "must be a node name (a string), found " + brief(o));
      }
      if (!graph.contains(o.asText())) {
        throw ApiError.badField(
            path,
            "'"
                + o.asText()
                + "' is not a node of the monitor's graph (nodes: "
                + String.join(", ", graph.nodeNames())
                + ")");
      }
      if (!seen.add(o.asText())) {
        throw ApiError.badField(path, "'" + o.asText() + "' is listed twice");
      }
    }
    out.addAll(seen);
    return out;
  }

  /** A JSON value for a message, cut to a readable length. */
  private static String brief(JsonNode n) {
    String s = n.toString();
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
