package org.causalimpact.monitor.io;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.wire.Json;

/**
 * Reads intervention events (DESIGN.md, "Data contracts") and places them on a table's rows.
 *
 * <pre>{@code
 * {"monitor": "checkout", "id": "spring-campaign", "action": "start",
 *  "timestamp": "2026-11-22T12:00:00Z", "endTimestamp": "2026-11-29T12:00:00Z",
 *  "do": {"ad_spend": {"shift": 500.0}}, "outcomes": ["signups", "revenue"]}
 * }</pre>
 *
 * <p>{@code timestamp} and the optional {@code endTimestamp} (exclusive) are ISO-8601 or epoch
 * milliseconds. Each do-spec has exactly one of {@code set}, {@code shift}, {@code scale} (finite
 * numbers) or {@code "observed": true}. The {@code id} follows {@link InterventionIds}' rule.
 * Unknown fields are rejected rather than ignored, so that a misspelt {@code "outcome"} does not
 * silently analyse every descendant. The event is read as a JSON tree and checked field by field;
 * no polymorphic typing is involved. Thread-safe.
 */
public final class InterventionEvents {
  private static final ObjectReader JSON =
      Json.MAPPER
          .reader()
          .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private static final Set<String> FIELDS =
      Set.of("monitor", "id", "action", "timestamp", "endTimestamp", "do", "outcomes");
  private static final Set<String> DO_KINDS = Set.of("set", "shift", "scale", "observed");

  private InterventionEvents() {}

