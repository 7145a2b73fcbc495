package org.causalimpact.monitor.live;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.causalimpact.monitor.ingest.Input;
import org.causalimpact.monitor.ingest.Source;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.state.StateSerdes;
import org.causalimpact.monitor.wire.Json;

/**
 * The inputs on the {@code by-monitor} repartition topic: a version byte, then a point in binary
 * (the common case: no text on the hot path) or a start or end event as JSON (rare).
 */
final class InputSerde {
  private InputSerde() {}

  static final Serde<Input> SERDE =
      StateSerdes.binary(InputSerde::size, InputSerde::write, InputSerde::read);

  private static final byte VERSION = 1;
  private static final byte POINT = 'P';
  private static final byte EVENT = 'J';

  /**
   * An event as JSON, field for field as version 1 has always written it (the one record type of
   * every input then): records already on the topic when the application is upgraded are read.
   */
  private record EventJson(
      String kind,
      String node,
      long timestamp,
      double value,
      String id,
      Map<String, DoSpec> actions,
      List<String> outcomes,
      Source source) {
    static EventJson of(Input e) {
      if (e instanceof Input.Start s) {
        return new EventJson(
            "start", null, s.timestamp(), 0, s.id(), s.actions(), s.outcomes(), s.source());
      }
      Input.End end = (Input.End) e;
      return new EventJson("end", null, end.timestamp(), 0, end.id(), null, null, end.source());
    }

    Input input() {
      return switch (kind) {
        case "start" -> new Input.Start(id, timestamp, actions, outcomes, source);
        case "end" -> new Input.End(id, timestamp, source);
        default ->
            throw new IllegalStateException("a repartitioned event of unknown kind '" + kind + "'");
      };
    }
  }

  private static int size(Input e) {
    if (!(e instanceof Input.Point p)) {
      return 2 + 4 + eventJson(e).length;
    }
    Source s = p.source();
    return 2 + text(p.node()) + 8 + 8 + text(s.topic()) + 4 + 8 + bytes(s.key()) + bytes(s.value());
  }

  private static void write(Input e, ByteBuffer b) {
    b.put(VERSION);
    if (!(e instanceof Input.Point p)) {
      b.put(EVENT);
      putBytes(b, eventJson(e));
      return;
    }
    Source s = p.source();
    b.put(POINT);
    putText(b, p.node());
    b.putLong(p.timestamp()).putDouble(p.value());
    putText(b, s.topic());
    b.putInt(s.partition()).putLong(s.offset());
    putBytes(b, s.key());
    putBytes(b, s.value());
  }

  private static Input read(ByteBuffer b) {
    StateSerdes.checkVersion(b.get(), VERSION, "repartitioned input");
    byte kind = b.get();
    if (kind == EVENT) {
      try {
        return Json.MAPPER.readValue(getBytes(b), EventJson.class).input();
      } catch (IOException ex) {
        throw new UncheckedIOException("a repartitioned intervention event is unreadable", ex);
      }
    }
    String node = getText(b);
    long timestamp = b.getLong();
    double value = b.getDouble();
    Source source = new Source(getText(b), b.getInt(), b.getLong(), getBytes(b), getBytes(b));
    return new Input.Point(node, timestamp, value, source);
  }

  private static byte[] eventJson(Input e) {
    try {
      return Json.MAPPER.writeValueAsBytes(EventJson.of(e));
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot write an intervention event", ex);
    }
  }

  private static int text(String s) {
    return bytes(s.getBytes(StandardCharsets.UTF_8));
  }

  private static int bytes(byte[] v) {
    return 4 + (v == null ? 0 : v.length);
  }

  private static void putText(ByteBuffer b, String s) {
    putBytes(b, s.getBytes(StandardCharsets.UTF_8));
  }

  private static void putBytes(ByteBuffer b, byte[] v) {
    if (v == null) {
      b.putInt(-1);
    } else {
      b.putInt(v.length).put(v);
    }
  }

  private static String getText(ByteBuffer b) {
    return new String(getBytes(b), StandardCharsets.UTF_8);
  }

  private static byte[] getBytes(ByteBuffer b) {
    int n = b.getInt();
    if (n < 0) {
      return null;
    }
    byte[] v = new byte[n];
    b.get(v);
    return v;
  }
}
