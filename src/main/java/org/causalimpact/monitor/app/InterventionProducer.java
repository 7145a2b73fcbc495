package org.causalimpact.monitor.app;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.causalimpact.monitor.http.InterventionPublisher;

/**
 * Writes the intervention events posted to the API to the interventions topic, keyed by monitor,
 * with the settings' producer configuration (acks=all, idempotent). A send waits for the cluster's
 * acknowledgement, at most {@link #SEND_TIMEOUT}: an HTTP client should learn at once whether its
 * event is on the topic. Thread-safe (one {@link KafkaProducer} shared by the request threads).
 */
public final class InterventionProducer implements InterventionPublisher, AutoCloseable {
  /** Longest wait for the cluster to take one event. */
  public static final Duration SEND_TIMEOUT = Duration.ofSeconds(15);

  private final KafkaProducer<String, byte[]> producer;
  private final String topic;

  private InterventionProducer(KafkaProducer<String, byte[]> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  /**
   * A producer to {@code topic}. Its blocking and delivery timeouts default to fit within {@link
   * #SEND_TIMEOUT} (Kafka's own defaults wait up to 2 minutes); settings given win.
   *
   * @param producerConfig the settings' producer configuration ({@link AppSettings#producer()})
   */
  public static InterventionProducer create(Map<String, Object> producerConfig, String topic) {
    Map<String, Object> config = new HashMap<>(producerConfig);
    config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    config.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
    config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
    config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "causal-impact-monitor-http");
    return new InterventionProducer(
        new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer()), topic);
  }

  @Override
  public String topic() {
    return topic;
  }

  @Override
  public Published publish(String monitor, byte[] event) throws IOException {
    try {
      RecordMetadata m =
          producer
              .send(new ProducerRecord<>(topic, monitor, event))
              .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return new Published(m.topic(), m.partition(), m.offset());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while writing to topic " + topic, e);
    } catch (ExecutionException e) {
      throw new IOException(
          "Kafka did not take the event on topic " + topic + ": " + e.getCause().getMessage(), e);
    } catch (TimeoutException e) {
      throw new IOException(
          "Kafka did not acknowledge the event on topic " + topic + " within "
              + SEND_TIMEOUT.toSeconds() + " s", e);
    } catch (KafkaException e) {
      throw new IOException("cannot write to topic " + topic + ": " + e.getMessage(), e);
    }
  }

  /** Sends what is pending and closes the producer, waiting at most a few seconds. */
  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
