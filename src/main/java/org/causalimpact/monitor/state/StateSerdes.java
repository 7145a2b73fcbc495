package org.causalimpact.monitor.state;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.causalimpact.monitor.wire.Json;

/**
 * The serdes of the per-monitor stores. What is written per point or per row (grid state, closed
 * rows, model health) is compact binary: no text formatting or parsing of numbers on the hot path.
 * Each binary value starts with a version byte, so a later format can be told apart and an unknown
 * one is refused with a message instead of being misread; the interventions are JSON.
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

  /**
   * Which interventions a monitor has ({@link InterventionIndex}), as JSON: written when one
   * starts, ends or is forgotten. A version-1 value (every intervention in one record, no {@code
   * version} field) is read as its index with the records kept aside; a later version is refused.
   */
  public static final Serde<InterventionIndex> INTERVENTIONS =
      Serdes.serdeFrom(json(InterventionIndex.class).serializer(), StateSerdes::readIndex);

  /**
   * One intervention's record ({@link TrackedIntervention}), as JSON: the running ones are written
   * once per closed row, so the text costs little, and a stored intervention can be read by eye.
   */
  public static final Serde<TrackedIntervention> INTERVENTION = json(TrackedIntervention.class);

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

  /** A serde of {@code type} as JSON, by the one mapper. */
  static <T> Serde<T> json(Class<T> type) {
    Serializer<T> ser =
        (topic, value) -> {
          if (value == null) {
            return null;
          }
          try {
            return Json.MAPPER.writeValueAsBytes(value);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        };
    Deserializer<T> de =
        (topic, bytes) -> {
          if (bytes == null) {
            return null;
          }
          try {
            return Json.MAPPER.readValue(bytes, type);
          } catch (IOException e) {
            throw new UncheckedIOException(
                "internal " + type.getSimpleName() + " record on " + topic + " is unreadable", e);
          }
        };
    return Serdes.serdeFrom(ser, de);
  }

  /** The version-1 value: running interventions (stored as {@code interventions}) and ended. */
  private record IndexV1(
      @JsonProperty("interventions") Map<String, TrackedIntervention> running,
      Map<String, TrackedIntervention> ended) {}

  private static InterventionIndex readIndex(String topic, byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    String what = "stored interventions on " + topic;
    try {
      JsonNode tree = Json.MAPPER.readTree(bytes);
      JsonNode version = tree.get("version");
      if (version == null) {
        IndexV1 v1 = Json.MAPPER.treeToValue(tree, IndexV1.class);
        return InterventionIndex.upgrade(
            v1.running() == null ? Map.of() : v1.running(),
            v1.ended() == null ? Map.of() : v1.ended());
      }
      checkVersion((byte) version.asInt(), (byte) InterventionIndex.VERSION, what);
      return Json.MAPPER.treeToValue(tree, InterventionIndex.class);
    } catch (IOException e) {
      throw new UncheckedIOException(what + " are unreadable", e);
    }
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
      size += c.at(i) == null ? 0 : 4 + rowSize(c.at(i));
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
      GridRow row = c.at(i);
      if (row != null) {
        b.putInt(rowSize(row));
        writeRow(row, b);
      }
    }
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
}
