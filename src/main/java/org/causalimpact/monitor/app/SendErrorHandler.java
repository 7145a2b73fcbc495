package org.causalimpact.monitor.app;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.causalimpact.monitor.live.OutputGuard;
import org.causalimpact.monitor.live.StreamListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production exception handler: what happens when Kafka refuses a record the topology sent.
 * A retriable error is retried (as Kafka's default handler does). Any other error on an output or
 * dead-letter topic is logged, counted ({@code cim.send.errors}, tagged with the topic and a
 * bounded reason: {@code too-large}, {@code invalid-timestamp}, {@code invalid-record}, {@code
 * serialization} or {@code send-failed}) and reported to the {@link OutputGuard}, and the stream
 * resumes. A record of a changelog topic cannot be dropped without losing state, so there the
 * stream stops, as it did without this handler.
 *
 * <p>Under exactly-once, resuming does not keep the stream thread alive: the failed send put the
 * transaction in an error state, so the next send or commit stops the thread (Kafka Streams
 * 4.3.1, measured; KAFKA-15259). {@link StreamsRunner} then replaces the thread, which processes
 * the task's input again from its last commit, and the {@link OutputGuard} stops the refused
 * record before it is sent and dead-letters it. Under at-least-once the record is dropped and
 * processing goes on. This handler itself writes no dead letter: it may run on the producer's
 * network thread, which a send to another topic could block.
 *
 * <p>Kafka Streams creates it by class name ({@code production.exception.handler}); the guard and
 * the listener are passed as objects in the Streams configuration ({@link #GUARD}, {@link
 * #LISTENER}). Thread-safe.
 */
public final class SendErrorHandler implements ProductionExceptionHandler {
  /** The configuration key of the {@link OutputGuard} that the topology checks. */
  public static final String GUARD = "cim.output.guard";

  /** The configuration key of the {@link StreamListener} that counts refused records. */
  public static final String LISTENER = "cim.stream.listener";

  private static final Logger LOG = LoggerFactory.getLogger(SendErrorHandler.class);

  private volatile OutputGuard guard = OutputGuard.defaults();
  private volatile StreamListener listener = StreamListener.NONE;

  @Override
  public void configure(Map<String, ?> configs) {
    if (configs.get(GUARD) instanceof OutputGuard g) {
      guard = g;
    }
    if (configs.get(LISTENER) instanceof StreamListener l) {
      listener = l;
    }
  }

  @Override
  public Response handleError(
      ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
    if (exception instanceof RetriableException) {
      return Response.retry();
    }
    String reason = reason(exception);
    listener.sendFailed(record.topic(), reason);
    if (isChangelog(record.topic())) {
      LOG.error(
          "Kafka refused a record of the state changelog {} ({}, key {}, {} bytes): the stream"
              + " stops rather than lose state",
          record.topic(), reason, OutputGuard.keyText(record.key()), size(record), exception);
      return Response.fail();
    }
    boolean first =
        guard.refused(
            record.topic(), record.key(), record.value(), record.headers(),
            reason.equals("too-large"), exception);
    if (first) {
      LOG.error(
          "Kafka refused a record for topic {} ({}, key {}, {} bytes): {}; it is dropped, and"
              + " stopped before it is sent if it comes again",
          record.topic(), reason, OutputGuard.keyText(record.key()), size(record),
          exception.toString());
    }
    return Response.resume();
  }

  @Override
  @SuppressWarnings("rawtypes") // as Kafka declares it
  public Response handleSerializationError(
      ErrorHandlerContext context,
      ProducerRecord record,
      Exception exception,
      SerializationExceptionOrigin origin) {
    listener.sendFailed(record.topic(), "serialization");
    if (isChangelog(record.topic())) {
      LOG.error(
          "cannot serialize the {} of a record of the state changelog {}: the stream stops rather"
              + " than lose state",
          origin, record.topic(), exception);
      return Response.fail();
    }
    // nothing was sent: the transaction is intact, and the stream goes on without this record
    LOG.error(
        "cannot serialize the {} of a record for topic {}; it is dropped",
        origin, record.topic(), exception);
    return Response.resume();
  }

  /** The bounded reason word of a send error. */
  static String reason(Exception e) {
    if (e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException) {
      return "too-large";
    }
    if (e instanceof InvalidTimestampException) {
      return "invalid-timestamp";
    }
    if (e instanceof InvalidRecordException) {
      return "invalid-record";
    }
    return "send-failed";
  }

  private static boolean isChangelog(String topic) {
    return topic.endsWith("-changelog");
  }

  private static int size(ProducerRecord<byte[], byte[]> r) {
    return OutputGuard.size(r.key(), r.value(), r.headers());
  }
}
