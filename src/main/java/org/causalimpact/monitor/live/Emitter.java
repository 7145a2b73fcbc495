package org.causalimpact.monitor.live;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.causalimpact.monitor.ingest.DeadLetter;
import org.causalimpact.monitor.ingest.Source;

/**
 * What the monitor processor writes: output records to the topic each names, and dead letters
 * (original bytes, reason headers) counted by the listener. One per processor, on its thread.
 */
final class Emitter {
  private final ProcessorContext<byte[], Output> context;
  private final StreamListener listener;

  Emitter(ProcessorContext<byte[], Output> context, StreamListener listener) {
    this.context = context;
    this.listener = listener;
  }

  /** A record of {@code value}'s bytes to {@code topic}, keyed {@code key}. */
  void emit(String topic, String key, byte[] value, long timestamp) {
    emit(topic, key.getBytes(StandardCharsets.UTF_8), value, timestamp);
  }

  void emit(String topic, byte[] key, byte[] value, long timestamp) {
    context.forward(new Record<>(key, new Output(topic, value), timestamp));
  }

  /** The input of {@code source} to its dead-letter topic, with why. */
  void dead(String reason, String message, Source source, String monitor) {
    DeadLetter d = new DeadLetter(reason, message, source);
    listener.deadLetter(source.topic(), reason, monitor);
    context.forward(
        new Record<>(
            source.key(),
            new Output(d.topic(), source.value()),
            context.currentStreamTimeMs(),
            d.headers()));
  }
}
