package org.causalimpact.monitor.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Reads a metric point, {@code {"series": s, "timestamp": t, "value": v}}, with Jackson's streaming
 * parser: no tree, other fields skipped. The checks and their order are those of every input: the
 * value as text ({@link Inputs#text(byte[])}), then the whole value as one JSON object (any syntax
 * error, a field given twice or trailing text is {@code malformed-json}, whatever the fields say),
 * then {@code series}, {@code timestamp} and {@code value} in that order. Stateless and
 * thread-safe.
 */
public final class PointParser {
  private PointParser() {}

  /** A metric point as read. */
  public record Point(String series, long timestamp, double value) {}

  /**
   * The point in {@code value}.
   *
   * @throws Rejected with the reason of the first check it fails
   */
  public static Point parse(byte[] value) throws Rejected {
    String text = Inputs.text(value);
    Inputs.Field series = null;
    Inputs.Field timestamp = null;
    Inputs.Field number = null;
    try (JsonParser p = Inputs.READER.createParser(text)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw Inputs.onlyWhiteSpace();
      }
      if (t != JsonToken.START_OBJECT) {
        // the whole value is read first: malformed JSON is reported as such, not as a wrong type
        p.skipChildren();
        endOfValue(p);
        throw Inputs.wrongRootType();
      }
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        switch (name) {
          case "series" -> series = Inputs.Field.read(p, v);
          case "timestamp" -> timestamp = Inputs.Field.read(p, v);
          case "value" -> number = Inputs.Field.read(p, v);
          default -> p.skipChildren();
        }
      }
      endOfValue(p);
    } catch (JsonProcessingException e) {
      throw Inputs.malformed(e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading a string failed", e);
    }
    return new Point(
        Inputs.text("series", series),
        Inputs.timestamp("timestamp", timestamp),
        Inputs.number("value", number));
  }

  /** Nothing but white space may follow the value. */
  private static void endOfValue(JsonParser p) throws IOException, Rejected {
    JsonToken after = p.nextToken();
    if (after != null) {
      throw new Rejected(
          "malformed-json",
          "the value is not JSON: Trailing token (of type " + after + ") found after value");
    }
  }
}
