package org.causalimpact.monitor.config;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Which Prometheus series feed a monitor node through the remote-write receiver: those named
 * {@code metric} whose labels include every pair of {@code labels} (other labels may be present).
 * The same rule as the PromQL selector {@code metric{k1="v1", k2="v2"}} with equality matchers
 * only. Immutable.
 *
 * @param metric the metric name ({@code __name__}), {@code [a-zA-Z_:][a-zA-Z0-9_:]*}
 * @param labels label name to required value; names {@code [a-zA-Z_][a-zA-Z0-9_]*} and not
 *     starting with {@code __} (reserved by Prometheus), values non-empty
 */
public record PrometheusSelector(String metric, Map<String, String> labels) {
  /** Prometheus' rule for metric names. */
  public static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  /** Prometheus' rule for label names. */
  public static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  /** The label holding a series' metric name. */
  public static final String NAME_LABEL = "__name__";

  public PrometheusSelector {
    Objects.requireNonNull(metric, "metric");
    if (!METRIC_NAME.matcher(metric).matches()) {
      throw new IllegalArgumentException(
          "metric must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), got '" + metric
              + "'");
    }
    labels = Map.copyOf(labels);
    labels.forEach(
        (name, value) -> {
          if (!LABEL_NAME.matcher(name).matches() || name.startsWith("__")) {
            throw new IllegalArgumentException(
                "label names must match [a-zA-Z_][a-zA-Z0-9_]* and not start with '__' (the"
                    + " metric name is given by 'metric'), got '" + name + "'");
          }
          if (value.isEmpty()) {
            throw new IllegalArgumentException(
                "label '" + name + "' has an empty value; give the value the series carries, or"
                    + " leave the label out to take every value");
          }
        });
  }

  /**
   * Whether the series with these labels (its metric name under {@value #NAME_LABEL}) is one of
   * this selector's.
   */
  public boolean matches(Map<String, String> series) {
    if (!metric.equals(series.get(NAME_LABEL))) {
      return false;
    }
    for (Map.Entry<String, String> l : labels.entrySet()) {
      if (!l.getValue().equals(series.get(l.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** The selector in PromQL, e.g. {@code http_requests_total{job="shop"}}, labels sorted. */
  @Override
  public String toString() {
    if (labels.isEmpty()) {
      return metric;
    }
    StringBuilder b = new StringBuilder(metric).append('{');
    new TreeMap<>(labels)
        .forEach((k, v) -> b.append(b.charAt(b.length() - 1) == '{' ? "" : ", ")
            .append(k).append("=\"").append(v.replace("\\", "\\\\").replace("\"", "\\\""))
            .append('"'));
    return b.append('}').toString();
  }
}
