package org.causalimpact.monitor.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.Response;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.Result;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.SerializationExceptionOrigin;
import org.causalimpact.monitor.live.OutputGuard;
import org.causalimpact.monitor.live.StreamListener;
import org.junit.jupiter.api.Test;

/**
 * What the production exception handler answers, counts and reports to the guard. The embedded
 * broker test ({@code PoisonRecordsIT}) shows what Kafka Streams then does.
 */
class SendErrorHandlerTest {
  private final OutputGuard guard = OutputGuard.defaults();
  private final List<String> counted = new ArrayList<>();
  private final SendErrorHandler handler = new SendErrorHandler();

  SendErrorHandlerTest() {
    StreamListener listener =
        new StreamListener() {
          @Override
          public void sendFailed(String topic, String reason) {
            counted.add(topic + ":" + reason);
          }
        };
    handler.configure(Map.of(SendErrorHandler.GUARD, guard, SendErrorHandler.LISTENER, listener));
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, String value) {
    return new ProducerRecord<>(
        topic, "k".getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aRecordTooLargeIsCountedTheStreamResumesAndTheGuardLearnsItsSize() {
    ProducerRecord<byte[], byte[]> big = record("impact.summary", "x".repeat(5000));
    RecordTooLargeException e = new RecordTooLargeException("too large");
    Response r = handler.handleError(null, big, e);
    assertEquals(Result.RESUME, r.result());
    assertTrue(r.deadLetterQueueRecords().isEmpty(), "no dead letter from a producer thread");
    assertEquals(List.of("impact.summary:too-large"), counted);
    assertEquals(OutputGuard.size(big.key(), big.value(), big.headers()) - 1,
        guard.limit("impact.summary"));
    assertNotNull(guard.refusedBefore("impact.summary", big.key(), big.value()));
    assertTrue(guard.causedByRefusal(new RuntimeException("commit failed", e)));

    // the other records of the lost transaction come with the same error: counted, not learned
    ProducerRecord<byte[], byte[]> small = record("impact", "y");
    assertEquals(Result.RESUME, handler.handleError(null, small, e).result());
    assertNull(guard.refusedBefore("impact", small.key(), small.value()));
    assertEquals(OutputGuard.KAFKA_DEFAULT, guard.limit("impact"));
  }

  @Test
  void otherRefusalsAreRememberedWithABoundedReason() {
    handler.handleError(null, record("impact", "a"), new InvalidTimestampException("ts"));
    handler.handleError(null, record("impact", "b"), new InvalidRecordException("null key"));
    handler.handleError(null, record("impact", "c"), new IllegalArgumentException("odd"));
    assertEquals(
        List.of("impact:invalid-timestamp", "impact:invalid-record", "impact:send-failed"),
        counted);
    assertNotNull(guard.refusedBefore("impact", "k".getBytes(StandardCharsets.UTF_8),
        "b".getBytes(StandardCharsets.UTF_8)));
    assertEquals(OutputGuard.KAFKA_DEFAULT, guard.limit("impact"), "only too-large lowers it");
  }

  @Test
  void aRetriableErrorIsRetriedAndNotCounted() {
    Response r =
        handler.handleError(null, record("impact", "a"), new NotEnoughReplicasException("isr"));
    assertEquals(Result.RETRY, r.result());
    assertEquals(List.of(), counted);
  }

  @Test
  void aChangelogRecordIsNeverDropped() {
    ProducerRecord<byte[], byte[]> state = record("app-monitor-state-changelog", "s");
    RecordTooLargeException e = new RecordTooLargeException("too large");
    assertEquals(Result.FAIL, handler.handleError(null, state, e).result());
    assertEquals(List.of("app-monitor-state-changelog:too-large"), counted);
    assertFalse(guard.causedByRefusal(e), "the thread is not replaced: it would fail again");
    assertEquals(
        Result.FAIL,
        handler
            .handleSerializationError(
                null, state, new SerializationException("x"), SerializationExceptionOrigin.VALUE)
            .result());
  }

  @Test
  void aRecordThatCannotBeSerializedIsDroppedAndCounted() {
    Response r =
        handler.handleSerializationError(
            null, record("impact", "a"), new SerializationException("x"),
            SerializationExceptionOrigin.VALUE);
    assertEquals(Result.RESUME, r.result());
    assertEquals(List.of("impact:serialization"), counted);
  }

  @Test
  void theStreamsConfigurationNamesThisHandler() {
    Properties p = KafkaConfigs.streams(Map.of(), "app");
    assertEquals(
        SendErrorHandler.class.getName(),
        p.get(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG));
    Properties mine =
        KafkaConfigs.streams(
            Map.of(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, "x.Mine"), "app");
    assertEquals("x.Mine", mine.get(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG),
        "a setting given wins");
  }
}
