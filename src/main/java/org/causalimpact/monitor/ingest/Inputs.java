package org.causalimpact.monitor.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.NumberInput;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import org.causalimpact.monitor.wire.Json;

/**
 * Checks shared by the routers: size, UTF-8, JSON, fields, timestamps, numbers. Each failure is a
 * {@link Rejected} with the bounded reason word of the dead letter.
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
  private static final ObjectReader READER =
      Json.MAPPER
          .reader()
          .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .with(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS);

  /** Whether the tree path parses doubles with Jackson's fast parser (it gives the same bits). */
  private static final boolean FAST_DOUBLE =
      Json.MAPPER.isEnabled(StreamReadFeature.USE_FAST_DOUBLE_PARSER);

  private Inputs() {}

  public static JsonNode object(byte[] value) throws Rejected {
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
    JsonNode root;
    try {
      root = READER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new Rejected("malformed-json", "the value is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || root.isMissingNode()) {
      throw new Rejected("empty", "the value holds only white space");
    }
    if (!root.isObject()) {
      throw new Rejected("wrong-type", "the value must be a JSON object");
    }
    return root;
  }

  /**
   * A metric point's fields, checked as {@link #object} and then {@link #text} of {@code series},
   * {@link #timestamp} of {@code timestamp} and {@link #number} of {@code value} check them, each
   * failure with their reason and message. Most points are read by {@link #plainPoint}, without a
   * String of the whole value or a tree; the others (every rejected value, and the valid ones not
   * in its plain form) go through that tree path, so that a rejection says what it always said.
   */
  public static Point point(byte[] value) throws Rejected {
    Point plain = plainPoint(value);
    if (plain != null) {
      return plain;
    }
    JsonNode root = object(value);
    return new Point(text(root, "series"), timestamp(root, "timestamp"), number(root, "value"));
  }

  /**
   * The point, read straight from the bytes, if the value has the plain form that producers write
   * and the tree path of {@link #point} accepts it; else null, and the tree path reads it. The
   * plain form: UTF-8; one object with JSON white space around any token; its fields the three,
   * each once, and at most {@value PlainReader#MAX_EXTRAS} others with different names; every name
   * and string without escapes or control characters; {@code series} a string, {@code timestamp}
   * a string (an ISO-8601 instant) or epoch milliseconds of at most 18 digits, {@code value} a
   * number in JSON's syntax of at most 18 digits if an integer and at most 64 characters if not;
   * other fields' names at most {@value PlainReader#MAX_EXTRA_NAME} bytes with their quotes, their
   * values such a string or number, {@code true}, {@code false} or {@code null}. Numbers are
   * converted as Jackson converts them for the tree: an integer exactly (so {@code -0} is 0.0),
   * then to double; any other literal by {@link NumberInput#parseDouble(String, boolean)} with the
   * fast-parser setting of {@link Json#MAPPER}.
   */
  public static Point plainPoint(byte[] value) {
    if (value == null || value.length > MAX_BYTES || !isUtf8(value)) {
      return null;
    }
    return new PlainReader(value).point();
  }

  /**
   * A cursor over a value for {@link #plainPoint}: it finds where the fields' values lie, and
   * converts them only once the whole value has the plain form.
   */
  private static final class PlainReader {
    static final int MAX_EXTRAS = 8;
    static final int MAX_EXTRA_NAME = 256;

    private static final int SERIES = 0;
    private static final int TIMESTAMP = 1;
    private static final int VALUE = 2;
    private static final byte[][] NAMES = {quoted("series"), quoted("timestamp"), quoted("value")};
    private static final byte[][] LITERALS = {ascii("true"), ascii("false"), ascii("null")};

    /** What {@link #number} found. */
    private static final int NOT_PLAIN = 0;

    private static final int INTEGER = 1;
    private static final int LITERAL = 2;

    private final byte[] in;
    private int at;

    /** Where each of the three fields' values starts (-1 until read) and ends; strings quoted. */
    private final int[] from = {-1, -1, -1};

    private final int[] to = new int[3];

    /** Whether {@code value} is an integer. */
    private boolean integral;

    /** Where the other fields' quoted names start and end, in pairs; null until there is one. */
    private int[] extras;

    private int extraCount;

    PlainReader(byte[] in) {
      this.in = in;
    }

    Point point() {
      space();
      if (!take('{')) {
        return null;
      }
      do {
        space();
        if (!member()) {
          return null;
        }
        space();
      } while (take(','));
      if (!take('}')) {
        return null;
      }
      space();
      if (at != in.length || from[SERIES] < 0 || from[TIMESTAMP] < 0 || from[VALUE] < 0) {
        return null;
      }
      String series = text(SERIES);
      long millis = millis();
      double v = integral ? (double) integer(VALUE) : fraction();
      // NaN fails the magnitude check as it is written
      if (series.isBlank() || !isEpochTime(millis) || !(Math.abs(v) <= MAX_ABS_VALUE)) {
        return null;
      }
      return new Point(series, millis, v);
    }

    /** A field not seen before, a colon and the field's value, all in plain form. */
    private boolean member() {
      int field = name();
      if (field < 0) {
        return extra();
      }
      if (from[field] >= 0 || !colon()) {
        return false;
      }
      from[field] = at;
      boolean plain =
          switch (field) {
            case SERIES -> string();
            case TIMESTAMP -> peek() == '"' ? string() : millisDigits();
            default -> {
              int number = number();
              integral = number == INTEGER;
              yield number != NOT_PLAIN;
            }
          };
      to[field] = at;
      return plain;
    }

    /** The field whose quoted name stands here, moving past it; -1 for any other text. */
    private int name() {
      for (int field = 0; field < NAMES.length; field++) {
        if (standsHere(NAMES[field])) {
          at += NAMES[field].length;
          return field;
        }
      }
      return -1;
    }

    /** A field other than the three: a name not seen before and a scalar value, skipped. */
    private boolean extra() {
      int start = at;
      if (!string() || at - start > MAX_EXTRA_NAME || !newExtra(start, at) || !colon()) {
        return false;
      }
      return switch (peek()) {
        case '"' -> string();
        case 't', 'f', 'n' -> literal();
        default -> number() != NOT_PLAIN;
      };
    }

    /** Keeps the name at {@code [start, end)} unless it is taken or there are enough. */
    private boolean newExtra(int start, int end) {
      if (extras == null) {
        extras = new int[2 * MAX_EXTRAS];
      } else if (extraCount == MAX_EXTRAS) {
        return false;
      }
      for (int k = 0; k < 2 * extraCount; k += 2) {
        if (Arrays.equals(in, extras[k], extras[k + 1], in, start, end)) {
          return false;
        }
      }
      extras[2 * extraCount] = start;
      extras[2 * extraCount + 1] = end;
      extraCount++;
      return true;
    }

    private boolean literal() {
      for (byte[] word : LITERALS) {
        if (standsHere(word)) {
          at += word.length;
          return true;
        }
      }
      return false;
    }

    private boolean standsHere(byte[] word) {
      if (in.length - at < word.length) {
        return false;
      }
      for (int k = 0; k < word.length; k++) {
        if (in[at + k] != word[k]) {
          return false;
        }
      }
      return true;
    }

    /** Moves past white space, a colon and white space. */
    private boolean colon() {
      space();
      if (!take(':')) {
        return false;
      }
      space();
      return true;
    }

    /** A string without escapes or control characters (bytes of UTF-8 sequences are fine). */
    private boolean string() {
      if (!take('"')) {
        return false;
      }
      for (; at < in.length; at++) {
        byte b = in[at];
        if (b == '"') {
          at++;
          return true;
        }
        if (b == '\\' || (b >= 0 && b < 0x20) || b == 0x7F) {
          return false;
        }
      }
      return false;
    }

    /**
     * {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}: {@link #INTEGER} for an integer of
     * at most 18 digits, {@link #LITERAL} for any other of at most 64 characters, else {@link
     * #NOT_PLAIN}.
     */
    private int number() {
      int start = at;
      take('-');
      int whole = integerDigits();
      if (whole == 0) {
        return NOT_PLAIN;
      }
      boolean integer = true;
      if (take('.')) {
        integer = false;
        if (skipDigits() == 0) {
          return NOT_PLAIN;
        }
      }
      if (take('e') || take('E')) {
        integer = false;
        if (!take('+')) {
          take('-');
        }
        if (skipDigits() == 0) {
          return NOT_PLAIN;
        }
      }
      if (integer) {
        return whole <= 18 ? INTEGER : NOT_PLAIN;
      }
      return at - start <= 64 ? LITERAL : NOT_PLAIN;
    }

    /** Epoch milliseconds: {@code 0|[1-9][0-9]*}, at most 18 digits. */
    private boolean millisDigits() {
      int n = integerDigits();
      return n > 0 && n <= 18;
    }

    /**
     * How many digits of {@code 0|[1-9][0-9]*} stand here, moving past them; 0 where there are
     * none or they have a leading zero.
     */
    private int integerDigits() {
      int start = at;
      int n = skipDigits();
      return n > 1 && in[start] == '0' ? 0 : n;
    }

    private int skipDigits() {
      int start = at;
      while (at < in.length && in[at] >= '0' && in[at] <= '9') {
        at++;
      }
      return at - start;
    }

    private void space() {
      while (at < in.length
          && (in[at] == ' ' || in[at] == '\n' || in[at] == '\r' || in[at] == '\t')) {
        at++;
      }
    }

    private boolean take(char c) {
      if (at < in.length && in[at] == c) {
        at++;
        return true;
      }
      return false;
    }

    private int peek() {
      return at < in.length ? in[at] : -1;
    }

    /** The text of a string field, without its quotes. */
    private String text(int field) {
      return new String(in, from[field] + 1, to[field] - from[field] - 2, StandardCharsets.UTF_8);
    }

    /** An integer field (at most 18 digits, so no overflow), with its sign. */
    private long integer(int field) {
      boolean negative = in[from[field]] == '-';
      long n = 0;
      for (int k = negative ? from[field] + 1 : from[field]; k < to[field]; k++) {
        n = 10 * n + (in[k] - '0');
      }
      return negative ? -n : n;
    }

    /** Epoch milliseconds, or -1 where {@link Inputs#timestamp} would reject the text. */
    private long millis() {
      if (in[from[TIMESTAMP]] != '"') {
        return integer(TIMESTAMP);
      }
      try {
        return isoMillis(text(TIMESTAMP));
      } catch (DateTimeParseException | ArithmeticException e) {
        return -1;
      }
    }

    private double fraction() {
      String literal =
          new String(in, from[VALUE], to[VALUE] - from[VALUE], StandardCharsets.ISO_8859_1);
      return NumberInput.parseDouble(literal, FAST_DOUBLE);
    }

    private static byte[] quoted(String name) {
      return ascii('"' + name + '"');
    }

    private static byte[] ascii(String text) {
      return text.getBytes(StandardCharsets.US_ASCII);
    }
  }

  /** A metric point as {@link #point} reads it. */
  public record Point(String series, long timestamp, double value) {}

  /** The text of the value, or null if it is not UTF-8 (overlong forms and surrogates are not). */
  private static String utf8(byte[] value) {
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

  /** Whether the value is UTF-8: at once when every byte is ASCII, else by {@link #utf8}. */
  private static boolean isUtf8(byte[] value) {
    int bits = 0;
    for (byte b : value) {
      bits |= b;
    }
    return bits >= 0 || utf8(value) != null;
  }

  /** An ISO-8601 instant, white space around it ignored, in epoch milliseconds. */
  private static long isoMillis(String text) {
    return Instant.parse(text.trim()).toEpochMilli();
  }

  public static String text(JsonNode root, String field) throws Rejected {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      throw new Rejected("missing-field", "field '" + field + "' is missing");
    }
    if (!n.isTextual() || n.asText().isBlank()) {
      throw new Rejected("wrong-type", "field '" + field + "' must be a non-empty string");
    }
    return n.asText();
  }

  /** An ISO-8601 instant or epoch milliseconds, between 1970 and 9999. */
  public static long timestamp(JsonNode root, String field) throws Rejected {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      throw new Rejected("missing-field", "field '" + field + "' is missing");
    }
    long millis;
    if (n.isIntegralNumber()) {
      if (!n.canConvertToLong()) {
        throw new Rejected(
            "bad-timestamp", "field '" + field + "' = " + n.asText() + " is beyond any epoch time");
      }
      millis = n.asLong();
    } else if (n.isTextual()) {
      try {
        millis = isoMillis(n.asText());
      } catch (DateTimeParseException | ArithmeticException e) {
        throw new Rejected(
            "bad-timestamp",
            "field '" + field + "' = '" + n.asText() + "' is not an ISO-8601 instant like"
                + " 2026-11-22T10:00:00Z nor epoch milliseconds");
      }
    } else {
      throw new Rejected(
          "wrong-type", "field '" + field + "' must be an ISO-8601 string or epoch milliseconds");
    }
    if (!isEpochTime(millis)) {
      throw new Rejected(
          "bad-timestamp", "field '" + field + "' = " + millis + " ms is before 1970 or after 9999");
    }
    return millis;
  }

  private static boolean isEpochTime(long millis) {
    return millis >= 0 && millis <= MAX_TIME;
  }

  /** A finite number of magnitude at most {@link #MAX_ABS_VALUE}. */
  public static double number(JsonNode root, String field) throws Rejected {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      throw new Rejected("missing-field", "field '" + field + "' is missing");
    }
    if (!n.isNumber()) {
      throw new Rejected("wrong-type", "field '" + field + "' must be a number");
    }
    double v = n.asDouble();
    if (!Double.isFinite(v)) {
      throw new Rejected("non-finite", "field '" + field + "' = " + n.asText() + " is not finite");
    }
    if (Math.abs(v) > MAX_ABS_VALUE) {
      throw new Rejected(
          "out-of-range",
          "field '" + field + "' = " + v + " lies outside [-" + MAX_ABS_VALUE + ", " + MAX_ABS_VALUE
              + "]: values that large overflow the monitor's sums");
    }
    return v;
  }
}
