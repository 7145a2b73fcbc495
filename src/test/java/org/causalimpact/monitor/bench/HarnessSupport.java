package org.causalimpact.monitor.bench;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.causalimpact.monitor.app.AppSettings;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.demo.EmbeddedKafka;
import org.causalimpact.monitor.live.StreamListener;

/**
 * What the streaming harnesses ({@link ThroughputHarness}, {@link SoakHarness}) share: the
 * synthetic monitors and their data, the clients, starting a topology on the embedded broker,
 * heap after GC and quantiles. Stateless.
 */
final class HarnessSupport {
  /** Grid step of every synthetic monitor ({@code step: 1m}). */
  static final long STEP_MS = 60_000;

  /** Event time of row 0. */
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** Node suffixes of the 4-node chain {@code a -> b -> c -> d}. */
  static final String[] SUFFIX = {"a", "b", "c", "d"};

  private HarnessSupport() {}

  /** The integer system property {@code cim.<name>}, or {@code fallback}. */
  static int prop(String name, int fallback) {
    return Integer.getInteger("cim." + name, fallback);
  }

  /** Event time of row {@code r}. */
  static long rowTime(long r) {
    return T0.toEpochMilli() + r * STEP_MS;
  }

  /** Monitor {@code i}: a 4-node chain on series {@code m<i>_a .. m<i>_d}. */
  static List<MonitorDefinition> writeMonitors(Path dir, int n, int window, int replicates)
      throws Exception {
    Files.createDirectories(dir);
    List<MonitorDefinition> defs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String p = "m" + i + "_";
      String yaml =
          "name: m" + i + "\n"
              + "step: 1m\n"
              + "preWindow: " + window + "\n"
              + "intervals:\n"
              + "  level: 0.95\n"
              + "  bootstrap: {replicates: " + replicates + ", blockLength: auto}\n"
              + "  conformal: {calibrationFraction: 0.5}\n"
              + "seed: " + (i + 1) + "\n"
              + "nodes:\n"
              + "  - name: " + p + "a\n"
              + "  - name: " + p + "b\n    parents: [" + p + "a]\n"
              + "  - name: " + p + "c\n    parents: [" + p + "b]\n"
              + "  - name: " + p + "d\n    parents: [" + p + "c]\n";
      Path f = dir.resolve("m" + i + ".yaml");
      Files.writeString(f, yaml, StandardCharsets.UTF_8);
      defs.add(MonitorLoader.load(f));
    }
    return defs;
  }

  static byte[] point(String series, long time, double value) {
    return ("{\"series\":\"" + series + "\",\"timestamp\":" + time + ",\"value\":" + value + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Values of a noisy chain a -> b -> c -> d at row {@code r}. */
  static double[] values(SplittableRandom rng, int r) {
    double a = 100 + 10 * Math.sin(r / 30.0) + rng.nextGaussian();
    double b = 5 + 0.8 * a + rng.nextGaussian();
    double c = 2 + 0.5 * b + rng.nextGaussian();
    double d = 1 + 0.3 * c + rng.nextGaussian();
    return new double[] {a, b, c, d};
  }

  static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** A consumer of committed records only; {@code group} null for a manual assignment. */
  static KafkaConsumer<byte[], byte[]> committedConsumer(
      String bootstrap, String group, String offsetReset) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    if (group != null) {
      c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    }
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, offsetReset);
    return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Starts {@code topology} as application {@code bench-<id>} with exactly-once (the embedded
   * defaults of {@link AppSettings}), and waits until it runs.
   */
  static KafkaStreams start(
      EmbeddedKafka kafka, String id, Topology topology, Path dir, int threads)
      throws InterruptedException {
    return start(kafka, id, topology, dir, threads, true);
  }

  /** As {@link #start(EmbeddedKafka, String, Topology, Path, int)}; waits only if asked. */
  static KafkaStreams start(
      EmbeddedKafka kafka, String id, Topology topology, Path dir, int threads,
      boolean awaitRunning)
      throws InterruptedException {
    Properties p =
        AppSettings.embedded(kafka.bootstrapServers(), dir.resolve("state-" + id)).streams();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-" + id);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(threads));
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, System.getProperty("cim.commitMs", "100"));
    // any other Kafka Streams or client setting, e.g. -Dcim.streams.consumer.fetch.max.wait.ms=10
    System.getProperties().stringPropertyNames().stream()
        .filter(k -> k.startsWith("cim.streams."))
        .forEach(k -> p.put(k.substring("cim.streams.".length()), System.getProperty(k)));
    KafkaStreams app = new KafkaStreams(topology, p);
    app.start();
    if (!awaitRunning) {
      return app;
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (app.state() != KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > deadline || app.state() == KafkaStreams.State.ERROR) {
        throw new IllegalStateException(id + " did not reach RUNNING: " + app.state());
      }
      Thread.sleep(20);
    }
    return app;
  }

  /** Counts the rows the topology closes and its dead letters by reason; thread-safe. */
  static class Counting implements StreamListener {
    final AtomicLong rows = new AtomicLong();
    final Map<String, AtomicLong> deadLetters = new ConcurrentHashMap<>();

    @Override
    public void rowClosed(String monitor, long stepStartMillis) {
      rows.incrementAndGet();
    }

    @Override
    public void deadLetter(String sourceTopic, String reason, String monitor) {
      deadLetters.computeIfAbsent(reason, k -> new AtomicLong()).incrementAndGet();
    }
  }

  /**
   * Waits until {@code closed} reaches {@code expected}.
   *
   * @throws IllegalStateException naming {@code what} when the count has not moved for {@code
   *     stall}, {@code limit} has passed, or the application failed
   */
  static void awaitRows(
      KafkaStreams app, AtomicLong closed, long expected, Duration stall, Duration limit,
      String what)
      throws InterruptedException {
    long begin = System.nanoTime();
    long last = -1;
    long lastChange = begin;
    while (closed.get() < expected) {
      long now = System.nanoTime();
      if (closed.get() != last) {
        last = closed.get();
        lastChange = now;
      }
      if (now - begin > limit.toNanos()
          || now - lastChange > stall.toNanos()
          || app.state() == KafkaStreams.State.ERROR) {
        throw new IllegalStateException(
            what + " stalled at " + closed + "/" + expected + " rows (streams " + app.state()
                + ")");
      }
      Thread.sleep(20);
    }
  }

  /** Used heap after three forced full collections. */
  static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Records in {@code topic} (read_committed, from the beginning, polled for 5 s). */
  static int count(String bootstrap, String topic) {
    int n = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        committedConsumer(bootstrap, "bench-count-" + topic, "earliest")) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (System.nanoTime() < deadline) {
        n += consumer.poll(Duration.ofMillis(200)).count();
      }
    }
    return n;
  }

  /** The {@code q}-quantile of {@code sorted} (the ⌈q·n⌉-th smallest). */
  static double quantile(double[] sorted, double q) {
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
}
