package org.causalimpact.monitor.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import java.util.Properties;
import org.causalimpact.monitor.live.OutputGuard;
import org.junit.jupiter.api.Test;

/** The producer settings the record limits read and adjust; the cluster's part runs in ITs. */
class RecordLimitsTest {
  @Test
  void maxRequestSizeIsReadFromTheProducerSettingThenThePlainOne() {
    Properties p = new Properties();
    assertEquals(OutputGuard.KAFKA_DEFAULT, RecordLimits.maxRequestSize(p));
    p.put("max.request.size", "2000000");
    assertEquals(2_000_000, RecordLimits.maxRequestSize(p));
    p.put("producer.max.request.size", "3000000");
    assertEquals(3_000_000, RecordLimits.maxRequestSize(p));
  }

  /** A topic that takes less than a batch would make the producer split batches forever. */
  @Test
  void batchSizeIsLoweredToTheSmallestTopicLimitBelowIt() {
    Properties p = KafkaConfigs.streams(Map.of(), "app");
    assertEquals("131072", p.get("producer.batch.size"));
    RecordLimits.fitBatchSize(p, Map.of("impact", 1_048_588, "impact.summary", 200_000));
    assertEquals("131072", p.get("producer.batch.size"), "every topic takes a whole batch");
    RecordLimits.fitBatchSize(p, Map.of("impact", 50_000, "impact.summary", 20_000));
    assertEquals("20000", p.get("producer.batch.size"));

    Properties plain = new Properties();
    RecordLimits.fitBatchSize(plain, Map.of("impact", 20_000));
    assertNull(plain.get("producer.batch.size"), "Kafka's default batch.size fits");
    RecordLimits.fitBatchSize(plain, Map.of("impact", 10_000));
    assertEquals("10000", plain.get("producer.batch.size"));
  }
}
