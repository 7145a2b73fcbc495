package org.causalimpact.monitor.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compose stack's Alertmanager configuration ({@code config/alertmanager.yml}) through Debian's
 * {@code amtool} and a real Alertmanager (package {@code prometheus-alertmanager}; the test is
 * skipped without it): the file is valid, its example routes send each kind of alert to the
 * receiver they promise, and a significant campaign of the packaged {@code demo} reaches a
 * webhook.
 *
 * <p>End to end, as in the compose stack but on 127.0.0.1: the demo, a real Prometheus scraping
 * it every second with the project's rules, and an Alertmanager with the example routes whose
 * receivers are all replaced by a webhook to an HTTP server in this test. Two things are shortened
 * so that the test fits in minutes: {@code CausalImpactSignificant} is pending 5 s instead of 10
 * minutes (its expression and labels are the file's), and Alertmanager waits 1 s before it sends a
 * new group instead of 30 s.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class AlertmanagerIT {
  private static final Path ALERTMANAGER = Path.of("config", "alertmanager.yml");
  private static final Path PROMETHEUS_CONFIG = Path.of("config", "prometheus.yml");
  private static final Path JAR =
      Path.of(System.getProperty("cim.jar", "target/causal-impact-monitor.jar"));
  private static final Path DEMO_MONITOR = Path.of("config", "monitors", "demo.yaml");
  private static final String SIGNIFICANT = "CausalImpactSignificant";
  private static final String MONITOR = "demo";
  private static final String CAMPAIGN = "demo-campaign";
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();

  private static Path amtool;
  private static Path alertmanager;

  @BeforeAll
  static void findAlertmanager() {
    amtool = PrometheusTools.find("amtool").orElse(null);
    // Debian names the server prometheus-alertmanager; upstream's tarball, alertmanager
    alertmanager = PrometheusTools.find("prometheus-alertmanager")
        .or(() -> PrometheusTools.find("alertmanager")).orElse(null);
    assumeTrue(amtool != null && alertmanager != null,
        "Alertmanager is not installed (apt-get install prometheus-alertmanager)");
  }

  @Test
  void amtoolAcceptsTheConfiguration() throws Exception {
    PrometheusTools.Run run = PrometheusTools.run(TOOL_TIMEOUT,
        List.of(amtool.toString(), "check-config", ALERTMANAGER.toString()));
    assertEquals(0, run.code(), run.toString());
    assertTrue(run.out().contains("SUCCESS"), run.toString());
  }

  /** Where amtool says each kind of alert goes: by monitor first, then by severity. */
  @Test
  void routesSendEachAlertWhereTheFileSays() throws Exception {
    Map<String, String> expected = Map.of(
        "alertname=CausalImpactSignificant monitor=demo severity=info", "demo-owners-news",
        "alertname=CausalImpactModelDegraded monitor=demo severity=warning", "demo-owners",
        "alertname=CausalImpactSignificant monitor=checkout severity=info", "impact-news",
        "alertname=CausalImpactMonitorStale monitor=checkout severity=warning", "operators",
        "alertname=CausalImpactMonitorDown severity=critical", "on-call",
        "alertname=CausalImpactMonitorDown monitor=demo severity=critical", "on-call",
        "alertname=SomethingElse", "operators");
    for (Map.Entry<String, String> e : expected.entrySet()) {
      List<String> command = new ArrayList<>(List.of(amtool.toString(), "config", "routes",
          "test", "--config.file=" + ALERTMANAGER));
      command.addAll(List.of(e.getKey().split(" ")));
      PrometheusTools.Run run = PrometheusTools.run(TOOL_TIMEOUT, command);
      assertEquals(0, run.code(), run.toString());
      assertEquals(e.getValue(), run.out().strip(), "receiver of " + e.getKey() + "\n" + run);
    }
  }

  /**
   * The demo's campaign is significant: Prometheus fires {@code CausalImpactSignificant} and sends
   * it to Alertmanager, which routes it (monitor demo, severity info) to {@code demo-owners-news}
   * and posts it to that receiver's webhook, with the monitor, intervention and node labels.
   */
  @Test
  void aSignificantCampaignReachesTheWebhookOfItsRoute(@TempDir Path dir) throws Exception {
    Path prometheusBinary = PrometheusTools.find("prometheus").orElse(null);
    assumeTrue(prometheusBinary != null,
        "prometheus is not installed (apt-get install prometheus)");
    assertTrue(Files.isRegularFile(JAR), JAR + " missing: run mvn package first");

    LinkedBlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
    HttpServer webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    webhook.createContext("/", exchange -> {
      try {
        byte[] body = exchange.getRequestBody().readAllBytes();
        deliveries.add(new Delivery(exchange.getRequestURI().getPath(), JSON.readTree(body)));
        exchange.sendResponseHeaders(200, -1);
      } finally {
        exchange.close();
      }
    });
    webhook.start();
    List<AutoCloseable> started = new ArrayList<>();
    try {
      int alertmanagerPort = PrometheusTools.freePort();
      Path amConfig = dir.resolve("alertmanager.yml");
      Files.writeString(amConfig,
          alertmanagerConfig("http://127.0.0.1:" + webhook.getAddress().getPort()));
      started.add(ChildProcess.start("alertmanager", dir, Duration.ofSeconds(30),
          "http://127.0.0.1:" + alertmanagerPort + "/-/ready",
          alertmanager.toString(),
          "--config.file=" + amConfig,
          "--storage.path=" + dir.resolve("alertmanager-data"),
          "--web.listen-address=127.0.0.1:" + alertmanagerPort,
          "--cluster.listen-address="));

      int demoPort = PrometheusTools.freePort();
      started.add(ChildProcess.start("demo", dir, null, null,
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-jar", JAR.toString(), "demo",
          "--port", Integer.toString(demoPort),
          "--monitor", longerDemo(dir).toString(),
          "--speed", "25",
          "--campaign-speed", "25",
          "--seed", "7"));

      Path rules = dir.resolve("alerts.yml");
      Files.writeString(rules, PrometheusTools.alertRulesWithPending(SIGNIFICANT, "5s"));
      Path promConfig = dir.resolve("prometheus.yml");
      Files.writeString(promConfig, prometheusConfig(rules, demoPort, alertmanagerPort));
      started.add(
          PrometheusServer.start(prometheusBinary, promConfig, dir, Duration.ofSeconds(30)));

      Delivery delivery = awaitSignificant(deliveries, Duration.ofSeconds(200), started);
      String group = delivery.body().path("groupKey").asText();
      assertEquals("/demo-owners-news", delivery.path(), "webhook of " + group);
      assertEquals("demo-owners-news", delivery.body().path("receiver").asText(), group);
      Set<String> nodes = new TreeSet<>();
      for (JsonNode alert : delivery.body().path("alerts")) {
        nodes.add(alert.path("labels").path("node").asText());
        JsonNode labels = alert.path("labels");
        assertEquals("firing", alert.path("status").asText(), alert.toString());
        assertEquals(SIGNIFICANT, labels.path("alertname").asText(), alert.toString());
        assertEquals(MONITOR, labels.path("monitor").asText(), alert.toString());
        assertEquals(CAMPAIGN, labels.path("intervention").asText(), alert.toString());
        assertEquals("info", labels.path("severity").asText(), alert.toString());
        assertTrue(alert.path("annotations").path("summary").asText().contains(CAMPAIGN),
            alert.toString());
      }
      // the campaign's outcomes (config/interventions/demo-campaign.json), each significant
      assertEquals(Set.of("signups", "visits"), nodes, delivery.body().toString());
    } finally {
      for (int i = started.size() - 1; i >= 0; i--) {
        started.get(i).close();
      }
      webhook.stop(0);
    }
  }

  /** One POST of Alertmanager to the webhook: the path (the receiver's name) and the body. */
  record Delivery(String path, JsonNode body) {}

  /** The first delivery of the significant campaign's alert; every other one is ignored. */
  private static Delivery awaitSignificant(LinkedBlockingQueue<Delivery> deliveries,
      Duration timeout, List<AutoCloseable> started) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Delivery> others = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      Delivery d = deliveries.poll(1, TimeUnit.SECONDS);
      if (d == null) {
        continue;
      }
      JsonNode group = d.body().path("groupLabels");
      if (group.path("alertname").asText().equals(SIGNIFICANT)
          && group.path("intervention").asText().equals(CAMPAIGN)) {
        return d;
      }
      others.add(d);
    }
    StringBuilder logs = new StringBuilder();
    for (AutoCloseable c : started) {
      logs.append('\n').append(c instanceof PrometheusServer p ? "--- prometheus\n" + p.log() : c);
    }
    return fail("no " + SIGNIFICANT + " for " + CAMPAIGN + " reached the webhook within "
        + timeout + "; other deliveries: " + others + logs);
  }

  /**
   * config/alertmanager.yml with every receiver a webhook to {@code base}/its name, and 1 s
   * before a new group is sent.
   */
  private static String alertmanagerConfig(String base) throws IOException {
    ObjectNode config = (ObjectNode) YAML.readTree(ALERTMANAGER.toFile());
    ObjectNode route = (ObjectNode) config.get("route");
    route.put("group_wait", "1s");
    route.put("group_interval", "1s");
    ArrayNode receivers = config.putArray("receivers");
    for (JsonNode r : YAML.readTree(ALERTMANAGER.toFile()).path("receivers")) {
      String name = r.path("name").asText();
      ObjectNode hook = receivers.addObject().put("name", name)
          .putArray("webhook_configs").addObject();
      hook.put("url", base + "/" + name);
      hook.put("send_resolved", false);
    }
    return YAML.writeValueAsString(config);
  }

  /**
   * config/prometheus.yml scraping the demo and evaluating {@code rules} every second, and sending
   * alerts to the Alertmanager on {@code alertmanagerPort}.
   */
  private static String prometheusConfig(Path rules, int demoPort, int alertmanagerPort)
      throws IOException {
    ObjectNode config = (ObjectNode) YAML.readTree(PROMETHEUS_CONFIG.toFile());
    ObjectNode global = (ObjectNode) config.get("global");
    global.put("scrape_interval", "1s");
    global.put("evaluation_interval", "1s");
    config.putArray("rule_files").add(rules.toString());
    ObjectNode alerting = (ObjectNode) config.path("alerting").path("alertmanagers").get(0);
    alerting.putArray("static_configs").addObject().putArray("targets")
        .add("127.0.0.1:" + alertmanagerPort);
    ObjectNode job = (ObjectNode) config.path("scrape_configs").get(0);
    assertEquals("causal-impact-monitor", job.path("job_name").asText(), PROMETHEUS_CONFIG
        + ": the monitor's job comes first");
    job.putArray("static_configs").addObject().putArray("targets").add("127.0.0.1:" + demoPort);
    config.putArray("scrape_configs").add(job);
    return YAML.writeValueAsString(config);
  }

  /** The demo monitor with a post-period longer than this test, so the campaign keeps running. */
  private static Path longerDemo(Path dir) throws IOException {
    String yaml = Files.readString(DEMO_MONITOR, StandardCharsets.UTF_8);
    String longer = yaml.replaceFirst("(?m)^(?<key>\\s+rows:\\s*)\\d+[ \\t]*$", "${key}4000");
    assertFalse(longer.equals(yaml), "no simulation rows in " + DEMO_MONITOR);
    Path monitor = dir.resolve("demo.yaml");
    Files.writeString(monitor, longer, StandardCharsets.UTF_8);
    return monitor;
  }
}
