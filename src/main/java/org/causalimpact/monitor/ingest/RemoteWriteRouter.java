package org.causalimpact.monitor.ingest;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.PrometheusSelector;
import org.causalimpact.monitor.wire.InputJson;

/**
 * Turns the samples of remote-written series into metric points for the {@code metrics} topic,
 * by the {@code prometheus} selectors of the monitors' nodes: a sample of a series a node's
 * selector matches becomes the point {@code {"series": node, "timestamp", "value"}} keyed by the
 * node's monitor, as an ingest client would write it, so the stream aligns and dead-letters it as
 * any other point.
 *
 * <p>With inputs keyed by monitor ({@value Router#KEYED_BY_MONITOR}) each matching monitor gets
 * its own point. Otherwise a point reaches every monitor with a node of its name (see {@link
 * PointRouter}), so one point is written per node name, keyed by the first such monitor by name,
 * and monitors that share a node name must give it the same selector (checked when the router is
 * made).
 *
 * <p>Each sample is counted once by its {@link SampleOutcome}. Samples the stream would
 * dead-letter are counted and not written, by the stream's own checks ({@link Inputs}): a value
 * that is not finite or larger than {@link Inputs#MAX_ABS_VALUE}, a timestamp before 1970 or after
 * 9999. Prometheus' staleness markers (a NaN with a fixed bit pattern, sent when a series
 * disappears) are counted {@code stale}: the grid marks a cell without points as imputed anyway.
 * Immutable and thread-safe.
 */
public final class RemoteWriteRouter {
  /** The bits of the NaN Prometheus writes as a staleness marker ({@code value.StaleNaN}). */
  static final long STALE_NAN_BITS = 0x7ff0000000000002L;

  /** One node a selector feeds. */
  private record Target(String monitor, String node, PrometheusSelector selector) {}

  /**
   * One point to write.
   *
   * @param key the record key, a monitor's name
   * @param timestamp the sample's time, epoch milliseconds (also the record's timestamp)
   * @param value the point's JSON, {@code {"series", "timestamp", "value"}}
   */
  public record Point(String key, long timestamp, byte[] value) {}

  /** The points of a request and how many of its samples went each way. */
  public record Routed(List<Point> points, Map<SampleOutcome, Long> samples) {}

  /** What became of one sample; the words are the tags of the samples counter. */
  public enum SampleOutcome {
    ACCEPTED("accepted"),
    UNMATCHED("unmatched"),
    STALE("stale"),
    NON_FINITE("non-finite"),
    OUT_OF_RANGE("out-of-range"),
    BAD_TIMESTAMP("bad-timestamp"),
    /** Matched, but Kafka did not take the request's points (Prometheus sends them again). */
    UNWRITTEN("unwritten");

    private final String word;

    SampleOutcome(String word) {
      this.word = word;
    }

    public String word() {
      return word;
    }
  }

  /** The targets of each metric name. */
  private final Map<String, List<Target>> byMetric;

  /**
   * @param monitors the monitors; those without selectors are left out
   * @param keyedByMonitor whether inputs are keyed by monitor name
   * @throws IllegalArgumentException when inputs are not keyed by monitor and two monitors give
   *     one node name different selectors; the message names them and the way out
   */
  public RemoteWriteRouter(Collection<MonitorDefinition> monitors, boolean keyedByMonitor) {
    Map<String, List<Target>> metrics = new LinkedHashMap<>();
    Map<String, Target> byNode = new LinkedHashMap<>();
    monitors.stream()
        .sorted(Comparator.comparing(MonitorDefinition::name))
        .forEach(m -> m.prometheus().forEach((node, selector) -> {
          Target t = new Target(m.name(), node, selector);
          Target first = byNode.putIfAbsent(node, t);
          if (keyedByMonitor || first == null) {
            metrics.computeIfAbsent(selector.metric(), k -> new ArrayList<>()).add(t);
          } else if (!first.selector().equals(selector)) {
            throw new IllegalArgumentException(
                "monitors " + first.monitor() + " and " + m.name() + " both have node '" + node
                    + "' fed by Prometheus, from " + first.selector() + " and " + selector
                    + ": a point reaches every monitor with a node of its name, so give both"
                    + " the same selector, rename one node, or key inputs by monitor ("
                    + Router.KEYED_BY_MONITOR + "=true)");
          }
        }));
    metrics.replaceAll((k, v) -> List.copyOf(v));
    this.byMetric = Map.copyOf(metrics);
  }

  /** Whether any node is fed by Prometheus. */
  public boolean isEmpty() {
    return byMetric.isEmpty();
  }

  /** The points of {@code series} and the count of each outcome (every outcome present). */
  public Routed route(List<RemoteWriteDecoder.Series> series) {
    Map<SampleOutcome, Long> counts = new EnumMap<>(SampleOutcome.class);
    for (SampleOutcome o : SampleOutcome.values()) {
      counts.put(o, 0L);
    }
    List<Point> points = new ArrayList<>();
    for (RemoteWriteDecoder.Series s : series) {
      List<Target> targets = matching(s.labels());
      for (RemoteWriteDecoder.Sample sample : s.samples()) {
        SampleOutcome o = targets.isEmpty() ? SampleOutcome.UNMATCHED : check(sample);
        if (o == SampleOutcome.ACCEPTED) {
          for (Target t : targets) {
            points.add(point(t, sample));
          }
        }
        counts.merge(o, 1L, Long::sum);
      }
    }
    return new Routed(List.copyOf(points), counts);
  }

  private List<Target> matching(Map<String, String> labels) {
    List<Target> candidates = byMetric.get(labels.get(PrometheusSelector.NAME_LABEL));
    if (candidates == null) {
      return List.of();
    }
    List<Target> out = new ArrayList<>(1);
    for (Target t : candidates) {
      if (t.selector().matches(labels)) {
        out.add(t);
      }
    }
    return out;
  }

  /** The stream's checks of a point's value and timestamp, staleness markers first. */
  private static SampleOutcome check(RemoteWriteDecoder.Sample sample) {
    if (Double.doubleToRawLongBits(sample.value()) == STALE_NAN_BITS) {
      return SampleOutcome.STALE;
    }
    try {
      Inputs.number("value", Inputs.Field.real(sample.value()));
      Inputs.timestamp("timestamp", Inputs.Field.integer(sample.timestamp()));
    } catch (Rejected r) {
      for (SampleOutcome o : SampleOutcome.values()) {
        if (o.word().equals(r.reason())) {
          return o;
        }
      }
      throw new IllegalStateException("no sample outcome for the reason " + r.reason(), r);
    }
    return SampleOutcome.ACCEPTED;
  }

  private static Point point(Target t, RemoteWriteDecoder.Sample sample) {
    String json =
        InputJson.text(
            new InputJson.Point(
                t.node(), Instant.ofEpochMilli(sample.timestamp()).toString(), sample.value()));
    return new Point(t.monitor(), sample.timestamp(), json.getBytes(StandardCharsets.UTF_8));
  }
}
