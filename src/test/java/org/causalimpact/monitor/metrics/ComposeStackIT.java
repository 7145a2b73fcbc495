package org.causalimpact.monitor.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.github.dockerjava.api.command.InspectContainerResponse.ContainerState;
import java.io.IOException;
import java.nio.file.Files;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;

/**
 * {@code docker-compose.yml} started for real on the Docker engine the tests reach, with every
 * service but Grafana (which nothing here can install), from images built locally under the names
 * the compose file gives them ({@code src/test/docker/build-compose-images.sh}: Debian's
 * Prometheus and Alertmanager, the broker image of the Testcontainers tests, the shaded jar on a
 * jlink runtime; nothing is pulled). The only change to the file is {@code
 * src/test/docker/compose-quick-campaign.yml}: the simulator sends the pre-period at full speed,
 * the campaign at 4 rows per second, and stops 220 rows after its start; and Prometheus reads
 * {@code config/alerts.yml} with {@code CausalImpactSignificant} pending 5 s instead of 10 minutes
 * (a generated override mounts that copy).
 *
 * <p>It checks that the stack is healthy (every health check of the file passes, Prometheus
 * scrapes the monitor, has loaded every rule of {@code config/alerts.yml} and sends to
 * Alertmanager, which runs {@code config/alertmanager.yml}), that the campaign's significance alert
 * reaches Alertmanager while the campaign runs, and that the campaign's impact reaches
 * Prometheus: every post-period row, with a cumulative effect whose bootstrap interval covers the
 * effect the simulator injected. Skipped only where no Docker engine is reachable.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ComposeStackIT {
  private static final String PROJECT = "cim-compose-it";
  private static final List<String> SERVICES =
      List.of("kafka", "monitor", "simulator", "prometheus", "alertmanager");
  private static final Set<String> HEALTH_CHECKED =
      Set.of("kafka", "monitor", "prometheus", "alertmanager");
  private static final String CAMPAIGN = "monitor=\"demo\",intervention=\"demo-campaign\"";
  private static final Duration WAIT = Duration.ofMinutes(3);
  /** What the simulator prints to standard error for each outcome. */
  private static final Pattern TRUE_EFFECT = Pattern.compile(
      "true average effect of demo-campaign on (\\w+): ([-0-9.eE]+) \\(rows (\\d+)\\D+(\\d+)\\)");

  private static final String SIGNIFICANT = "CausalImpactSignificant";

  @TempDir Path dir;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void theStackStartsHealthyAndTheCampaignsImpactReachesPrometheus() throws Exception {
    assumeTrue(DockerClientFactory.instance().isDockerAvailable(),
        "no Docker engine reachable: the compose stack test is skipped (see docs/observability.md)");
    Map<String, String> ports = new HashMap<>();
    for (String port : List.of("MONITOR_PORT", "PROMETHEUS_PORT", "ALERTMANAGER_PORT",
        "KAFKA_HOST_PORT", "GRAFANA_PORT")) {
      ports.put(port, Integer.toString(PrometheusTools.freePort()));
    }
    buildImages();
    Path overrides = alertsOverride();

    long started = System.nanoTime();
    try (ComposeStack stack = ComposeStack.up(PROJECT, ports,
        List.of(Path.of("src/test/docker/compose-quick-campaign.yml"), overrides), SERVICES)) {
      System.err.printf("[ComposeStackIT] docker-compose up returned after %.1f s%n",
          seconds(started));
      try {
        PrometheusApi prometheus =
            new PrometheusApi(URI.create("http://127.0.0.1:" + ports.get("PROMETHEUS_PORT")));
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode alert = awaitSignificanceAlert(ports.get("ALERTMANAGER_PORT"), deadline);
        System.err.printf("[ComposeStackIT] %s reached Alertmanager after %.1f s: %s%n",
            SIGNIFICANT, seconds(started), alert.path("labels"));
        awaitHealthy(stack, deadline);
        Map<String, Double> steps = awaitEveryPostPeriodRow(stack, prometheus, deadline);
        System.err.printf("[ComposeStackIT] every post-period row in Prometheus after %.1f s: %s%n",
            seconds(started), steps);
        assertPrometheusScrapesAndAlerts(prometheus);
        assertAlertmanagerRunsItsConfig(ports.get("ALERTMANAGER_PORT"));
        assertCumulativeEffectsCoverTheTruth(stack, prometheus);
        assertEquals(0.0, single(prometheus, "cim_intervention_active{" + CAMPAIGN + "}"),
            "the simulator ended the campaign");
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\n--- compose logs\n" + stack.logs(), e);
      }
    }
  }

  /**
   * A compose override that mounts {@code config/alerts.yml}, with {@value #SIGNIFICANT} pending
   * 5 s, into Prometheus in place of the original.
   */
  private Path alertsOverride() throws IOException {
    Path rules = dir.resolve("alerts.yml");
    Files.writeString(rules, PrometheusTools.alertRulesWithPending(SIGNIFICANT, "5s"));
    Path override = dir.resolve("compose-short-pending.yml");
    Files.writeString(override, String.join("\n",
        "services:",
        "  prometheus:",
        "    volumes:",
        "      - " + rules.toAbsolutePath() + ":/etc/prometheus/alerts.yml:ro",
        ""));
    return override;
  }

  /**
   * Waits until Alertmanager holds {@value #SIGNIFICANT} for the campaign (Prometheus fires it
   * while the campaign runs and its interval excludes zero) and returns that alert.
   */
  private JsonNode awaitSignificanceAlert(String port, long deadline)
      throws IOException, InterruptedException {
    URI alerts = URI.create("http://127.0.0.1:" + port + "/api/v2/alerts");
    String seen = "";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r = http.send(
            HttpRequest.newBuilder(alerts).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        seen = r.statusCode() + " " + r.body();
        if (r.statusCode() == 200) {
          for (JsonNode a : new ObjectMapper().readTree(r.body())) {
            JsonNode labels = a.path("labels");
            if (SIGNIFICANT.equals(labels.path("alertname").asText())
                && "demo-campaign".equals(labels.path("intervention").asText())
                && "demo".equals(labels.path("monitor").asText())) {
              assertEquals("info", labels.path("severity").asText(), a.toString());
              return a;
            }
          }
        }
      } catch (IOException e) {
        seen = e.toString();
      }
      Thread.sleep(2000);
    }
    throw new AssertionError("no " + SIGNIFICANT + " for demo-campaign in Alertmanager within "
        + WAIT + "; last answer: " + seen);
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static void buildImages() throws IOException, InterruptedException {
    long started = System.nanoTime();
    PrometheusTools.Run build = PrometheusTools.run(Duration.ofMinutes(3),
        Map.of("JAR", System.getProperty("cim.jar", "target/causal-impact-monitor.jar")),
        List.of("bash", "src/test/docker/build-compose-images.sh"));
    assertEquals(0, build.code(), "building the images failed: " + build);
    System.err.printf("[ComposeStackIT] images ready after %.1f s:%n%s", seconds(started),
        build.out());
  }

  /** Every service with a health check is healthy, and the simulator has exited with 0. */
  private static void awaitHealthy(ComposeStack stack, long deadline) throws InterruptedException {
    Map<String, String> seen = new TreeMap<>();
    while (System.nanoTime() < deadline) {
      seen.clear();
      stack.states().forEach((service, state) -> seen.put(service, describe(state)));
      boolean healthy = HEALTH_CHECKED.stream().allMatch(s -> "healthy".equals(seen.get(s)));
      if (healthy && "exited 0".equals(seen.get("simulator"))) {
        return;
      }
      Thread.sleep(1000);
    }
    throw new AssertionError("the stack did not become healthy within " + WAIT + ": " + seen);
  }

  private static String describe(ContainerState state) {
    if (state.getHealth() != null) {
      return state.getHealth().getStatus();
    }
    return "running".equals(state.getStatus())
        ? "running"
        : state.getStatus() + " " + state.getExitCodeLong();
  }

  /**
   * Waits until Prometheus has scraped the step counter of the last post-period row for each
   * outcome; the simulator sends rows 0..699 with the campaign from row 480, so 220 rows.
   */
  private static Map<String, Double> awaitEveryPostPeriodRow(ComposeStack stack,
      PrometheusApi prometheus, long deadline) throws IOException, InterruptedException {
    Map<String, Double> steps = new TreeMap<>();
    Map<String, Double> expected = Map.of("visits", 220.0, "signups", 220.0);
    while (System.nanoTime() < deadline) {
      steps.clear();
      for (JsonNode s : prometheus.query("cim_impact_step{" + CAMPAIGN + "}")) {
        steps.put(s.path("metric").path("node").asText(), s.path("value").get(1).asDouble());
      }
      if (steps.equals(expected)) {
        return steps;
      }
      Thread.sleep(2000);
    }
    throw new AssertionError("Prometheus has cim_impact_step " + steps + ", not " + expected
        + " within " + WAIT + "; containers: " + stack.states().keySet());
  }

  private static void assertPrometheusScrapesAndAlerts(PrometheusApi prometheus)
      throws IOException, InterruptedException {
    Map<String, String> health = new TreeMap<>();
    for (JsonNode target : prometheus.api("/api/v1/targets").path("activeTargets")) {
      health.put(target.path("labels").path("job").asText(), target.path("health").asText());
    }
    assertEquals("up", health.get("causal-impact-monitor"), "scrape targets: " + health);

    Set<String> expected = new TreeSet<>();
    for (JsonNode group : new YAMLMapper().readTree(Path.of("config", "alerts.yml").toFile())
        .path("groups")) {
      group.path("rules").forEach(r -> expected.add(r.path("alert").asText()));
    }
    Set<String> loaded = new TreeSet<>();
    for (JsonNode group : prometheus.api("/api/v1/rules").path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        loaded.add(rule.path("name").asText());
        assertEquals("ok", rule.path("health").asText(), rule.path("name") + ": " + rule);
      }
    }
    assertTrue(expected.size() >= 6, "alerts of config/alerts.yml: " + expected);
    assertEquals(expected, loaded, "rules loaded by Prometheus");

    List<String> alertmanagers = prometheus.api("/api/v1/alertmanagers")
        .path("activeAlertmanagers").findValuesAsText("url");
    assertEquals(List.of("http://alertmanager:9093/api/v2/alerts"), alertmanagers);
  }

  private void assertAlertmanagerRunsItsConfig(String port)
      throws IOException, InterruptedException {
    HttpResponse<String> status = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v2/status"))
            .timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, status.statusCode(), status.body());
    JsonNode body = new ObjectMapper().readTree(status.body());
    // the configuration it runs is the mounted config/alertmanager.yml (its receivers by name)
    String original = body.path("config").path("original").asText();
    for (String receiver : List.of("on-call", "demo-owners-news", "impact-news")) {
      assertTrue(original.contains("name: " + receiver), "Alertmanager runs\n" + original);
    }
  }

  /**
   * The cumulative effect of the whole campaign on each outcome: its bootstrap interval covers
   * the effect the simulator injected (its average per row, printed by the simulator, times the
   * rows). The data and the bootstrap are seeded (seed 7 of config/monitors/demo.yaml).
   */
  private static void assertCumulativeEffectsCoverTheTruth(ComposeStack stack,
      PrometheusApi prometheus) throws IOException, InterruptedException {
    String log = stack.logs("simulator");
    Map<String, Double> truth = new TreeMap<>();
    Matcher m = TRUE_EFFECT.matcher(log);
    while (m.find()) {
      long rows = Long.parseLong(m.group(4)) - Long.parseLong(m.group(3)) + 1;
      truth.put(m.group(1), Double.parseDouble(m.group(2)) * rows);
    }
    assertEquals(Set.of("visits", "signups"), truth.keySet(), "simulator log:\n" + log);
    for (Map.Entry<String, Double> outcome : truth.entrySet()) {
      String selector = "cim_impact_cumulative_effect{" + CAMPAIGN + ",node=\"" + outcome.getKey()
          + "\",method=\"bootstrap\",bound=\"%s\"}";
      double lower = single(prometheus, selector.formatted("lower"));
      double upper = single(prometheus, selector.formatted("upper"));
      String what = outcome.getKey() + ": true cumulative effect " + outcome.getValue()
          + ", 95% bootstrap interval [" + lower + ", " + upper + "]";
      System.err.println("[ComposeStackIT] " + what);
      assertTrue(lower > 0 && lower <= outcome.getValue() && outcome.getValue() <= upper, what);
    }
  }

  /** The value of the one series {@code selector} selects now. */
  private static double single(PrometheusApi prometheus, String selector)
      throws IOException, InterruptedException {
    List<JsonNode> series = prometheus.query(selector);
    assertEquals(1, series.size(), selector + ": " + series);
    return series.get(0).path("value").get(1).asDouble();
  }
}
