package org.causalimpact.monitor.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.ingest.PointParser;
import org.causalimpact.monitor.ingest.PointPublisher;
import org.causalimpact.monitor.ingest.RemoteWriteReceiver;
import org.causalimpact.monitor.ingest.RemoteWriteRouter;
import org.causalimpact.monitor.live.MonitorService;
import org.causalimpact.monitor.metrics.RemoteWriteMeters;
import org.causalimpact.monitor.testing.CampaignStores;
import org.causalimpact.monitor.testing.RemoteWritePayloads;
import org.causalimpact.monitor.wire.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /api/v1/write} on a server built without Kafka: each status of the remote-write
 * protocol, and each counted. The points go to an in-memory {@link PointPublisher} here; that they
 * reach the metrics topic from a real Prometheus is {@code RemoteWriteIT}'s part.
 */
class RemoteWritePostsTest {
  private static final String TOKEN = "rw-t0ken";
  private static final long T0 = 1_767_225_600_000L;

  @TempDir Path tmp;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<RemoteWriteRouter.Point> written = new ArrayList<>();
  private volatile boolean kafkaDown;
  private CampaignStores stores;
  private HttpApi api;

  @BeforeEach
  void start() throws Exception {
    stores = new CampaignStores(tmp);
    RemoteWriteRouter router =
        new RemoteWriteRouter(
            List.of(
                MonitorLoader.parse(
                    "name: shop\npreWindow: 10\nnodes:\n  - name: visits\n"
                        + "    prometheus: {metric: shop_visits, labels: {page: home}}\n",
                    "shop.yaml")),
            false);
    RemoteWriteMeters meters = new RemoteWriteMeters();
    meters.bindTo(registry);
    PointPublisher publisher =
        new PointPublisher() {
          @Override
          public String topic() {
            return "metrics";
          }

          @Override
          public void publish(List<RemoteWriteRouter.Point> points) throws IOException {
            if (kafkaDown) {
              throw new IOException("Kafka did not take the points");
            }
            written.addAll(points);
          }
        };
    api =
        HttpApi.start(
            new MonitorService(stores.queries()),
            HttpApi.loopback(0),
            TOKEN,
            null,
            HttpApi.Limits.defaults(),
            null,
            new RemoteWriteReceiver(router, publisher, meters));
  }

  @AfterEach
  void stop() {
    api.close();
    stores.close();
  }

  private static byte[] payload() {
    return new RemoteWritePayloads()
        .series(
            Map.of("__name__", "shop_visits", "page", "home", "instance", "a"),
            new double[] {3, 4},
            new long[] {T0, T0 + 15_000})
        .series(Map.of("__name__", "up"), new double[] {1}, new long[] {T0})
        .metadata("up")
        .body();
  }

  private HttpResponse<String> post(byte[] body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/api/v1/write"))
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "application/x-protobuf")
            .header("Content-Encoding", "snappy")
            .header("X-Prometheus-Remote-Write-Version", "0.1.0");
    headers.forEach(b::setHeader);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private double requests(String outcome) {
    return registry.get("cim.remote.write.requests").tag("outcome", outcome).counter().count();
  }

  private double samples(String outcome) {
    return registry.get("cim.remote.write.samples").tag("outcome", outcome).counter().count();
  }

  @Test
  void acceptedSamplesAreWrittenAndAnswered204() throws Exception {
    assertEquals(0, requests("bad-payload"), "registered at 0");
    HttpResponse<String> r = post(payload(), Map.of());
    assertEquals(204, r.statusCode(), r.body());
    assertEquals(2, written.size());
    assertEquals(
        new PointParser.Point("visits", T0, 3.0), PointParser.parse(written.get(0).value()));
    assertEquals("shop", written.get(1).key());
    assertEquals(1, requests("accepted"));
    assertEquals(2, samples("accepted"));
    assertEquals(1, samples("unmatched"));
  }

  @Test
  void eachRefusalHasItsStatusAndIsCounted() throws Exception {
    HttpResponse<String> bad = post("not snappy".getBytes(), Map.of());
    assertEquals(400, bad.statusCode());
    assertTrue(
        Json.MAPPER.readTree(bad.body()).get("error").asText().contains("snappy"), bad.body());
    assertEquals(1, requests("bad-payload"));

    assertEquals(401, post(payload(), Map.of("Authorization", "Bearer wrong")).statusCode());
    assertEquals(1, requests("unauthorized"));

    assertEquals(415, post(payload(), Map.of("Content-Encoding", "gzip")).statusCode());
    assertEquals(
        415,
        post(
                payload(),
                Map.of("Content-Type", "application/x-protobuf;proto=io.prometheus.write.v2.Request"))
            .statusCode());
    assertEquals(2, requests("unsupported"));

    assertEquals(
        413, post(new byte[RemoteWriteReceiver.MAX_BODY_BYTES + 1], Map.of()).statusCode());
    byte[] inflatesTooMuch =
        RemoteWritePayloads.snappy(new byte[RemoteWriteReceiver.MAX_INFLATED_BYTES + 1]);
    assertTrue(inflatesTooMuch.length < RemoteWriteReceiver.MAX_BODY_BYTES);
    assertEquals(413, post(inflatesTooMuch, Map.of()).statusCode());
    assertEquals(2, requests("too-large"));

    kafkaDown = true;
    HttpResponse<String> down = post(payload(), Map.of());
    assertEquals(503, down.statusCode());
    assertEquals("5", down.headers().firstValue("Retry-After").orElse(null));
    assertEquals(1, requests("unavailable"));
    assertEquals(2, samples("unwritten"));
    assertEquals(0, samples("accepted"));

    assertEquals(0, requests("accepted"));
    assertEquals(List.of(), written, "nothing refused is written");
  }

  @Test
  void otherMethodsAre405() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/api/v1/write"))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(405, r.statusCode());
    assertEquals("POST", r.headers().firstValue("Allow").orElse(null));
  }
}
