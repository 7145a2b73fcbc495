package org.causalimpact.monitor.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.causalimpact.monitor.app.AppSettings;
import org.causalimpact.monitor.app.MonitorApp;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.demo.EmbeddedKafka;
import org.causalimpact.monitor.http.HttpApi;
import org.causalimpact.monitor.live.TopologySettings;
import org.causalimpact.monitor.testing.Scrapes;
import org.causalimpact.monitor.wire.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote-write receiver end to end: a real Prometheus (Debian's {@code /usr/bin/prometheus};
 * the test is skipped without it) scrapes a target in this test every second, a gauge {@code
 * shop_visits} for two pages whose home value grows by 10 at each scrape, and remote-writes to the
 * running app ({@link MonitorApp} on the embedded broker) with the bearer token, as the README's
 * example configures it. The samples of the two selected series arrive on the metrics topic as
 * points of the monitor's nodes, keyed by the monitor, with the values the target served and the
 * scrape times; Prometheus' own series ({@code up}, ...) are counted unmatched; a bad payload is
 * answered 400 and counted.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RemoteWriteIT {
  private static final String TOKEN = "remote-write-token";
  private static final String MONITOR =
      "name: shop\nstep: 1s\npreWindow: 10\nnodes:\n"
          + "  - name: visits\n"
          + "    prometheus: {metric: shop_visits, labels: {job: shop, page: home}}\n"
          + "  - name: cart\n    parents: [visits]\n"
          + "    prometheus: {metric: shop_visits, labels: {page: cart}}\n";

  @TempDir Path dir;

  @Test
  void samplesOfARealPrometheusArriveOnTheMetricsTopicAsPointsOfTheMonitor() throws Exception {
    Path binary = PrometheusTools.find("prometheus").orElse(null);
    assumeTrue(binary != null, "Debian's prometheus is not installed");
    Set<Double> served = ConcurrentHashMap.newKeySet();
    AtomicInteger scrapes = new AtomicInteger();
    HttpServer target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    target.createContext(
        "/metrics",
        exchange -> {
          double home = 10.0 * scrapes.incrementAndGet();
          served.add(home);
          byte[] body =
              ("# TYPE shop_visits gauge\nshop_visits{page=\"home\"} " + home
                      + "\nshop_visits{page=\"cart\"} 7\n")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    target.start();
    long start = System.currentTimeMillis();
    MonitorDefinition monitor = MonitorLoader.parse(MONITOR, "shop.yaml");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      AppSettings settings = AppSettings.embedded(kafka.bootstrapServers(), dir.resolve("state"));
      TopologySettings topology = settings.topology();
      kafka.createTopics(topology.topics(), 1);
      try (MonitorApp app = MonitorApp.start(settings, List.of(monitor))) {
        int port = app.serve(HttpApi.loopback(0), TOKEN).port();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(
            config,
            "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
                + "scrape_configs:\n"
                + "  - job_name: shop\n"
                + "    static_configs: [{targets: ['127.0.0.1:" + target.getAddress().getPort()
                + "']}]\n"
                + "remote_write:\n"
                + "  - url: http://127.0.0.1:" + port + "/api/v1/write\n"
                + "    authorization: {credentials: " + TOKEN + "}\n"
                + "    queue_config: {batch_send_deadline: 1s}\n");
        List<ConsumerRecord<String, String>> points;
        try (PrometheusServer prometheus =
            PrometheusServer.start(binary, config, dir, Duration.ofSeconds(30))) {
          points = await(kafka.bootstrapServers(), topology.metricsTopic());
          assertTrue(
              prometheus.log().contains("remote_name="), "remote write configured:\n"
                  + prometheus.log());
        } finally {
          target.stop(0);
        }
        long end = System.currentTimeMillis();
        int visits = 0;
        int cart = 0;
        for (ConsumerRecord<String, String> r : points) {
          assertEquals("shop", r.key(), "keyed by monitor");
          JsonNode p = Json.MAPPER.readTree(r.value());
          long t = java.time.Instant.parse(p.get("timestamp").asText()).toEpochMilli();
          assertEquals(r.timestamp(), t, "the record's time is the sample's");
          assertTrue(t >= start - 1000 && t <= end, "a scrape time of this test: " + p);
          double v = p.get("value").asDouble();
          switch (p.get("series").asText()) {
            case "visits" -> {
              visits++;
              assertTrue(served.contains(v), v + " was served, one of " + served);
            }
            case "cart" -> {
              cart++;
              assertEquals(7.0, v);
            }
            default -> throw new AssertionError("not a node of the monitor: " + p);
          }
        }
        assertTrue(visits >= 3 && cart >= 3, visits + " visits and " + cart + " cart points");

        HttpResponse<String> bad =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + HttpApi.REMOTE_WRITE_PATH))
                        .header("Authorization", "Bearer " + TOKEN)
                        .header("Content-Encoding", "snappy")
                        .POST(HttpRequest.BodyPublishers.ofString("not a WriteRequest"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertEquals(400, bad.statusCode(), bad.body());
        String scrape = app.scrape();
        assertEquals(
            1.0,
            Scrapes.sample(scrape, "cim_remote_write_requests_total{outcome=\"bad-payload\"}"));
        assertTrue(
            Scrapes.sample(scrape, "cim_remote_write_requests_total{outcome=\"accepted\"}") >= 1);
        assertTrue(
            Scrapes.sample(scrape, "cim_remote_write_samples_total{outcome=\"accepted\"}")
                >= visits + cart);
        assertTrue(
            Scrapes.sample(scrape, "cim_remote_write_samples_total{outcome=\"unmatched\"}") > 0,
            "up, scrape_duration_seconds, ... are sent too");
        assertEquals(
            0.0,
            Scrapes.sample(scrape, "cim_remote_write_requests_total{outcome=\"unauthorized\"}"));
      }
    }
  }

  /** The metrics topic's records from the start until 3 points of each node arrived (40 s). */
  private static List<ConsumerRecord<String, String>> await(String bootstrapServers, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "remote-write-it");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    try (KafkaConsumer<String, String> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      c.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
      while (System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
        long visits = out.stream().filter(r -> r.value().contains("\"visits\"")).count();
        long cart = out.stream().filter(r -> r.value().contains("\"cart\"")).count();
        if (visits >= 3 && cart >= 3) {
          return out;
        }
      }
    }
    throw new AssertionError("fewer than 3 points of each node within 40 s: " + out);
  }
}
