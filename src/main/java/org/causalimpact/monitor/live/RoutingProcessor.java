package org.causalimpact.monitor.live;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.causalimpact.monitor.ingest.DeadLetter;
import org.causalimpact.monitor.ingest.Rejected;
import org.causalimpact.monitor.ingest.Routed;
import org.causalimpact.monitor.ingest.Router;
import org.causalimpact.monitor.ingest.Source;

/**
 * Runs a {@link Router} on each input record: every input it makes goes on keyed by its monitor,
 * stamped with its event time; a rejected record becomes one dead letter (no key, the record's
 * timestamp). The router reads the whole value; what goes on carries only the bounded copy of
 * {@link Source}. Never throws on data.
 */
final class RoutingProcessor implements Processor<byte[], byte[], String, Routed> {
  private final Router router;
  private ProcessorContext<String, Routed> context;

  RoutingProcessor(Router router) {
    this.router = router;
  }

  @Override
  public void init(ProcessorContext<String, Routed> context) {
    this.context = context;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    Source source = source(context, record);
    try {
      router.route(
          record.key(),
          record.value(),
          source,
          (monitor, input) -> context.forward(new Record<>(monitor, input, input.timestamp())));
    } catch (Rejected r) {
      context.forward(
          new Record<String, Routed>(null, DeadLetter.of(r, source), record.timestamp()));
    }
  }

  private static Source source(ProcessorContext<?, ?> context, Record<byte[], byte[]> record) {
    RecordMetadata meta = context.recordMetadata().orElse(null);
    return new Source(
        meta == null ? "unknown" : meta.topic(),
        meta == null ? -1 : meta.partition(),
        meta == null ? -1 : meta.offset(),
        record.key(),
        record.value());
  }
}
