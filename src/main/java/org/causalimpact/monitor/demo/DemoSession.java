package org.causalimpact.monitor.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.app.StreamsConfigs;
import org.causalimpact.monitor.app.StreamsRunner;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.io.InterventionEvents.InterventionEvent;
import org.causalimpact.monitor.live.MonitorTopology;
import org.causalimpact.monitor.live.StreamListener;
import org.causalimpact.monitor.live.StreamSettings;
import org.causalimpact.monitor.report.Numbers;

/**
 * The {@code demo}: a real single-node Kafka broker in this process, the monitor topology on it
 * with exactly-once processing, and a simulator that replays a monitor's true equations with a
 * known injected effect in accelerated event time. At the end it reads the intervention's summary
 * from the summary topic (read_committed) and prints each outcome's estimated average effect with
 * both intervals next to the injected truth.
 *
 * <p>Everything it starts is stopped and, unless a data directory was given, deleted before {@link
 * #run} returns — also when {@code stop} turns true (Ctrl-C). Not thread-safe: one run per
 * instance.
 */
public final class DemoSession {
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  /** The time of the first simulated row. */
  public static final Instant GRID_START = Instant.parse("2026-01-01T00:00:00Z");

  /**
   * What to run.
   *
   * @param monitor the monitor (with a {@code simulation} section)
   * @param campaign the intervention whose effect is injected and estimated
   * @param seed the simulator's seed
   * @param speed simulated steps per wall-clock second ({@code 0}: as fast as possible)
   * @param duration wall time after which the campaign is ended early, or {@code null}
   * @param httpPort the port reserved for the dashboard and JSON API
   * @param dataDir where the broker and the state stores live (kept), or {@code null} for a
   *     temporary directory deleted at the end
   * @param summaryTimeout how long to wait for the summary after the last row
   */
  public record Options(
      MonitorDefinition monitor,
      InterventionEvent campaign,
      long seed,
      double speed,
      Duration duration,
      int httpPort,
      Path dataDir,
      Duration summaryTimeout) {
    public Options {
      Objects.requireNonNull(monitor, "monitor");
      Objects.requireNonNull(campaign, "campaign");
      Objects.requireNonNull(summaryTimeout, "summaryTimeout");
      if (!(speed >= 0) || Double.isInfinite(speed)) {
        throw new InputException("--speed must be a number of steps per second >= 0, got " + speed);
      }
      if (duration != null && (duration.isZero() || duration.isNegative())) {
        throw new InputException("--duration must be positive, got " + duration);
      }
      if (httpPort < 0 || httpPort > 65_535) {
        throw new InputException("--port must be in 0..65535, got " + httpPort);
      }
    }
  }

  /**
   * An interval as the summary gives it.
   *
   * @param lower the lower bound, or {@code null} for unbounded
   * @param upper the upper bound, or {@code null} for unbounded
   */
  public record Bounds(Double lower, Double upper) {
    /** Whether {@code x} lies within the bounds (inclusive). */
    public boolean covers(double x) {
      return (lower == null || lower <= x) && (upper == null || x <= upper);
    }

    @Override
    public String toString() {
      return (lower == null ? "-inf" : Numbers.format(lower))
          + ", "
          + (upper == null ? "+inf" : Numbers.format(upper));
    }
  }

  /**
   * The estimate of one outcome next to its truth.
   *
   * @param node the outcome
   * @param estimate the estimated average effect
   * @param bootstrap its bootstrap interval, or {@code null} when not given
   * @param conformal its conformal interval, or {@code null} when not given
   * @param truth the injected true average effect over the same rows
   */
  public record OutcomeResult(
      String node, double estimate, Bounds bootstrap, Bounds conformal, double truth) {
    public boolean bootstrapCovers() {
      return bootstrap != null && bootstrap.covers(truth);
    }

    public boolean conformalCovers() {
      return conformal != null && conformal.covers(truth);
    }
  }

  private final Options options;
  private final PrintWriter out;
  private final BooleanSupplier stop;
  private final long begin = System.nanoTime();

