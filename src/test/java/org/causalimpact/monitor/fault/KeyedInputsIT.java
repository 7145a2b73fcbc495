package org.causalimpact.monitor.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.causalimpact.monitor.app.AppSettings;
import org.causalimpact.monitor.app.StreamsRunner;
import org.causalimpact.monitor.app.Topics;
import org.causalimpact.monitor.demo.EmbeddedKafka;
import org.causalimpact.monitor.live.MonitorTopology;
import org.causalimpact.monitor.live.TopologySettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs keyed by monitor ({@code monitor.inputs.keyed.by.monitor=true}) on 2-partition topics of
 * the embedded broker: the points and events of two monitors, which land in different partitions,
 * go straight to their tasks (no repartition topic is created) and give the same impact records
 * and summaries as the repartitioning topology on the same input; and the partition check that
 * {@code run} makes refuses inputs with different partition counts.
 */
class KeyedInputsIT {
  private static final int PARTITIONS = 2;

  @TempDir Path dir;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void keyedInputsSkipTheRepartitionTopicAndGiveWhatTheRepartitionGives() throws Exception {
    Fleet fleet = Fleet.write(dir.resolve("monitors"), 2, PARTITIONS);
    assertEquals(
        Set.of(0, 1),
        Set.copyOf(
            fleet.members().stream()
                .map(m -> Fleet.repartition(m.name(), PARTITIONS))
                .toList()),
        "the two monitors are keyed to different partitions");
    TopologySettings keyed = Fleet.SETTINGS.withKeyedByMonitor(true);
    TopologySettings routed =
        new TopologySettings(
            keyed.metricsTopic(), keyed.interventionsTopic(), "routed.impact", "routed.summary",
            "routed.health", keyed.grace(), keyed.maxPostRows(), keyed.healthRefitEvery(),
            keyed.persistenceRows(), false);
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      String bootstrap = kafka.bootstrapServers();
      kafka.createTopics(keyed.topics(), PARTITIONS);
      kafka.createTopics(
          List.of(routed.impactTopic(), routed.summaryTopic(), routed.healthTopic()), PARTITIONS);
      kafka.createTopics(List.of("few.interventions"), 1);

      Map<String, Object> admin = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      assertEquals(Optional.empty(), Topics.keyedByMonitorProblem(admin, keyed));
      String problem =
          Topics.keyedByMonitorProblem(
                  admin,
                  new TopologySettings(
                      keyed.metricsTopic(), "few.interventions", keyed.impactTopic(),
                      keyed.summaryTopic(), keyed.healthTopic(), keyed.grace(),
                      keyed.maxPostRows(), keyed.healthRefitEvery(), keyed.persistenceRows(),
                      true))
              .orElseThrow();
      assertTrue(problem.contains("metrics has 2, few.interventions has 1"), problem);

      produceKeyedByMonitor(bootstrap, fleet, keyed);
      int impact = (Fleet.ROWS - Fleet.START) * fleet.members().size();
      try (StreamsRunner a = start(bootstrap, fleet, keyed, "cim-keyed");
          StreamsRunner b = start(bootstrap, fleet, routed, "cim-routed");
          Committed keyedImpact = new Committed(bootstrap, keyed.impactTopic());
          Committed routedImpact = new Committed(bootstrap, routed.impactTopic());
          Committed keyedSummary = new Committed(bootstrap, keyed.summaryTopic());
          Committed routedSummary = new Committed(bootstrap, routed.summaryTopic())) {
        keyedImpact.atLeast(impact, Fleet.WAIT);
        routedImpact.atLeast(impact, Fleet.WAIT);
        keyedSummary.atLeast(fleet.members().size(), Fleet.WAIT);
        routedSummary.atLeast(fleet.members().size(), Fleet.WAIT);
        TwoInstancesIT.assertEqualOutputs(
            "impact", keyedImpact.toEnd(Fleet.WAIT), routedImpact.toEnd(Fleet.WAIT));
        TwoInstancesIT.assertEqualOutputs(
            "summary", keyedSummary.toEnd(Fleet.WAIT), routedSummary.toEnd(Fleet.WAIT));
        assertEquals(
            0, Committed.all(bootstrap, TopologySettings.dlq(keyed.metricsTopic())).size(),
            "dead letters");
      }
      try (Admin a = Admin.create(admin)) {
        Set<String> topics = a.listTopics().names().get();
        assertTrue(topics.contains("cim-routed-by-monitor-repartition"), topics.toString());
        assertFalse(
            topics.stream().anyMatch(t -> t.startsWith("cim-keyed-by-monitor")),
            topics.toString());
      }
    }
  }

  private StreamsRunner start(
      String bootstrap, Fleet fleet, TopologySettings settings, String applicationId)
      throws InterruptedException {
    StreamsRunner r =
        StreamsRunner.start(
            MonitorTopology.build(fleet.definitions(), settings),
            AppSettings.embedded(bootstrap, dir.resolve("state-" + applicationId))
                .with(StreamsConfig.APPLICATION_ID_CONFIG, applicationId)
                .streams());
    assertTrue(r.awaitRunning(Fleet.WAIT), applicationId + " not running: " + r.failure());
    return r;
  }

  /**
   * Every monitor's rows, its campaign's start and end and the point that closes the last row,
   * each keyed by the monitor's name (Kafka's default partitioner picks the partition).
   */
  private static void produceKeyedByMonitor(String bootstrap, Fleet fleet, TopologySettings s) {
    try (KafkaProducer<String, String> p =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG,
                "all"),
            new StringSerializer(),
            new StringSerializer())) {
      for (Fleet.Member m : fleet.members()) {
        long step = m.definition().step().toMillis();
        for (int r = 0; r <= Fleet.ROWS; r++) {
          if (r == Fleet.START) {
            p.send(
                new ProducerRecord<>(
                    s.interventionsTopic(), m.name(),
                    "{\"monitor\":\"" + m.name() + "\",\"id\":\"campaign\",\"timestamp\":"
                        + r * step + ",\"do\":{\"" + m.x() + "\":{\"shift\":5.0}},"
                        + "\"outcomes\":[\"" + m.y() + "\"]}"));
          }
          if (r == Fleet.ROWS) {
            p.send(
                new ProducerRecord<>(
                    s.interventionsTopic(), m.name(),
                    "{\"monitor\":\"" + m.name() + "\",\"id\":\"campaign\",\"action\":\"end\","
                        + "\"timestamp\":" + r * step + "}"));
            p.send(point(s, m, m.x(), r * step, 20.0));
            break;
          }
          p.send(point(s, m, m.x(), r * step, m.table().value(m.x(), r)));
          p.send(point(s, m, m.y(), r * step + 1000, m.table().value(m.y(), r)));
        }
      }
      p.flush();
    }
  }

  private static ProducerRecord<String, String> point(
      TopologySettings s, Fleet.Member m, String series, long time, double value) {
    return new ProducerRecord<>(
        s.metricsTopic(), null, time, m.name(),
        "{\"series\":\"" + series + "\",\"timestamp\":\"" + Instant.ofEpochMilli(time)
            + "\",\"value\":" + value + "}");
  }
}
