package org.causalimpact.monitor.demo;

import java.io.PrintWriter;
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
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.app.AppSettings;
import org.causalimpact.monitor.app.MonitorApp;
import org.causalimpact.monitor.app.StreamsRunner;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.http.HttpApi;
import org.causalimpact.monitor.live.TopologySettings;
import org.causalimpact.monitor.report.Numbers;

/**
 * The {@code demo}: a real single-node Kafka broker in this process, the monitor topology on it
 * with exactly-once processing, and a simulator that replays a monitor's true equations with a
 * known injected effect in accelerated event time. At the end it reads the intervention's summary
 * from the summary topic (read_committed) and prints each outcome's estimated average effect with
 * both intervals next to the injected truth.
 *
 * <p>The pre-period goes by at {@link DemoOptions#speed()}, the campaign at {@link
 * DemoOptions#campaignSpeed()}; after the result the live page stays up until {@code stop} turns
 * true, unless {@link DemoOptions#exitAfterResult()}. Kafka's own log lines go to a file ({@link
 * KafkaLogFile}). Everything it starts is stopped and, unless a data directory was given, deleted
 * before {@link #run} returns — also when {@code stop} turns true (Ctrl-C). Not thread-safe: one
 * run per instance.
 */
public final class DemoSession {
  /** The time of the first simulated row. */
  public static final Instant GRID_START = Instant.parse("2026-01-01T00:00:00Z");

  private final DemoOptions options;
  private final PrintWriter out;
  private final BooleanSupplier stop;
  private final long begin = System.nanoTime();

  public DemoSession(DemoOptions options, PrintWriter out, BooleanSupplier stop) {
    this.options = Objects.requireNonNull(options, "options");
    this.out = Objects.requireNonNull(out, "out");
    this.stop = Objects.requireNonNull(stop, "stop");
  }

  /**
   * Runs the demo to its result, keeps the page up unless told to exit then, and stops on {@code
   * stop}.
   *
   * @return the outcomes' estimates next to the truth; empty when stopped or when the campaign did
   *     not start within {@code duration}
   * @throws IllegalStateException when the broker or the topology fails, or the summary does not
   *     arrive in time
   */
  public List<DemoResults.OutcomeResult> run() throws InterruptedException {
    MonitorDefinition def = options.monitor();
    TopologySettings settings = TopologySettings.defaults();
    PointSimulation sim =
        PointSimulation.of(
            def,
            options.campaign(),
            def.simulation() == null ? 0 : def.simulation().rows(),
            options.seed(),
            GRID_START,
            settings.grace());
    checkDuration(sim);
    Path dir = DemoDataDir.prepare(options.dataDir());
    boolean temporary = options.dataDir() == null;
    println(
        "demo: monitor '%s' (%d nodes, steps of %s), %d simulated rows from %s (+%d after the"
            + " end, to close the last rows), seed %d; campaign '%s' starts at row %d (%s)",
        def.name(),
        def.graph().size(),
        Console.human(def.step()),
        sim.rows(),
        GRID_START,
        sim.tail(),
        options.seed(),
        options.campaign().id(),
        sim.startRow(),
        sim.replay().time(sim.startRow()));
    EmbeddedKafka kafka = null;
    MonitorApp app = null;
    KafkaLogFile kafkaLog = KafkaLogFile.open(temporary ? null : dir.resolve("kafka.log"));
    if (kafkaLog.file() != null) {
      println("kafka logs: the broker's, Kafka Streams' and the clients' WARN lines go to %s",
          kafkaLog.file());
    }
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
      AppSettings configs =
          AppSettings.embedded(kafka.bootstrapServers(), dir.resolve("streams"));
      app = MonitorApp.start(configs, List.of(def));
      awaitRunning(app.streams());
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
        app.serve(HttpApi.loopback(options.httpPort()), null);
      } catch (java.io.IOException e) {
        throw new InputException(
            "cannot serve HTTP on 127.0.0.1:" + options.httpPort() + ": " + e.getMessage()
                + "; choose another --port", e);
      }
      println(
          "dashboard: http://127.0.0.1:%d/ (live page); JSON API under /api/monitors/%s;"
              + " Prometheus meters at /metrics",
          options.httpPort(),
          def.name());
      println(
          "simulator: %s before and after the campaign, %s during it%s",
          pace(options.speed()),
          pace(options.campaignSpeed()),
          options.duration() == null ? "" : ", for at most " + Console.human(options.duration()));
      println(
          "progress, every second: rows sent of all; model.health records = the model's"
              + " one-step-ahead check, one per node per closed row before the campaign; impact"
              + " records = the effect so far, one per outcome per closed campaign row");
      List<DemoResults.OutcomeResult> results =
          simulateAndWait(sim, settings, configs, app.streams());
      if (!results.isEmpty() && !options.exitAfterResult()) {
        keepUp(app.streams());
      }
      return results;
    } finally {
      if (app != null) {
        app.close();
      }
      if (kafka != null) {
        kafka.close();
      }
      kafkaLog.close();
      if (temporary) {
        EmbeddedKafka.deleteRecursively(dir);
      }
    }
  }

  private List<DemoResults.OutcomeResult> simulateAndWait(
      PointSimulation sim, TopologySettings settings, AppSettings configs, StreamsRunner streams)
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
                          options.campaignSpeed(),
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
            throw stopped("Kafka Streams stopped", streams);
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
                    + Console.human(options.summaryTimeout())
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
        return DemoResults.read(summary, sim, endRow, options.campaign().id(), out);
      } finally {
        finished.set(true);
        if (simulator.isAlive()) {
          simulator.interrupt();
        }
        simulator.join(10_000);
      }
    }
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
              Console.human(options.duration()),
              Numbers.format(options.speed()),
              sim.startRow() / options.speed(),
              sim.startRow()));
    }
  }

  private void awaitRunning(StreamsRunner streams) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!streams.awaitRunning(Duration.ofMillis(200))) {
      if (stop.getAsBoolean()) {
        return;
      }
      if (streams.hasStopped()) {
        throw stopped("Kafka Streams did not start", streams);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Kafka Streams is not running after 60 s (state " + streams.state() + ")");
      }
    }
  }

  /** Keeps the broker, the topology and the page up until Ctrl-C. */
  private void keepUp(StreamsRunner streams) throws InterruptedException {
    println("[%s] the live page stays up at http://127.0.0.1:%d/ until Ctrl-C (--exit-after-result"
        + " ends the demo here)", elapsed(), options.httpPort());
    while (!stop.getAsBoolean()) {
      if (streams.hasStopped()) {
        throw stopped("Kafka Streams stopped", streams);
      }
      Thread.sleep(200);
    }
  }

  private static IllegalStateException stopped(String what, StreamsRunner streams) {
    String cause = streams.failure().map(e -> ": " + StreamsRunner.message(e)).orElse("");
    return new IllegalStateException(what + " (" + streams.state() + ")" + cause);
  }

  private static String pace(double speed) {
    return speed == 0 ? "as fast as it can" : Numbers.format(speed) + " steps per second";
  }

  private void println(String format, Object... args) {
    Console.println(out, format, args);
  }

  private String elapsed() {
    return String.format(Locale.ROOT, "%6.1f s", (System.nanoTime() - begin) / 1e9);
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
  }
}
