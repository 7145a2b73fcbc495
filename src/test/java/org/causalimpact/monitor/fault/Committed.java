package org.causalimpact.monitor.fault;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What is committed on one topic, read from its beginning with {@code read_committed} by a consumer
 * without a group (it assigns itself every partition), so that reading survives a broker restart
 * and needs no coordinator. Keeps what it read, across calls; not thread-safe.
 */
final class Committed implements AutoCloseable {
  private final String topic;
  private final KafkaConsumer<String, String> consumer;
  private final List<ConsumerRecord<String, String>> read = new ArrayList<>();

  Committed(String bootstrapServers, String topic) {
    this.topic = topic;
    this.consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
            new StringDeserializer(),
            new StringDeserializer());
    List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
    if (infos.isEmpty()) {
      consumer.close(Duration.ZERO);
      throw new AssertionError("no partitions of " + topic + " known after 30 s");
    }
    List<TopicPartition> all =
        infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    consumer.assign(all);
    consumer.seekToBeginning(all);
  }

  /** Every committed record of {@code topic}, read to its end once. */
  static List<ConsumerRecord<String, String>> all(String bootstrapServers, String topic) {
    try (Committed c = new Committed(bootstrapServers, topic)) {
      return c.toEnd(Duration.ofSeconds(60));
    }
  }

  /**
   * Polls until what was read satisfies {@code done}.
   *
   * @return every record read so far
   * @throws AssertionError when {@code done} does not hold after {@code timeout}
   */
  List<ConsumerRecord<String, String>> until(
      Predicate<List<ConsumerRecord<String, String>>> done, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.test(read)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "after " + timeout + ", " + read.size() + " committed record(s) on " + topic
                + " and still not what was awaited");
      }
      consumer.poll(Duration.ofMillis(200)).forEach(read::add);
    }
    return List.copyOf(read);
  }

  /** Polls until {@code n} records were read; see {@link #until}. */
  List<ConsumerRecord<String, String>> atLeast(int n, Duration timeout) {
    return until(l -> l.size() >= n, timeout);
  }

  /**
   * Polls up to the last stable offset of every partition as it is now, so that whatever was
   * committed before this call (a duplicate too) is in the result.
   */
  List<ConsumerRecord<String, String>> toEnd(Duration timeout) {
    Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment(), timeout);
    return until(
        l -> end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue()),
        timeout);
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
