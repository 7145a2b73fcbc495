package org.causalimpact.monitor.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.causalimpact.monitor.http.HttpApi;
import org.causalimpact.monitor.live.MonitorService;
import org.causalimpact.monitor.testing.CampaignStores;

/**
 * What one {@code GET /api/monitors/{m}/interventions/{id}} costs as the post-period grows (issue
 * 19, item 5: it re-ran the whole batch analysis on every request): the validation monitor ({@code
 * x -> y}, pre-window 400, 500 bootstrap replicates) in a {@code TopologyTestDriver} with a
 * campaign of {@code P} closed post-period rows, served by {@link HttpApi} on loopback. For each
 * {@code P} it reports, in milliseconds from request to last byte (median and 95th percentile of
 * {@code cim.requests} requests, one at a time, after as many untimed ones):
 *
 * <ul>
 *   <li>{@code analysis}: the first request after a row closes, which analyses the rows (once per
 *       closed row; one sample per row closed, {@code cim.rows} of them);
 *   <li>{@code poll}: the live page's request, the steps after the last it has ({@code
 *       ?since=P-10}: 10 steps), answered from the kept report;
 *   <li>{@code page}: the first page of the series ({@code ?since=0}, the default 500 steps), plain
 *       and gzipped;
 * </ul>
 *
 * with each answer's size. System properties: {@code cim.posts} (default {@code 100,5000}), {@code
 * cim.requests} (default 200), {@code cim.rows} (default 5). Run from the project root ({@code
 * HEAP}, {@code HARNESS_ARGS}, {@code BUILD_DIR}, {@code MVN_ARGS}, {@code SKIP_BUILD} as in the
 * script's header):
 *
 * <pre>{@code
 * MVN_ARGS=-o src/test/bench/run-report-cost.sh
 * }</pre>
 */
public final class ReportCost {
  private static final String PATH = "/api/monitors/validation/interventions/campaign";

  private ReportCost() {}

  public static void main(String[] args) throws Exception {
    int requests = Integer.getInteger("cim.requests", 200);
    int rowsClosed = Integer.getInteger("cim.rows", 5);
    int[] posts =
        Arrays.stream(System.getProperty("cim.posts", "100,5000").split(","))
            .mapToInt(s -> Integer.parseInt(s.strip()))
            .toArray();
    System.out.printf(
        Locale.ROOT,
        "%6s  %-22s %10s %10s %12s%n",
        "post",
        "request",
        "median ms",
        "p95 ms",
        "bytes");
    HttpClient http = HttpClient.newHttpClient();
    for (int post : posts) {
      Path dir = Files.createTempDirectory("cim-report-cost");
      int start = CampaignStores.START;
      try (CampaignStores stores = new CampaignStores(dir, start + post + rowsClosed + 1)) {
        stores.closeThrough(start + post - rowsClosed - 1);
        MonitorService service = new MonitorService(stores.queries());
        try (HttpApi api = HttpApi.start(service, HttpApi.loopback(0))) {
          String base = "http://127.0.0.1:" + api.port() + PATH;
          List<Long> analyses = new ArrayList<>();
          long size = 0;
          for (int r = rowsClosed; r > 0; r--) {
            stores.closeThrough(start + post - r);
            long t0 = System.nanoTime();
            size = get(http, base + "?since=" + (post - 10), false).length;
            analyses.add(System.nanoTime() - t0);
          }
          print(post, "analysis (new row)", analyses, size);
          String poll = base + "?since=" + (post - 10);
          print(post, "poll ?since=P-10", time(http, poll, false, requests));
          print(post, "page ?since=0", time(http, base + "?since=0", false, requests));
          print(post, "page ?since=0, gzip", time(http, base + "?since=0", true, requests));
          System.out.printf(
              Locale.ROOT,
              "%6d  reports kept: %d steps; heap max %d MiB%n",
              post,
              service.reportStepsKept(),
              Runtime.getRuntime().maxMemory() >> 20);
        }
      }
    }
  }

  private record Timed(List<Long> nanos, long bytes) {}

  private static Timed time(HttpClient http, String uri, boolean gzip, int n) throws Exception {
    long bytes = 0;
    for (int i = 0; i < n; i++) {
      bytes = get(http, uri, gzip).length;
    }
    List<Long> nanos = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      get(http, uri, gzip);
      nanos.add(System.nanoTime() - t0);
    }
    return new Timed(nanos, bytes);
  }

  private static byte[] get(HttpClient http, String uri, boolean gzip) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri));
    if (gzip) {
      b.header("Accept-Encoding", "gzip");
    }
    HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(uri + " -> " + r.statusCode() + ": " + new String(r.body()));
    }
    return r.body();
  }

  private static void print(int post, String what, Timed t) {
    print(post, what, t.nanos(), t.bytes());
  }

  private static void print(int post, String what, List<Long> nanos, long bytes) {
    List<Long> s = new ArrayList<>(nanos);
    Collections.sort(s);
    System.out.printf(
        Locale.ROOT,
        "%6d  %-22s %10.2f %10.2f %12d%n",
        post,
        what,
        s.get(s.size() / 2) / 1e6,
        s.get(Math.min(s.size() - 1, (int) Math.ceil(s.size() * 0.95) - 1)) / 1e6,
        bytes);
  }
}
