package org.causalimpact.monitor.app;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The configurations of Kafka Streams and of the clients, made from the Kafka settings given
 * (every setting outside {@code monitor.*}) and the monitor's defaults. Stateless.
 */
final class KafkaConfigs {
  private KafkaConfigs() {}

  static Properties streams(Map<String, String> kafka, String applicationId) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, AppSettings.DEFAULT_APPLICATION_ID);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
    p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
    // a record Kafka refuses is logged, counted and dead-lettered rather than stopping the stream
    p.put(
        StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, SendErrorHandler.class.getName());
    // the behaviour Kafka 5.0 makes the default; without it every start logs a warning
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
    // Points and intervention events share a task. The monitor does not need them interleaved by
    // time (an intervention that arrives late replays the rows since its start), and with the
    // default (0) Kafka Streams checks the empty interventions partition's lag, formatting log
    // text, before every record: about a tenth of a stream thread's time in the throughput
    // harness.
    p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "-1");
    // Kafka's 16 KiB batches fill in a fraction of the 100 ms linger under load: at 128 KiB the
    // throughput harness spent about a fifth less CPU per point, in the monitor and the
    // passthrough alike
    p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), "131072");
    kafka.forEach(p::put);
    if (!p.containsKey(StreamsConfig.STATE_DIR_CONFIG)) {
      p.put(
          StreamsConfig.STATE_DIR_CONFIG,
          Path.of(System.getProperty("java.io.tmpdir"), "causal-impact-monitor", applicationId)
              .toString());
    }
    return p;
  }

  static Map<String, Object> producer(Map<String, String> kafka) {
    Map<String, Object> m = known(kafka, ProducerConfig.configNames());
    m.put(ProducerConfig.ACKS_CONFIG, "all");
    m.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return m;
  }

  static Map<String, Object> consumer(Map<String, String> kafka) {
    Map<String, Object> m = known(kafka, ConsumerConfig.configNames());
    m.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return m;
  }

  static Map<String, Object> admin(Map<String, String> kafka) {
    return known(kafka, AdminClientConfig.configNames());
  }

  /** The settings a client knows by name. */
  private static Map<String, Object> known(Map<String, String> kafka, Set<String> names) {
    Map<String, Object> m = new HashMap<>();
    kafka.forEach((k, v) -> {
      if (names.contains(k)) {
        m.put(k, v);
      }
    });
    return m;
  }
}
