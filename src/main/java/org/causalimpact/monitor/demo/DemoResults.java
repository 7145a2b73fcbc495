package org.causalimpact.monitor.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.causalimpact.monitor.report.Numbers;
import org.causalimpact.monitor.wire.Json;

/**
 * What the demo found: each outcome's estimated average effect, read from the intervention's
 * summary record, next to the effect the simulator injected over the same rows.
 */
public final class DemoResults {
  private DemoResults() {}

  /**
   * An interval as the summary gives it.
   *
   * @param lower the lower bound, or {@code null} for unbounded
   * @param upper the upper bound, or {@code null} for unbounded
   */
  public record Bounds(Double lower, Double upper) {
    /** Whether {@code x} lies within the bounds (inclusive). */
    public boolean covers(double x) {
      return (lower == null || lower <= x) && (upper == null || x <= upper);
    }

    @Override
    public String toString() {
      return (lower == null ? "-inf" : Numbers.format(lower))
          + ", "
          + (upper == null ? "+inf" : Numbers.format(upper));
    }
  }

  /**
   * The estimate of one outcome next to its truth.
   *
   * @param node the outcome
   * @param estimate the estimated average effect
   * @param bootstrap its bootstrap interval, or {@code null} when not given
   * @param conformal its conformal interval, or {@code null} when not given
   * @param truth the injected true average effect over the same rows
   */
  public record OutcomeResult(
      String node, double estimate, Bounds bootstrap, Bounds conformal, double truth) {
    public boolean bootstrapCovers() {
      return bootstrap != null && bootstrap.covers(truth);
    }

    public boolean conformalCovers() {
      return conformal != null && conformal.covers(truth);
    }
  }

  /** Reads the estimates from the summary and prints them next to the truth. */
  static List<OutcomeResult> read(
      String summaryJson, PointSimulation sim, int endRow, String campaign, PrintWriter out) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(summaryJson);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the summary is not JSON: " + e.getOriginalMessage(), e);
    }
    JsonNode outcomes = root.path("outcomes");
    if (!outcomes.isArray() || outcomes.isEmpty()) {
      throw new IllegalStateException("the summary lists no outcomes: " + abbreviate(summaryJson));
    }
    // the truth is averaged over the rows the summary covers, read from its period labels
    Duration step = sim.monitor().step();
    int from = gridRow(root.path("postPeriod").path("startLabel"), sim.startRow(), step);
    int to = gridRow(root.path("postPeriod").path("endLabel"), endRow - 1, step) + 1;
    if (from != sim.startRow() || to != endRow) {
      Console.println(out, 
          "note: the summary covers rows %d..%d, the simulator's post-period was rows %d..%d",
          from, to - 1, sim.startRow(), endRow - 1);
    }
    List<OutcomeResult> results = new ArrayList<>();
    int width = 0;
    for (JsonNode o : outcomes) {
      width = Math.max(width, o.path("node").asText().length());
    }
    Console.println(out, 
        "average effect per step of '%s' over rows %d..%d (%d steps), level %s:",
        campaign,
        from,
        to - 1,
        to - from,
        root.path("level").isNumber() ? Numbers.format(root.path("level").asDouble()) : "?");
    for (JsonNode o : outcomes) {
      String node = o.path("node").asText();
      JsonNode effect = o.path("summary").path("average").path("effect");
      if (!effect.path("mean").isNumber()) {
        throw new IllegalStateException(
            "the summary has no average effect for " + node + ": " + abbreviate(o.toString()));
      }
      OutcomeResult r =
          new OutcomeResult(
              node,
              effect.path("mean").asDouble(),
              interval(effect.get("bootstrap")),
              interval(effect.get("conformal")),
              sim.trueAverageEffect(node, from, to));
      results.add(r);
      Console.println(out, 
          "  %-" + width + "s  estimated average effect %s [bootstrap %s] (conformal %s)"
              + " — injected truth %s: %s",
          node,
          Numbers.format(r.estimate()),
          r.bootstrap() == null ? "n/a" : r.bootstrap(),
          r.conformal() == null ? "n/a" : "[" + r.conformal() + "]",
          Numbers.format(r.truth()),
          verdict(r));
    }
    return results;
  }

  private static String verdict(OutcomeResult r) {
    boolean b = r.bootstrapCovers();
    boolean c = r.conformal() != null && r.conformalCovers();
    if (b && (c || r.conformal() == null)) {
      return r.conformal() == null ? "covered" : "covered (both intervals)";
    }
    if (b) {
      return "covered (bootstrap; the conformal interval misses it)";
    }
    if (c) {
      return "not covered by the bootstrap interval (the conformal interval covers it)";
    }
    return "not covered";
  }

  /** The grid row of a time label, or {@code fallback} when the label is missing or off-grid. */
  private static int gridRow(JsonNode label, int fallback, Duration step) {
    if (!label.isTextual()) {
      return fallback;
    }
    try {
      Duration d = Duration.between(DemoSession.GRID_START, Instant.parse(label.asText()));
      long stepMs = step.toMillis();
      if (d.isNegative() || d.toMillis() % stepMs != 0) {
        return fallback;
      }
      return Math.toIntExact(d.toMillis() / stepMs);
    } catch (java.time.format.DateTimeParseException | ArithmeticException e) {
      return fallback;
    }
  }

  private static Bounds interval(JsonNode n) {
    if (n == null || !n.isArray() || n.size() != 2) {
      return null;
    }
    return new Bounds(
        n.get(0).isNumber() ? n.get(0).asDouble() : null,
        n.get(1).isNumber() ? n.get(1).asDouble() : null);
  }

  private static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }
}
