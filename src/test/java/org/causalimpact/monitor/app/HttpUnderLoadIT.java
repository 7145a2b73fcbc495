package org.causalimpact.monitor.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
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
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.demo.EmbeddedKafka;
import org.causalimpact.monitor.http.HttpApi;
import org.causalimpact.monitor.live.TopologySettings;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.SimulationSpec;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.wire.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application's HTTP server under attack and under load, on the embedded real broker: the
 * validation monitor ({@code x -> y}, 1 h step) fed 1,400 simulated rows (seed 7) with a campaign
 * from row 400, so that the campaign's report has 1,000 steps, served by {@link MonitorApp} as
 * {@code run} and {@code demo} serve it. Each {@code /health} is timed on a fresh connection, from
 * connect to the last byte of the response, as a load balancer's probe sees it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpUnderLoadIT {
  private static final long HOUR = KafkaFixtures.HOUR;
  private static final int START = 400;
  private static final int ROWS = 1_400;
  private static final String REPORT = "/api/monitors/validation/interventions/campaign";
  private static final long HEALTH_LIMIT_MS = 200;

  @TempDir static Path dir;
  private EmbeddedKafka kafka;
  private MonitorApp app;
  private int port;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeAll
  void start() throws Exception {
    MonitorDefinition monitor = MonitorLoader.load(Path.of("config/monitors/validation.yaml"));
    kafka = EmbeddedKafka.start(dir.resolve("kafka"));
    AppSettings settings =
        AppSettings.embedded(kafka.bootstrapServers(), dir.resolve("state"))
            .with(AppSettings.GRACE, "0s");
    TopologySettings topology = settings.topology();
    Intervention campaign =
        new Intervention("campaign", Map.of("x", new DoSpec.Shift(5.0)), List.of("y"), START, -1);
    TimeSeriesTable t =
        DataSimulator.simulate(
                monitor.graph(),
                new SimulationSpec(ROWS, monitor.simulation().equations()),
                campaign,
                7L)
            .table();
    kafka.createTopics(topology.topics(), 1);
    try (KafkaProducer<String, String> producer =
        KafkaFixtures.producer(kafka.bootstrapServers())) {
      KafkaFixtures.send(producer, topology, t, 0, START);
      producer.send(
          new ProducerRecord<>(
              topology.interventionsTopic(),
              null,
              START * HOUR,
              monitor.name(),
              "{\"id\":\"campaign\",\"timestamp\":" + START * HOUR
                  + ",\"do\":{\"x\":{\"shift\":5.0}},\"outcomes\":[\"y\"]}"));
      KafkaFixtures.send(producer, topology, t, START, ROWS);
      KafkaFixtures.point(producer, topology, "x", ROWS * HOUR, 20.0);
    }
    app = MonitorApp.start(settings, List.of(monitor));
    assertTrue(app.streams().awaitRunning(Duration.ofSeconds(60)), "streams not running");
    port = app.serve(HttpApi.loopback(0), null).port();
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (reportedSteps() < ROWS - START) {
      assertTrue(System.nanoTime() < deadline, "the campaign's rows did not close in time");
      Thread.sleep(500);
    }
  }

  @AfterAll
  void stop() {
    if (app != null) {
      app.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  /**
   * 16 connections send a request's headers one line a second and never finish them (what froze
   * the JDK server's 4 threads): {@code /health} still answers each probe within 200 ms, and the
   * slow connections are still open, not merely dropped.
   */
  @Test
  void healthAnswersWhile16ConnectionsTrickleTheirHeaders() throws Exception {
    List<Socket> slow = new ArrayList<>();
    ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    AtomicBoolean alive = new AtomicBoolean(true);
    try {
      for (int i = 0; i < 16; i++) {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.getOutputStream().write(ascii("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
        slow.add(s);
      }
      trickle.scheduleAtFixedRate(
          () -> {
            for (Socket s : slow) {
              try {
                s.getOutputStream().write(ascii("X-Trickle: " + System.nanoTime() + "\r\n"));
              } catch (IOException e) {
                alive.set(false);
              }
            }
          },
          1,
          1,
          TimeUnit.SECONDS);
      List<Long> probes = new ArrayList<>();
      long until = System.nanoTime() + Duration.ofSeconds(8).toNanos();
      while (System.nanoTime() < until) {
        probes.add(healthMillis());
        Thread.sleep(100);
      }
      trickle.shutdown();
      assertTrue(trickle.awaitTermination(5, TimeUnit.SECONDS));
      for (Socket s : slow) {
        s.getOutputStream().write(ascii("X-Trickle: last\r\n"));
      }
      System.err.printf(
          Locale.ROOT,
          "HTTP under load: %d /health probes beside 16 trickling connections: %s%n",
          probes.size(),
          summary(probes));
      assertTrue(alive.get(), "the trickling connections were dropped");
      assertTrue(
          Collections.max(probes) < HEALTH_LIMIT_MS, "every probe within 200 ms: " + probes);
    } finally {
      trickle.shutdownNow();
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  /**
   * 200 report requests at once (the campaign's report has 1,000 steps): each is answered, 200 or
   * 503 with {@code Retry-After} at once, never queued without bound; {@code /health} probed all
   * the while keeps a median under 200 ms; the heap after GC grows by less than 64 MiB.
   */
  @Test
  void healthStaysQuickWhile200ReportRequestsArrive() throws Exception {
    assertEquals(200, get(REPORT).statusCode(), "the report is computed and kept");
    long heapBefore = heapAfterGc();
    AtomicBoolean done = new AtomicBoolean(false);
    List<Long> probes = Collections.synchronizedList(new ArrayList<>());
    Thread prober =
        new Thread(
            () -> {
              while (!done.get()) {
                try {
                  probes.add(healthMillis());
                  Thread.sleep(20);
                } catch (IOException e) {
                  probes.add(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "health-prober");
    prober.start();
    long t0 = System.nanoTime();
    // each answer is checked as it arrives and only its status kept, so that the heap measured
    // afterwards is the server's; by a client without timeouts too: the JDK client's timer events
    // (connect and request timeouts) keep each exchange with its response body (0.7 MB here)
    HttpClient burst = HttpClient.newHttpClient();
    List<CompletableFuture<Integer>> calls = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      calls.add(
          burst.sendAsync(
                  HttpRequest.newBuilder(uri(REPORT + "?since=" + i)).build(),
                  HttpResponse.BodyHandlers.ofString())
              .thenApply(HttpUnderLoadIT::checked));
    }
    int ok = 0;
    int busy = 0;
    for (CompletableFuture<Integer> c : calls) {
      if (c.get(90, TimeUnit.SECONDS) == 200) {
        ok++;
      } else {
        busy++;
      }
    }
    calls.clear();
    double seconds = (System.nanoTime() - t0) / 1e9;
    done.set(true);
    prober.join();
    long heapAfter = heapAfterGc();
    List<Long> sorted = new ArrayList<>(probes);
    Collections.sort(sorted);
    System.err.printf(
        Locale.ROOT,
        "HTTP under load: 200 report requests in %.2f s: %d answered 200, %d 503; %d /health"
            + " probes meanwhile: %s; heap after GC %d -> %d MiB%n",
        seconds,
        ok,
        busy,
        sorted.size(),
        summary(sorted),
        heapBefore >> 20,
        heapAfter >> 20);
    assertTrue(ok > 0, "some report requests are served");
    assertTrue(sorted.size() >= 5, "probes ran during the burst: " + sorted);
    assertTrue(
        sorted.get(sorted.size() / 2) < HEALTH_LIMIT_MS, "median /health under 200 ms: " + sorted);
    assertTrue(
        heapAfter - heapBefore < 64L << 20,
        "heap after GC grew by " + ((heapAfter - heapBefore) >> 20) + " MiB");
    assertEquals(200, get(REPORT).statusCode(), "the server recovers at once");
  }

  /** The status of a report answer: 200 with every step counted, or 503 saying when to retry. */
  private static int checked(HttpResponse<String> r) {
    try {
      JsonNode body = Json.MAPPER.readTree(r.body());
      if (r.statusCode() == 200) {
        assertEquals(ROWS - START, body.get("page").get("total").asInt(), "every step reported");
      } else {
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Retry-After").isPresent(), r.headers().toString());
        assertTrue(body.get("error").asText().contains("try again"), r.body());
      }
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + r.body(), e);
    }
    return r.statusCode();
  }

  private long reportedSteps() throws Exception {
    HttpResponse<String> r = get(REPORT + "?limit=1");
    if (r.statusCode() != 200) {
      return -1;
    }
    JsonNode page = Json.MAPPER.readTree(r.body()).get("page");
    return page == null ? 0 : page.get("total").asLong();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** One {@code GET /health} on a new connection: milliseconds until the whole answer is read. */
  private long healthMillis() throws IOException {
    long t0 = System.nanoTime();
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(ascii("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
      out.flush();
      InputStream in = s.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
      assertTrue(response.endsWith("{\"status\":\"UP\"}"), response);
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Median, 95th percentile and largest of some milliseconds. */
  private static String summary(List<Long> millis) {
    List<Long> s = new ArrayList<>(millis);
    Collections.sort(s);
    return String.format(
        Locale.ROOT,
        "median %d ms, p95 %d ms, max %d ms",
        s.get(s.size() / 2),
        s.get((int) Math.min(s.size() - 1, Math.round(s.size() * 0.95))),
        s.get(s.size() - 1));
  }
}
