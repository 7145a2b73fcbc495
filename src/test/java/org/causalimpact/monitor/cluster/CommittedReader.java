package org.causalimpact.monitor.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads every committed record of one topic from its beginning ({@code
 * isolation.level=read_committed}, partitions assigned directly: no consumer group, so reading
 * needs no group coordinator). Keeps what it read; not thread-safe.
 */
final class CommittedReader implements AutoCloseable {
  private final String topic;
  private final KafkaConsumer<String, String> consumer;
  private final List<ConsumerRecord<String, String>> records = new ArrayList<>();

  CommittedReader(String bootstrapServers, String topic) {
    this.topic = topic;
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    // a topic created a moment ago may not be in this broker's metadata yet: ask again until it is
    List<TopicPartition> partitions = List.of();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (partitions.isEmpty()) {
      partitions =
          consumer.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(i.topic(), i.partition()))
              .toList();
      if (partitions.isEmpty()) {
        if (System.nanoTime() > deadline) {
          consumer.close(Duration.ZERO);
          throw new AssertionError("topic " + topic + " has no partitions after 30 s");
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting for " + topic, e);
        }
      }
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  /**
   * Polls until at least {@code n} records have been read.
   *
   * @return every record read so far
   * @throws AssertionError when fewer than {@code n} are committed after {@code timeout}
   */
  List<ConsumerRecord<String, String>> awaitAtLeast(int n, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (records.size() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "only " + records.size() + " of " + n + " records committed on " + topic + " after "
                + timeout);
      }
      poll();
    }
    return List.copyOf(records);
  }

  /**
   * Polls until every partition is read up to its last stable offset, so that nothing committed
   * before this call is left out (a duplicate included).
   *
   * @return every record read
   */
  List<ConsumerRecord<String, String>> readToEnd(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
    while (!end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            topic + " not read to its end " + end + " after " + timeout + " (" + records.size()
                + " records)");
      }
      poll();
    }
    return List.copyOf(records);
  }

  private void poll() {
    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
      records.add(r);
    }
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
