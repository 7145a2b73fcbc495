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
 * a warning says so; a topic whose limit changes while the application runs is learned from the
 * first record Kafka refuses. Stateless.
 */
final class RecordLimits {
  private static final Logger LOG = LoggerFactory.getLogger(RecordLimits.class);

  /** How long the start waits for the topic configurations. */
  static final Duration TIMEOUT = Duration.ofSeconds(15);

  private RecordLimits() {}

  /**
   * The guard of {@code topics} on the cluster that {@code adminConfig} reaches.
   *
   * @param streams the Kafka Streams configuration (its producer's {@code max.request.size})
   */
  static OutputGuard guard(
      Map<String, Object> adminConfig, Collection<String> topics, Properties streams) {
    int maxRequestSize = maxRequestSize(streams);
    Map<String, Integer> maxBytes = new HashMap<>();
    Set<String> missing = new HashSet<>();
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

  /** The producer's {@code max.request.size}: {@code producer.}-prefixed, plain, or 1 MiB. */
  static int maxRequestSize(Properties streams) {
    Object v =
        streams.getOrDefault(
            StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
            streams.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
    return v == null ? OutputGuard.KAFKA_DEFAULT : Integer.parseInt(v.toString().trim());
  }
}
