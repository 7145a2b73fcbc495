package org.causalimpact.monitor.fault;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What is committed on one topic, as text, read from its beginning with {@code read_committed} by
 * a consumer without a group (see {@link TopicReader}). Keeps what it read, across calls; not
 * thread-safe.
 */
final class Committed extends TopicReader<String, String> {
  Committed(String bootstrapServers, String topic) {
    super(bootstrapServers, topic, true, new StringDeserializer(), new StringDeserializer());
  }

  /** Every committed record of {@code topic}, read to its end once. */
  static List<ConsumerRecord<String, String>> all(String bootstrapServers, String topic) {
    try (Committed c = new Committed(bootstrapServers, topic)) {
      return c.toEnd(Duration.ofSeconds(60));
    }
  }

  /** Polls until {@code n} records were read; see {@link #until}. */
  List<ConsumerRecord<String, String>> atLeast(int n, Duration timeout) {
    return until(l -> l.size() >= n, timeout);
  }
}
