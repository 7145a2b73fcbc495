package org.causalimpact.monitor.stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
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

/**
 * Checks shared by the routers: size, UTF-8, JSON, fields, timestamps, numbers. Each failure is a
 * {@link Rejected} with the bounded reason word of the dead letter.
 */
final class Inputs {
  /** Largest accepted input value. */
  static final int MAX_BYTES = 1 << 20;

  /** Latest accepted event time: year 9999; later values are typos or unit mistakes. */
  static final long MAX_TIME = Instant.parse("9999-12-31T23:59:59Z").toEpochMilli();

  /**
   * Largest magnitude of an accepted value. Finite values far beyond any real metric (1e308, say)
   * overflow to infinity once a grid cell sums them or a fit squares them, and would then break
   * every analysis whose window holds that row.
   */
  static final double MAX_ABS_VALUE = 1e100;

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

  private Inputs() {}

  static JsonNode object(byte[] value) throws Rejected {
    if (value == null || value.length == 0) {
      throw new Rejected("empty", "the record has no value");
    }
    if (value.length > MAX_BYTES) {
      throw new Rejected(
          "oversize", "the value has " + value.length + " bytes; at most " + MAX_BYTES + " are accepted");
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(value))
              .toString();
    } catch (CharacterCodingException e) {
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

  static String text(JsonNode root, String field) throws Rejected {
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
  static long timestamp(JsonNode root, String field) throws Rejected {
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
        millis = Instant.parse(n.asText().trim()).toEpochMilli();
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
    if (millis < 0 || millis > MAX_TIME) {
      throw new Rejected(
          "bad-timestamp", "field '" + field + "' = " + millis + " ms is before 1970 or after 9999");
    }
    return millis;
  }

  /** A finite number of magnitude at most {@link #MAX_ABS_VALUE}. */
  static double number(JsonNode root, String field) throws Rejected {
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
