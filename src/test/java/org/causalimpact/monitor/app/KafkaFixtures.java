package org.causalimpact.monitor.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.causalimpact.monitor.live.TopologySettings;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.wire.Json;

/** Producing rows of a two-node monitor (x, y; one-hour step) and reading committed outputs. */
final class KafkaFixtures {
  static final long HOUR = Duration.ofHours(1).toMillis();

  private KafkaFixtures() {}

  static KafkaProducer<String, String> producer(String bootstrapServers) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
  }

  /** Rows {@code [from, to)} of columns x and y as points at {@code row * 1 h}. */
  static void send(
      KafkaProducer<String, String> producer,
      TopologySettings s,
      TimeSeriesTable t,
      int from,
      int to) {
    for (int r = from; r < to; r++) {
      point(producer, s, "x", r * HOUR, t.value("x", r));
      point(producer, s, "y", r * HOUR + 1000, t.value("y", r));
    }
  }

  static void point(
      KafkaProducer<String, String> producer,
      TopologySettings s,
      String series,
      long time,
      double v) {
    producer.send(
        new ProducerRecord<>(
            s.metricsTopic(),
            null,
            time,
            series,
            "{\"series\":\"" + series + "\",\"timestamp\":\"" + Instant.ofEpochMilli(time)
                + "\",\"value\":" + v + "}"));
  }

  /**
   * All committed records of a topic, polled until {@code done} holds (then once more, so that a
   * duplicate beyond what was awaited would show) or 90 s pass.
   */
  static List<JsonNode> await(
      String bootstrapServers, String topic, Predicate<List<JsonNode>> done) throws Exception {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "fixture-" + topic + "-" + System.nanoTime());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<JsonNode> out = new ArrayList<>();
    try (KafkaConsumer<String, String> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      c.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
          out.add(Json.MAPPER.readTree(r.value()));
        }
        if (done.test(out)) {
          for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(1500))) {
            out.add(Json.MAPPER.readTree(r.value()));
          }
          return out;
        }
      }
    }
    throw new AssertionError("timed out waiting on " + topic + " (" + out.size() + " records)");
  }
}
