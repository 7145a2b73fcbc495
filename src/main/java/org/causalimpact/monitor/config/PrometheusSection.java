package org.causalimpact.monitor.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A node's {@code prometheus} block of a monitor file ({@link MonitorLoader} documents its
 * format): {@code {metric: NAME, labels: {k: v, ...}}}.
 */
final class PrometheusSection {
  private PrometheusSection() {}

  /** The node's selector, or {@code null} when it has no {@code prometheus} block. */
  static PrometheusSelector parse(YamlMap node) {
    YamlMap p = node.optionalMapping("prometheus");
    if (p == null) {
      return null;
    }
    p.allowOnly("metric", "labels");
    String metric =
        p.string(
            p.require(
                "metric",
                "name the Prometheus metric whose samples feed this node, e.g."
                    + " 'prometheus: {metric: http_requests_total, labels: {job: shop}}'"),
            "metric");
    if (!PrometheusSelector.METRIC_NAME.matcher(metric).matches()) {
      throw p.fail(
          "metric",
          "must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), got '" + metric + "'");
    }
    Map<String, String> labels = new LinkedHashMap<>();
    YamlMap given = p.optionalMapping("labels");
    if (given != null) {
      for (String name : given.keys()) {
        JsonNode v = given.get(name);
        if (v == null || !v.isTextual()) {
          throw given.fail(
              name,
              "must be the label's value as text, got " + YamlMap.describe(v)
                  + (v != null && v.isValueNode() ? " (quote it: " + name + ": \"" + v.asText()
                      + "\")" : ""));
        }
        labels.put(name, v.textValue());
      }
    }
    return p.build("labels", () -> new PrometheusSelector(metric, labels));
  }
}
