package org.causalimpact.monitor.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.causalimpact.monitor.wire.Json;

/**
 * Checks shared by the routers: size, UTF-8, JSON, fields, timestamps, numbers. Each failure is a
 * {@link Rejected} with the bounded reason word of the dead letter. A value's fields are read into
 * {@link Field}s, from a JSON tree (intervention events) or straight from Jackson's parser (metric
 * points, {@link PointParser}), and both are checked by the same rules. Stateless and thread-safe.
 */
public final class Inputs {
  /** Largest accepted input value. */
  public static final int MAX_BYTES = 1 << 20;

  /** Latest accepted event time: year 9999; later values are typos or unit mistakes. */
  public static final long MAX_TIME = Instant.parse("9999-12-31T23:59:59Z").toEpochMilli();

  /**
   * Largest magnitude of an accepted value. Finite values far beyond any real metric (1e308, say)
   * overflow to infinity once a grid cell sums them or a fit squares them, and would then break
   * every analysis whose window holds that row.
   */
  public static final double MAX_ABS_VALUE = 1e100;

  /**
   * One JSON value and nothing after it (a second object or trailing text is not silently
   * dropped), no field given twice (which one would count?), and {@code NaN} / {@code Infinity}
   * read as numbers (Python's {@code json.dumps} writes them) so that they are rejected as {@code
   * non-finite} rather than as unreadable.
   */
  static final ObjectReader READER =
      Json.MAPPER
          .reader()
          .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .with(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS);

  private Inputs() {}

  /**
   * The value as text: neither empty, nor larger than {@link #MAX_BYTES}, and UTF-8 (overlong
   * forms and surrogates are not).
   */
  static String text(byte[] value) throws Rejected {
    if (value == null || value.length == 0) {
      throw new Rejected("empty", "the record has no value");
    }
    if (value.length > MAX_BYTES) {
      throw new Rejected(
          "oversize", "the value has " + value.length + " bytes; at most " + MAX_BYTES + " are accepted");
    }
    String text = utf8(value);
    if (text == null) {
      throw new Rejected("invalid-utf8", "the value is not valid UTF-8 text");
    }
    return text;
  }

  /** The value as a JSON object tree, checked as {@link #text(byte[])} and then as JSON. */
  public static JsonNode object(byte[] value) throws Rejected {
    String text = text(value);
    JsonNode root;
    try {
      root = READER.readTree(text);
    } catch (JsonProcessingException e) {
      throw malformed(e);
    }
    if (root == null || root.isMissingNode()) {
      throw onlyWhiteSpace();
    }
    if (!root.isObject()) {
      throw wrongRootType();
    }
    return root;
  }

  static Rejected malformed(JsonProcessingException e) {
    return new Rejected("malformed-json", "the value is not JSON: " + e.getOriginalMessage());
  }

  static Rejected onlyWhiteSpace() {
    return new Rejected("empty", "the value holds only white space");
  }

  static Rejected wrongRootType() {
    return new Rejected("wrong-type", "the value must be a JSON object");
  }

