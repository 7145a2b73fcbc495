package org.causalimpact.monitor.live;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.causalimpact.monitor.app.StreamsConfigs;
import org.causalimpact.monitor.ingest.DeadLetter;
import org.causalimpact.monitor.ingest.Envelope;
import org.causalimpact.monitor.ingest.Inputs;
import org.causalimpact.monitor.ingest.Rejected;
import org.causalimpact.monitor.ingest.Routed;
import org.causalimpact.monitor.ingest.Source;

/**
 * Parses metric points and sends each to every monitor that has its series as a node, keyed by
 * the monitor; anything unusable becomes a dead letter. Never throws on data.
 *
 * <p>With inputs keyed by monitor ({@link StreamSettings#keyedByMonitor()}) a point goes to the
 * monitor its record key names, and only there: a point without a key, or whose key names no
 * monitor or a monitor without its series, is a dead letter.
 */
final class MetricRouter implements Processor<byte[], byte[], String, Routed> {
  private final Map<String, List<String>> monitorsBySeries;
  private final boolean keyedByMonitor;
  private ProcessorContext<String, Routed> context;

  MetricRouter(Map<String, List<String>> monitorsBySeries, boolean keyedByMonitor) {
    this.monitorsBySeries = monitorsBySeries;
    this.keyedByMonitor = keyedByMonitor;
  }

  @Override
  public void init(ProcessorContext<String, Routed> context) {
    this.context = context;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    Source source = source(context, record);
    try {
      Inputs.Point point = Inputs.point(record.value());
      List<String> monitors = monitorsBySeries.get(point.series());
      if (monitors == null) {
        throw new Rejected(
            "unknown-series", "no monitor has a node named '" + point.series() + "'");
      }
      if (keyedByMonitor) {
        forward(keyedMonitor(record.key(), point.series(), monitors), point, source);
      } else {
        for (String m : monitors) {
          forward(m, point, source);
        }
      }
    } catch (Rejected r) {
      context.forward(
          new Record<String, Routed>(
              null, Routed.dead(new DeadLetter(r.reason(), r.getMessage(), source)),
              record.timestamp()));
    }
  }

  private void forward(String monitor, Inputs.Point point, Source source) {
    context.forward(
        new Record<>(
            monitor,
            Routed.live(Envelope.point(point.series(), point.timestamp(), point.value(), source)),
            point.timestamp()));
  }

  /** The monitor a point's key names, one of those with its series as a node. */
  private static String keyedMonitor(byte[] key, String series, List<String> monitors)
      throws Rejected {
    if (key == null || key.length == 0) {
      throw new Rejected(
          "missing-key",
          "the point has no key, and with " + StreamsConfigs.KEYED_BY_MONITOR + "=true every"
              + " point is keyed by the name of its monitor ("
              + String.join(", ", monitors) + " for series '" + series + "')");
    }
    String named = new String(key, StandardCharsets.UTF_8);
    if (!monitors.contains(named)) {
      throw new Rejected(
          "wrong-key",
          "the point's key '" + named + "' is not a monitor with a node named '" + series
              + "'; with " + StreamsConfigs.KEYED_BY_MONITOR + "=true key it by its monitor ("
              + String.join(", ", monitors) + "), once for each monitor that should get it");
    }
    return named;
  }

  static Source source(ProcessorContext<?, ?> context, Record<byte[], byte[]> record) {
    RecordMetadata meta = context.recordMetadata().orElse(null);
    return new Source(
        meta == null ? "unknown" : meta.topic(),
        meta == null ? -1 : meta.partition(),
        meta == null ? -1 : meta.offset(),
        record.key(),
        record.value());
  }
}
