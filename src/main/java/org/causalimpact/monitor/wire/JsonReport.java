package org.causalimpact.monitor.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.causalimpact.monitor.impact.Estimate;
import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.impact.Interval;
import org.causalimpact.monitor.impact.OutcomeImpact;
import org.causalimpact.monitor.impact.PeriodSummary;
import org.causalimpact.monitor.impact.StepImpact;
import org.causalimpact.monitor.impact.Summary;
import org.causalimpact.monitor.report.SummaryTable;
import org.causalimpact.monitor.scm.CausalEffect;
import org.causalimpact.monitor.scm.EquationSummary;
import org.causalimpact.monitor.scm.TimeSeriesTable;

/**
 * The analysis as JSON, schema version {@value #SCHEMA}. Field order is fixed (the tree is built
 * in order, not from reflection) so that diffs of reports stay readable.
 *
 * <pre>{@code
 * {"schema": 1, "monitor", "intervention", "level",
 *  "prePeriod": {"start", "end", "startLabel", "endLabel"}, "postPeriod": {...},
 *  "outcome": first outcome, "summary": its summary, "series": its steps,
 *  "outcomes": [{"node", "summary", "series"}, ...],
 *  "model": {"equations": [...], "effects": [...]}, "notes": [...]}
 * }</pre>
 *
 * An interval is {@code [lower, upper]}; an unbounded side is {@code null} (too few calibration
 * points for the level). A number that is not finite (the relative effect when the prediction is
 * 0) is {@code null}. An interval a route does not give is left out. Period ends are inclusive.
 * Thread-safe; no state.
 */
public final class JsonReport {
  public static final int SCHEMA = 1;

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private JsonReport() {}

  /** The report as pretty-printed JSON text, ending in a newline. */
  public static String render(ImpactAnalysis a, TimeSeriesTable table) {
    try {
      return JSON.writeValueAsString(tree(a, table)) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a JSON tree", e);
    }
  }

  /**
   * The report as a JSON tree.
   *
   * @param table the analysed table, for period labels; may be {@code null}
   */
  public static ObjectNode tree(ImpactAnalysis a, TimeSeriesTable table) {
    ObjectNode root = JSON.createObjectNode();
    root.put("schema", SCHEMA);
    root.put("monitor", a.monitor());
    root.put("intervention", a.intervention());
    number(root, "level", a.level());
    root.set("prePeriod", period(a.preStart(), a.postStart() - 1, table));
    root.set("postPeriod", period(a.postStart(), a.postEnd() - 1, table));
    if (!a.outcomes().isEmpty()) {
      OutcomeImpact first = a.outcomes().get(0);
      root.put("outcome", first.node());
      root.set("summary", summary(first.summary()));
      root.set("series", series(first));
    }
    ArrayNode outcomes = root.putArray("outcomes");
    for (OutcomeImpact o : a.outcomes()) {
      ObjectNode n = outcomes.addObject();
      n.put("node", o.node());
      n.set("summary", summary(o.summary()));
      n.set("series", series(o));
    }
    ObjectNode model = root.putObject("model");
    ArrayNode equations = model.putArray("equations");
    for (EquationSummary e : a.equations()) {
      ObjectNode n = equations.addObject();
      n.put("node", e.node());
      ArrayNode terms = n.putArray("terms");
      e.terms().forEach(terms::add);
      ArrayNode coefficients = n.putArray("coefficients");
      e.coefficients().forEach(c -> addNumber(coefficients, c));
      number(n, "sigma", e.sigma());
      number(n, "rSquared", e.rSquared());
      n.put("observations", e.observations());
    }
    ArrayNode effects = model.putArray("effects");
    for (CausalEffect e : a.effects()) {
      ObjectNode n = effects.addObject();
      n.put("cause", e.cause());
      n.put("outcome", e.outcome());
      number(n, "direct", e.direct());
      number(n, "total", e.total());
      number(n, "contribution", e.contribution());
    }
    ArrayNode notes = root.putArray("notes");
    a.notes().forEach(notes::add);
    return root;
  }