  /**
   * Starts the HTTP server over the running topology; returns what closes it. The CLI passes one
   * (the stream package cannot depend on the HTTP package, which reads the stream's stores).
   */
  @FunctionalInterface
  public interface HttpStarter {
    AutoCloseable start(KafkaStreams streams, int port) throws java.io.IOException;
  }

  private HttpStarter http = (streams, port) -> null;
  private StreamListener listener = StreamListener.NONE;

  /** Report to {@code l} as the topology runs (the CLI passes the meters). */
  public DemoSession withListener(StreamListener l) {
    this.listener = Objects.requireNonNull(l);
    return this;
  }

  /** Serve HTTP while the demo runs (the default serves nothing). */
  public DemoSession withHttp(HttpStarter starter) {
    this.http = Objects.requireNonNull(starter);
    return this;
  }

  public DemoSession(Options options, PrintWriter out, BooleanSupplier stop) {
    this.options = Objects.requireNonNull(options, "options");
    this.out = Objects.requireNonNull(out, "out");
    this.stop = Objects.requireNonNull(stop, "stop");
  }

  /**
   * Runs the demo to its end (or until {@code stop}).
   *
   * @return the outcomes' estimates next to the truth; empty when stopped or when the campaign did
   *     not start within {@code duration}
   * @throws IllegalStateException when the broker or the topology fails, or the summary does not
   *     arrive in time
   */
  public List<OutcomeResult> run() throws InterruptedException {
    MonitorDefinition def = options.monitor();
    StreamSettings settings = StreamSettings.defaults();
    PointSimulation sim =
        PointSimulation.of(
            def,
            options.campaign(),
            def.simulation() == null ? 0 : def.simulation().rows(),
            options.seed(),
            GRID_START,
            settings.grace());
    checkDuration(sim);
    Path dir = dataDir();
    boolean temporary = options.dataDir() == null;
    println(
        "demo: monitor '%s' (%d nodes, steps of %s), %d simulated rows from %s (+%d after the"
            + " end, to close the last rows), seed %d; campaign '%s' starts at row %d (%s)",
        def.name(),
        def.graph().size(),
        human(def.step()),
        sim.rows(),
        GRID_START,
        sim.tail(),
        options.seed(),
        options.campaign().id(),
        sim.startRow(),
        sim.replay().time(sim.startRow()));
    EmbeddedKafka kafka = null;
    StreamsRunner streams = null;
    AutoCloseable server = null;
    try {
      long t = System.nanoTime();
      kafka = EmbeddedKafka.start(dir.resolve("kafka"));
      kafka.createTopics(settings.topics(), 1);
      println(
          "broker: Kafka (KRaft) at %s, started with topics in %s (data in %s%s)",
          kafka.bootstrapServers(),
          seconds(System.nanoTime() - t),
          dir,
          temporary ? ", deleted at the end" : "");
      if (stop.getAsBoolean()) {
        return List.of();
      }
      t = System.nanoTime();
      StreamsConfigs configs =
          StreamsConfigs.embedded(kafka.bootstrapServers(), dir.resolve("streams"));
      streams =
          StreamsRunner.start(
              MonitorTopology.build(List.of(def), settings, listener), configs.streams());
      awaitRunning(streams);
      if (stop.getAsBoolean()) {
        return List.of();
      }
      println(
          "streams: topology running (exactly_once_v2) in %s; reading %s, %s; writing %s, %s, %s",
          seconds(System.nanoTime() - t),
          settings.metricsTopic(),
          settings.interventionsTopic(),
          settings.impactTopic(),
          settings.summaryTopic(),
          settings.healthTopic());
      try {
        server = http.start(streams.kafkaStreams(), options.httpPort());
      } catch (java.io.IOException e) {
        throw new InputException(
            "cannot serve HTTP on 127.0.0.1:" + options.httpPort() + ": " + e.getMessage()
                + "; choose another --port", e);
      }
      if (server != null) {
        println(
            "dashboard: http://127.0.0.1:%d/ (live page); JSON API under /api/monitors/%s;"
                + " Prometheus meters at /metrics",
            options.httpPort(),
            def.name());
      }
      println(
          "simulator: %s steps per second%s",
          options.speed() == 0 ? "as many" : Numbers.format(options.speed()),
          options.duration() == null ? "" : ", for at most " + human(options.duration()));
      return simulateAndWait(sim, settings, configs, streams);
    } finally {
      if (server != null) {
        try {
          server.close();
        } catch (Exception e) {
          println("api: closing the HTTP server failed: %s", e.getMessage());
        }
      }
      if (streams != null) {
        streams.close();
      }
      if (kafka != null) {
        kafka.close();
      }
      if (temporary) {
        EmbeddedKafka.deleteRecursively(dir);
      }
    }
  }

