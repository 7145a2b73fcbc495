package org.causalimpact.monitor.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.causalimpact.monitor.app.AppSettings;
import org.causalimpact.monitor.app.StreamsRunner;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.impact.ImpactAnalyzer;
import org.causalimpact.monitor.live.MonitorQueries;
import org.causalimpact.monitor.live.MonitorTopology;
import org.causalimpact.monitor.live.TopologySettings;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.TimeSeriesTable;

/**
 * One intervention of the validation monitor streamed through a {@link KafkaCluster}, with a
 * {@link Fault} in its middle. The timeline:
 *
 * <ol>
 *   <li>the monitor's topics are created with replication factor 3, {@code min.insync.replicas=2}
 *       and the active controller as the leader of every partition, so that one node holds both
 *       roles (breaking it loses neither the quorum nor the ISR minimum);
 *   <li>once the test's producer knows the partition leaders and has one record acknowledged (a
 *       warm-up record, unusable), rows 0..{@value #FAULT_AFTER} (the intervention starts at row
 *       {@value #START}) and three unusable metric records are sent; the Streams application ({@code exactly_once_v2},
 *       internal topics at replication factor 3) starts and commits the impact of rows
 *       {@value #START}..{@value #FAULT_AFTER} - 1;
 *   <li>the fault; rows {@value #FAULT_AFTER} + 1..{@value #REPAIR_AFTER} and two unusable
 *       records are sent through it, and their impact awaited (when the fault leaves a quorum);
 *   <li>the repair, until the repaired nodes are back in the ISR of every partition;
 *   <li>rows {@value #REPAIR_AFTER} + 1..{@value #ROWS} - 1, a late point, the end of the
 *       intervention at row {@value #ROWS} and a point of row {@value #ROWS} (which closes the
 *       last row); the summary is awaited, the application stopped and every topic read to its
 *       end with {@code read_committed}.
 * </ol>
 *
 * The same rows are analysed in batch, as an undisturbed run would be.
 */
final class FaultDrill {
  /** The intervention's first row (the validation monitor's pre-window is 400 rows). */
  static final int START = 400;

  /** The last row sent before the fault. */
  static final int FAULT_AFTER = 410;

  /** The last row sent through the fault, before the repair. */
  static final int REPAIR_AFTER = 414;

  /** Rows in all; the intervention ends at this row. */
  static final int ROWS = 420;

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KafkaCluster cluster;
  private final Fault fault;
  private final String label;
  private final MonitorDefinition monitor;
  private final TopologySettings settings;
  private final Intervention campaign;
  private final TimeSeriesTable table;
  private final long step;
  private final DrillReport.Builder report;

  private FaultDrill(KafkaCluster cluster, Fault fault, String label) {
    this.cluster = cluster;
    this.fault = fault;
    this.label = label;
    this.monitor = MonitorLoader.load(Path.of("config/monitors/validation.yaml"));
    this.settings = TopologySettings.defaults().withGrace(Duration.ZERO);
    this.campaign =
        new Intervention("campaign", Map.of("x", new DoSpec.Shift(5.0)), List.of("y"), START, -1);
    this.table = DataSimulator.simulate(monitor.graph(), monitor.simulation(), campaign, 5L).table();
    this.step = monitor.step().toMillis();
    this.report = new DrillReport.Builder(label, table);
  }

  /**
   * Runs the timeline on {@code cluster} with {@code fault}; {@code dir} holds the Streams state.
   * If the timeline does not complete, the end of every node's log goes to stderr.
   */
  static DrillReport run(KafkaCluster cluster, Fault fault, Path dir, String label) throws Exception {
    FaultDrill drill = new FaultDrill(cluster, fault, label);
    boolean completed = false;
    try {
      DrillReport r = drill.timeline(dir);
      completed = true;
      return r;
    } finally {
      if (!completed) {
        for (int id : cluster.nodeIds()) {
          System.err.printf("[%s] end of node %d's log:%n%s%n", label, id, cluster.logTail(id, 60));
        }
      }
    }
  }

