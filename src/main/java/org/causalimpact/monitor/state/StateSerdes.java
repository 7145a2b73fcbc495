package org.causalimpact.monitor.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.causalimpact.monitor.ingest.Envelope;
import org.causalimpact.monitor.ingest.Source;
import org.causalimpact.monitor.wire.Json;

/**
 * Compact binary serdes for the records the stream writes per point or per row (the repartitioned
 * envelopes, grid state, closed rows, model health): no text formatting or parsing of numbers on
 * the hot path. Each value starts with a version byte, so a later format can be told apart and an
 * unknown one is refused with a message instead of being misread.
 */
public final class StateSerdes {
  private StateSerdes() {}

  public static final Serde<GridState> GRID =
      binary(GridState::size, GridState::writeTo, GridState::readFrom);

  public static final Serde<HealthState> HEALTH =
      binary(HealthState::size, HealthState::writeTo, HealthState::readFrom);

  public static final Serde<GridRow> ROW = binary(StateSerdes::rowSize, StateSerdes::writeRow,
      StateSerdes::readRow);

  public static final Serde<RowChunk> CHUNK =
      binary(StateSerdes::chunkSize, StateSerdes::writeChunk, StateSerdes::readChunk);

  public static final Serde<Envelope> ENVELOPE =
      binary(StateSerdes::envelopeSize, StateSerdes::writeEnvelope, StateSerdes::readEnvelope);

  public static <T> Serde<T> binary(
      ToIntFunction<T> size, BiConsumer<T, ByteBuffer> write, Function<ByteBuffer, T> read) {
    Serializer<T> ser =
        (topic, value) -> {
          if (value == null) {
            return null;
          }
          ByteBuffer b = ByteBuffer.allocate(size.applyAsInt(value));
          write.accept(value, b);
          return b.array();
        };
    Deserializer<T> de = (topic, bytes) -> bytes == null ? null : read.apply(ByteBuffer.wrap(bytes));
    return Serdes.serdeFrom(ser, de);
  }

  /**
   * @throws IllegalStateException naming the record and both versions if they differ
   */
  public static void checkVersion(byte found, byte expected, String what) {
    if (found != expected) {
      throw new IllegalStateException(
          what + " has format version " + found + " but this build reads version " + expected
              + ": it was written by another version of the monitor; reset the application's"
              + " state (kafka-streams-application-reset and a fresh state directory) to"
              + " rebuild it from the input topics");
    }
  }

  // ---- closed rows: version, step, node count, values, imputed flags, then a byte saying
  // whether model health ran on the row and, if it did, its errors and band hits per node --------

  /** Version 1 had no model-health part. */
  private static final byte ROW_VERSION = 2;

  private static int rowSize(GridRow r) {
    int n = r.values().length;
    return 1 + 8 + 4 + n * 9 + 1 + (r.errors() == null ? 0 : n * 9);
  }

  private static void writeRow(GridRow r, ByteBuffer b) {
    b.put(ROW_VERSION).putLong(r.step()).putInt(r.values().length);
    for (double v : r.values()) {
      b.putDouble(v);
    }
    for (boolean i : r.imputed()) {
      b.put((byte) (i ? 1 : 0));
    }
    b.put((byte) (r.errors() == null ? 0 : 1));
    if (r.errors() != null) {
      for (double e : r.errors()) {
        b.putDouble(e);
      }
      b.put(r.hits());
    }
  }

  private static GridRow readRow(ByteBuffer b) {
    checkVersion(b.get(), ROW_VERSION, "stored grid row");
    long step = b.getLong();
    int n = b.getInt();
    double[] values = new double[n];
    boolean[] imputed = new boolean[n];
    for (int j = 0; j < n; j++) {
      values[j] = b.getDouble();
    }
    for (int j = 0; j < n; j++) {
      imputed[j] = b.get() != 0;
    }
    if (b.get() == 0) {
      return new GridRow(step, values, imputed);
    }
    double[] errors = new double[n];
    byte[] hits = new byte[n];
    for (int j = 0; j < n; j++) {
      errors[j] = b.getDouble();
    }
    b.get(hits);
    return new GridRow(step, values, imputed, errors, hits);
  }

