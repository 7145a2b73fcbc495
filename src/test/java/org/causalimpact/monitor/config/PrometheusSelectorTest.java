package org.causalimpact.monitor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.causalimpact.monitor.InputException;
import org.junit.jupiter.api.Test;

/** A node's {@code prometheus} block: read, matched like PromQL, and its mistakes named. */
class PrometheusSelectorTest {
  private static MonitorDefinition parse(String visits) {
    return MonitorLoader.parse(
        "name: shop\npreWindow: 10\nnodes:\n  - name: visits\n" + visits
            + "  - name: signups\n    parents: [visits]\n",
        "shop.yaml");
  }

  private static String error(String visits) {
    return assertThrows(InputException.class, () -> parse(visits)).getMessage();
  }

  @Test
  void readsTheSelectorOfANode() {
    MonitorDefinition d =
        parse("    prometheus: {metric: 'http_requests:rate1m', labels: {job: shop, code: '200'}}\n");
    assertEquals(
        Map.of(
            "visits",
            new PrometheusSelector("http_requests:rate1m", Map.of("job", "shop", "code", "200"))),
        d.prometheus());
    assertEquals("http_requests:rate1m{code=\"200\", job=\"shop\"}",
        d.prometheus().get("visits").toString());
    assertEquals(Map.of(), parse("").prometheus(), "no block, no selector");
  }

  @Test
  void matchesTheMetricNameAndEveryGivenLabelAndIgnoresOthers() {
    PrometheusSelector s = new PrometheusSelector("up", Map.of("job", "shop"));
    assertTrue(s.matches(Map.of("__name__", "up", "job", "shop", "instance", "a")));
    assertFalse(s.matches(Map.of("__name__", "up", "job", "other")));
    assertFalse(s.matches(Map.of("__name__", "up")));
    assertFalse(s.matches(Map.of("__name__", "down", "job", "shop")));
    assertTrue(new PrometheusSelector("up", Map.of()).matches(Map.of("__name__", "up", "a", "b")));
  }

  @Test
  void namesEachMistakeWithFileNodeAndFix() {
    String typo = error("    prometheus: {metrc: up}\n");
    assertTrue(typo.startsWith("shop.yaml: nodes[0] 'visits': prometheus: unknown field 'metrc'"),
        typo);
    assertTrue(typo.contains("did you mean 'metric'"), typo);
    // the block as written -> a part of the message
    Map<String, String> mistakes =
        Map.of(
            "{labels: {job: shop}}", "missing required field 'prometheus.metric'",
            "{metric: 'http-requests'}", "prometheus.metric must be a Prometheus metric name",
            "{metric: up, labels: {code: 200}}", "quote it: code: \"200\"",
            "{metric: up, labels: {__name__: up}}", "not start with '__'",
            "{metric: up, labels: {job: ''}}", "label 'job' has an empty value",
            "up", "prometheus must be a mapping");
    mistakes.forEach(
        (block, part) -> {
          String message = error("    prometheus: " + block + "\n");
          assertTrue(message.startsWith("shop.yaml: nodes[0] 'visits': "), message);
          assertTrue(message.contains(part), block + " -> " + message);
        });
  }
}
