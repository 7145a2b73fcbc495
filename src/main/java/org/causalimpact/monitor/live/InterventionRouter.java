package org.causalimpact.monitor.live;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.app.StreamsConfigs;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.ingest.DeadLetter;
import org.causalimpact.monitor.ingest.Envelope;
import org.causalimpact.monitor.ingest.Inputs;
import org.causalimpact.monitor.ingest.Rejected;
import org.causalimpact.monitor.ingest.Routed;
import org.causalimpact.monitor.ingest.Source;
import org.causalimpact.monitor.io.InterventionEvents;
import org.causalimpact.monitor.io.InterventionEvents.InterventionEvent;
import org.causalimpact.monitor.scm.DoSpec;

/**
 * Parses intervention events ({@code "action": "start"} — the default — or {@code "end"}),
 * checks them against their monitor's graph, and sends them keyed by the monitor; anything
 * unusable becomes a dead letter: malformed JSON, an unknown monitor or node, an invalid do-spec or
 * one whose amount lies beyond {@link Inputs#MAX_ABS_VALUE}, a start that names an {@code
 * endTimestamp} (the stream reads ends from {@code end} events) or that intervenes only on nodes
 * without descendants and names no outcomes. Never throws on data.
 *
 * <p>With inputs keyed by monitor ({@link StreamSettings#keyedByMonitor()}) an event whose record
 * key is not its monitor's name is a dead letter too: it would reach another monitor's task.
 */
final class InterventionRouter implements Processor<byte[], byte[], String, Routed> {
  private final Map<String, MonitorDefinition> monitors;
  private final boolean keyedByMonitor;
  private ProcessorContext<String, Routed> context;

  InterventionRouter(Map<String, MonitorDefinition> monitors, boolean keyedByMonitor) {
    this.monitors = monitors;
    this.keyedByMonitor = keyedByMonitor;
  }

  @Override
  public void init(ProcessorContext<String, Routed> context) {
    this.context = context;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    Source source = MetricRouter.source(context, record);
    try {
      JsonNode root = Inputs.object(record.value());
      String monitor = monitorOf(root, record.key());
      MonitorDefinition def = monitors.get(monitor);
      if (def == null) {
        throw new Rejected(
            "unknown-monitor",
            "no monitor named '" + monitor + "' (monitors: " + String.join(", ", monitors.keySet())
                + ")");
      }
      if (keyedByMonitor) {
        checkKey(record.key(), monitor);
      }
      JsonNode action = root.get("action");
      String kind = action == null || action.isNull() ? "start" : action.asText();
      Envelope e;
      if (kind.equals("end")) {
        String id = Inputs.text(root, "id");
        long ts = Inputs.timestamp(root, "timestamp");
        e = new Envelope(Envelope.END, null, ts, 0, id, null, null, source);
      } else if (kind.equals("start")) {
        e = start(root, def, source);
      } else {
        throw new Rejected(
            "invalid-intervention", "action must be 'start' or 'end', got '" + kind + "'");
      }
      context.forward(new Record<>(monitor, Routed.live(e), e.timestamp()));
    } catch (Rejected r) {
      context.forward(
          new Record<String, Routed>(
              null,
              Routed.dead(new DeadLetter(r.reason(), r.getMessage(), source)),
              record.timestamp()));
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
              + "; with " + StreamsConfigs.KEYED_BY_MONITOR + "=true key it by its monitor's"
              + " name");
    }
  }

  private static Envelope start(JsonNode root, MonitorDefinition def, Source source)
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
      event = InterventionEvents.parse(root.toString(), "topic " + source.topic());
      InterventionEvents.validate(event, def.graph());
    } catch (InputException e) {
      throw new Rejected("invalid-intervention", e.getMessage());
    }
    for (Map.Entry<String, DoSpec> a : event.actions().entrySet()) {
      if (Math.abs(amount(a.getValue())) > Inputs.MAX_ABS_VALUE) {
        // as with points: beyond this the analysis overflows to infinity and NaN
        throw new Rejected(
            "invalid-intervention",
            "do-spec of '" + a.getKey() + "' is " + encode(a.getValue())
                + "; amounts must lie within +-" + Inputs.MAX_ABS_VALUE);
      }
    }
    if (event.outcomes().isEmpty() && def.graph().descendants(event.actions().keySet()).isEmpty()) {
      throw new Rejected(
          "invalid-intervention",
          "intervention '" + event.id() + "' intervenes on " + event.actions().keySet()
              + ", which have no descendants in monitor '" + def.name()
              + "': name the outcomes to report");
    }
    Map<String, Map<String, Object>> actions = new LinkedHashMap<>();
    event.actions().forEach((node, spec) -> actions.put(node, encode(spec)));
    return new Envelope(
        Envelope.START,
        null,
        event.timestamp().toEpochMilli(),
        0,
        event.id(),
        actions,
        List.copyOf(event.outcomes()),
        source);
  }

  /** The number a do-spec carries; 0 for {@code observed}, which carries none. */
  private static double amount(DoSpec spec) {
    if (spec instanceof DoSpec.Set s) {
      return s.value();
    } else if (spec instanceof DoSpec.Shift s) {
      return s.delta();
    } else if (spec instanceof DoSpec.Scale s) {
      return s.factor();
    }
    return 0;
  }

  static Map<String, Object> encode(DoSpec spec) {
    if (spec instanceof DoSpec.Set s) {
      return Map.of("set", s.value());
    } else if (spec instanceof DoSpec.Shift s) {
      return Map.of("shift", s.delta());
    } else if (spec instanceof DoSpec.Scale s) {
      return Map.of("scale", s.factor());
    }
    return Map.of("observed", true);
  }

  static DoSpec decode(Map<String, Object> spec) {
    Map.Entry<String, Object> e = spec.entrySet().iterator().next();
    return switch (e.getKey()) {
      case "set" -> new DoSpec.Set(((Number) e.getValue()).doubleValue());
      case "shift" -> new DoSpec.Shift(((Number) e.getValue()).doubleValue());
      case "scale" -> new DoSpec.Scale(((Number) e.getValue()).doubleValue());
      default -> new DoSpec.Observed();
    };
  }
}
