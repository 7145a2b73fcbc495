package org.causalimpact.monitor.app;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.StreamsConfig;
import org.causalimpact.monitor.live.OutputGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads, when the application starts, how large a record each of its topics takes: the producer's
 * {@code max.request.size} from the Streams configuration, and each topic's {@code
 * max.message.bytes} from the cluster; and which topics do not exist. The result is the {@link
 * OutputGuard} the topology checks every record against, so that a record too large for its topic
 * becomes a dead letter instead of a failed send. If the cluster does not answer (or the
 * application may not describe topic configurations), only {@code max.request.size} is known and
 * a warning says so. A topic whose limit is lowered while the application runs is read again once
 * Kafka refused a record as too large ({@link #refresh}). Stateless.
 */
final class RecordLimits {
  private static final Logger LOG = LoggerFactory.getLogger(RecordLimits.class);

  /** Kafka's default {@code batch.size}. */
  static final int DEFAULT_BATCH_SIZE = 16_384;

  /** How long the start waits for the topic configurations. */
  static final Duration TIMEOUT = Duration.ofSeconds(15);

  private RecordLimits() {}

  /**
   * The guard of {@code topics} on the cluster that {@code adminConfig} reaches. Where a topic
   * takes less than the producer's {@code batch.size}, that is lowered in {@code streams}: the
   * producer splits a batch the broker refuses as too large into batches of {@code batch.size}
   * again, and would retry the same batch until {@code delivery.timeout.ms} (KAFKA-8350).
   *
   * @param streams the Kafka Streams configuration (its producer's {@code max.request.size} and
   *     {@code batch.size}, which may be lowered here)
   */
  static OutputGuard guard(
      Map<String, Object> adminConfig, Collection<String> topics, Properties streams) {
    int maxRequestSize = maxRequestSize(streams);
    Map<String, Integer> maxBytes = new HashMap<>();
    Set<String> missing = new HashSet<>();
    List<String> unknown = read(adminConfig, topics, maxBytes, missing);
    fitBatchSize(streams, maxBytes);
    if (!unknown.isEmpty()) {
      LOG.warn(
          "cannot read max.message.bytes of {}: records for these topics are checked against"
              + " max.request.size={} only, and a record the broker refuses as too large stops"
              + " the stream thread once before it is dead-lettered",
          unknown, maxRequestSize);
    }
    if (!missing.isEmpty()) {
      LOG.warn(
          "the topics {} do not exist: dead letters for them are counted and logged, not written"
              + " (create them, e.g. run --create-topics)",
          missing);
    }
    return new OutputGuard(maxRequestSize, maxBytes, missing);
  }

  /**
   * Reads again the {@code max.message.bytes} of the topics Kafka refused a record of as too
   * large, into {@code guard}: a topic's limit may have been lowered while the application runs.
   *
   * @param streams the Kafka Streams configuration, whose client settings reach the cluster
   */
  static void refresh(OutputGuard guard, Properties streams) {
    Set<String> topics = guard.refusedAsTooLarge();
    if (topics.isEmpty()) {
      return;
    }
    Map<String, String> kafka = new HashMap<>();
    streams.forEach(
        (k, v) -> {
          if (k instanceof String key && v instanceof String value) {
            kafka.put(key, value);
          }
        });
    Map<String, Integer> maxBytes = new HashMap<>();
    List<String> unknown = read(KafkaConfigs.admin(kafka), topics, maxBytes, new HashSet<>());
    maxBytes.forEach(guard::topicMaxBytes);
    LOG.info("max.message.bytes read again: {}; not read: {}", maxBytes, unknown);
  }

  /**
   * Reads the {@code max.message.bytes} of {@code topics} into {@code maxBytes}, and the topics
   * that do not exist into {@code missing}; returns those whose configuration could not be read.
   */
  private static List<String> read(
      Map<String, Object> adminConfig,
      Collection<String> topics,
      Map<String, Integer> maxBytes,
      Set<String> missing) {
    List<String> unknown = new ArrayList<>();
    Admin admin = Admin.create(adminConfig);
    try {
      Map<ConfigResource, KafkaFuture<Config>> answers =
          admin
              .describeConfigs(
                  topics.stream()
                      .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
                      .toList())
              .values();
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      for (var e : answers.entrySet()) {
        String topic = e.getKey().name();
        try {
          long left = Math.max(0, deadline - System.nanoTime());
          Config config = e.getValue().get(left, TimeUnit.NANOSECONDS);
          ConfigEntry entry = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
          if (entry != null && entry.value() != null) {
            maxBytes.put(topic, Integer.parseInt(entry.value()));
          }
        } catch (ExecutionException ex) {
          if (ex.getCause() instanceof UnknownTopicOrPartitionException) {
            missing.add(topic);
          } else {
            unknown.add(topic + " (" + ex.getCause().getMessage() + ")");
          }
        } catch (TimeoutException ex) {
          unknown.add(topic + " (no answer within " + TIMEOUT.toSeconds() + " s)");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while describing topics " + topics, e);
    } finally {
      // calls still pending after the timeout are abandoned, not waited for
      admin.close(Duration.ofSeconds(1));
    }
    return unknown;
  }

  /** Lowers the producer's {@code batch.size} to the smallest {@code max.message.bytes}. */
  static void fitBatchSize(Properties streams, Map<String, Integer> maxBytes) {
    int batchSize = producerSetting(streams, ProducerConfig.BATCH_SIZE_CONFIG, DEFAULT_BATCH_SIZE);
    maxBytes.entrySet().stream()
        .filter(e -> e.getValue() < batchSize)
        .min(Map.Entry.comparingByValue())
        .ifPresent(
            e -> {
              LOG.warn(
                  "topic {} takes records of at most {} bytes (max.message.bytes), less than the"
                      + " producer's batch.size of {}: batch.size is lowered to {}, else a batch"
                      + " the broker refuses would be split and sent again and again (KAFKA-8350)",
                  e.getKey(), e.getValue(), batchSize, e.getValue());
              streams.put(
                  StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG),
                  Integer.toString(e.getValue()));
            });
  }

  /** The producer's {@code max.request.size}: {@code producer.}-prefixed, plain, or 1 MiB. */
  static int maxRequestSize(Properties streams) {
    return producerSetting(
        streams, ProducerConfig.MAX_REQUEST_SIZE_CONFIG, OutputGuard.KAFKA_DEFAULT);
  }

  /** A producer setting of Kafka Streams: {@code producer.}-prefixed, plain, or the default. */
  private static int producerSetting(Properties streams, String name, int otherwise) {
    Object v = streams.getOrDefault(StreamsConfig.producerPrefix(name), streams.get(name));
    return v == null ? otherwise : Integer.parseInt(v.toString().trim());
  }
}
