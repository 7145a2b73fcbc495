package org.causalimpact.monitor.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.impact.ImpactAnalyzer;
import org.causalimpact.monitor.impact.StepImpact;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 3 of the streaming issue on the embedded real broker: the Streams instance is stopped
 * in the middle of an intervention and started again on the same state directory. Every impact
 * record appears exactly once (read_committed), and every record, before and after the restart,
 * equals the batch analysis of the same rows — so the cumulative effect continues exactly as in an
 * uninterrupted run.
 */
class RestartIT {
  private static final long HOUR = Duration.ofHours(1).toMillis();
  private static final int START = 400;
  private static final int ROWS = 420;
  private static final int STOP_AFTER = 410;

  @TempDir Path dir;

  @Test
  void cumulativeEffectContinuesExactlyAfterARestart() throws Exception {
    MonitorDefinition monitor = MonitorLoader.load(Path.of("config/monitors/validation.yaml"));
    StreamSettings settings = StreamSettings.defaults().withGrace(Duration.ZERO);
    Intervention campaign =
        new Intervention("campaign", Map.of("x", new DoSpec.Shift(5.0)), List.of("y"), START, -1);
    TimeSeriesTable t =
        DataSimulator.simulate(monitor.graph(), monitor.simulation(), campaign, 5L).table();

    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      kafka.createTopics(settings.topics(), 1);
      Properties streamsProps =
          StreamsConfigs.embedded(kafka.bootstrapServers(), dir.resolve("state")).streams();
      try (KafkaProducer<String, String> producer = producer(kafka)) {
        send(producer, settings, t, 0, START);
        producer.send(
            new ProducerRecord<>(
                settings.interventionsTopic(),
                null,
                START * HOUR,
                monitor.name(),
                "{\"id\":\"campaign\",\"timestamp\":" + START * HOUR
                    + ",\"do\":{\"x\":{\"shift\":5.0}},\"outcomes\":[\"y\"]}"));
        send(producer, settings, t, START, STOP_AFTER + 1);
        producer.flush();

        try (StreamsRunner first =
            StreamsRunner.start(MonitorTopology.build(List.of(monitor), settings), streamsProps)) {
          assertTrue(first.awaitRunning(Duration.ofSeconds(60)), "first instance not running");
          List<JsonNode> before =
              await(kafka, settings.impactTopic(), l -> l.size() >= STOP_AFTER - START);
          assertEquals(STOP_AFTER - START, before.size());
        }

        send(producer, settings, t, STOP_AFTER + 1, ROWS);
        producer.send(
            new ProducerRecord<>(
                settings.interventionsTopic(),
                null,
                ROWS * HOUR,
                monitor.name(),
                "{\"id\":\"campaign\",\"action\":\"end\",\"timestamp\":" + ROWS * HOUR + "}"));
        point(producer, settings, "x", ROWS * HOUR, 20.0);
        producer.flush();
      }

      try (StreamsRunner second =
          StreamsRunner.start(MonitorTopology.build(List.of(monitor), settings), streamsProps)) {
        assertTrue(second.awaitRunning(Duration.ofSeconds(60)), "second instance not running");
        await(kafka, settings.summaryTopic(), l -> !l.isEmpty());
      }
      List<JsonNode> impact = await(kafka, settings.impactTopic(), l -> l.size() >= ROWS - START);

      ImpactAnalysis batch =
          ImpactAnalyzer.withDefaults()
              .withFit(monitor.fit())
              .withIntervals(monitor.intervals())
              .analyze(monitor.name(), monitor.graph(), t.slice(0, ROWS), 0, campaign);
      List<StepImpact> series = batch.outcome("y").series();
      assertEquals(ROWS - START, impact.size(), "each step exactly once");
      for (int h = 0; h < impact.size(); h++) {
        JsonNode r = impact.get(h);
        assertEquals(h + 1, r.get("step").asInt(), "steps in order, none missing or repeated");
        assertEquals(
            series.get(h).cumulative().mean(), r.get("cumulative").get("mean").asDouble(), 1e-9);
        assertEquals(
            series.get(h).cumulative().bootstrap().lower(),
            r.get("cumulative").get("bootstrap").get(0).asDouble(),
            1e-9);
      }
    }
  }

  private static KafkaProducer<String, String> producer(EmbeddedKafka kafka) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
  }

  private static void send(
      KafkaProducer<String, String> producer, StreamSettings s, TimeSeriesTable t, int from, int to) {
    for (int r = from; r < to; r++) {
      point(producer, s, "x", r * HOUR, t.value("x", r));
      point(producer, s, "y", r * HOUR + 1000, t.value("y", r));
    }
  }

  private static void point(
      KafkaProducer<String, String> producer, StreamSettings s, String series, long time, double v) {
    producer.send(
        new ProducerRecord<>(
            s.metricsTopic(),
            null,
            time,
            series,
            "{\"series\":\"" + series + "\",\"timestamp\":\"" + Instant.ofEpochMilli(time)
                + "\",\"value\":" + v + "}"));
  }

  /** All committed records of a topic, polled until {@code done} holds or 90 s pass. */
  private static List<JsonNode> await(
      EmbeddedKafka kafka, String topic, Predicate<List<JsonNode>> done) throws Exception {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "restart-it-" + topic + "-" + System.nanoTime());
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
          // one more poll: anything beyond what was awaited would be a duplicate
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
