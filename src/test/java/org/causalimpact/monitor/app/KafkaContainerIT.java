package org.causalimpact.monitor.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.causalimpact.monitor.cluster.KafkaImage;
import org.causalimpact.monitor.cluster.Loopback;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.impact.ImpactAnalyzer;
import org.causalimpact.monitor.live.MonitorTopology;
import org.causalimpact.monitor.live.TopologySettings;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The monitor flow against a Kafka broker in a container ({@link KafkaImage#NAME}, built locally by
 * {@value KafkaImage#BUILD_SCRIPT}), where a Docker engine is reachable; skipped with a message
 * where none is (as on machines without Docker). The broker's port is published on 127.0.0.1
 * only. The same flow runs on the embedded broker in {@link RestartIT}; brokers that fail are in
 * {@code cluster.BrokerFailoverIT} and {@code cluster.NetworkPartitionIT}.
 */
class KafkaContainerIT {
  private static final long HOUR = KafkaFixtures.HOUR;
  private static final int START = 400;
  private static final int ROWS = 420;

  @TempDir Path dir;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void monitorFlowOnAContainerBroker() throws Exception {
    KafkaImage.assumeAvailable();
    MonitorDefinition monitor = MonitorLoader.load(Path.of("config/monitors/validation.yaml"));
    TopologySettings settings = TopologySettings.defaults().withGrace(Duration.ZERO);
    Intervention campaign =
        new Intervention("campaign", Map.of("x", new DoSpec.Shift(5.0)), List.of("y"), START, -1);
    TimeSeriesTable t =
        DataSimulator.simulate(monitor.graph(), monitor.simulation(), campaign, 5L).table();
    try (KafkaContainer kafka = Loopback.publish(KafkaImage.container(), 9092, 0)) {
      kafka.start();
      String bootstrap = kafka.getBootstrapServers();
      Properties admin = new Properties();
      admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      try (Admin a = Admin.create(admin)) {
        // the rows are dated 1970: time-based retention would delete them at its first check,
        // 30 s after the broker's start
        a.createTopics(
                settings.topics().stream()
                    .map(
                        n ->
                            new NewTopic(n, 1, (short) 1)
                                .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1")))
                    .toList())
            .all()
            .get();
        // a producer must not write before the partitions have leaders (see Topics.create)
        Topics.awaitLeaders(a, settings.topics());
      }
      try (KafkaProducer<String, String> producer = KafkaFixtures.producer(bootstrap)) {
        KafkaFixtures.send(producer, settings, t, 0, START);
        producer.send(
            new ProducerRecord<>(
                settings.interventionsTopic(), null, START * HOUR, monitor.name(),
                "{\"id\":\"campaign\",\"timestamp\":" + START * HOUR
                    + ",\"do\":{\"x\":{\"shift\":5.0}},\"outcomes\":[\"y\"]}"));
        KafkaFixtures.send(producer, settings, t, START, ROWS);
        producer.send(
            new ProducerRecord<>(
                settings.interventionsTopic(), null, ROWS * HOUR, monitor.name(),
                "{\"id\":\"campaign\",\"action\":\"end\",\"timestamp\":" + ROWS * HOUR + "}"));
        KafkaFixtures.point(producer, settings, "x", ROWS * HOUR, 20.0);
      }
      Properties props = AppSettings.embedded(bootstrap, dir.resolve("state")).streams();
      try (StreamsRunner streams =
          StreamsRunner.start(MonitorTopology.build(List.of(monitor), settings), props)) {
        assertTrue(streams.awaitRunning(Duration.ofSeconds(60)), "streams not running");
        List<JsonNode> summary =
            KafkaFixtures.await(bootstrap, settings.summaryTopic(), l -> !l.isEmpty());
        ImpactAnalysis batch =
            ImpactAnalyzer.withDefaults()
                .withFit(monitor.fit())
                .withIntervals(monitor.intervals())
                .analyze(monitor.name(), monitor.graph(), t.slice(0, ROWS), 0, campaign);
        assertEquals(
            batch.outcome("y").summary().average().effect().mean(),
            summary.get(0).get("summary").get("average").get("effect").get("mean").asDouble(),
            1e-9);
        List<JsonNode> impact =
            KafkaFixtures.await(bootstrap, settings.impactTopic(), l -> l.size() >= ROWS - START);
        assertEquals(ROWS - START, impact.size());
      }
    }
  }
}