  private DrillReport timeline(Path dir) throws Exception {
    String bootstrap = cluster.bootstrapServers();
    try (Admin admin = cluster.admin()) {
      createTopics(admin);
      try (InputFeed feed = new InputFeed(bootstrap, settings);
          CommittedReader impact = new CommittedReader(bootstrap, settings.impactTopic())) {
        beforeTheFault(feed);
        try (StreamsRunner streams =
            StreamsRunner.start(
                MonitorTopology.build(List.of(monitor), settings),
                streamsProperties(bootstrap, dir))) {
          assertTrue(streams.awaitRunning(WAIT), "streams not running: " + streams.failure());
          log("streams running; awaiting impact steps 1..%d", FAULT_AFTER - START);
          impact.awaitAtLeast(FAULT_AFTER - START, WAIT);
          throughTheFault(admin, feed, impact);
          afterTheRepair(feed, impact);
          report.storedRows(storedRows(streams));
        }
        report.sent(feed.sent(), feed.unusable());
        report.impact(values(impact.readToEnd(WAIT)));
      }
      report.metrics(readAll(bootstrap, settings.metricsTopic()));
      report.deadLetters(readAll(bootstrap, TopologySettings.dlq(settings.metricsTopic())));
      report.summaries(values(readAll(bootstrap, settings.summaryTopic())));
    }
    report.batch(
        ImpactAnalyzer.withDefaults()
            .withFit(monitor.fit())
            .withIntervals(monitor.intervals())
            .analyze(monitor.name(), monitor.graph(), table.slice(0, ROWS), 0, campaign));
    return report.build();
  }

  /**
   * Once the producer has a leader and an acknowledgement (a warm-up record): the pre-period, the
   * intervention's start and its first rows, three unusable records.
   */
  private void beforeTheFault(InputFeed feed) throws InterruptedException {
    log("producer warmed up in %.1f s", feed.warmUp(WAIT).toMillis() / 1000.0);
    feed.rows(table, 0, START, step);
    feed.unusable("malformed-json", 100 * step, "{\"series\":\"x\",\"timestamp\":");
    feed.unusable(
        "unknown-series", 200 * step,
        "{\"series\":\"z\",\"timestamp\":\"1970-01-09T08:00:00Z\",\"value\":1.0}");
    feed.unusable("malformed-json", 300 * step, "not json at all");
    feed.intervention(
        monitor.name(), START * step,
        "{\"id\":\"campaign\",\"timestamp\":" + START * step
            + ",\"do\":{\"x\":{\"shift\":5.0}},\"outcomes\":[\"y\"]}");
    feed.rows(table, START, FAULT_AFTER + 1, step);
    feed.flush();
  }

  /**
   * The fault, rows and unusable records sent through it, and the repair. Where the fault leaves
   * a quorum and the ISR minimum, the rows' impact is awaited before the repair; where it does
   * not (leader and controller were two nodes), nothing can move until the repair.
   */
  private void throughTheFault(Admin admin, InputFeed feed, CommittedReader impact)
      throws Exception {
    int leader = KafkaCluster.leader(admin, settings.impactTopic(), 0);
    int controller = KafkaCluster.activeController(admin);
    long faultAt = System.nanoTime();
    Set<Integer> broken = fault.inject(cluster, leader, controller);
    report.fault(fault.describe(), leader, controller, broken);
    log(
        "%s: broke node(s) %s (leader of the monitor's partitions %d, active controller %d)"
            + " after impact step %d of %d",
        fault.describe(), broken, leader, controller, FAULT_AFTER - START, ROWS - START);
    boolean quorumLeft = cluster.nodeIds().size() - broken.size() >= KafkaCluster.MIN_IN_SYNC;

    Future<RecordMetadata> first = feed.rows(table, FAULT_AFTER + 1, REPAIR_AFTER + 1, step);
    feed.unusable("malformed-json", (FAULT_AFTER + 1) * step, "{\"value\":}");
    feed.unusable(
        "unknown-series", (FAULT_AFTER + 2) * step,
        "{\"series\":\"w\",\"timestamp\":\"1970-01-18T04:00:00Z\",\"value\":2.0}");
    if (quorumLeft) {
      awaitFailover(first, impact, faultAt);
      impact.awaitAtLeast(REPAIR_AFTER - START, WAIT);
    }

    log("repairing node(s) %s", broken);
    fault.repair(cluster, broken);
    long repairedAt = System.nanoTime();
    for (int node : broken) {
      cluster.awaitInSync(admin, node, WAIT);
    }
    report.rejoin(since(repairedAt));
    log("node(s) %s back in every ISR", broken);
    if (!quorumLeft) {
      awaitFailover(first, impact, faultAt);
    }
  }

