package org.causalimpact.monitor.app;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.http.HttpApi;
import org.causalimpact.monitor.ingest.RemoteWriteReceiver;
import org.causalimpact.monitor.ingest.RemoteWriteRouter;
import org.causalimpact.monitor.live.MonitorQueries;
import org.causalimpact.monitor.live.MonitorService;
import org.causalimpact.monitor.live.MonitorTopology;
import org.causalimpact.monitor.live.OutputGuard;
import org.causalimpact.monitor.metrics.KnownTags;
import org.causalimpact.monitor.metrics.RemoteWriteMeters;
import org.causalimpact.monitor.metrics.StreamMeters;

/**
 * The monitor application, wired in one place for {@code run} and {@code demo}: the topology of
 * the monitors with the settings' topology options and the record limits of the cluster's topics
 * ({@link RecordLimits}), one Kafka Streams instance running it, the meters (the stream's and
 * Kafka Streams' own) on one Prometheus registry, and, once asked for, the HTTP server with the
 * API, the Prometheus remote-write receiver, the live page and {@code /metrics}, {@code /health},
 * {@code /ready}, and the producer that writes the interventions posted to the API and the
 * remote-written points to their topics ({@link ApiProducer}). {@link #close} stops
 * what it started, in reverse order. Not thread-safe for {@link #serve} and {@link #close}; the
 * parts it starts are.
 */
public final class MonitorApp implements AutoCloseable {
  private final PrometheusMeterRegistry registry;
  private final StreamMeters meters;
  private final StreamsRunner streams;
  private final KafkaStreamsMetrics streamsMetrics;
  private final MonitorService service;
  private final Map<String, Object> producerConfig;
  private final String interventionsTopic;
  private final String metricsTopic;
  private final RemoteWriteRouter remoteWrite;
  private ApiProducer producer;
  private HttpApi http;

  private MonitorApp(
      PrometheusMeterRegistry registry,
      StreamMeters meters,
      StreamsRunner streams,
      List<MonitorDefinition> monitors,
      AppSettings settings,
      RemoteWriteRouter remoteWrite) {
    this.producerConfig = settings.producer();
    this.interventionsTopic = settings.topology().interventionsTopic();
    this.metricsTopic = settings.topology().metricsTopic();
    this.remoteWrite = remoteWrite;
    this.registry = registry;
    this.meters = meters;
    this.streams = streams;
    this.streamsMetrics = new KafkaStreamsMetrics(streams.kafkaStreams());
    streamsMetrics.bindTo(registry);
    this.service = new MonitorService(MonitorQueries.over(streams.kafkaStreams(), monitors));
  }

  /**
   * Builds the topology and starts Kafka Streams on it.
   *
   * @throws org.apache.kafka.common.config.ConfigException when a Kafka Streams setting is invalid
   * @throws IllegalArgumentException when two monitors feed one node name from different
   *     Prometheus series while inputs are not keyed by monitor ({@link RemoteWriteRouter})
   */
  public static MonitorApp start(AppSettings settings, List<MonitorDefinition> monitors) {
    // checked before anything starts
    RemoteWriteRouter remoteWrite =
        new RemoteWriteRouter(monitors, settings.topology().keyedByMonitor());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try {
      StreamMeters meters =
          new StreamMeters(
              registry, settings.metersRetention(), settings.metersMaxInterventions(),
              KnownTags.of(
                  settings.topology(), monitors.stream().map(MonitorDefinition::name).toList()));
      Properties config = settings.streams();
      OutputGuard guard =
          RecordLimits.guard(settings.admin(), settings.topology().topics(), config);
      StreamsRunner streams =
          StreamsRunner.start(
              MonitorTopology.build(monitors, settings.topology(), meters, guard),
              config,
              guard,
              meters);
      return new MonitorApp(registry, meters, streams, monitors, settings, remoteWrite);
    } catch (RuntimeException e) {
      registry.close();
      throw e;
    }
  }

  /**
   * Starts the HTTP server, with the remote-write receiver on {@value HttpApi#REMOTE_WRITE_PATH}.
   *
   * @param bearerToken what POST endpoints require, or {@code null} for none
   * @throws IOException when the address cannot be bound
   */
  public HttpApi serve(InetSocketAddress bind, String bearerToken) throws IOException {
    if (http != null) {
      throw new IllegalStateException("the HTTP server already runs on port " + http.port());
    }
    producer = ApiProducer.create(producerConfig, interventionsTopic, metricsTopic);
    RemoteWriteMeters remoteWriteMeters = new RemoteWriteMeters();
    remoteWriteMeters.bindTo(registry);
    try {
      http =
          HttpApi.start(
              service,
              bind,
              bearerToken,
              new HttpApi.Ops(this::scrape, streams::isRunning),
              HttpApi.Limits.defaults(),
              producer,
              new RemoteWriteReceiver(remoteWrite, producer, remoteWriteMeters));
    } catch (IOException | RuntimeException e) {
      producer.close();
      producer = null;
      throw e;
    }
    return http;
  }

  /** The Kafka Streams instance. */
  public StreamsRunner streams() {
    return streams;
  }

  /** Every meter in the Prometheus text format, after removing expired interventions. */
  public String scrape() {
    meters.expire();
    return registry.scrape();
  }

  /**
   * Stops the HTTP server, the interventions producer, Kafka Streams and the meters; idempotent.
   */
  @Override
  public void close() {
    if (http != null) {
      http.close();
    }
    if (producer != null) {
      producer.close();
    }
    streams.close();
    streamsMetrics.close();
    registry.close();
  }
}
