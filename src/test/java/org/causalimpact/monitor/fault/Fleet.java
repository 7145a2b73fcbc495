package org.causalimpact.monitor.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.graph.Aggregation;
import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.impact.ImpactAnalyzer;
import org.causalimpact.monitor.live.TopologySettings;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.TimeSeriesTable;

/**
 * Copies of the validation monitor ({@code config/monitors/validation.yaml}: x → y, hourly steps,
 * a 400-row pre-window) written to a directory as {@code run} reads them, each with its own name,
 * its own series ({@code x<i>}, {@code y<i>}: a point feeds one monitor only) and its own simulated
 * data (seed 5 + i), and one campaign each ({@code do(x += 5)} from row {@value #START} to row
 * {@value #ROWS}). Points are summed per step ({@code aggregation: sum}), so a point used twice
 * would change its row.
 *
 * <p>Each monitor's metric points and intervention events go to one partition of the input topics
 * (monitor i to partition i mod partitions), so that they are read in the order sent, as on one
 * partition; the names are chosen so that monitors land on different partitions of the
 * repartition topic too. Immutable.
 */
final class Fleet {
  /** The campaign's first row. */
  static final int START = 400;

  /** Rows in all; the campaign ends at this row. */
  static final int ROWS = 420;

  /** The monitor's topics, and grace 0: a row closes as soon as a point of a later row arrives. */
  static final TopologySettings SETTINGS = TopologySettings.defaults().withGrace(Duration.ZERO);

  /** The longest a fault test waits for any one thing (a start, records, a takeover). */
  static final Duration WAIT = Duration.ofSeconds(60);

  /** Simulated data of monitor i use seed {@code SEED + i}. */
  static final long SEED = 5L;

  private static final Path VALIDATION = Path.of("config/monitors/validation.yaml");

  /**
   * One monitor of the fleet.
   *
   * @param definition the monitor as loaded from its file
   * @param table its simulated rows (columns {@link #x()}, {@link #y()})
   * @param campaign the intervention sent to it
   * @param partition the partition of the input topics its records are sent to
   */
  record Member(
      MonitorDefinition definition, TimeSeriesTable table, Intervention campaign, int partition) {
    String name() {
      return definition.name();
    }

    String x() {
      return definition.graph().nodeNames().get(0);
    }

    String y() {
      return definition.graph().nodeNames().get(1);
    }

    /** The batch analysis ({@code analyze}) of the same rows: what an undisturbed run reports. */
    ImpactAnalysis batch() {
      return ImpactAnalyzer.withDefaults()
          .withFit(definition.fit())
          .withIntervals(definition.intervals())
          .analyze(name(), definition.graph(), table.slice(0, ROWS), 0, campaign);
    }
  }

  private final Path dir;
  private final List<Member> members;

  private Fleet(Path dir, List<Member> members) {
    this.dir = dir;
    this.members = List.copyOf(members);
  }

  /**
   * Writes {@code size} monitors to {@code dir} (created) and simulates their data.
   *
   * @param partitions partitions of the input topics (and so of the repartition topic)
   */
  static Fleet write(Path dir, int size, int partitions) throws IOException {
    Files.createDirectories(dir);
    String validation = Files.readString(VALIDATION, StandardCharsets.UTF_8);
    List<String> names = names(size, partitions);
    List<Member> members = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      Path file = dir.resolve(names.get(i) + ".yaml");
      Files.writeString(file, copy(validation, names.get(i), "x" + i, "y" + i));
      MonitorDefinition d = MonitorLoader.load(file);
      assertEquals(List.of("x" + i, "y" + i), d.graph().nodeNames(), "nodes of " + file);
      d.graph().nodes().forEach(
          n -> assertEquals(Aggregation.SUM, n.aggregation(), "aggregation of " + n.name()));
      Intervention campaign =
          new Intervention(
              "campaign", Map.of("x" + i, new DoSpec.Shift(5.0)), List.of("y" + i), START, -1);
      TimeSeriesTable t = DataSimulator.simulate(d.graph(), d.simulation(), campaign, SEED + i).table();
      members.add(new Member(d, t, campaign, i % partitions));
    }
    return new Fleet(dir, members);
  }

  /** The validation monitor renamed, with its nodes x and y renamed and points summed. */
  private static String copy(String validation, String name, String x, String y) {
    String s =
        validation
            .replaceFirst("(?m)^name: validation$", "name: " + name)
            .replaceFirst("(?m)^model:$", "model:\n  aggregation: sum")
            .replaceAll("\\bx\\b", x)
            .replaceAll("\\by\\b", y);
    if (!s.contains("name: " + name) || !s.contains("aggregation: sum")) {
      throw new IllegalStateException(VALIDATION + " no longer has the lines this copy edits");
    }
    return s;
  }

  /**
   * {@code size} monitor names that Kafka's default partitioner (murmur2 of the UTF-8 key, as for
   * the repartition topic keyed by monitor) puts on different partitions, as far as there are
   * partitions.
   */
  private static List<String> names(int size, int partitions) {
    List<String> names = new ArrayList<>();
    Set<Integer> taken = new HashSet<>();
    for (char c = 'a'; names.size() < size; c++) {
      if (c > 'z') {
        throw new IllegalArgumentException(
            "no " + size + " names fleet-a..fleet-z on " + partitions + " partitions");
      }
      String name = "fleet-" + c;
      if (taken.add(repartition(name, partitions)) || taken.size() == partitions) {
        names.add(name);
      }
    }
    return names;
  }

  /** The partition of the repartition topic that holds a monitor's records. */
  static int repartition(String monitor, int partitions) {
    return Utils.toPositive(Utils.murmur2(monitor.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /** Where the definitions are ({@code run --monitors}). */
  Path dir() {
    return dir;
  }

  List<Member> members() {
    return members;
  }

  List<MonitorDefinition> definitions() {
    return members.stream().map(Member::definition).toList();
  }
}