  /** Times the first acknowledged send and the first impact record committed after the fault. */
  private void awaitFailover(Future<RecordMetadata> first, CommittedReader impact, long faultAt)
      throws Exception {
    first.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    report.producerFailover(since(faultAt));
    impact.awaitAtLeast(FAULT_AFTER - START + 1, WAIT);
    report.firstOutputAfterFault(since(faultAt));
  }

  /** The last rows, a late point, the end and the point that closes the last row; the summary. */
  private void afterTheRepair(InputFeed feed, CommittedReader impact) {
    feed.rows(table, REPAIR_AFTER + 1, ROWS, step);
    feed.latePoint("x", 405 * step, table.value("x", 405));
    feed.intervention(
        monitor.name(), ROWS * step,
        "{\"id\":\"campaign\",\"action\":\"end\",\"timestamp\":" + ROWS * step + "}");
    feed.point("x", ROWS * step, 20.0);
    feed.flush();
    try (CommittedReader summary =
        new CommittedReader(cluster.bootstrapServers(), settings.summaryTopic())) {
      summary.awaitAtLeast(1, WAIT);
    }
    impact.awaitAtLeast(ROWS - START, WAIT);
    log("summary and impact steps 1..%d committed", ROWS - START);
  }

  /**
   * Kafka Streams on the cluster: {@link AppSettings#embedded} (exactly_once_v2, commits every
   * 100 ms) with internal topics at replication factor 3 and {@code min.insync.replicas=2}.
   */
  static Properties streamsProperties(String bootstrapServers, Path dir) {
    return AppSettings.embedded(bootstrapServers, dir.resolve("state"))
        .with(StreamsConfig.REPLICATION_FACTOR_CONFIG, Integer.toString(KafkaCluster.REPLICATION))
        .with(
            StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG),
            Integer.toString(KafkaCluster.MIN_IN_SYNC))
        .streams();
  }

  /**
   * Creates the monitor's topics, one partition each, replicated on every node with the active
   * controller first (so that it leads them).
   */
  private void createTopics(Admin admin) throws Exception {
    int controller = KafkaCluster.activeController(admin);
    List<Integer> replicas = new ArrayList<>();
    replicas.add(controller);
    cluster.nodeIds().stream().filter(id -> id != controller).forEach(replicas::add);
    List<NewTopic> topics =
        settings.topics().stream()
            .map(
                name ->
                    new NewTopic(name, Map.of(0, replicas))
                        .configs(
                            Map.of(
                                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
                                Integer.toString(KafkaCluster.MIN_IN_SYNC))))
            .toList();
    admin.createTopics(topics).all().get();
  }

  /** All closed rows of the monitor, read from the running instance's rows store. */
  private TimeSeriesTable storedRows(StreamsRunner streams) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!streams.isRunning()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("streams not running (" + streams.state() + "): stores unreadable");
      }
      Thread.sleep(100);
    }
    return MonitorQueries.over(streams.kafkaStreams(), List.of(monitor))
        .recentRows(monitor.name(), ROWS + 1)
        .orElseThrow(() -> new AssertionError("no rows stored for " + monitor.name()));
  }

  private static List<ConsumerRecord<String, String>> readAll(String bootstrap, String topic) {
    try (CommittedReader r = new CommittedReader(bootstrap, topic)) {
      return r.readToEnd(WAIT);
    }
  }

  private static List<JsonNode> values(List<ConsumerRecord<String, String>> records)
      throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (ConsumerRecord<String, String> r : records) {
      out.add(JSON.readTree(r.value()));
    }
    return out;
  }

  /** A line on stderr with the wall-clock time, to line up with the brokers' logs. */
  private void log(String format, Object... args) {
    System.err.printf("[%s] %s %s%n", label, LocalTime.now(), String.format(format, args));
  }

  private static Duration since(long nanos) {
    return Duration.ofNanos(System.nanoTime() - nanos);
  }
}
