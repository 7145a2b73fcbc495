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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.causalimpact.monitor.live.TopologySettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Grafana dashboard of {@code dashboards/} against the meters the monitor really exports:
 * the packaged jar's {@code demo} runs (an intervention in progress, rows closing), a real
 * Prometheus (Debian's {@code /usr/bin/prometheus}; the test is skipped without it) scrapes its
 * {@code /metrics} every second with the alert rules of {@code config/alerts.yml} loaded, and each
 * panel's PromQL — template variables replaced by values Prometheus finds for the variables' own
 * {@code label_values} queries — must return at least one series. Also: the rules load and
 * evaluate, and two of them respond to the demo's real series.
 *
 * <p>The demo monitor is run with more simulated rows than its file says (a longer post-period),
 * so that the campaign is still running whatever the speed of this machine; the test stops the
 * demo when it is done.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardQueriesIT {
  private static final Path JAR =
      Path.of(System.getProperty("cim.jar", "target/causal-impact-monitor.jar"));
  private static final Path DASHBOARDS = Path.of("dashboards");
  private static final Path DEMO_MONITOR = Path.of("config", "monitors", "demo.yaml");
  private static final Path PROMETHEUS_CONFIG = Path.of("config", "prometheus.yml");
  private static final Path RULES = Path.of("config", "alerts.yml");
  private static final String JOB = "causal-impact-monitor";
  private static final String MONITOR = "demo";
  private static final String CAMPAIGN = "demo-campaign";

  /**
   * Grafana's built-in variables as Grafana sets them for the provisioned data source
   * (timeInterval 15s): {@code $__rate_interval} = max(4 × scrape interval, interval + scrape
   * interval) = 1m.
   */
  private static final Map<String, String> BUILT_INS =
      Map.of("__rate_interval", "1m", "__interval", "15s", "__range", "1h");

  private static final Pattern VARIABLE =
      Pattern.compile("\\$\\{(\\w+)(?::[^}]*)?}|\\[\\[(\\w+)]]|\\$(\\w+)");
  private static final Pattern LABEL_VALUES =
      Pattern.compile("^label_values\\(\\s*(?:(.+?)\\s*,\\s*)?(\\w+)\\s*\\)$", Pattern.DOTALL);

  /** How a Prometheus annotation of a dashboard is named among its targets. */
  private static final String ANNOTATION = "annotation: ";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();

  @TempDir static Path dir;

  private static Process demo;
  private static Path demoLog;
  private static PrometheusServer prometheus;
  private static String bootstrapServers;
  /** Every wait of this class ends by then, so that the class stays within its budget. */
  private static long deadline;

  // ---- the dashboards as the test reads them ----

  /** A template variable: its name, type and query (query variables) or options (custom). */
  record Variable(String name, String type, String query, List<String> options) {}

  /** One query of one panel. */
  record Target(String dashboard, String panel, String refId, String expr) {
    @Override
    public String toString() {
      return dashboard + " / \"" + panel + "\" / " + refId;
    }
  }

  record Dashboard(String uid, List<Variable> variables, List<Target> targets) {}

  static List<Dashboard> dashboards() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(DASHBOARDS)) {
      files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    List<Dashboard> dashboards = new ArrayList<>();
    for (Path file : files) {
      JsonNode root = JSON.readTree(file.toFile());
      String uid = root.path("uid").asText();
      assertFalse(uid.isEmpty(), file + " has no uid");
      List<Variable> variables = new ArrayList<>();
      for (JsonNode v : root.path("templating").path("list")) {
        String type = v.path("type").asText();
        String query = v.path("definition").asText();
        if (query.isEmpty()) {
          query = v.path("query").isTextual() ? v.path("query").asText()
              : v.path("query").path("query").asText();
        }
        List<String> options = new ArrayList<>();
        v.path("options").forEach(o -> options.add(o.path("value").asText()));
        if (options.isEmpty() && type.equals("custom")) {
          for (String o : v.path("query").asText().split(",")) {
            options.add(o.strip());
          }
        }
        variables.add(new Variable(v.path("name").asText(), type, query, options));
      }
      List<Target> targets = new ArrayList<>();
      collectTargets(uid, root.path("panels"), targets);
      for (JsonNode a : root.path("annotations").path("list")) {
        if (a.path("datasource").path("type").asText().equals("prometheus")) {
          targets.add(
              new Target(uid, ANNOTATION + a.path("name").asText(), "annotation",
                  a.path("expr").asText()));
        }
      }
      dashboards.add(new Dashboard(uid, variables, targets));
    }
    return dashboards;
  }

  /** Panels' targets, including those of panels inside (collapsed) rows. */
  private static void collectTargets(String uid, JsonNode panels, List<Target> into) {
    for (JsonNode panel : panels) {
      for (JsonNode t : panel.path("targets")) {
        String expr = t.path("expr").asText();
        assertFalse(expr.isBlank(), uid + " / " + panel.path("title").asText() + " / "
            + t.path("refId").asText() + " has no expr");
        into.add(new Target(uid, panel.path("title").asText(), t.path("refId").asText(), expr));
      }
      collectTargets(uid, panel.path("panels"), into);
    }
  }

  /** {@code text} with every variable replaced; unknown variables are left as they were. */
  static String substitute(String text, Map<String, String> values) {
    Matcher m = VARIABLE.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
      String value = values.containsKey(name) ? values.get(name) : BUILT_INS.get(name);
      m.appendReplacement(sb, Matcher.quoteReplacement(value == null ? m.group() : value));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  // ---- the demo and Prometheus ----

  @BeforeAll
  static void startDemoAndPrometheus() throws Exception {
    deadline = System.nanoTime() + Duration.ofSeconds(170).toNanos();
    Path binary = PrometheusTools.find("prometheus").orElse(null);
    assumeTrue(binary != null, "prometheus is not installed (apt-get install prometheus)");
    assertTrue(Files.isRegularFile(JAR), JAR + " missing: run mvn package first");

    // the demo monitor with a post-period longer than this test
    String yaml = Files.readString(DEMO_MONITOR, StandardCharsets.UTF_8);
    String longer = yaml.replaceFirst("(?m)^(?<key>\\s+rows:\\s*)\\d+[ \\t]*$", "${key}3000");
    assertFalse(longer.equals(yaml), "no simulation rows in " + DEMO_MONITOR);
    Path monitor = dir.resolve("demo.yaml");
    Files.writeString(monitor, longer, StandardCharsets.UTF_8);

    int port = PrometheusTools.freePort();
    demoLog = dir.resolve("demo.log");
    demo =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "demo",
                "--port", Integer.toString(port),
                "--monitor", monitor.toString(),
                "--speed", "25",
                "--campaign-speed", "25",
                "--exit-after-result",
                "--seed", "7")
            .redirectErrorStream(true)
            .redirectOutput(demoLog.toFile())
            .start();

    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, prometheusConfig(port), StandardCharsets.UTF_8);
    prometheus = PrometheusServer.start(binary, config, dir, Duration.ofSeconds(30));

    // Dead letters while the pre-period runs: the topology keeps up with the simulator then
    // (after the start every closed row costs an analysis, and the single stream thread falls
    // behind the simulator, records to the dead-letter topic included). One record that is not
    // JSON and one point for row 0, which has closed; once Prometheus has seen the first, a
    // second record that is not JSON makes that counter grow. Every counter of a known reason
    // is there at 0 before, so the first dead letter of each is an increase.
    awaitSeries("cim_rows_closed_total{monitor=\"" + MONITOR + "\"} >= 5");
    Matcher broker = Pattern.compile("broker: Kafka \\(KRaft\\) at (\\S+),").matcher(demoOutput());
    assertTrue(broker.find(), "the demo printed no broker address:\n" + demoOutput());
    bootstrapServers = broker.group(1);
    String metrics = TopologySettings.defaults().metricsTopic();
    send(new ProducerRecord<>(metrics, "signups", "{not json"));
    send(new ProducerRecord<>(metrics, "signups",
        "{\"series\": \"signups\", \"timestamp\": \"2026-01-01T00:00:00Z\", \"value\": 1.0}"));
    awaitSeries("cim_dead_letters_total{topic=\"metrics\", reason!=\"late\"} > 0");
    send(new ProducerRecord<>(metrics, "signups", "{still not json"));

    // the campaign starts after the 480-row pre-period (19 s at 25 steps per second)
    awaitSeries("cim_intervention_active{monitor=\"" + MONITOR + "\", intervention=\"" + CAMPAIGN
        + "\"} == 1");
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (prometheus != null) {
      prometheus.close();
    }
    if (demo != null) {
      demo.destroy();
      if (!demo.waitFor(30, TimeUnit.SECONDS)) {
        demo.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * config/prometheus.yml for this test: its monitor job, scraping the demo every second;
   * config/alerts.yml evaluated every second; no Alertmanager.
   */
  private static String prometheusConfig(int demoPort) throws IOException {
    ObjectNode config = (ObjectNode) YAML.readTree(PROMETHEUS_CONFIG.toFile());
    ObjectNode global =
        config.get("global") instanceof ObjectNode g ? g : config.putObject("global");
    global.put("scrape_interval", "1s");
    global.put("evaluation_interval", "1s");
    config.putArray("rule_files").add(RULES.toAbsolutePath().toString());
    config.remove("alerting");
    ArrayNode jobs = config.putArray("scrape_configs");
    boolean found = false;
    for (JsonNode job : YAML.readTree(PROMETHEUS_CONFIG.toFile()).path("scrape_configs")) {
      if (job.path("job_name").asText().equals(JOB)) {
        ObjectNode copy = ((ObjectNode) job).deepCopy();
        copy.putArray("static_configs").addObject().putArray("targets")
            .add("127.0.0.1:" + demoPort);
        jobs.add(copy);
        found = true;
      }
    }
    assertTrue(found, PROMETHEUS_CONFIG + " has no job " + JOB);
    return YAML.writeValueAsString(config);
  }

  private static String demoOutput() {
    try {
      return Files.readString(demoLog, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read the demo's output: " + e.getMessage() + ")";
    }
  }

  private static void send(ProducerRecord<String, String> record) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      producer.send(record).get(20, TimeUnit.SECONDS);
    }
  }

  /** Polls {@code expr} until it returns a series; fails at the class deadline. */
  private static List<JsonNode> awaitSeries(String expr) throws Exception {
    while (true) {
      if (!demo.isAlive()) {
        fail("the demo exited with " + demo.exitValue() + " while waiting for " + expr + ":\n"
            + demoOutput());
      }
      List<JsonNode> series = prometheus.query(expr);
      if (!series.isEmpty()) {
        return series;
      }
      if (System.nanoTime() > deadline) {
        fail("no series for " + expr + " in time\n--- demo\n" + demoOutput()
            + "\n--- prometheus\n" + prometheus.log());
      }
      Thread.sleep(500);
    }
  }

  // ---- the tests ----

  @Test
  @Order(1)
  void everyVariableAndPanelQueryReturnsSeries() throws Exception {
    List<Dashboard> dashboards = dashboards();
    assertTrue(dashboards.size() >= 3, "dashboards: " + dashboards.size());
    // expression -> the targets it comes from
    Map<String, List<String>> expressions = new LinkedHashMap<>();
    int targets = 0;
    for (Dashboard d : dashboards) {
      assertFalse(d.targets().isEmpty(), d.uid() + " has no queries");
      targets += d.targets().size();
      for (Map<String, String> values : assignments(d)) {
        for (Target t : d.targets()) {
          String expr = substitute(t.expr(), values);
          Matcher left = VARIABLE.matcher(expr);
          if (left.find()) {
            fail(t + ": unresolved " + left.group() + " in " + expr);
          }
          expressions.computeIfAbsent(expr, e -> new ArrayList<>()).add(t + " " + values);
        }
      }
    }

    Map<String, String> pending = new LinkedHashMap<>();
    expressions.keySet().forEach(e -> pending.put(e, "not evaluated"));
    while (!pending.isEmpty()) {
      for (String expr : List.copyOf(pending.keySet())) {
        try {
          if (prometheus.query(expr).isEmpty()) {
            pending.put(expr, "no series");
          } else {
            pending.remove(expr);
          }
        } catch (PrometheusServer.PromQlException e) {
          // a query Prometheus rejects stays rejected
          fail(expressions.get(expr) + ": " + e.getMessage() + "\n" + expr);
        }
      }
      if (pending.isEmpty() || System.nanoTime() > deadline || !demo.isAlive()) {
        break;
      }
      Thread.sleep(1000);
    }
    StringBuilder failures = new StringBuilder();
    pending.forEach((expr, why) -> failures.append("\n  ").append(why).append(": ").append(expr)
        .append("\n    from ").append(expressions.get(expr)));
    assertTrue(pending.isEmpty(),
        pending.size() + " of " + expressions.size() + " queries returned nothing:" + failures
            + (demo.isAlive() ? "" : "\n--- demo (exited)\n" + demoOutput()));
    System.err.printf(
        "DashboardQueriesIT: %d dashboards, %d panel queries, %d distinct expressions after"
            + " substitution: every one returned series%n",
        dashboards.size(), targets, expressions.size());
  }

  /**
   * The variables' values, in their order: a query variable takes the first value its query
   * finds (which must find some); a custom variable takes each of its options in turn.
   */
  private static List<Map<String, String>> assignments(Dashboard d) throws Exception {
    List<Map<String, String>> result = new ArrayList<>();
    result.add(new LinkedHashMap<>());
    for (Variable v : d.variables()) {
      switch (v.type()) {
        case "datasource" -> {
          // panels name the data source through it; no PromQL contains it
        }
        case "query" -> {
          List<Map<String, String>> next = new ArrayList<>();
          for (Map<String, String> values : result) {
            String value = firstValue(d, v, values);
            Map<String, String> m = new LinkedHashMap<>(values);
            m.put(v.name(), value);
            next.add(m);
          }
          result = next;
        }
        case "custom" -> {
          assertFalse(v.options().isEmpty(), d.uid() + ": $" + v.name() + " has no options");
          List<Map<String, String>> next = new ArrayList<>();
          for (Map<String, String> values : result) {
            for (String option : v.options()) {
              Map<String, String> m = new LinkedHashMap<>(values);
              m.put(v.name(), option);
              next.add(m);
            }
          }
          result = next;
        }
        default -> fail(d.uid() + ": variable $" + v.name() + " of type " + v.type()
            + " is not something this test knows how to fill");
      }
    }
    return result;
  }

  private static String firstValue(Dashboard d, Variable v, Map<String, String> values)
      throws Exception {
    Matcher m = LABEL_VALUES.matcher(v.query().strip());
    assertTrue(m.matches(), d.uid() + ": $" + v.name() + " is not label_values(...): " + v.query());
    String match = m.group(1) == null ? null : substitute(m.group(1), values);
    String label = m.group(2);
    while (true) {
      List<String> found = prometheus.labelValues(label, match);
      if (!found.isEmpty()) {
        return new TreeSet<>(found).first();
      }
      if (System.nanoTime() > deadline) {
        fail(d.uid() + ": $" + v.name() + " = " + v.query() + " (" + match + ") finds no value");
      }
      Thread.sleep(1000);
    }
  }

  @Test
  @Order(2)
  void alertRulesLoadAndEvaluateWithoutError() throws Exception {
    Set<String> expected = AlertRulesIT.alertRules(RULES).keySet();
    while (true) {
      Map<String, String> health = new LinkedHashMap<>();
      for (JsonNode group : prometheus.api("/api/v1/rules").path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          health.put(rule.path("name").asText(),
              rule.path("health").asText() + " " + rule.path("lastError").asText());
        }
      }
      assertEquals(expected, health.keySet(), "rules Prometheus loaded");
      boolean allOk = health.values().stream().allMatch(h -> h.strip().equals("ok"));
      if (allOk) {
        return;
      }
      boolean anyError = health.values().stream().anyMatch(h -> h.startsWith("err"));
      if (anyError || System.nanoTime() > deadline) {
        fail("rule health: " + health);
      }
      Thread.sleep(500);
    }
  }

  /** The campaign's effect is significant: the alert waits out its 10 minutes as pending. */
  @Test
  @Order(3)
  void theCampaignsSignificantEffectMakesItsAlertPending() throws Exception {
    List<JsonNode> alerts =
        awaitSeries("ALERTS{alertname=\"CausalImpactSignificant\", monitor=\"" + MONITOR
            + "\", intervention=\"" + CAMPAIGN + "\"}");
    Set<String> nodes = new TreeSet<>();
    for (JsonNode a : alerts) {
      assertEquals("pending", a.path("metric").path("alertstate").asText(), a.toString());
      assertEquals("info", a.path("metric").path("severity").asText(), a.toString());
      nodes.add(a.path("metric").path("node").asText());
    }
    assertFalse(nodes.contains(""), "alerts without node: " + alerts);
  }

  /** The dead letters sent at the start count where the dashboards and the alert look. */
  @Test
  @Order(4)
  void deadLettersAreCountedAndFireTheirAlert() throws Exception {
    awaitSeries("cim_late_points_total{monitor=\"" + MONITOR + "\"} == 1");
    awaitSeries("cim_dead_letters_total{topic=\"metrics\", reason=\"late\"} == 1");
    List<JsonNode> malformed =
        awaitSeries("cim_dead_letters_total{topic=\"metrics\", reason!=\"late\"} == 2");
    assertEquals(1, malformed.size(), "one reason for the records that are not JSON: " + malformed);
    String reason = malformed.get(0).path("metric").path("reason").asText();
    List<JsonNode> alerts =
        awaitSeries("ALERTS{alertname=\"CausalImpactDeadLetters\", alertstate=\"firing\","
            + " topic=\"metrics\", reason=\"" + reason + "\"}");
    assertEquals("warning", alerts.get(0).path("metric").path("severity").asText());
  }

  /**
   * Every panel query over the dead-letter counters shows the dead letters sent at the start,
   * evaluated two seconds after the last of them was counted: where the query keeps the {@code
   * reason} label, each reason of the metrics topic with dead letters above 0, elsewhere some
   * series above 0. A counter that appeared only with its first dead letter reads 0 in {@code
   * increase()} and {@code rate()}, which need it to rise between two samples.
   */
  @Test
  @Order(5)
  void deadLetterPanelsShowTheDeadLettersSent() throws Exception {
    List<JsonNode> counted = awaitSeries("cim_dead_letters_total{topic=\"metrics\"} > 0");
    Set<String> reasons = new TreeSet<>();
    double countedAt = 0;
    for (JsonNode c : counted) {
      String reason = c.path("metric").path("reason").asText();
      reasons.add(reason);
      countedAt = Math.max(countedAt, reachedAt("cim_dead_letters_total{topic=\"metrics\","
          + " reason=\"" + reason + "\"}", c.path("value").get(1).asDouble()));
    }
    assertTrue(reasons.size() >= 2, "reasons of the dead letters sent: " + reasons);
    double at = countedAt + 2;
    List<String> zero = new ArrayList<>();
    int checked = 0;
    for (Dashboard d : dashboards()) {
      Map<String, String> values = assignments(d).get(0);
      for (Target t : d.targets()) {
        if (!t.expr().contains("cim_dead_letters_total")
            && !t.expr().contains("cim_late_points_total")) {
          continue;
        }
        checked++;
        List<JsonNode> shown = prometheus.query(substitute(t.expr(), values), at);
        boolean byReason = shown.stream().anyMatch(r -> r.path("metric").has("reason"));
        for (String reason : byReason ? reasons : Set.of("")) {
          boolean above = shown.stream()
              .filter(r -> !byReason || reason.equals(r.path("metric").path("reason").asText()))
              .anyMatch(r -> r.path("value").get(1).asDouble() > 0);
          if (!above) {
            zero.add(t + (byReason ? " reason " + reason : "") + ": " + shown);
          }
        }
      }
    }
    assertTrue(checked >= 3, "dead-letter panel queries found: " + checked);
    assertEquals(List.of(), zero, "panels that show no dead letters at " + at);
  }

  /** When (Unix seconds) the one series of {@code selector} first reached {@code value}. */
  private static double reachedAt(String selector, double value) throws Exception {
    List<JsonNode> range = prometheus.query(selector + "[15m]");
    assertEquals(1, range.size(), selector + ": " + range);
    for (JsonNode sample : range.get(0).path("values")) {
      if (sample.get(1).asDouble() >= value) {
        return sample.get(0).asDouble();
      }
    }
    return fail(selector + " never reached " + value + ": " + range);
  }

  /**
   * Each dashboard's intervention annotation finds the demo's campaign while it runs: Grafana
   * draws a region from the first to the last scrape where its value is above 0.
   */
  @Test
  @Order(6)
  void interventionAnnotationsShowTheRunningCampaign() throws Exception {
    int annotations = 0;
    for (Dashboard d : dashboards()) {
      Map<String, String> values = assignments(d).get(0);
      for (Target t : d.targets()) {
        if (!t.panel().startsWith(ANNOTATION)) {
          continue;
        }
        annotations++;
        List<JsonNode> shown = prometheus.query(substitute(t.expr(), values));
        assertTrue(
            shown.stream().anyMatch(r -> CAMPAIGN.equals(r.path("metric").path("intervention")
                .asText()) && MONITOR.equals(r.path("metric").path("monitor").asText())),
            t + " does not show " + CAMPAIGN + ": " + shown);
      }
    }
    assertEquals(3, annotations, "dashboards with an intervention annotation");
  }

  /** The test's own parsing, on a known dashboard fragment. */
  @Test
  @Order(0)
  void substitutionReplacesEveryVariableForm() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("monitor", "demo");
    values.put("node", "visits");
    assertEquals(
        "rate(x{monitor=\"demo\", node=~\"visits\", m=\"demo\"}[1m])",
        substitute("rate(x{monitor=\"$monitor\", node=~\"${node:regex}\", m=\"[[monitor]]\"}"
            + "[$__rate_interval])", values));
    assertEquals("x{a=\"$unknown\"}", substitute("x{a=\"$unknown\"}", values));
    Matcher m = LABEL_VALUES.matcher("label_values(cim_impact_step{monitor=\"$monitor\"}, node)");
    assertTrue(m.matches());
    assertEquals("cim_impact_step{monitor=\"$monitor\"}", m.group(1));
    assertEquals("node", m.group(2));
    Matcher bare = LABEL_VALUES.matcher("label_values(monitor)");
    assertTrue(bare.matches());
    assertEquals(null, bare.group(1));
    Set<String> names = new LinkedHashSet<>();
    Matcher v = VARIABLE.matcher("$a ${b} [[c]] ${d:csv}");
    while (v.find()) {
      names.add(v.group(1) != null ? v.group(1) : v.group(2) != null ? v.group(2) : v.group(3));
    }
    assertEquals(Set.of("a", "b", "c", "d"), names);
  }
}