  private List<OutcomeResult> simulateAndWait(
      PointSimulation sim, StreamSettings settings, StreamsConfigs configs, StreamsRunner streams)
      throws InterruptedException {
    MonitorDefinition def = options.monitor();
    String summaryKey = def.name() + "/" + options.campaign().id();
    AtomicInteger lastRow = new AtomicInteger(-1);
    AtomicReference<PointReplay.Result> replayResult = new AtomicReference<>();
    AtomicReference<Throwable> replayFailure = new AtomicReference<>();
    AtomicBoolean finished = new AtomicBoolean();
    BooleanSupplier replayStop = () -> finished.get() || stop.getAsBoolean();
    PointReplay replay = sim.replay();
    Map<String, Object> producerConfig = configs.producer();
    Map<String, Object> consumerConfig = configs.consumer();
    consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, "causal-impact-monitor-demo-reader");

    try (PointProducer producer = PointProducer.create(producerConfig, settings);
        KafkaConsumer<String, String> consumer =
            new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic :
          List.of(settings.impactTopic(), settings.summaryTopic(), settings.healthTopic())) {
        for (PartitionInfo p : consumer.partitionsFor(topic)) {
          partitions.add(new TopicPartition(p.topic(), p.partition()));
        }
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);

      Thread simulator =
          new Thread(
              () -> {
                try {
                  replayResult.set(
                      replay.run(
                          producer,
                          options.speed(),
                          options.duration(),
                          replayStop,
                          new PointReplay.Listener() {
                            @Override
                            public void row(int row, Instant time) {
                              lastRow.set(row);
                            }

                            @Override
                            public void started(int row, Instant time) {
                              println(
                                  "[%s] campaign '%s' started at %s (row %d): %s",
                                  elapsed(),
                                  options.campaign().id(),
                                  time,
                                  row,
                                  PointProducer.startJson(def.name(), options.campaign()));
                            }

                            @Override
                            public void ended(int row, Instant time) {
                              println(
                                  "[%s] campaign '%s' ended at %s (post-period: rows %d..%d)",
                                  elapsed(), options.campaign().id(), time, sim.startRow(),
                                  row - 1);
                            }
                          }));
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                  replayFailure.set(e);
                }
              },
              "demo-simulator");
      simulator.setDaemon(true);
      simulator.start();

