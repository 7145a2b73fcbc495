package org.causalimpact.monitor.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.live.MonitorQueries;
import org.causalimpact.monitor.live.MonitorService;
import org.causalimpact.monitor.metrics.StreamMeters;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics}, {@code /health}, {@code /ready}, and the API's answer while the stores cannot
 * be read (a rebalance): 503 with Retry-After, not 500.
 */
class OpsEndpointsTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> call(HttpApi api, String method, String path) throws Exception {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(10))
            .build();
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  /** Queries whose stores always say "not available now", as during a rebalance. */
  private static MonitorQueries rebalancing() {
    MonitorDefinition def = MonitorLoader.load(Path.of("config/monitors/validation.yaml"));
    return MonitorQueries.of(
        List.of(def),
        name -> {
          throw new InvalidStateStoreException("the state store, " + name + ", may have migrated");
        });
  }

  @Test
  void metricsHealthAndReadiness() throws Exception {
    AtomicBoolean running = new AtomicBoolean(false);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (HttpApi api =
            HttpApi.start(
                new MonitorService(rebalancing()),
                HttpApi.loopback(0),
                null,
                new HttpApi.Ops(registry::scrape, running::get))) {
      StreamMeters meters = new StreamMeters(registry, Duration.ofHours(1), 10);
      meters.recordIn("metrics");
      HttpResponse<String> m = call(api, "GET", "/metrics");
      assertEquals(200, m.statusCode());
      assertTrue(
          m.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
      assertTrue(m.body().contains("cim_records_in_total{topic=\"metrics\"} 1.0"), m.body());

      assertEquals(200, call(api, "GET", "/health").statusCode());
      assertEquals(503, call(api, "GET", "/ready").statusCode(), "streams not running yet");
      running.set(true);
      assertEquals(200, call(api, "GET", "/ready").statusCode());
      assertEquals(405, call(api, "POST", "/metrics").statusCode());
      assertEquals(404, call(api, "GET", "/metrics/more").statusCode());
    } finally {
      registry.close();
    }
  }

  @Test
  void apiAnswers503WhileTheStoresAreNotReadable() throws Exception {
    try (HttpApi api = HttpApi.start(new MonitorService(rebalancing()), HttpApi.loopback(0))) {
      for (String path :
          List.of(
              "/api/monitors",
              "/api/monitors/validation",
              "/api/monitors/validation/interventions/c")) {
        HttpResponse<String> r = call(api, "GET", path);
        assertEquals(503, r.statusCode(), path + ": " + r.body());
        assertEquals("1", r.headers().firstValue("Retry-After").orElse(null), path);
        assertTrue(r.body().contains("not readable right now"), r.body());
      }
    }
  }
}
