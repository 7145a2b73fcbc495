package org.causalimpact.monitor.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.demo.EmbeddedKafka;
import org.causalimpact.monitor.http.HttpApi;
import org.causalimpact.monitor.impact.ImpactAnalyzer;
import org.causalimpact.monitor.impact.StepImpact;
import org.causalimpact.monitor.live.TopologySettings;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.wire.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interventions over HTTP on the embedded real broker: {@link MonitorApp} serves the API with a
 * bearer token; a campaign is started and ended by {@code POST /api/monitors/validation/
 * interventions} between the simulated rows (validation monitor, x shifted by 5 from row 400, seed
 * 5). The events are on the interventions topic, keyed by monitor, at the offsets the 202 answers
 * gave; bodies the stream would dead-letter are answered 400 with its reason word and never
 * written; and the running app reports the campaign's impact exactly as the batch analysis of the
 * same rows does.
 */
class InterventionsOverHttpIT {
  private static final long HOUR = KafkaFixtures.HOUR;
  private static final int START = 400;
  private static final int ROWS = 420;
  private static final String TOKEN = "deploy-token-1";
  private static final String PATH = "/api/monitors/validation/interventions";
  private static final String START_BODY =
      "{\"id\":\"campaign\",\"action\":\"start\",\"timestamp\":" + START * HOUR
          + ",\"do\":{\"x\":{\"shift\":5.0}},\"outcomes\":[\"y\"]}";

  @TempDir Path dir;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private int port;

