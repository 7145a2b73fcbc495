package org.causalimpact.monitor.app;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
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
import org.causalimpact.monitor.ingest.PointPublisher;
import org.causalimpact.monitor.ingest.RemoteWriteRouter;

/**
 * Writes what the HTTP server takes in to Kafka with the settings' producer configuration
 * (acks=all, idempotent): the intervention events posted to the API to the interventions topic,
 * keyed by monitor, and the points of the Prometheus remote-write receiver to the metrics topic,
 * keyed by monitor. A send waits for the cluster's acknowledgement, at most {@link
 * #SEND_TIMEOUT}: an HTTP client should learn at once whether its records are on the topic.
 * Thread-safe (one {@link KafkaProducer} shared by the request threads).
 */
public final class ApiProducer implements InterventionPublisher, PointPublisher, AutoCloseable {
  /** Longest wait for the cluster to take one event, or one request's points. */
  public static final Duration SEND_TIMEOUT = Duration.ofSeconds(15);

  private final KafkaProducer<String, byte[]> producer;
  private final String interventionsTopic;
  private final String metricsTopic;

  private ApiProducer(
      KafkaProducer<String, byte[]> producer, String interventionsTopic, String metricsTopic) {
    this.producer = producer;
    this.interventionsTopic = interventionsTopic;
    this.metricsTopic = metricsTopic;
  }

  /**
   * A producer to the two topics. Its blocking and delivery timeouts default to fit within {@link
   * #SEND_TIMEOUT} (Kafka's own defaults wait up to 2 minutes); settings given win.
   *
   * @param producerConfig the settings' producer configuration ({@link AppSettings#producer()})
   */
  public static ApiProducer create(
      Map<String, Object> producerConfig, String interventionsTopic, String metricsTopic) {
    Map<String, Object> config = new HashMap<>(producerConfig);
    config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    config.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
    config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
    config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "causal-impact-monitor-http");
    return new ApiProducer(
        new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer()),
        interventionsTopic,
        metricsTopic);
  }

  @Override
  public String topic() {
    return interventionsTopic;
  }

  @Override
  public Published publish(String monitor, byte[] event) throws IOException {
    long deadline = System.nanoTime() + SEND_TIMEOUT.toNanos();
    RecordMetadata m =
        await(
            send(new ProducerRecord<>(interventionsTopic, monitor, event)),
            deadline,
            "event on topic " + interventionsTopic);
    return new Published(m.topic(), m.partition(), m.offset());
  }

  /** The points go to the metrics topic; all are sent, then every acknowledgement awaited. */
  @Override
  public void publish(List<RemoteWriteRouter.Point> points) throws IOException {
    long deadline = System.nanoTime() + SEND_TIMEOUT.toNanos();
    List<Future<RecordMetadata>> sent = new ArrayList<>(points.size());
    for (RemoteWriteRouter.Point p : points) {
      sent.add(
          send(new ProducerRecord<>(metricsTopic, null, p.timestamp(), p.key(), p.value())));
    }
    for (Future<RecordMetadata> f : sent) {
      await(f, deadline, points.size() + " points on topic " + metricsTopic);
    }
  }

  private Future<RecordMetadata> send(ProducerRecord<String, byte[]> record) throws IOException {
    try {
      return producer.send(record);
    } catch (KafkaException e) {
      throw new IOException("cannot write to topic " + record.topic() + ": " + e.getMessage(), e);
    }
  }

  private static RecordMetadata await(Future<RecordMetadata> f, long deadline, String what)
      throws IOException {
    try {
      return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while writing the " + what, e);
    } catch (ExecutionException e) {
      throw new IOException("Kafka did not take the " + what + ": " + e.getCause().getMessage(), e);
    } catch (TimeoutException e) {
      throw new IOException(
          "Kafka did not acknowledge the " + what + " within " + SEND_TIMEOUT.toSeconds() + " s",
          e);
    }
  }

  /** Sends what is pending and closes the producer, waiting at most a few seconds. */
  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
