package org.causalimpact.monitor.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.Set;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.internal.AbstractRecords;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

/** The limits and the memory of refused records, without a topology. */
class OutputGuardTest {
  /**
   * The guard's size is never below what Kafka counts: the producer's estimate that it checks
   * against max.request.size, and the size of the batch the broker checks against
   * max.message.bytes. Random keys, values and headers, seed 19.
   */
  @Test
  void sizeIsAtLeastWhatTheProducerAndTheBrokerCount() {
    SplittableRandom random = new SplittableRandom(19);
    for (int i = 0; i < 500; i++) {
      byte[] key = random.nextInt(4) == 0 ? null : bytes(random, random.nextInt(300));
      byte[] value = random.nextInt(10) == 0 ? null : bytes(random, random.nextInt(70_000));
      RecordHeaders headers = new RecordHeaders();
      for (int h = random.nextInt(8); h > 0; h--) {
        headers.add("cim.h" + random.nextInt(1000), bytes(random, random.nextInt(1200)));
      }
      int ours = OutputGuard.size(key, value, headers);
      int producer =
          AbstractRecords.estimateSizeInBytesUpperBound(
              RecordBatch.CURRENT_MAGIC_VALUE,
              CompressionType.NONE,
              key,
              value,
              headers.toArray());
      int batch =
          MemoryRecords.withRecords(
                  Compression.NONE, new SimpleRecord(0L, key, value, headers.toArray()))
              .sizeInBytes();
      assertTrue(ours >= producer, "ours " + ours + ", producer " + producer + " at " + i);
      assertTrue(ours >= batch, "ours " + ours + ", batch " + batch + " at " + i);
      assertTrue(ours - producer <= 128 + 10 * headers.toArray().length, "close: " + i);
    }
  }

  @Test
  void theLimitIsTheSmallestOfRequestTopicAndLearned() {
    OutputGuard g = new OutputGuard(10_000, Map.of("a", 5_000, "b", 50_000), Set.of("gone"));
    assertEquals(5_000, g.limit("a"));
    assertEquals(10_000, g.limit("b"));
    assertEquals(10_000, g.limit("c"));
    assertTrue(g.missing("gone"));
    assertFalse(g.missing("a"));
    byte[] value = new byte[3_000];
    assertTrue(g.refused("a", null, value, null, true, new RecordTooLargeException("big")));
    assertEquals(OutputGuard.size(null, value, null) - 1, g.limit("a"));
    assertEquals(10_000, g.limit("b"), "other topics keep their limit");
    assertThrows(IllegalArgumentException.class, () -> new OutputGuard(100, Map.of(), Set.of()));
  }

  /**
   * Under exactly-once the records of a lost transaction are all reported with the error of the
   * one that failed: only that one is remembered.
   */
  @Test
  void onlyTheFirstReportOfAnErrorCounts() {
    OutputGuard g = OutputGuard.defaults();
    RecordTooLargeException e = new RecordTooLargeException("the message is too large");
    byte[] culprit = "culprit".getBytes(StandardCharsets.UTF_8);
    byte[] innocent = "innocent".getBytes(StandardCharsets.UTF_8);
    assertNull(g.refusedBefore("t", null, culprit), "nothing refused yet");
    assertTrue(g.refused("t", null, culprit, null, false, e));
    assertFalse(g.refused("t", null, innocent, null, false, e));
    assertNotNull(g.refusedBefore("t", null, culprit));
    assertNull(g.refusedBefore("t", null, innocent));
    assertNull(g.refusedBefore("u", null, culprit), "per topic");
    assertNull(g.refusedBefore("t", culprit, null), "key and value are told apart");

    KafkaException thrown =
        new KafkaException("Cannot execute transactional method", new KafkaException("send", e));
    assertTrue(g.causedByRefusal(thrown));
    assertFalse(g.causedByRefusal(new KafkaException("other", new RecordTooLargeException("x"))));
  }

  @Test
  void atMostSoManyRefusedRecordsAreRemembered() {
    OutputGuard g = OutputGuard.defaults();
    for (int i = 0; i <= OutputGuard.MAX_REFUSED; i++) {
      byte[] value = {(byte) i, (byte) (i >> 8)};
      g.refused("t", null, value, null, false, new KafkaException());
    }
    assertNull(g.refusedBefore("t", null, new byte[] {0, 0}), "the oldest is forgotten");
    assertNotNull(g.refusedBefore("t", null, new byte[] {1, 0}));
  }

  private static byte[] bytes(SplittableRandom random, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) random.nextInt(256);
    }
    return b;
  }
}