  @Test
  void campaignPostedOverHttpIsOnTheTopicAndItsImpactIsReported() throws Exception {
    MonitorDefinition monitor = MonitorLoader.load(Path.of("config/monitors/validation.yaml"));
    Intervention campaign =
        new Intervention("campaign", Map.of("x", new DoSpec.Shift(5.0)), List.of("y"), START, -1);
    TimeSeriesTable t =
        DataSimulator.simulate(monitor.graph(), monitor.simulation(), campaign, 5L).table();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      AppSettings settings =
          AppSettings.embedded(kafka.bootstrapServers(), dir.resolve("state"))
              .with(AppSettings.GRACE, "0s");
      TopologySettings topology = settings.topology();
      kafka.createTopics(topology.topics(), 1);
      try (MonitorApp app = MonitorApp.start(settings, List.of(monitor));
          KafkaProducer<String, String> producer =
              KafkaFixtures.producer(kafka.bootstrapServers())) {
        assertTrue(app.streams().awaitRunning(Duration.ofSeconds(60)), "streams not running");
        port = app.serve(HttpApi.loopback(0), TOKEN).port();

        assertEquals(401, post(START_BODY, null).status());
        assertEquals(401, post(START_BODY, "Bearer wrong").status());
        refusals();

        KafkaFixtures.send(producer, topology, t, 0, START);
        producer.flush();
        Reply started = post(START_BODY, "Bearer " + TOKEN);
        assertEquals(202, started.status(), started.body().toString());
        assertEquals("validation", started.body().get("event").get("monitor").asText());
        assertEquals(topology.interventionsTopic(), started.body().get("topic").asText());

        KafkaFixtures.send(producer, topology, t, START, ROWS);
        producer.flush();
        Reply ended =
            post("{\"id\":\"campaign\",\"action\":\"end\",\"timestamp\":" + ROWS * HOUR + "}",
                "Bearer " + TOKEN);
        assertEquals(202, ended.status(), ended.body().toString());
        Instant before = Instant.now();
        Reply undated = post("{\"id\":\"never-started\",\"action\":\"end\"}", "Bearer " + TOKEN);
        Instant after = Instant.now();
        assertEquals(202, undated.status(), undated.body().toString());
        Instant now = Instant.parse(undated.body().get("event").get("timestamp").asText());
        assertFalse(now.isBefore(before.minusSeconds(1)) || now.isAfter(after), now.toString());
        KafkaFixtures.point(producer, topology, "x", ROWS * HOUR, 20.0);
        producer.flush();

        List<ConsumerRecord<String, String>> events =
            readAll(kafka.bootstrapServers(), topology.interventionsTopic(), 3);
        assertEquals(3, events.size(), "the three accepted posts and none of the refused ones");
        List<Reply> replies = List.of(started, ended, undated);
        for (int i = 0; i < 3; i++) {
          ConsumerRecord<String, String> r = events.get(i);
          JsonNode answer = replies.get(i).body();
          assertEquals("validation", r.key());
          assertEquals(answer.get("partition").asInt(), r.partition());
          assertEquals(answer.get("offset").asLong(), r.offset());
          assertEquals(answer.get("event"), Json.MAPPER.readTree(r.value()));
        }

        List<JsonNode> impact =
            KafkaFixtures.await(
                kafka.bootstrapServers(), topology.impactTopic(), l -> l.size() >= ROWS - START);
        List<StepImpact> series =
            ImpactAnalyzer.withDefaults()
                .withFit(monitor.fit())
                .withIntervals(monitor.intervals())
                .analyze(monitor.name(), monitor.graph(), t.slice(0, ROWS), 0, campaign)
                .outcome("y")
                .series();
        assertEquals(ROWS - START, impact.size(), "each step exactly once");
        for (int h = 0; h < impact.size(); h++) {
          JsonNode r = impact.get(h);
          assertEquals("campaign", r.get("intervention").asText());
          assertEquals(h + 1, r.get("step").asInt());
          assertEquals(
              series.get(h).cumulative().mean(), r.get("cumulative").get("mean").asDouble(), 1e-9);
        }
        assertTrue(
            series.get(ROWS - START - 1).cumulative().mean() > 0,
            "a shift of +5 on x raises y: the check above compares a real effect");
      }
    }
  }

  /** Bodies the stream would dead-letter: 400 with its reason word, nothing written. */
  private void refusals() throws Exception {
    String auth = "Bearer " + TOKEN;
    Map<String, String> reasons =
        Map.of(
            "{\"id\":\"a\",", "malformed-json",
            "[1, 2]", "wrong-type",
            "{\"id\":\"a\",\"timestamp\":1,\"do\":{\"z\":{\"shift\":1}}}", "invalid-intervention",
            "{\"id\":\"a\",\"timestamp\":1,\"do\":{\"x\":{\"shift\":1}},\"outcome\":[\"y\"]}",
                "invalid-intervention",
            "{\"id\":\"a\",\"timestamp\":1,\"endTimestamp\":2,\"do\":{\"x\":{\"shift\":1}}}",
                "invalid-intervention",
            "{\"id\":\"a\",\"action\":\"pause\"}", "invalid-intervention",
            "{\"action\":\"end\"}", "missing-field",
            "{\"monitor\":\"other\",\"id\":\"a\",\"do\":{\"x\":{\"shift\":1}}}",
                "invalid-intervention");
    for (Map.Entry<String, String> e : reasons.entrySet()) {
      Reply r = post(e.getKey(), auth);
      assertEquals(400, r.status(), e.getKey() + " -> " + r.body());
      assertEquals(e.getValue(), r.body().path("reason").asText(), e.getKey() + " -> " + r.body());
      assertFalse(r.body().get("error").asText().isBlank());
    }
    assertEquals(404, call("POST", "/api/monitors/nope/interventions", START_BODY, auth).status());
    assertEquals(405, call("PUT", PATH, START_BODY, auth).status());
    Reply list = call("GET", PATH, null, null);
    assertEquals(200, list.status(), "the list needs no token: " + list.body());
    assertTrue(list.body().get("interventions").isArray(), list.body().toString());
  }

  private record Reply(int status, JsonNode body) {}

  private Reply post(String body, String auth) throws Exception {
    return call("POST", PATH, body, auth);
  }

  private Reply call(String method, String path, String body, String auth) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), Json.MAPPER.readTree(r.body()));
  }

  /** The topic's records from the start, polled until {@code count} arrive (then once more). */
  private static List<ConsumerRecord<String, String>> readAll(
      String bootstrapServers, String topic, int count) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "read-" + topic + "-" + System.nanoTime());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    try (KafkaConsumer<String, String> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      c.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (out.size() < count && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      c.poll(Duration.ofMillis(1000)).forEach(out::add);
    }
    return out;
  }
}