  // ---- chunks of closed rows: version, chunk index, row count, then each row (length, bytes) -

  /** Distinct from the row versions, so that a store of single rows is refused, not misread. */
  private static final byte CHUNK_VERSION = 3;

  private static int chunkSize(RowChunk c) {
    int size = 1 + 8 + 4;
    for (int i = 0; i < RowChunk.SIZE; i++) {
      size += c.at(i) == null ? 0 : 4 + encodedRow(c, i).length;
    }
    return size;
  }

  private static void writeChunk(RowChunk c, ByteBuffer b) {
    int count = 0;
    for (int i = 0; i < RowChunk.SIZE; i++) {
      count += c.at(i) == null ? 0 : 1;
    }
    b.put(CHUNK_VERSION).putLong(c.index).putInt(count);
    for (int i = 0; i < RowChunk.SIZE; i++) {
      if (c.at(i) != null) {
        byte[] row = encodedRow(c, i);
        b.putInt(row.length).put(row);
      }
    }
  }

  /** The bytes of the chunk's row in slot {@code slot}, encoded once while the row is held. */
  private static byte[] encodedRow(RowChunk c, int slot) {
    if (c.encoded[slot] == null) {
      GridRow r = c.at(slot);
      ByteBuffer b = ByteBuffer.allocate(rowSize(r));
      writeRow(r, b);
      c.encoded[slot] = b.array();
    }
    return c.encoded[slot];
  }

  private static RowChunk readChunk(ByteBuffer b) {
    checkVersion(b.get(), CHUNK_VERSION, "stored chunk of grid rows");
    RowChunk c = new RowChunk(b.getLong());
    int n = b.getInt();
    for (int i = 0; i < n; i++) {
      int size = b.getInt();
      int end = b.position() + size;
      c.put(readRow(b));
      b.position(end);
    }
    return c;
  }

  // ---- envelopes: a point in binary; start and end events (rare) as JSON -------------------

  private static final byte ENVELOPE_VERSION = 1;
  private static final byte POINT = 'P';
  private static final byte EVENT = 'J';

  private static int envelopeSize(Envelope e) {
    if (!Envelope.POINT.equals(e.kind())) {
      return 2 + 4 + eventJson(e).length;
    }
    Source s = e.source();
    return 2 + text(e.node()) + 8 + 8
        + text(s.topic()) + 4 + 8 + bytes(s.key()) + bytes(s.value());
  }

  private static void writeEnvelope(Envelope e, ByteBuffer b) {
    b.put(ENVELOPE_VERSION);
    if (!Envelope.POINT.equals(e.kind())) {
      b.put(EVENT);
      putBytes(b, eventJson(e));
      return;
    }
    Source s = e.source();
    b.put(POINT);
    putText(b, e.node());
    b.putLong(e.timestamp()).putDouble(e.value());
    putText(b, s.topic());
    b.putInt(s.partition()).putLong(s.offset());
    putBytes(b, s.key());
    putBytes(b, s.value());
  }

  private static Envelope readEnvelope(ByteBuffer b) {
    checkVersion(b.get(), ENVELOPE_VERSION, "repartitioned input");
    byte kind = b.get();
    if (kind == EVENT) {
      try {
        return Json.MAPPER.readValue(getBytes(b), Envelope.class);
      } catch (IOException ex) {
        throw new UncheckedIOException("a repartitioned intervention event is unreadable", ex);
      }
    }
    String node = getText(b);
    long timestamp = b.getLong();
    double value = b.getDouble();
    Source source = new Source(getText(b), b.getInt(), b.getLong(), getBytes(b), getBytes(b));
    return Envelope.point(node, timestamp, value, source);
  }

  private static byte[] eventJson(Envelope e) {
    try {
      return Json.MAPPER.writeValueAsBytes(e);
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
