package org.causalimpact.monitor.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.causalimpact.monitor.live.MonitorQueries;
import org.causalimpact.monitor.live.MonitorService;
import org.causalimpact.monitor.testing.CampaignStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's limits, each made to bite on purpose: a request that computes is held inside its
 * slot by stores that wait for the test's signal, so the next one finds no slot; a connection that
 * stops sending meets the idle timeout.
 */
class HttpLimitsTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir Path tmp;

  private HttpResponse<String> get(HttpApi api, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void computingRequestsBeyondTheLimitAre503WithRetryAfterWhileHealthAnswers() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (CampaignStores stores = new CampaignStores(tmp)) {
      MonitorQueries held =
          MonitorQueries.of(
              List.of(stores.monitor),
              name -> {
                inside.countDown();
                try {
                  assertTrue(release.await(30, TimeUnit.SECONDS), "the test lets go");
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                return stores.store(name);
              });
      HttpApi.Limits limits =
          HttpApi.Limits.defaults().withHeavy(1, 1, Duration.ofMillis(300));
      try (HttpApi api =
          HttpApi.start(
              new MonitorService(held),
              HttpApi.loopback(0),
              null,
              new HttpApi.Ops(() -> "", () -> true),
              limits)) {
        String detail = "/api/monitors/validation";
        CompletableFuture<HttpResponse<String>> first =
            CompletableFuture.supplyAsync(() -> call(api, detail));
        assertTrue(inside.await(20, TimeUnit.SECONDS), "the first request holds the slot");
        // two more: one waits in the queue (1 place) until its 300 ms are up, one finds it full
        List<CompletableFuture<HttpResponse<String>>> more =
            List.of(
                CompletableFuture.supplyAsync(() -> call(api, detail + "/interventions/campaign")),
                CompletableFuture.supplyAsync(() -> call(api, detail + "/whatif")));
        List<String> errors = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> f : more) {
          HttpResponse<String> r = f.get(20, TimeUnit.SECONDS);
          assertEquals(503, r.statusCode(), r.body());
          assertEquals("1", r.headers().firstValue("Retry-After").orElse(""), r.body());
          errors.add(JsonMapper.builder().build().readTree(r.body()).get("error").asText());
        }
        errors.sort(null);
        assertTrue(errors.get(0).startsWith("more fit, report or what-if requests"), errors.get(0));
        assertTrue(errors.get(0).contains("(at most 1 at once and 1 waiting)"), errors.get(0));
        assertTrue(errors.get(1).startsWith("waited too long"), errors.get(1));

        for (String light : List.of("/health", "/ready", "/metrics", "/")) {
          assertEquals(200, get(api, light).statusCode(), light + " is not limited");
        }
        release.countDown();
        assertEquals(200, first.get(20, TimeUnit.SECONDS).statusCode(), "the first completes");
        assertEquals(200, get(api, detail).statusCode(), "the slot is free again");
      } finally {
        release.countDown();
      }
    }
  }

  private HttpResponse<String> call(HttpApi api, String path) {
    try {
      return get(api, path);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A request whose headers stop halfway: the server closes the connection at its idle timeout. */
  @Test
  void aConnectionThatStopsSendingIsClosedAtTheIdleTimeout() throws Exception {
    try (CampaignStores stores = new CampaignStores(tmp);
        HttpApi api =
            HttpApi.start(
                new MonitorService(stores.queries()),
                HttpApi.loopback(0),
                null,
                null,
                HttpApi.Limits.defaults().withIdleTimeout(Duration.ofMillis(500)));
        Socket s = new Socket(InetAddress.getLoopbackAddress(), api.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(ascii("GET /api/monitors HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
      long t0 = System.nanoTime();
      String answer = readAll(s.getInputStream());
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertTrue(seconds >= 0.4 && seconds < 5, "closed after " + seconds + " s: " + answer);
      assertTrue(
          answer.isEmpty() || answer.startsWith("HTTP/1.1 408"), "nothing, or 408: " + answer);
    }
  }

  private static String readAll(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
