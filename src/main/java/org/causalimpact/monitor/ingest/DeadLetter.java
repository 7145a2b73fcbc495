package org.causalimpact.monitor.ingest;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * An input the monitor cannot use, bound for {@code <source topic>.dlq}, or an output record too
 * large for its topic, bound for {@code <topic>.dlq}. The record keeps the original key and value
 * bytes — their first {@value Source#MAX_KEY_BYTES} and {@value Source#MAX_VALUE_BYTES} bytes, so
 * that a dead letter stays small whatever the input — and headers say why and where it came from:
 *
 * <ul>
 *   <li>{@value #REASON}: a short bounded word such as {@code malformed-json} or {@code late};
 *   <li>{@value #ERROR}: the message, at most 1,000 characters;
 *   <li>{@value #TOPIC}, {@value #PARTITION}, {@value #OFFSET}: the source position (for an output,
 *       the topic it was meant for, partition and offset {@code -1});
 *   <li>{@value #ORIGINAL_SIZE}: the value's size in bytes as read ({@code -1} for none);
 *   <li>only where something was cut: {@value #TRUNCATED} ({@code value}, {@code key} or {@code
 *       key,value}), {@value #ORIGINAL_SHA256} (the whole value's SHA-256 in hex) and {@value
 *       #ORIGINAL_KEY_SIZE}.
 * </ul>
 */
public record DeadLetter(String reason, String error, Source source) implements Routed {
  public static final String REASON = "cim.reason";
  public static final String ERROR = "cim.error";
  public static final String TOPIC = "cim.source.topic";
  public static final String PARTITION = "cim.source.partition";
  public static final String OFFSET = "cim.source.offset";
  public static final String ORIGINAL_SIZE = "cim.original.size";
  public static final String ORIGINAL_KEY_SIZE = "cim.original.key.size";
  public static final String ORIGINAL_SHA256 = "cim.original.sha256";
  public static final String TRUNCATED = "cim.truncated";

  /** Bounded length of the error header, so one huge bad input cannot make a huge dead letter. */
  private static final int MAX_ERROR = 1000;

  /** The dead letter of an input rejected for {@code r}. */
  public static DeadLetter of(Rejected r, Source source) {
    return new DeadLetter(r.reason(), r.getMessage(), source);
  }

  /** The headers that say why and where from; the value is the original bytes (a prefix). */
  public Headers headers() {
    RecordHeaders h = new RecordHeaders();
    add(h, REASON, reason);
    String e = error == null ? "" : error;
    if (e.length() > MAX_ERROR) {
      e = e.substring(0, MAX_ERROR) + "...";
    }
    add(h, ERROR, e);
    add(h, TOPIC, source.topic());
    add(h, PARTITION, Integer.toString(source.partition()));
    add(h, OFFSET, Long.toString(source.offset()));
    add(h, ORIGINAL_SIZE, Integer.toString(source.valueSize()));
    if (source.keyTruncated()) {
      add(h, ORIGINAL_KEY_SIZE, Integer.toString(source.keySize()));
    }
    if (source.valueTruncated() || source.keyTruncated()) {
      add(
          h,
          TRUNCATED,
          source.keyTruncated() ? (source.valueTruncated() ? "key,value" : "key") : "value");
    }
    if (source.valueSha256() != null) {
      add(h, ORIGINAL_SHA256, HexFormat.of().formatHex(source.valueSha256()));
    }
    return h;
  }

  private static void add(RecordHeaders h, String name, String value) {
    h.add(name, value.getBytes(StandardCharsets.UTF_8));
  }

  /** The dead-letter topic of this input's topic. */
  public String topic() {
    return topicOf(source.topic());
  }

  /** The dead-letter topic of {@code topic}: {@code <topic>.dlq}. */
  public static String topicOf(String topic) {
    return topic + ".dlq";
  }
}
