package org.causalimpact.monitor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.causalimpact.monitor.app.AppSettings;
import org.causalimpact.monitor.app.MonitorApp;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.demo.EmbeddedKafka;
import org.causalimpact.monitor.http.HttpApi;
import org.causalimpact.monitor.live.TopologySettings;
import org.causalimpact.monitor.wire.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code intervene} as a deploy pipeline runs it: the packaged jar in its own JVM, the token in
 * its environment, against {@link MonitorApp} serving the API with that bearer token on the
 * embedded real broker (validation monitor). A start and an end are on the interventions topic,
 * keyed by the monitor, at the offsets printed; a wrong token, an unknown node and an unknown
 * monitor exit 2 with the API's message and write nothing.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class InterveneIT {
  private static final Path JAR =
      Path.of(System.getProperty("cim.jar", "target/causal-impact-monitor.jar"));
  private static final String TOKEN = "deploy-token-7";
  private static final String VARIABLE = "CIM_DEPLOY_TOKEN";

  @TempDir Path dir;

  /** One run of the jar with {@code VARIABLE=token} in its environment. */
  private CliRun jar(String token, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put(VARIABLE, token);
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "intervene did not finish in 120 s");
    return new CliRun(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void startAndEndFromTheJarAreOnTheInterventionsTopic() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      AppSettings settings = AppSettings.embedded(kafka.bootstrapServers(), dir.resolve("state"));
      TopologySettings topology = settings.topology();
      kafka.createTopics(topology.topics(), 1);
      try (MonitorApp app = MonitorApp.start(
          settings, List.of(MonitorLoader.load(Path.of("config/monitors/validation.yaml"))))) {
        String api = "http://127.0.0.1:" + app.serve(HttpApi.loopback(0), TOKEN).port();
        String[] common = {"intervene", "--api", api, "--monitor", "validation",
            "--token-env", VARIABLE, "--id", "deploy-42"};

        CliRun wrongToken = jar("not-the-token", concat(common, "--end"));
        assertEquals(2, wrongToken.code(), wrongToken.toString());
        assertTrue(wrongToken.err().contains("answered 401: the bearer token is not valid"),
            wrongToken.toString());
        assertFalse(wrongToken.toString().contains("not-the-token"), "the token was printed");

        CliRun unknownNode = jar(TOKEN, concat(common, "--start", "--do", "z=shift:5"));
        assertEquals(2, unknownNode.code(), unknownNode.toString());
        assertTrue(unknownNode.err().contains("answered 400: ")
            && unknownNode.err().contains("(reason: invalid-intervention)"),
            unknownNode.toString());

        CliRun unknownMonitor = jar(TOKEN, "intervene", "--api", api, "--monitor", "nope",
            "--token-env", VARIABLE, "--id", "deploy-42", "--end");
        assertEquals(2, unknownMonitor.code(), unknownMonitor.toString());
        assertTrue(unknownMonitor.err().contains("answered 404: "), unknownMonitor.toString());

        CliRun start = jar(TOKEN, concat(common, "--start", "--at", "2026-01-01T08:00:00Z",
            "--do", "x=shift:5", "--outcomes", "y"));
        assertEquals(0, start.code(), start.toString());
        String topic = topology.interventionsTopic();
        assertTrue(start.out().contains("202 accepted: start of intervention 'deploy-42' on"
            + " monitor validation written to topic " + topic + ", partition 0, offset 0"
            + " (timestamp 2026-01-01T08:00:00Z)"), start.toString());
        CliRun end = jar(TOKEN, concat(common, "--end", "--at", "2026-01-01T20:00:00Z"));
        assertEquals(0, end.code(), end.toString());
        assertTrue(end.out().contains("end of intervention 'deploy-42' on monitor validation"
            + " written to topic " + topic + ", partition 0, offset 1"), end.toString());

        List<ConsumerRecord<String, String>> events = read(kafka.bootstrapServers(), topic);
        assertEquals(2, events.size(), "the start and the end, none of the refused ones");
        for (ConsumerRecord<String, String> r : events) {
          assertEquals("validation", r.key());
        }
        assertEquals(Json.MAPPER.readTree("{\"monitor\":\"validation\",\"id\":\"deploy-42\","
            + "\"action\":\"start\",\"timestamp\":\"2026-01-01T08:00:00Z\","
            + "\"do\":{\"x\":{\"shift\":5.0}},\"outcomes\":[\"y\"]}"),
            Json.MAPPER.readTree(events.get(0).value()));
        JsonNode ended = Json.MAPPER.readTree(events.get(1).value());
        assertEquals("end", ended.get("action").asText());
        assertEquals("2026-01-01T20:00:00Z", ended.get("timestamp").asText());
      }
    }
  }

  private static String[] concat(String[] head, String... tail) {
    List<String> all = new ArrayList<>(List.of(head));
    all.addAll(List.of(tail));
    return all.toArray(String[]::new);
  }

  /** Every record of the topic's one partition, up to its end offset as the test reads it. */
  private static List<ConsumerRecord<String, String>> read(String bootstrapServers, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    TopicPartition partition = new TopicPartition(topic, 0);
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    try (KafkaConsumer<String, String> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      c.assign(List.of(partition));
      c.seekToBeginning(List.of(partition));
      long end = c.endOffsets(List.of(partition)).get(partition);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (c.position(partition) < end && System.nanoTime() < deadline) {
        out.addAll(c.poll(Duration.ofMillis(200)).records(partition));
      }
    }
    return out;
  }
}