      try {
        long impact = 0;
        long health = 0;
        String summary = null;
        long nextProgress = System.nanoTime() + 1_000_000_000L;
        long waitUntil = Long.MAX_VALUE;
        int total = sim.rows() + sim.tail();
        while (summary == null) {
          if (stop.getAsBoolean()) {
            return List.of();
          }
          if (replayFailure.get() != null) {
            throw new IllegalStateException(
                "the simulator failed: " + replayFailure.get().getMessage(), replayFailure.get());
          }
          if (streams.hasStopped()) {
            throw new IllegalStateException(
                "Kafka Streams stopped ("
                    + streams.state()
                    + ")"
                    + streams.failure().map(e -> ": " + StreamsRunner.message(e)).orElse(""));
          }
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
            if (r.topic().equals(settings.impactTopic())) {
              impact++;
            } else if (r.topic().equals(settings.healthTopic())) {
              health++;
            } else if (r.topic().equals(settings.summaryTopic()) && summaryKey.equals(r.key())) {
              summary = r.value();
            }
          }
          long now = System.nanoTime();
          PointReplay.Result done = replayResult.get();
          if (done != null && done.stopped()) {
            return List.of();
          }
          if (done != null && waitUntil == Long.MAX_VALUE) {
            println(
                "[%s] simulator done: %d rows, %d points, %d intervention events",
                elapsed(), done.rows(), producer.points(), producer.events());
            if (done.startRow() < 0) {
              println(
                  "the campaign never started (--duration ran out first): nothing to estimate");
              return List.of();
            }
            waitUntil = now + options.summaryTimeout().toNanos();
          }
          if (summary == null && now >= nextProgress) {
            int row = lastRow.get();
            println(
                "[%s] rows %d/%d (event time %s)  model.health records %d  impact records %d",
                elapsed(),
                row + 1,
                total,
                row < 0 ? "-" : replay.time(row).toString(),
                health,
                impact);
            nextProgress = now + 1_000_000_000L;
          }
          if (summary == null && now > waitUntil) {
            throw new IllegalStateException(
                "no summary of '"
                    + summaryKey
                    + "' on topic "
                    + settings.summaryTopic()
                    + " within "
                    + human(options.summaryTimeout())
                    + " after the last row ("
                    + impact
                    + " impact records seen)");
          }
        }
        PointReplay.Result done = replayResult.get();
        println(
            "[%s] summary received: %d impact records, %d model.health records",
            elapsed(), impact, health);
        int endRow = done != null && done.endRow() > 0 ? done.endRow() : sim.endRow();
        return report(summary, sim, endRow);
      } finally {
        finished.set(true);
        if (simulator.isAlive()) {
          simulator.interrupt();
        }
        simulator.join(10_000);
      }
    }
  }

  /** Reads the estimates from the summary and prints them next to the truth. */
  private List<OutcomeResult> report(String summaryJson, PointSimulation sim, int endRow) {
    JsonNode root;
    try {
      root = JSON.readTree(summaryJson);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the summary is not JSON: " + e.getOriginalMessage(), e);
    }
    JsonNode outcomes = root.path("outcomes");
    if (!outcomes.isArray() || outcomes.isEmpty()) {
      throw new IllegalStateException("the summary lists no outcomes: " + abbreviate(summaryJson));
    }
    // the truth is averaged over the rows the summary covers, read from its period labels
    int from = gridRow(root.path("postPeriod").path("startLabel"), sim.startRow());
    int to = gridRow(root.path("postPeriod").path("endLabel"), endRow - 1) + 1;
    if (from != sim.startRow() || to != endRow) {
      println(
          "note: the summary covers rows %d..%d, the simulator's post-period was rows %d..%d",
          from, to - 1, sim.startRow(), endRow - 1);
    }
    List<OutcomeResult> results = new ArrayList<>();
    int width = 0;
    for (JsonNode o : outcomes) {
      width = Math.max(width, o.path("node").asText().length());
    }
    println(
        "average effect per step of '%s' over rows %d..%d (%d steps), level %s:",
        options.campaign().id(),
        from,
        to - 1,
        to - from,
        root.path("level").isNumber() ? Numbers.format(root.path("level").asDouble()) : "?");
    for (JsonNode o : outcomes) {
      String node = o.path("node").asText();
      JsonNode effect = o.path("summary").path("average").path("effect");
      if (!effect.path("mean").isNumber()) {
        throw new IllegalStateException(
            "the summary has no average effect for " + node + ": " + abbreviate(o.toString()));
      }
      OutcomeResult r =
          new OutcomeResult(
              node,
              effect.path("mean").asDouble(),
              interval(effect.get("bootstrap")),
              interval(effect.get("conformal")),
              sim.trueAverageEffect(node, from, to));
      results.add(r);
      println(
          "  %-" + width + "s  estimated average effect %s [bootstrap %s] (conformal %s)"
              + " — injected truth %s: %s",
          node,
          Numbers.format(r.estimate()),
          r.bootstrap() == null ? "n/a" : r.bootstrap(),
          r.conformal() == null ? "n/a" : "[" + r.conformal() + "]",
          Numbers.format(r.truth()),
          verdict(r));
    }
    return results;
  }

  private static String verdict(OutcomeResult r) {
    boolean b = r.bootstrapCovers();
    boolean c = r.conformal() != null && r.conformalCovers();
    if (b && (c || r.conformal() == null)) {
      return r.conformal() == null ? "covered" : "covered (both intervals)";
    }
    if (b) {
      return "covered (bootstrap; the conformal interval misses it)";
    }
    if (c) {
      return "not covered by the bootstrap interval (the conformal interval covers it)";
    }
    return "not covered";
  }

  /** The grid row of a time label, or {@code fallback} when the label is missing or off-grid. */
  private int gridRow(JsonNode label, int fallback) {
    if (!label.isTextual()) {
      return fallback;
    }
    try {
      Duration d = Duration.between(GRID_START, Instant.parse(label.asText()));
      long step = options.monitor().step().toMillis();
      if (d.isNegative() || d.toMillis() % step != 0) {
        return fallback;
      }
      return Math.toIntExact(d.toMillis() / step);
    } catch (java.time.format.DateTimeParseException | ArithmeticException e) {
      return fallback;
    }
  }

  private static Bounds interval(JsonNode n) {
    if (n == null || !n.isArray() || n.size() != 2) {
      return null;
    }
    return new Bounds(
        n.get(0).isNumber() ? n.get(0).asDouble() : null,
        n.get(1).isNumber() ? n.get(1).asDouble() : null);
  }

  private void checkDuration(PointSimulation sim) {
    if (options.duration() == null || options.speed() == 0) {
      return;
    }
    double needed = (sim.startRow() + 2) / options.speed();
    if (options.duration().toMillis() / 1000.0 < needed) {
      throw new InputException(
          String.format(
              Locale.ROOT,
              "--duration %s is too short: at --speed %s steps per second the campaign starts"
                  + " after %.1f s (row %d); give a longer --duration or a higher --speed",
              human(options.duration()),
              Numbers.format(options.speed()),
              sim.startRow() / options.speed(),
              sim.startRow()));
    }
  }

  private Path dataDir() {
    Path given = options.dataDir();
    try {
      if (given == null) {
        return Files.createTempDirectory("cim-demo-");
      }
      if (Files.isDirectory(given)) {
        try (var entries = Files.list(given)) {
          if (entries.findAny().isPresent()) {
            throw new InputException(
                "--data-dir "
                    + given
                    + " is not empty: the demo starts from a fresh broker; remove it or name"
                    + " another directory");
          }
        }
      } else if (Files.exists(given)) {
        throw new InputException("--data-dir " + given + " is a file, not a directory");
      }
      return Files.createDirectories(given).toAbsolutePath();
    } catch (IOException e) {
      throw new InputException("cannot create the data directory " + given + ": " + e, e);
    }
  }

  private void awaitRunning(StreamsRunner streams) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!streams.awaitRunning(Duration.ofMillis(200))) {
      if (stop.getAsBoolean()) {
        return;
      }
      if (streams.hasStopped()) {
        throw new IllegalStateException(
            "Kafka Streams did not start ("
                + streams.state()
                + ")"
                + streams.failure().map(e -> ": " + StreamsRunner.message(e)).orElse(""));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Kafka Streams is not running after 60 s (state " + streams.state() + ")");
      }
    }
  }

  private void println(String format, Object... args) {
    out.println(String.format(Locale.ROOT, format, args));
    out.flush();
  }

  private String elapsed() {
    return String.format(Locale.ROOT, "%6.1f s", (System.nanoTime() - begin) / 1e9);
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
  }

  /** {@code 1 minute}, {@code 60 s}, {@code 2.5 s}. */
  static String human(Duration d) {
    if (d.toMillis() % 60_000 == 0 && d.toMinutes() > 0) {
      long m = d.toMinutes();
      return m == 1 ? "1 minute" : m + " minutes";
    }
    return Numbers.format(d.toMillis() / 1000.0) + " s";
  }

  private static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }
}
