package org.causalimpact.monitor.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.io.InterventionEvents;
import org.causalimpact.monitor.io.InterventionIds;
import org.causalimpact.monitor.io.InterventionEvents.InterventionEvent;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.wire.DoSpecJson;

/**
 * Parses intervention events ({@code "action": "start"} — the default — or {@code "end"}), checks
 * them against their monitor's graph, and sends them to their monitor. Rejected: malformed JSON, an
 * unknown monitor or node, an invalid do-spec or one whose amount lies beyond {@link
 * Inputs#MAX_ABS_VALUE}, a start that names an {@code endTimestamp} (the stream reads ends from
 * {@code end} events) or that intervenes only on nodes without descendants and names no outcomes.
 * The value is parsed once, into a tree that {@link InterventionEvents} checks.
 *
 * <p>With inputs keyed by monitor ({@value Router#KEYED_BY_MONITOR}) an event whose record key is
 * not its monitor's name is rejected too: it would reach another monitor's task.
 */
public final class EventRouter implements Router {
  private final Map<String, MonitorDefinition> monitors;
  private final boolean keyedByMonitor;

  /**
   * @param monitors the monitors by name
   * @param keyedByMonitor whether events are keyed by their monitor's name
   */
  public EventRouter(Map<String, MonitorDefinition> monitors, boolean keyedByMonitor) {
    this.monitors = Collections.unmodifiableMap(new LinkedHashMap<>(monitors));
    this.keyedByMonitor = keyedByMonitor;
  }

  @Override
  public void route(byte[] key, byte[] value, Source source, Out out) throws Rejected {
    JsonNode root = Inputs.object(value);
    String monitor = monitorOf(root, key);
    MonitorDefinition def = monitors.get(monitor);
    if (def == null) {
      throw new Rejected(
          "unknown-monitor",
          "no monitor named '" + monitor + "' (monitors: "
              + String.join(", ", monitors.keySet()) + ")");
    }
    if (keyedByMonitor) {
      checkKey(key, monitor);
    }
    JsonNode action = root.get("action");
    String kind = action == null || action.isNull() ? "start" : action.asText();
    if (kind.equals("end")) {
      String id = Inputs.text(root, "id");
      if (!InterventionIds.isValid(id)) {
        throw new Rejected(
            "invalid-intervention",
            "the end event's \"id\" is not an intervention id: use " + InterventionIds.RULE);
      }
      out.accept(monitor, new Input.End(id, Inputs.timestamp(root, "timestamp"), source));
    } else if (kind.equals("start")) {
      out.accept(monitor, start(root, def, source));
    } else {
      throw new Rejected(
          "invalid-intervention", "action must be 'start' or 'end', got '" + kind + "'");
    }
  }

  private static String monitorOf(JsonNode root, byte[] key) throws Rejected {
    JsonNode m = root.get("monitor");
    if (m != null && !m.isNull()) {
      return Inputs.text(root, "monitor");
    }
    if (key != null && key.length > 0) {
      return new String(key, StandardCharsets.UTF_8);
    }
    throw new Rejected("missing-field", "field 'monitor' is missing and the record has no key");
  }

  /** With inputs keyed by monitor: the record key must be the event's monitor. */
  private static void checkKey(byte[] key, String monitor) throws Rejected {
    String named = key == null ? null : new String(key, StandardCharsets.UTF_8);
    if (!monitor.equals(named)) {
      throw new Rejected(
          named == null || named.isEmpty() ? "missing-key" : "wrong-key",
          "the event for monitor '" + monitor + "' has "
              + (named == null || named.isEmpty() ? "no key" : "the key '" + named + "'")
              + "; with " + KEYED_BY_MONITOR + "=true key it by its monitor's name");
    }
  }

  private static Input.Start start(JsonNode root, MonitorDefinition def, Source source)
      throws Rejected {
    Inputs.text(root, "id");
    Inputs.timestamp(root, "timestamp");
    JsonNode end = root.get("endTimestamp");
    if (end != null && !end.isNull()) {
      // the stream ends an intervention by an "end" event only; ignoring this field would let the
      // intervention run on past the end its sender meant
      throw new Rejected(
          "invalid-intervention",
          "a start event on the stream takes no 'endTimestamp': send"
              + " {\"action\": \"end\", \"id\": ..., \"timestamp\": ...} when it ends");
    }
    InterventionEvent event;
    try {
      event = InterventionEvents.parse(root, "topic " + source.topic());
      InterventionEvents.validate(event, def.graph());
    } catch (InputException e) {
      throw new Rejected("invalid-intervention", e.getMessage());
    }
    for (Map.Entry<String, DoSpec> a : event.actions().entrySet()) {
      // NaN for observed, which carries no amount
      double amount = DoSpecJson.amount(a.getValue());
      if (Math.abs(amount) > Inputs.MAX_ABS_VALUE) {
        // as with points: beyond this the analysis overflows to infinity and NaN
        throw new Rejected(
            "invalid-intervention",
            "do-spec of '" + a.getKey() + "' is {" + DoSpecJson.kind(a.getValue()) + "=" + amount
                + "}; amounts must lie within +-" + Inputs.MAX_ABS_VALUE);
      }
    }
    if (event.outcomes().isEmpty() && def.graph().descendants(event.actions().keySet()).isEmpty()) {
      throw new Rejected(
          "invalid-intervention",
          "intervention '" + event.id() + "' intervenes on " + event.actions().keySet()
              + ", which have no descendants in monitor '" + def.name()
              + "': name the outcomes to report");
    }
    return new Input.Start(
        event.id(), event.timestamp().toEpochMilli(), event.actions(), event.outcomes(), source);
  }
}
