package org.causalimpact.monitor.fault;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The records of one topic from its beginning, read by a consumer without a group (it assigns
 * itself every partition), so that reading survives a broker restart and needs no coordinator:
 * only what is committed ({@code read_committed}), or everything the log holds, aborted
 * transactions too (to measure the largest record ever written). Keeps what it read, across
 * calls; not thread-safe.
 */
class TopicReader<K, V> implements AutoCloseable {
  private final String topic;
  private final KafkaConsumer<K, V> consumer;
  private final List<ConsumerRecord<K, V>> read = new ArrayList<>();

  TopicReader(
      String bootstrapServers,
      String topic,
      boolean committedOnly,
      Deserializer<K> keys,
      Deserializer<V> values) {
    this.topic = topic;
    this.consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                committedOnly ? "read_committed" : "read_uncommitted",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 << 20),
            keys,
            values);
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

  /** The records of {@code topic} as bytes. */
  static TopicReader<byte[], byte[]> bytes(
      String bootstrapServers, String topic, boolean committedOnly) {
    return new TopicReader<>(
        bootstrapServers, topic, committedOnly, new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }

  /** The topics of the cluster, the internal ones of Kafka Streams too. */
  static Set<String> topics(String bootstrapServers) {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      return new TreeSet<>(admin.listTopics().names().get(30, TimeUnit.SECONDS));
    } catch (Exception e) {
      throw new AssertionError("cannot list the topics", e);
    }
  }

  /**
   * Polls until what was read satisfies {@code done}.
   *
   * @return every record read so far
   * @throws AssertionError when {@code done} does not hold after {@code timeout}
   */
  List<ConsumerRecord<K, V>> until(Predicate<List<ConsumerRecord<K, V>>> done, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.test(read)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "after " + timeout + ", " + read.size() + " record(s) on " + topic
                + " and still not what was awaited");
      }
      consumer.poll(Duration.ofMillis(200)).forEach(read::add);
    }
    return List.copyOf(read);
  }

  /**
   * Polls up to the last stable offset of every partition as it is now, so that whatever was
   * committed before this call (a duplicate too) is in the result.
   */
  List<ConsumerRecord<K, V>> toEnd(Duration timeout) {
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