  /** The text of the value, or null if it is not UTF-8: at once when every byte is ASCII. */
  private static String utf8(byte[] value) {
    int bits = 0;
    for (byte b : value) {
      bits |= b;
    }
    if (bits >= 0) {
      return new String(value, StandardCharsets.US_ASCII);
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(value))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /**
   * One field's value as the checks see it: {@code null} where it is missing or JSON null, else
   * its kind and what it holds. Integers keep their exact value (a long, or a BigInteger beyond
   * it), so that they convert as Jackson's tree converts them.
   */
  record Field(Kind kind, String text, long integer, BigInteger big, double real) {
    enum Kind {
      STRING,
      INTEGER,
      BIG_INTEGER,
      REAL,
      OTHER
    }

    /** A number read as a double. */
    static Field real(double v) {
      return new Field(Kind.REAL, null, 0, null, v);
    }

    /** A number read as a long. */
    static Field integer(long v) {
      return new Field(Kind.INTEGER, null, v, null, 0);
    }

    /** The field of a tree, or {@code null}. */
    static Field of(JsonNode n) {
      if (n == null || n.isNull()) {
        return null;
      }
      if (n.isTextual()) {
        return new Field(Kind.STRING, n.asText(), 0, null, 0);
      }
      if (n.isIntegralNumber()) {
        return n.canConvertToLong()
            ? new Field(Kind.INTEGER, null, n.asLong(), null, 0)
            : new Field(Kind.BIG_INTEGER, null, 0, n.bigIntegerValue(), 0);
      }
      if (n.isNumber()) {
        return new Field(Kind.REAL, null, 0, null, n.asDouble());
      }
      return new Field(Kind.OTHER, null, 0, null, 0);
    }

    /**
     * The field whose value token the parser stands on, or {@code null}; an object or array is
     * skipped.
     */
    static Field read(JsonParser p, JsonToken t) throws IOException {
      switch (t) {
        case VALUE_NULL:
          return null;
        case VALUE_STRING:
          return new Field(Kind.STRING, p.getText(), 0, null, 0);
        case VALUE_NUMBER_INT:
          return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
              ? new Field(Kind.BIG_INTEGER, null, 0, p.getBigIntegerValue(), 0)
              : new Field(Kind.INTEGER, null, p.getLongValue(), null, 0);
        case VALUE_NUMBER_FLOAT:
          return new Field(Kind.REAL, null, 0, null, p.getDoubleValue());
        default:
          p.skipChildren();
          return new Field(Kind.OTHER, null, 0, null, 0);
      }
    }

    /** The number as Jackson's tree gives it by {@code asDouble()}. */
    double asDouble() {
      return switch (kind) {
        case INTEGER -> (double) integer;
        case BIG_INTEGER -> big.doubleValue();
        default -> real;
      };
    }

    /** The number as Jackson's tree gives it by {@code asText()}. */
    String numberText() {
      return switch (kind) {
        case INTEGER -> Long.toString(integer);
        case BIG_INTEGER -> big.toString();
        default -> Double.toString(real);
      };
    }

    boolean isNumber() {
      return kind == Kind.INTEGER || kind == Kind.BIG_INTEGER || kind == Kind.REAL;
    }
  }

  /** The non-empty string field {@code field} of an object. */
  public static String text(JsonNode root, String field) throws Rejected {
    return text(field, Field.of(root.get(field)));
  }

  /** An ISO-8601 instant or epoch milliseconds, between 1970 and 9999. */
  public static long timestamp(JsonNode root, String field) throws Rejected {
    return timestamp(field, Field.of(root.get(field)));
  }

  /** A finite number of magnitude at most {@link #MAX_ABS_VALUE}. */
  public static double number(JsonNode root, String field) throws Rejected {
    return number(field, Field.of(root.get(field)));
  }

  static String text(String field, Field f) throws Rejected {
    if (f == null) {
      throw missing(field);
    }
    if (f.kind() != Field.Kind.STRING || f.text().isBlank()) {
      throw new Rejected("wrong-type", "field '" + field + "' must be a non-empty string");
    }
    return f.text();
  }

  static long timestamp(String field, Field f) throws Rejected {
    if (f == null) {
      throw missing(field);
    }
    long millis;
    if (f.kind() == Field.Kind.INTEGER) {
      millis = f.integer();
    } else if (f.kind() == Field.Kind.BIG_INTEGER) {
      throw new Rejected(
          "bad-timestamp",
          "field '" + field + "' = " + f.numberText() + " is beyond any epoch time");
    } else if (f.kind() == Field.Kind.STRING) {
      try {
        millis = Instant.parse(f.text().trim()).toEpochMilli();
      } catch (DateTimeParseException | ArithmeticException e) {
        throw new Rejected(
            "bad-timestamp",
            "field '" + field + "' = '" + f.text() + "' is not an ISO-8601 instant like"
                + " 2026-11-22T10:00:00Z nor epoch milliseconds");
      }
    } else {
      throw new Rejected(
          "wrong-type", "field '" + field + "' must be an ISO-8601 string or epoch milliseconds");
    }
    if (millis < 0 || millis > MAX_TIME) {
      throw new Rejected(
          "bad-timestamp", "field '" + field + "' = " + millis + " ms is before 1970 or after 9999");
    }
    return millis;
  }

  static double number(String field, Field f) throws Rejected {
    if (f == null) {
      throw missing(field);
    }
    if (!f.isNumber()) {
      throw new Rejected("wrong-type", "field '" + field + "' must be a number");
    }
    double v = f.asDouble();
    if (!Double.isFinite(v)) {
      throw new Rejected(
          "non-finite", "field '" + field + "' = " + f.numberText() + " is not finite");
    }
    if (Math.abs(v) > MAX_ABS_VALUE) {
      throw new Rejected(
          "out-of-range",
          "field '" + field + "' = " + v + " lies outside [-" + MAX_ABS_VALUE + ", " + MAX_ABS_VALUE
              + "]: values that large overflow the monitor's sums");
    }
    return v;
  }

  private static Rejected missing(String field) {
    return new Rejected("missing-field", "field '" + field + "' is missing");
  }
}