  /**
   * A start event as read.
   *
   * @param monitor the monitor it is addressed to, or {@code null}
   * @param id the intervention's name
   * @param timestamp when it started
   * @param endTimestamp when it ended (exclusive), or {@code null} for "still running"
   * @param actions do-spec per intervened node, in the order written
   * @param outcomes the nodes to report; empty means every descendant of the intervened nodes
   */
  public record InterventionEvent(
      String monitor,
      String id,
      Instant timestamp,
      Instant endTimestamp,
      Map<String, DoSpec> actions,
      List<String> outcomes) {
    public InterventionEvent {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(timestamp, "timestamp");
      actions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(actions));
      outcomes = List.copyOf(outcomes);
    }
  }

  /**
   * Reads an event given on the command line: inline JSON (starts with <code>{</code>), {@code
   * @path}, or a path to a JSON file.
   */
  public static InterventionEvent read(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new InputException(
          "--intervention needs the event JSON, inline or as a file path (or @path)");
    }
    String s = spec.trim();
    if (s.startsWith("{")) {
      return parse(s, "--intervention");
    }
    String file = s.startsWith("@") ? s.substring(1) : s;
    Path path = Path.of(file);
    try {
      return parse(Files.readString(path, StandardCharsets.UTF_8), file);
    } catch (NoSuchFileException e) {
      throw new InputException(
          "--intervention '"
              + s
              + "' is neither JSON (which starts with '{') nor an existing file (looked for "
              + path.toAbsolutePath().normalize()
              + ")");
    } catch (IOException e) {
      throw new InputException("cannot read intervention file " + file + ": " + e.getMessage(), e);
    }
  }

  /** Parses one event; {@code source} names it in messages. */
  public static InterventionEvent parse(String json, String source) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      throw new InputException(
          "intervention event in "
              + source
              + " is not valid JSON"
              + (loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")")
              + ": "
              + e.getOriginalMessage(),
          e);
    }
    return parse(root, source);
  }

  /**
   * Checks one event read as a JSON tree (by the stream's input reader, say); {@code source} names
   * it in messages.
   */
  public static InterventionEvent parse(JsonNode root, String source) {
    String where = "intervention event in " + source;
    if (root == null || !root.isObject()) {
      throw new InputException(where + " must be a JSON object {\"id\": ..., \"timestamp\": ...}");
    }
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      String f = field.getKey();
      if (!FIELDS.contains(f)) {
        throw new InputException(
            where
                + " has unknown field '"
                + f
                + "': allowed fields are monitor, id, action, timestamp, endTimestamp, do,"
                + " outcomes");
      }
    }
    String monitor = optionalText(root, "monitor", where);
    String id = optionalText(root, "id", where);
    if (id == null) {
      throw new InputException(where + " needs an \"id\" naming the intervention");
    }
    InterventionIds.require(id, where);
    String action = optionalText(root, "action", where);
    if (action != null && !action.equals("start")) {
      throw new InputException(
          where
              + " has action '"
              + action
              + "': only a \"start\" event can be analysed; give its end as \"endTimestamp\"");
    }
    if (!root.has("timestamp")) {
      throw new InputException(where + " needs a \"timestamp\" (ISO-8601 or epoch milliseconds)");
    }
    Instant timestamp = timestamp(root.get("timestamp"), "timestamp", where);
    Instant end = null;
    if (root.has("endTimestamp") && !root.get("endTimestamp").isNull()) {
      end = timestamp(root.get("endTimestamp"), "endTimestamp", where);
      if (!end.isAfter(timestamp)) {
        throw new InputException(
            where + " ends (" + end + ") before or when it starts (" + timestamp + ")");
      }
    }
    Map<String, DoSpec> actions = new LinkedHashMap<>();
    JsonNode doNode = root.get("do");
    if (doNode != null && !doNode.isNull()) {
      if (!doNode.isObject()) {
        throw new InputException(
            where + ": \"do\" must be an object {\"node\": {\"shift\": 1.0}, ...}");
      }
      for (Map.Entry<String, JsonNode> e : doNode.properties()) {
        actions.put(e.getKey(), doSpec(e.getKey(), e.getValue(), where));
      }
    }
    List<String> outcomes = new ArrayList<>();
    JsonNode out = root.get("outcomes");
    if (out != null && !out.isNull()) {
      if (!out.isArray()) {
        throw new InputException(where + ": \"outcomes\" must be an array of node names");
      }
      Set<String> seen = new LinkedHashSet<>();
      for (JsonNode o : out) {
        if (!o.isTextual() || o.asText().isBlank()) {
          throw new InputException(
              where + ": \"outcomes\" must hold node names (strings), found " + o);
        }
        if (!seen.add(o.asText())) {
          throw new InputException(
              where + ": outcome '" + o.asText() + "' is listed twice; list it once");
        }
      }
      outcomes.addAll(seen);
    }
    if (actions.isEmpty() && outcomes.isEmpty()) {
      throw new InputException(
          where
              + " has neither \"do\" nor \"outcomes\": say which nodes were intervened on, or"
              + " which outcomes to analyse");
    }
    return new InterventionEvent(monitor, id, timestamp, end, actions, outcomes);
  }

  private static String optionalText(JsonNode root, String field, String where) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new InputException(where + ": \"" + field + "\" must be a string, found " + n);
    }
    return n.asText();
  }

  private static Instant timestamp(JsonNode n, String field, String where) {
    Optional<Instant> t = Optional.empty();
    if (n.isIntegralNumber()) {
      t = Optional.of(Instant.ofEpochMilli(n.asLong()));
    } else if (n.isTextual()) {
      t = TimeLabels.parseTimestamp(n.asText());
    }
    return t.orElseThrow(
        () ->
            new InputException(
                where
                    + ": \""
                    + field
                    + "\" is "
                    + n
                    + "; give an ISO-8601 time such as \"2026-01-01T08:00:00Z\" or epoch"
                    + " milliseconds"));
  }

  private static DoSpec doSpec(String node, JsonNode spec, String where) {
    String prefix = where + ": do-spec of '" + node + "'";
    if (!spec.isObject() || spec.size() != 1) {
      throw new InputException(
          prefix
              + " is "
              + spec
              + "; it needs exactly one of {\"set\": c}, {\"shift\": d}, {\"scale\": s},"
              + " {\"observed\": true}");
    }
    Map.Entry<String, JsonNode> e = spec.properties().iterator().next();
    String kind = e.getKey();
    JsonNode v = e.getValue();
    if (!DO_KINDS.contains(kind)) {
      throw new InputException(
          prefix + " has unknown kind '" + kind + "': use set, shift, scale or observed");
    }
    if (kind.equals("observed")) {
      if (!v.isBoolean() || !v.asBoolean()) {
        throw new InputException(prefix + ": \"observed\" must be true, found " + v);
      }
      return new DoSpec.Observed();
    }
    if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
      throw new InputException(
          prefix + ": \"" + kind + "\" needs a finite number, found " + v);
    }
    double x = v.asDouble();
    return switch (kind) {
      case "set" -> new DoSpec.Set(x);
      case "shift" -> new DoSpec.Shift(x);
      default -> new DoSpec.Scale(x);
    };
  }

  /**
   * Checks that every intervened node and outcome is a node of the graph.
   *
   * @throws InputException naming the unknown node and listing the known ones
   */
  public static void validate(InterventionEvent e, CausalGraph graph) {
    for (String n : e.actions().keySet()) {
      requireNode(graph, n, "intervenes on", e.id());
    }
    for (String n : e.outcomes()) {
      requireNode(graph, n, "lists outcome", e.id());
    }
  }

  private static void requireNode(CausalGraph graph, String node, String what, String id) {
    if (!graph.contains(node)) {
      throw new InputException(
          "intervention '" + id + "' " + what + " '" + node + "', which is not a node of the"
              + " monitor's graph (nodes: " + String.join(", ", graph.nodeNames()) + ")");
    }
  }

  /**
   * Places the event on a table by its row labels: it starts at the first row whose time is at or
   * after {@code timestamp}, and ends before the first row at or after {@code endTimestamp}.
   *
   * @throws InputException when the labels are not times, or the event lies outside the data
   */
  public static Intervention onTable(InterventionEvent e, CausalGraph graph, TimeSeriesTable table) {
    validate(e, graph);
    List<Instant> times =
        TimeLabels.parseAll(table.labels())
            .orElseThrow(
                () ->
                    new InputException(
                        "the intervention is placed by its timestamp, but the table's rows have"
                            + (table.labels() == null
                                ? " no time labels"
                                : " labels that are not all dates/times (e.g. '"
                                    + firstNonTime(table.labels())
                                    + "')")
                            + ": name the column of times with --time-column"));
    int start = TimeLabels.firstAtOrAfter(times, e.timestamp());
    if (start < 0) {
      throw new InputException(
          "intervention '"
              + e.id()
              + "' starts at "
              + e.timestamp()
              + ", after the last row ("
              + table.label(table.rows() - 1)
              + "): there is no post-period in the data");
    }
    int end = -1;
    if (e.endTimestamp() != null) {
      end = TimeLabels.firstAtOrAfter(times, e.endTimestamp());
      if (end == start) {
        throw new InputException(
            "intervention '"
                + e.id()
                + "' starts and ends between the same two rows ("
                + e.timestamp()
                + " .. "
                + e.endTimestamp()
                + "): its post-period would be empty");
      }
    }
    return new Intervention(e.id(), e.actions(), e.outcomes(), start, end);
  }

  /**
   * Places the event on a regular grid of {@code rows} steps from {@code gridStart}: the start row
   * is {@code ceil((timestamp - gridStart) / step)}.
   */
  public static Intervention onGrid(
      InterventionEvent e, CausalGraph graph, Instant gridStart, Duration step, int rows) {
    validate(e, graph);
    int start = gridRow(e.timestamp(), gridStart, step);
    if (start < 0 || start >= rows) {
      throw new InputException(
          "intervention '"
              + e.id()
              + "' starts at "
              + e.timestamp()
              + ", outside the simulated "
              + gridStart
              + " .. "
              + gridStart.plus(step.multipliedBy(rows - 1L))
              + " ("
              + rows
              + " steps of "
              + step
              + "); change --start or --rows, or the event's timestamp");
    }
    int end = -1;
    if (e.endTimestamp() != null) {
      end = Math.min(gridRow(e.endTimestamp(), gridStart, step), rows);
      if (end <= start) {
        throw new InputException(
            "intervention '" + e.id() + "' ends within its first step: its post-period is empty");
      }
    }
    return new Intervention(e.id(), e.actions(), e.outcomes(), start, end);
  }

  private static int gridRow(Instant t, Instant gridStart, Duration step) {
    Duration d = Duration.between(gridStart, t);
    long n = d.toNanos() / step.toNanos();
    if (n * step.toNanos() < d.toNanos()) {
      n++;
    }
    return n > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) Math.max(n, Integer.MIN_VALUE);
  }

  private static String firstNonTime(List<String> labels) {
    return labels.stream().filter(l -> TimeLabels.parse(l).isEmpty()).findFirst().orElse("");
  }
}
