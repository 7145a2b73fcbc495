package org.causalimpact.monitor.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker is a real Kafka: topics, transactions, read_committed, restarts, and records
 * stamped with simulated event time far from the wall clock.
 */
class EmbeddedKafkaIT {
  private static final String TOPIC = "points";

  @Test
  void committedRecordsAreReadAndAbortedOnesAreNot(@TempDir Path dir) throws Exception {
    long t0 = System.nanoTime();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      System.err.printf("embedded broker started in %.2f s%n", (System.nanoTime() - t0) / 1e9);
      assertTrue(kafka.bootstrapServers().startsWith("127.0.0.1:"), kafka.bootstrapServers());
      kafka.createTopics(List.of(TOPIC, "other"), 2);
      kafka.createTopics(List.of(TOPIC, "other", "third"), 1);
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        assertTrue(names.containsAll(Set.of(TOPIC, "other", "third")), names.toString());
        int partitions =
            admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(TOPIC).partitions().size();
        assertEquals(2, partitions, "a second createTopics must leave an existing topic alone");
      }

      // event time of simulations: years behind and ahead of the wall clock
      long past = Instant.parse("2001-01-01T00:00:00Z").toEpochMilli();
      long future = Instant.now().plus(Duration.ofDays(3 * 365)).toEpochMilli();
      try (KafkaProducer<String, String> producer = transactionalProducer(kafka, "tx-1")) {
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(TOPIC, 0, past, "signups", "{\"value\": 1}"));
        producer.commitTransaction();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(TOPIC, 0, "signups", "{\"value\": 2}"));
        producer.flush();
        producer.abortTransaction();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(TOPIC, 0, future, "visits", "{\"value\": 3}"));
        producer.commitTransaction();
      }
      assertEquals(
          List.of("signups={\"value\": 1}", "visits={\"value\": 3}"),
          readCommitted(kafka, new TopicPartition(TOPIC, 0), 2));
    }
  }

  @Test
  void restartOnTheSamePortsAndDirectoryKeepsTheData(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("kafka");
    int brokerPort;
    int controllerPort;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(data)) {
      brokerPort = kafka.brokerPort();
      controllerPort = kafka.controllerPort();
      kafka.createTopics(List.of(TOPIC), 1);
      try (KafkaProducer<String, String> producer = transactionalProducer(kafka, "tx-2")) {
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(TOPIC, "before", "restart"));
        producer.commitTransaction();
      }
    }
    assertTrue(Files.exists(data.resolve("server.properties")), "data dir kept after close()");

    long t0 = System.nanoTime();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(data, brokerPort, controllerPort)) {
      System.err.printf("embedded broker restarted in %.2f s%n", (System.nanoTime() - t0) / 1e9);
      assertEquals("127.0.0.1:" + brokerPort, kafka.bootstrapServers());
      kafka.createTopics(List.of(TOPIC), 1);
      try (KafkaProducer<String, String> producer = transactionalProducer(kafka, "tx-2")) {
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(TOPIC, "after", "restart"));
        producer.commitTransaction();
      }
      assertEquals(
          List.of("before=restart", "after=restart"),
          readCommitted(kafka, new TopicPartition(TOPIC, 0), 2));
      kafka.closeAndDelete();
      assertTrue(Files.notExists(data), "closeAndDelete() removes the data directory");
    }
  }

  private static KafkaProducer<String, String> transactionalProducer(
      EmbeddedKafka kafka, String transactionalId) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
        new StringSerializer(),
        new StringSerializer());
  }

  /** {@code key=value} of the first {@code n} committed records, waiting at most 30 s. */
  private static List<String> readCommitted(EmbeddedKafka kafka, TopicPartition tp, int n) {
    List<String> seen = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
            new StringDeserializer(),
            new StringDeserializer())) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (seen.size() < n && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          seen.add(r.key() + "=" + r.value());
        }
      }
      // anything more (an aborted record leaking through) shows up in a last short poll
      for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
        seen.add(r.key() + "=" + r.value());
      }
    }
    return seen;
  }
}
