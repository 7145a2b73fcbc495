package org.causalimpact.monitor.live;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.causalimpact.monitor.ingest.DeadLetter;
import org.causalimpact.monitor.ingest.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a processor writes: output records to the topic each names, and dead letters (original
 * bytes, reason headers) counted by the listener. Every record is checked by the {@link
 * OutputGuard} before it is forwarded, so that none fails in the producer and stops the stream: an
 * output larger than its topic takes becomes a dead letter on {@code <topic>.dlq} with reason
 * {@value #TOO_LARGE}, one Kafka refused before with reason {@value #REFUSED} (its first bytes,
 * its size and digest, the error); a dead letter too large for its topic is written without its
 * value; one that still does not fit, or whose topic does not exist, is counted and logged only.
 * One per processor, on its thread.
 */
final class Emitter {
  /** The reason of an output larger than its topic takes. */
  static final String TOO_LARGE = "too-large";

  /** The reason of an output Kafka refused when it was sent before (and the task started over). */
  static final String REFUSED = "refused";

  private static final Logger LOG = LoggerFactory.getLogger(Emitter.class);

  private final ProcessorContext<byte[], Output> context;
  private final StreamListener listener;
  private final OutputGuard guard;

  Emitter(ProcessorContext<byte[], Output> context, StreamListener listener, OutputGuard guard) {
    this.context = context;
    this.listener = listener;
    this.guard = guard;
  }

  /** A record of {@code value}'s bytes to {@code topic}, keyed {@code key}. */
  void emit(String topic, String key, byte[] value, long timestamp) {
    emit(topic, key.getBytes(StandardCharsets.UTF_8), value, timestamp);
  }

  void emit(String topic, byte[] key, byte[] value, long timestamp) {
    int size = OutputGuard.size(key, value, null);
    int limit = guard.limit(topic);
    String reason = null;
    String error = null;
    if (size > limit) {
      reason = TOO_LARGE;
      error =
          "the record of " + size + " bytes exceeds the " + limit + " bytes that topic " + topic
              + " takes (the producer's max.request.size, the topic's max.message.bytes)";
    } else {
      String before = guard.refusedBefore(topic, key, value);
      if (before != null) {
        reason = REFUSED;
        error = "Kafka refused this record when it was sent before: " + before;
      }
    }
    if (reason == null) {
      context.forward(new Record<>(key, new Output(topic, value), timestamp));
      return;
    }
    LOG.warn(
        "an output for topic {} (key {}, {} bytes) is not written, it goes to {}: {}",
        topic, OutputGuard.keyText(key), size, DeadLetter.topicOf(topic), error);
    dead(new DeadLetter(reason, error, new Source(topic, -1, -1, key, value)), null, timestamp);
  }

  /** The input of {@code source} to its dead-letter topic, with why. */
  void dead(String reason, String message, Source source, String monitor) {
    dead(new DeadLetter(reason, message, source), monitor, context.currentStreamTimeMs());
  }

  /** {@code d} to its dead-letter topic at {@code timestamp}, counted for {@code monitor}. */
  void dead(DeadLetter d, String monitor, long timestamp) {
    listener.deadLetter(d.source().topic(), d.reason(), monitor);
    String topic = d.topic();
    byte[] key = d.source().key();
    byte[] value = d.source().value();
    Headers headers = d.headers();
    int limit = guard.limit(topic);
    if (OutputGuard.size(key, value, headers) > limit) {
      value = null;
    }
    String problem =
        guard.missing(topic)
            ? "topic " + topic + " does not exist"
            : OutputGuard.size(key, value, headers) > limit
                ? "even without its value it exceeds the " + limit + " bytes topic " + topic
                    + " takes"
                : null;
    if (problem != null) {
      LOG.warn(
          "a dead letter ({}, source {}-{}@{}) is not written: {}; {}",
          d.reason(), d.source().topic(), d.source().partition(), d.source().offset(), problem,
          d.error());
      return;
    }
    context.forward(new Record<>(key, new Output(topic, value), timestamp, headers));
  }
}
