package org.causalimpact.monitor.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.io.InterventionIds;
import org.causalimpact.monitor.io.TimeLabels;
import org.causalimpact.monitor.wire.Json;

/**
 * The body of {@code POST /api/monitors/{m}/interventions} as {@code intervene} builds it from its
 * options, or as given whole with {@code --event}. Only the syntax is checked here (so that a typo
 * fails before any request); whether the nodes exist and the event may start is the API's call.
 */
final class InterventionBody {
  private static final Set<String> KINDS = Set.of("set", "shift", "scale");

  private InterventionBody() {}

  /**
   * A start: {@code {"id", "action": "start", "timestamp"?, "do", "outcomes"?}}.
   *
   * @param at ISO-8601 or epoch milliseconds, or {@code null} for the API's "now"
   * @param actions {@code node=kind:value} with kind {@code set}, {@code shift} or {@code scale}
   * @param outcomes node names, or an empty list for every descendant of the intervened nodes
   */
  static ObjectNode start(String id, String at, List<String> actions, List<String> outcomes) {
    if (actions.isEmpty()) {
      throw new InputException(
          "--start needs at least one --do node=kind:value (kind set, shift or scale),"
              + " e.g. --do ad_spend=shift:50");
    }
    ObjectNode body = head(id, "start", at);
    ObjectNode doNode = body.putObject("do");
    for (String a : actions) {
      doSpec(doNode, a);
    }
    if (!outcomes.isEmpty()) {
      ArrayNode list = body.putArray("outcomes");
      new LinkedHashSet<>(outcomes).forEach(list::add);
    }
    return body;
  }

  /** An end: {@code {"id", "action": "end", "timestamp"?}}. */
  static ObjectNode end(String id, String at) {
    return head(id, "end", at);
  }

  /**
   * The body given with {@code --event}: inline JSON (starts with <code>{</code>), {@code @path} or
   * a path; it must be a JSON object, sent as written.
   */
  static ObjectNode event(String spec) {
    String s = spec.trim();
    String text;
    String source;
    if (s.startsWith("{")) {
      text = s;
      source = "--event";
    } else {
      source = s.startsWith("@") ? s.substring(1) : s;
      try {
        text = Files.readString(Path.of(source), StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        throw new InputException(
            "--event '" + s + "' is neither JSON (which starts with '{') nor an existing file"
                + " (looked for " + Path.of(source).toAbsolutePath().normalize() + ")");
      } catch (IOException e) {
        throw new InputException("cannot read --event file " + source + ": " + e.getMessage(), e);
      }
    }
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new InputException(
          "the event in " + source + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new InputException(
          "the event in " + source + " must be a JSON object {\"id\": ..., \"action\": ...}");
    }
    return (ObjectNode) root;
  }

  private static ObjectNode head(String id, String action, String at) {
    if (id == null) {
      throw new InputException("--" + action + " needs --id naming the intervention");
    }
    InterventionIds.require(id, "--id");
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("id", id);
    body.put("action", action);
    if (at != null) {
      if (TimeLabels.parseTimestamp(at).isEmpty()) {
        throw new InputException(
            "--at '" + at + "' is not a time; use ISO-8601 such as 2026-01-01T08:00:00Z"
                + " or epoch milliseconds");
      }
      body.put("timestamp", at.trim());
    }
    return body;
  }

  /** Adds {@code node=kind:value} to {@code doNode} as {@code "node": {"kind": value}}. */
  private static void doSpec(ObjectNode doNode, String action) {
    int eq = action.indexOf('=');
    int colon = action.indexOf(':', eq + 1);
    String node = eq > 0 ? action.substring(0, eq).trim() : "";
    String kind = colon > eq + 1 ? action.substring(eq + 1, colon).trim() : "";
    if (eq <= 0 || colon < 0 || !KINDS.contains(kind)) {
      throw new InputException(
          "--do '" + action + "' is not node=kind:value with kind set, shift or scale;"
              + " e.g. --do ad_spend=shift:50 or --do price=set:9.99");
    }
    String number = action.substring(colon + 1).trim();
    double value;
    try {
      value = Double.parseDouble(number);
    } catch (NumberFormatException e) {
      value = Double.NaN;
    }
    if (!Double.isFinite(value)) {
      throw new InputException(
          String.format(
              Locale.ROOT, "--do '%s': the value '%s' is not a finite number", action, number));
    }
    if (doNode.has(node)) {
      throw new InputException(
          "--do names node '" + node + "' twice: give one do-spec per node");
    }
    doNode.putObject(node).put(kind, value);
  }
}
