package org.causalimpact.monitor.stream;

import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Parses metric points and sends each to every monitor that has its series as a node, keyed by
 * the monitor; anything unusable becomes a dead letter. Never throws on data.
 */
final class MetricRouter implements Processor<byte[], byte[], String, Routed> {
  private final Map<String, List<String>> monitorsBySeries;
  private ProcessorContext<String, Routed> context;

  MetricRouter(Map<String, List<String>> monitorsBySeries) {
    this.monitorsBySeries = monitorsBySeries;
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
      for (String m : monitors) {
        context.forward(
            new Record<>(
                m,
                Routed.live(
                    Envelope.point(point.series(), point.timestamp(), point.value(), source)),
                point.timestamp()));
      }
    } catch (Rejected r) {
      context.forward(
          new Record<String, Routed>(
              null, Routed.dead(new DeadLetter(r.reason(), r.getMessage(), source)),
              record.timestamp()));
    }
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
