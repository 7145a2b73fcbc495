package org.causalimpact.monitor.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.demo.EmbeddedKafka;
import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.impact.ImpactAnalyzer;
import org.causalimpact.monitor.impact.StepImpact;
import org.causalimpact.monitor.live.MonitorTopology;
import org.causalimpact.monitor.live.TopologySettings;
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
  private static final long HOUR = KafkaFixtures.HOUR;
  private static final int START = 400;
  private static final int ROWS = 420;
  private static final int STOP_AFTER = 410;

  @TempDir Path dir;

  @Test
  void cumulativeEffectContinuesExactlyAfterARestart() throws Exception {
    MonitorDefinition monitor = MonitorLoader.load(Path.of("config/monitors/validation.yaml"));
    TopologySettings settings = TopologySettings.defaults().withGrace(Duration.ZERO);
    Intervention campaign =
        new Intervention("campaign", Map.of("x", new DoSpec.Shift(5.0)), List.of("y"), START, -1);
    TimeSeriesTable t =
        DataSimulator.simulate(monitor.graph(), monitor.simulation(), campaign, 5L).table();

    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      kafka.createTopics(settings.topics(), 1);
      Properties streamsProps =
          AppSettings.embedded(kafka.bootstrapServers(), dir.resolve("state")).streams();
      try (KafkaProducer<String, String> producer = KafkaFixtures.producer(kafka.bootstrapServers())) {
        KafkaFixtures.send(producer, settings, t, 0, START);
        producer.send(
            new ProducerRecord<>(
                settings.interventionsTopic(),
                null,
                START * HOUR,
                monitor.name(),
                "{\"id\":\"campaign\",\"timestamp\":" + START * HOUR
                    + ",\"do\":{\"x\":{\"shift\":5.0}},\"outcomes\":[\"y\"]}"));
        KafkaFixtures.send(producer, settings, t, START, STOP_AFTER + 1);
        producer.flush();

        try (StreamsRunner first =
            StreamsRunner.start(MonitorTopology.build(List.of(monitor), settings), streamsProps)) {
          assertTrue(first.awaitRunning(Duration.ofSeconds(60)), "first instance not running");
          List<JsonNode> before =
              KafkaFixtures.await(kafka.bootstrapServers(), settings.impactTopic(), l -> l.size() >= STOP_AFTER - START);
          assertEquals(STOP_AFTER - START, before.size());
        }

        KafkaFixtures.send(producer, settings, t, STOP_AFTER + 1, ROWS);
        producer.send(
            new ProducerRecord<>(
                settings.interventionsTopic(),
                null,
                ROWS * HOUR,
                monitor.name(),
                "{\"id\":\"campaign\",\"action\":\"end\",\"timestamp\":" + ROWS * HOUR + "}"));
        KafkaFixtures.point(producer, settings, "x", ROWS * HOUR, 20.0);
        producer.flush();
      }

      try (StreamsRunner second =
          StreamsRunner.start(MonitorTopology.build(List.of(monitor), settings), streamsProps)) {
        assertTrue(second.awaitRunning(Duration.ofSeconds(60)), "second instance not running");
        KafkaFixtures.await(kafka.bootstrapServers(), settings.summaryTopic(), l -> !l.isEmpty());
      }
      List<JsonNode> impact = KafkaFixtures.await(kafka.bootstrapServers(), settings.impactTopic(), l -> l.size() >= ROWS - START);

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
}
