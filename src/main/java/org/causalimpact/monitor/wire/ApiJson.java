package org.causalimpact.monitor.wire;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.graph.NodeDefinition;
import org.causalimpact.monitor.graph.Parent;
import org.causalimpact.monitor.impact.Estimate;
import org.causalimpact.monitor.impact.WhatIf;
import org.causalimpact.monitor.live.InterventionStatus;
import org.causalimpact.monitor.live.MonitorStatus;
import org.causalimpact.monitor.scm.CausalEffect;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.EquationSummary;
import org.causalimpact.monitor.uncertainty.IntervalSettings;

/**
 * The JSON bodies of the API, schema {@value #SCHEMA}, built as trees in a fixed field order (never
 * by reflection, never with type information). Conventions of {@code analyze}'s JSON report: an
 * interval is {@code [lower, upper]} with {@code null} for an unbounded side; a number that is not
 * finite is {@code null}; an interval a route does not give is left out. Times are ISO-8601
 * instants, durations ISO-8601 durations. Stateless and thread-safe.
 */
public final class ApiJson {
  public static final int SCHEMA = 1;

  /** Plain mapper: no default typing, no modules; used to create and write trees only. */
  public static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private ApiJson() {}

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  public static ObjectNode error(String message, String field) {
    ObjectNode n = object();
    n.put("error", message);
    if (field != null) {
      n.put("field", field);
    }
    return n;
  }

  /** One entry of {@code GET /api/monitors}. */
  public static ObjectNode monitorSummary(MonitorStatus s) {
    MonitorDefinition d = s.definition();
    ObjectNode n = object();
    n.put("name", d.name());
    stepFields(n, d);
    n.put("preWindow", d.preWindow());
    ArrayNode nodes = n.putArray("nodes");
    d.graph().nodeNames().forEach(nodes::add);
    time(n, "lastClosed", s.lastClosed());
    n.put("openSteps", s.openSteps());
    ArrayNode active = n.putArray("activeInterventions");
    s.interventions().stream().filter(InterventionStatus::active).forEach(i -> active.add(i.id()));
    return n;
  }

  public static void stepFields(ObjectNode n, MonitorDefinition d) {
    n.put("step", d.step().toString());
    number(n, "stepSeconds", d.step().toMillis() / 1000.0);
  }

  /** The graph as configured: per node its parents with their largest lag, ar, seasonality. */
  public static ObjectNode graph(MonitorDefinition d) {
    ObjectNode g = object();
    ArrayNode nodes = g.putArray("nodes");
    for (NodeDefinition nd : d.graph().nodes()) {
      ObjectNode n = nodes.addObject();
      n.put("name", nd.name());
      ArrayNode parents = n.putArray("parents");
      for (Parent p : nd.parents()) {
        ObjectNode pn = parents.addObject();
        pn.put("node", p.node());
        pn.put("lags", p.maxLag());
      }
      n.put("ar", nd.arOrder());
      if (nd.seasonality() == null) {
        n.putNull("seasonality");
      } else {
        ObjectNode s = n.putObject("seasonality");
        number(s, "period", nd.seasonality().period());
        s.put("harmonics", nd.seasonality().harmonics());
      }
      n.put("trend", nd.trend());
      n.put("aggregation", nd.aggregation().toString());
    }
    return g;
  }

  public static ObjectNode settings(MonitorDefinition d) {
    ObjectNode s = object();
    number(s, "ridge", d.fit().ridge());
    IntervalSettings i = d.intervals();
    ObjectNode in = s.putObject("intervals");
    number(in, "level", i.level());
    in.put("replicates", i.replicates());
    in.put("blockLength", i.blockLength());
    number(in, "calibrationFraction", i.calibrationFraction());
    in.put("seed", i.seed());
    return s;
  }

  public static ArrayNode equations(List<EquationSummary> equations) {
    ArrayNode arr = MAPPER.createArrayNode();
    for (EquationSummary e : equations) {
      ObjectNode n = arr.addObject();
      n.put("node", e.node());
      ArrayNode terms = n.putArray("terms");
      e.terms().forEach(terms::add);
      ArrayNode coefficients = n.putArray("coefficients");
      e.coefficients().forEach(c -> addNumber(coefficients, c));
      number(n, "sigma", e.sigma());
      number(n, "rSquared", e.rSquared());
      n.put("observations", e.observations());
    }
    return arr;
  }

