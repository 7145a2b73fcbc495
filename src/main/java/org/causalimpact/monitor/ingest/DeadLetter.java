package org.causalimpact.monitor.ingest;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * An input the monitor cannot use, bound for {@code <source topic>.dlq}: the record keeps the
 * original key and value bytes unchanged, and headers say why and where it came from ({@value
 * #REASON}: a short bounded word such as {@code malformed-json} or {@code late}; {@value #ERROR}:
 * the message; {@value #TOPIC}, {@value #PARTITION}, {@value #OFFSET}: the source position).
 */
public record DeadLetter(String reason, String error, Source source) implements Routed {
  public static final String REASON = "cim.reason";
  public static final String ERROR = "cim.error";
  public static final String TOPIC = "cim.source.topic";
  public static final String PARTITION = "cim.source.partition";
  public static final String OFFSET = "cim.source.offset";

  /** Bounded length of the error header, so one huge bad input cannot make a huge dead letter. */
  private static final int MAX_ERROR = 1000;

  /** The dead letter of an input rejected for {@code r}. */
  public static DeadLetter of(Rejected r, Source source) {
    return new DeadLetter(r.reason(), r.getMessage(), source);
  }

  /** The headers that say why and where from; the value is the original bytes. */
  public Headers headers() {
    RecordHeaders h = new RecordHeaders();
    h.add(REASON, reason.getBytes(StandardCharsets.UTF_8));
    String e = error == null ? "" : error;
    if (e.length() > MAX_ERROR) {
      e = e.substring(0, MAX_ERROR) + "...";
    }
    h.add(ERROR, e.getBytes(StandardCharsets.UTF_8));
    h.add(TOPIC, source.topic().getBytes(StandardCharsets.UTF_8));
    h.add(PARTITION, Integer.toString(source.partition()).getBytes(StandardCharsets.UTF_8));
    h.add(OFFSET, Long.toString(source.offset()).getBytes(StandardCharsets.UTF_8));
    return h;
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