  private static ObjectNode period(int start, int end, TimeSeriesTable table) {
    ObjectNode n = JSON.createObjectNode();
    n.put("start", start);
    n.put("end", end);
    if (table != null && table.labels() != null && start >= 0 && end < table.rows()) {
      n.put("startLabel", table.label(start));
      n.put("endLabel", table.label(end));
    } else {
      n.putNull("startLabel");
      n.putNull("endLabel");
    }
    return n;
  }

  private static ObjectNode summary(Summary s) {
    ObjectNode n = JSON.createObjectNode();
    n.set("average", periodSummary(s.average()));
    n.set("cumulative", periodSummary(s.cumulative()));
    ObjectNode p = n.putObject("pValue");
    number(p, "bootstrap", s.pValueBootstrap());
    number(p, "conformal", s.pValueConformal());
    ObjectNode sig = n.putObject("significant");
    sig.put("bootstrap", s.significantBootstrap());
    sig.put("conformal", s.significantConformal());
    return n;
  }

  private static ObjectNode periodSummary(PeriodSummary p) {
    ObjectNode n = JSON.createObjectNode();
    number(n, "actual", p.actual());
    n.set("predicted", estimate(p.predicted(), p.predictedSd()));
    n.set("effect", estimate(p.effect(), p.effectSd()));
    n.set("relative", estimate(p.relative(), SummaryTable.relativeSd(p)));
    if (p.expectedEffect() != null) {
      n.set("expectedEffect", estimate(p.expectedEffect(), null));
    }
    return n;
  }

  private static ArrayNode series(OutcomeImpact o) {
    ArrayNode arr = JSON.createArrayNode();
    for (StepImpact s : o.series()) {
      arr.add(step(s));
    }
    return arr;
  }

  /**
   * One entry of {@code series}: {@code row, time, step, actual, counterfactual, expected, effect,
   * expectedEffect, cumulative, relative}; also the body of a streamed impact record.
   */
  public static ObjectNode step(StepImpact s) {
    ObjectNode n = JSON.createObjectNode();
    n.put("row", s.row());
    n.put("time", s.label());
    n.put("step", s.step());
    number(n, "actual", s.actual());
    n.set("counterfactual", estimate(s.counterfactual(), null));
    if (s.expected() != null) {
      n.set("expected", estimate(s.expected(), null));
    }
    n.set("effect", estimate(s.effect(), null));
    if (s.expectedEffect() != null) {
      n.set("expectedEffect", estimate(s.expectedEffect(), null));
    }
    n.set("cumulative", estimate(s.cumulative(), null));
    number(n, "relative", s.relative());
    return n;
  }

  /** {@code {"mean", "conformal": [lo, hi], "bootstrap": [lo, hi]}}, a missing route left out. */
  public static ObjectNode estimate(Estimate e) {
    return estimate(e, null);
  }

  /** {@code {"mean", ["sd",] "conformal": [lo, hi], "bootstrap": [lo, hi]}}. */
  private static ObjectNode estimate(Estimate e, Double sd) {
    ObjectNode n = JSON.createObjectNode();
    number(n, "mean", e.mean());
    if (sd != null) {
      number(n, "sd", sd);
    }
    if (e.conformal() != null) {
      n.set("conformal", interval(e.conformal()));
    }
    if (e.bootstrap() != null) {
      n.set("bootstrap", interval(e.bootstrap()));
    }
    return n;
  }

  private static ArrayNode interval(Interval i) {
    ArrayNode a = JSON.createArrayNode();
    addNumber(a, i.lower());
    addNumber(a, i.upper());
    return a;
  }

  /** Puts a number, or JSON null for {@code null}, NaN and infinities. */
  public static void number(ObjectNode n, String field, Double x) {
    if (x == null || !Double.isFinite(x)) {
      n.putNull(field);
    } else {
      n.put(field, x.doubleValue());
    }
  }

  /** Adds a number, or JSON null for {@code null}, NaN and infinities. */
  public static void addNumber(ArrayNode a, Double x) {
    if (x == null || !Double.isFinite(x)) {
      a.addNull();
    } else {
      a.add(x.doubleValue());
    }
  }
}
