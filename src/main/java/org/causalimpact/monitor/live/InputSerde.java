package org.causalimpact.monitor.live;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.causalimpact.monitor.ingest.Input;
import org.causalimpact.monitor.ingest.Source;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.state.StateSerdes;
import org.causalimpact.monitor.wire.Json;

/**
 * The inputs on the {@code by-monitor} repartition topic, in binary: a version byte, a kind byte
 * ({@code P} point, {@code S} start, {@code E} end), the input's fields, then its {@link Source}
 * with the bounded copy of the original bytes as they are (no base64), so a record here is at most
 * a few KiB whatever the input was.
 *
 * <p>Version 1 wrote events as JSON, with the source's bytes in base64 (a padded 800 KB start
 * became a 1 MiB record); it is still read, since such records may sit on the topic while the
 * application is upgraded. Its points are read as the binary points of version 2 without the
 * sizes of a cut source.
 */
final class InputSerde {
  private InputSerde() {}

  static final Serde<Input> SERDE =
      StateSerdes.binary(InputSerde::size, InputSerde::write, InputSerde::read);

  private static final byte VERSION = 2;
  private static final byte VERSION_1 = 1;
  private static final byte POINT = 'P';
  private static final byte START = 'S';
  private static final byte END = 'E';
  private static final byte EVENT_V1 = 'J';

  private static final byte SET = 's';
  private static final byte SHIFT = '+';
  private static final byte SCALE = '*';
  private static final byte OBSERVED = 'o';

  /** An event as version 1 wrote it, as JSON, field for field. */
  private record EventV1(
      String kind,
      String node,
      long timestamp,
      double value,
      String id,
      Map<String, DoSpec> actions,
      List<String> outcomes,
      Source source) {
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
    int n = 2 + 8 + size(e.source());
    if (e instanceof Input.Point p) {
      return n + text(p.node()) + 8;
    }
    if (e instanceof Input.Start s) {
      n += text(s.id()) + 4 + 4;
      for (String node : s.actions().keySet()) {
        n += text(node) + 1 + 8;
      }
      for (String o : s.outcomes()) {
        n += text(o);
      }
      return n;
    }
    return n + text(((Input.End) e).id());
  }

  private static void write(Input e, ByteBuffer b) {
    b.put(VERSION);
    if (e instanceof Input.Point p) {
      b.put(POINT);
      putText(b, p.node());
      b.putLong(p.timestamp()).putDouble(p.value());
    } else if (e instanceof Input.Start s) {
      b.put(START);
      putText(b, s.id());
      b.putLong(s.timestamp());
      b.putInt(s.actions().size());
      s.actions().forEach((node, spec) -> putAction(b, node, spec));
      b.putInt(s.outcomes().size());
      s.outcomes().forEach(o -> putText(b, o));
    } else {
      Input.End end = (Input.End) e;
      b.put(END);
      putText(b, end.id());
      b.putLong(end.timestamp());
    }
    putSource(b, e.source());
  }

  private static Input read(ByteBuffer b) {
    byte version = b.get();
    if (version == VERSION_1) {
      return readV1(b);
    }
    StateSerdes.checkVersion(version, VERSION, "repartitioned input");
    byte kind = b.get();
    switch (kind) {
      case POINT -> {
        String node = getText(b);
        long timestamp = b.getLong();
        double value = b.getDouble();
        return new Input.Point(node, timestamp, value, getSource(b));
      }
      case START -> {
        String id = getText(b);
        long timestamp = b.getLong();
        Map<String, DoSpec> actions = new LinkedHashMap<>();
        for (int i = b.getInt(); i > 0; i--) {
          actions.put(getText(b), getAction(b));
        }
        List<String> outcomes = new ArrayList<>();
        for (int i = b.getInt(); i > 0; i--) {
          outcomes.add(getText(b));
        }
        return new Input.Start(id, timestamp, actions, outcomes, getSource(b));
      }
      case END -> {
        String id = getText(b);
        return new Input.End(id, b.getLong(), getSource(b));
      }
      default -> throw new IllegalStateException("a repartitioned input of unknown kind " + kind);
    }
  }

  private static Input readV1(ByteBuffer b) {
    if (b.get() == EVENT_V1) {
      try {
        return Json.MAPPER.readValue(getBytes(b), EventV1.class).input();
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

  private static void putAction(ByteBuffer b, String node, DoSpec spec) {
    putText(b, node);
    if (spec instanceof DoSpec.Set s) {
      b.put(SET).putDouble(s.value());
    } else if (spec instanceof DoSpec.Shift s) {
      b.put(SHIFT).putDouble(s.delta());
    } else if (spec instanceof DoSpec.Scale s) {
      b.put(SCALE).putDouble(s.factor());
    } else {
      b.put(OBSERVED).putDouble(0);
    }
  }

  private static DoSpec getAction(ByteBuffer b) {
    byte kind = b.get();
    double amount = b.getDouble();
    return switch (kind) {
      case SET -> new DoSpec.Set(amount);
      case SHIFT -> new DoSpec.Shift(amount);
      case SCALE -> new DoSpec.Scale(amount);
      case OBSERVED -> new DoSpec.Observed();
      default -> throw new IllegalStateException("a repartitioned do-spec of unknown kind " + kind);
    };
  }

  /** Topic, partition, offset, key, value, the sizes of a cut key and value, the digest. */
  private static int size(Source s) {
    return text(s.topic()) + 4 + 8 + bytes(s.key()) + bytes(s.value()) + 4 + 4
        + bytes(s.valueSha256());
  }

  private static void putSource(ByteBuffer b, Source s) {
    putText(b, s.topic());
    b.putInt(s.partition()).putLong(s.offset());
    putBytes(b, s.key());
    putBytes(b, s.value());
    b.putInt(s.originalKeySize()).putInt(s.originalValueSize());
    putBytes(b, s.valueSha256());
  }

  private static Source getSource(ByteBuffer b) {
    String topic = getText(b);
    int partition = b.getInt();
    long offset = b.getLong();
    byte[] key = getBytes(b);
    byte[] value = getBytes(b);
    int keySize = b.getInt();
    int valueSize = b.getInt();
    return new Source(topic, partition, offset, key, value, keySize, valueSize, getBytes(b));
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