  public static ArrayNode effects(List<CausalEffect> effects) {
    ArrayNode arr = MAPPER.createArrayNode();
    for (CausalEffect e : effects) {
      ObjectNode n = arr.addObject();
      n.put("cause", e.cause());
      n.put("outcome", e.outcome());
      number(n, "direct", e.direct());
      number(n, "total", e.total());
      number(n, "contribution", e.contribution());
    }
    return arr;
  }

  public static ObjectNode status(InterventionStatus s) {
    ObjectNode n = object();
    n.put("id", s.id());
    n.put("active", s.active());
    time(n, "start", s.start());
    time(n, "end", s.end());
    n.set("do", doSpecs(s.actions()));
    ArrayNode outcomes = n.putArray("outcomes");
    s.outcomes().forEach(outcomes::add);
    n.put("stepsReported", s.stepsReported());
    return n;
  }

  public static ObjectNode doSpecs(Map<String, DoSpec> specs) {
    ObjectNode n = object();
    specs.forEach((node, spec) -> n.set(node, doSpec(spec)));
    return n;
  }

  /** The do-spec as written in events: {@code {"set": c}}, {@code {"shift": d}}, ... */
  public static ObjectNode doSpec(DoSpec spec) {
    ObjectNode n = object();
    if (spec instanceof DoSpec.Set s) {
      number(n, "set", s.value());
    } else if (spec instanceof DoSpec.Shift s) {
      number(n, "shift", s.delta());
    } else if (spec instanceof DoSpec.Scale s) {
      number(n, "scale", s.factor());
    } else {
      n.put("observed", true);
    }
    return n;
  }

  /**
   * The what-if forecast.
   *
   * @param firstTime time of forecast step 1, or {@code null} if unknown
   * @param step grid step, for the times of later steps
   */
  public static ObjectNode whatIf(
      String monitor,
      WhatIf.Forecast f,
      int horizon,
      String historyFrom,
      String historyTo,
      Instant firstTime,
      java.time.Duration step,
      List<String> extraNotes) {
    ObjectNode root = object();
    root.put("schema", SCHEMA);
    root.put("monitor", monitor);
    number(root, "level", f.level());
    root.put("horizon", horizon);
    root.set("baseline", doSpecs(f.baseline()));
    root.set("scenario", doSpecs(f.scenario()));
    ObjectNode history = root.putObject("history");
    history.put("rows", f.rows());
    history.put("from", historyFrom);
    history.put("to", historyTo);
    ArrayNode outcomes = root.putArray("outcomes");
    for (WhatIf.OutcomeForecast o : f.outcomes()) {
      ObjectNode on = outcomes.addObject();
      on.put("node", o.node());
      ObjectNode summary = on.putObject("summary");
      summary.set("average", estimate(o.average()));
      summary.set("cumulative", estimate(o.cumulative()));
      ArrayNode series = on.putArray("series");
      for (WhatIf.StepForecast s : o.series()) {
        ObjectNode sn = series.addObject();
        sn.put("step", s.step());
        Instant t = firstTime == null ? null : firstTime.plus(step.multipliedBy(s.step() - 1L));
        time(sn, "time", t);
        sn.set("baseline", estimate(s.baseline()));
        sn.set("scenario", estimate(s.scenario()));
        sn.set("difference", estimate(s.difference()));
        sn.set("cumulativeDifference", estimate(s.cumulativeDifference()));
      }
    }
    ObjectNode model = root.putObject("model");
    model.set("equations", equations(f.equations()));
    model.set("effects", effects(f.effects()));
    ArrayNode notes = root.putArray("notes");
    f.notes().forEach(notes::add);
    extraNotes.forEach(notes::add);
    return root;
  }

  /** {@code {"mean", "conformal": [lo, hi], "bootstrap": [lo, hi]}}, a missing route left out. */
  public static ObjectNode estimate(Estimate e) {
    return JsonReport.estimate(e);
  }

  public static void time(ObjectNode n, String field, Instant t) {
    if (t == null) {
      n.putNull(field);
    } else {
      n.put(field, t.toString());
    }
  }

  public static void number(ObjectNode n, String field, Double x) {
    JsonReport.number(n, field, x);
  }

  private static void addNumber(ArrayNode a, Double x) {
    JsonReport.addNumber(a, x);
  }
}
