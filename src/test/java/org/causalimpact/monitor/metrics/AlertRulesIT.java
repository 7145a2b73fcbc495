package org.causalimpact.monitor.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The alerting rules ({@code config/alerts.yml}) and their unit tests ({@code
 * config/alerts.test.yml}) through Debian's {@code promtool}, and the compose stack's Prometheus
 * and Alertmanager configurations. Skipped where {@code promtool} is not installed ({@code apt-get
 * install prometheus}).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AlertRulesIT {
  private static final Path RULES = Path.of("config", "alerts.yml");
  private static final Path RULE_TESTS = Path.of("config", "alerts.test.yml");
  private static final Path PROMETHEUS = Path.of("config", "prometheus.yml");
  private static final Path ALERTMANAGER = Path.of("config", "alertmanager.yml");
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
  private static final YAMLMapper YAML = new YAMLMapper();

  private static Path promtool;

  @BeforeAll
  static void findPromtool() {
    promtool = PrometheusTools.find("promtool").orElse(null);
    assumeTrue(promtool != null, "promtool is not installed (apt-get install prometheus)");
  }

  /** Every alerting rule of alerts.yml, by name, in file order. */
  static Map<String, JsonNode> alertRules(Path file) throws IOException {
    Map<String, JsonNode> rules = new LinkedHashMap<>();
    for (JsonNode group : YAML.readTree(file.toFile()).path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        if (rule.has("alert")) {
          JsonNode old = rules.put(rule.get("alert").asText(), rule);
          assertTrue(old == null, "alert " + rule.get("alert").asText() + " defined twice");
        }
      }
    }
    return rules;
  }

  @Test
  void promtoolAcceptsTheRules() throws Exception {
    PrometheusTools.Run run =
        PrometheusTools.run(TOOL_TIMEOUT, List.of(promtool.toString(), "check", "rules",
            RULES.toString()));
    assertEquals(0, run.code(), run.toString());
    // promtool counts every rule it parsed; it must be every rule this test reads
    Matcher found = Pattern.compile("SUCCESS: (\\d+) rules found").matcher(run.out());
    assertTrue(found.find(), run.toString());
    int rules = alertRules(RULES).size();
    assertTrue(rules >= 5, "expected at least the five alerts of the brief, got " + rules);
    assertEquals(rules, Integer.parseInt(found.group(1)), run.toString());
  }

  @Test
  void ruleUnitTestsPass() throws Exception {
    PrometheusTools.Run run =
        PrometheusTools.run(TOOL_TIMEOUT, List.of(promtool.toString(), "test", "rules",
            RULE_TESTS.toString()));
    assertEquals(0, run.code(), run.toString());
    assertTrue(run.out().contains("SUCCESS"), run.toString());
  }

  /** Each alert has a case where it fires and one where it stays quiet. */
  @Test
  void everyAlertIsTestedFiringAndNotFiring() throws Exception {
    Set<String> alerts = alertRules(RULES).keySet();
    JsonNode tests = YAML.readTree(RULE_TESTS.toFile());
    List<String> ruleFiles = new ArrayList<>();
    tests.path("rule_files").forEach(f -> ruleFiles.add(f.asText()));
    assertEquals(List.of(RULES.getFileName().toString()), ruleFiles,
        RULE_TESTS + " must test " + RULES);

    Set<String> firing = new HashSet<>();
    Set<String> quiet = new HashSet<>();
    Set<String> unknown = new LinkedHashSet<>();
    for (JsonNode test : tests.path("tests")) {
      for (JsonNode check : test.path("alert_rule_test")) {
        String name = check.path("alertname").asText();
        if (!alerts.contains(name)) {
          unknown.add(name);
        }
        JsonNode expected = check.path("exp_alerts");
        if (expected.isArray() && expected.size() > 0) {
          firing.add(name);
        } else {
          quiet.add(name);
        }
      }
    }
    assertTrue(unknown.isEmpty(), "tests name alerts that alerts.yml lacks: " + unknown);
    List<String> missing = new ArrayList<>();
    for (String alert : alerts) {
      if (!firing.contains(alert)) {
        missing.add(alert + " (no firing case)");
      }
      if (!quiet.contains(alert)) {
        missing.add(alert + " (no not-firing case)");
      }
    }
    assertTrue(missing.isEmpty(), "untested: " + missing);
  }

  /** What a receiver of the alerts needs: a severity to route on, and text to read. */
  @Test
  void everyAlertHasSeverityAndText() throws Exception {
    Set<String> severities = Set.of("info", "warning", "critical");
    for (Map.Entry<String, JsonNode> e : alertRules(RULES).entrySet()) {
      JsonNode rule = e.getValue();
      assertTrue(severities.contains(rule.path("labels").path("severity").asText()),
          e.getKey() + ": severity must be one of " + severities + ", got " + rule.path("labels"));
      for (String annotation : List.of("summary", "description")) {
        assertFalse(rule.path("annotations").path(annotation).asText().isBlank(),
            e.getKey() + " has no " + annotation + " annotation");
      }
    }
  }

  @Test
  void prometheusConfigIsValidAndLoadsTheRules() throws Exception {
    // promtool resolves rule_files relative to the config and checks them too; scrape targets
    // are not contacted, so the compose service names need not resolve here
    PrometheusTools.Run run =
        PrometheusTools.run(TOOL_TIMEOUT, List.of(promtool.toString(), "check", "config",
            PROMETHEUS.toString()));
    assertEquals(0, run.code(), run.toString());
    List<String> ruleFiles = new ArrayList<>();
    YAML.readTree(PROMETHEUS.toFile()).path("rule_files").forEach(f -> ruleFiles.add(f.asText()));
    assertEquals(List.of(RULES.getFileName().toString()), ruleFiles);
    assertTrue(
        run.out().contains("SUCCESS: " + alertRules(RULES).size() + " rules found"),
        run.toString());
  }

  /**
   * Routes end in defined receivers and inhibit rules name defined alerts: checked here without
   * amtool, so it holds where Alertmanager is not installed ({@code AlertmanagerIT} runs amtool).
   */
  @Test
  void alertmanagerRoutesEndInDefinedReceivers() throws Exception {
    JsonNode config = YAML.readTree(ALERTMANAGER.toFile());
    Set<String> receivers = new HashSet<>();
    config.path("receivers").forEach(r -> receivers.add(r.path("name").asText()));
    assertFalse(receivers.isEmpty(), "no receivers in " + ALERTMANAGER);
    List<String> routed = new ArrayList<>();
    collectReceivers(config.path("route"), routed);
    assertFalse(routed.isEmpty() || routed.get(0).isEmpty(), "the top route needs a receiver");
    for (String r : routed) {
      assertTrue(r.isEmpty() || receivers.contains(r), "route to undefined receiver " + r);
    }
    // inhibit rules must name alerts that exist
    Set<String> alerts = alertRules(RULES).keySet();
    Pattern name = Pattern.compile("alertname\\s*=\\s*\"([^\"]+)\"");
    for (JsonNode rule : config.path("inhibit_rules")) {
      for (String side : List.of("source_matchers", "target_matchers")) {
        for (JsonNode matcher : rule.path(side)) {
          Matcher m = name.matcher(matcher.asText());
          if (m.find()) {
            assertTrue(alerts.contains(m.group(1)), "inhibit rule names unknown alert "
                + m.group(1));
          }
        }
      }
    }
  }

  private static void collectReceivers(JsonNode route, List<String> into) {
    into.add(route.path("receiver").asText());
    for (JsonNode child : route.path("routes")) {
      collectReceivers(child, into);
    }
  }
}
