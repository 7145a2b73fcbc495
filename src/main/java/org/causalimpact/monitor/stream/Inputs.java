package org.causalimpact.monitor.stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Checks shared by the routers: size, UTF-8, JSON, fields, timestamps. */
final class Inputs {
  /** Largest accepted input value. */
  static final int MAX_BYTES = 1 << 20;

  /** Latest accepted event time: year 9999; later values are typos or unit mistakes. */
  static final long MAX_TIME = Instant.parse("9999-12-31T23:59:59Z").toEpochMilli();

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
      root = Json.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new Rejected("malformed-json", "the value is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
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
    if (n.isIntegralNumber() && n.canConvertToLong()) {
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
    return v;
  }
}
