package org.causalimpact.monitor.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.causalimpact.monitor.app.StreamsRunner;
import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.impact.Interval;
import org.causalimpact.monitor.impact.StepImpact;
import org.causalimpact.monitor.live.MonitorQueries;
import org.causalimpact.monitor.live.MonitorStatus;
import org.causalimpact.monitor.live.StoresUnavailableException;
import org.causalimpact.monitor.live.TopologySettings;
import org.causalimpact.monitor.scm.TimeSeriesTable;

/**
 * What no fault may break, checked on what the monitor committed (read_committed) and stored:
 *
 * <ul>
 *   <li>the accounting invariant: metric points in = points used (in the closed rows of the
 *       monitor's store, plus the one point in an open cell) + points in the dead-letter topic;
 *   <li>every impact record committed exactly once and equal to the batch analysis of the same
 *       rows to {@value #TOLERANCE}, so the cumulative effect is the undisturbed run's throughout;
 *       one summary per campaign.
 * </ul>
 */
final class Audit {
  /** Absolute tolerance of streamed against batch numbers. */
  static final double TOLERANCE = 1e-9;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int IMPACT_PER_MONITOR = Fleet.ROWS - Fleet.START;

  private Audit() {}

  /** A monitor's store: its closed rows, and how many steps have an open cell. */
  record Stored(TimeSeriesTable rows, int openSteps) {}

  /** The counts the invariant relates, for the log and docs/reliability.md. */
  record Counts(int metricRecords, int used, int deadLetters, int impact, int summaries) {
    @Override
    public String toString() {
      return metricRecords + " metric records sent = " + used + " points used + " + deadLetters
          + " dead letters; " + impact + " impact records, " + summaries + " summaries";
    }
  }

  /** Impact records each monitor of {@code fleet} must commit, in all. */
  static int impactRecords(Fleet fleet) {
    return fleet.members().size() * IMPACT_PER_MONITOR;
  }

  /**
   * Every monitor's store, read from a running instance that holds all of them (waits while its
   * stores are being restored or rebalanced).
   */
  static Map<String, Stored> stores(StreamsRunner streams, Fleet fleet, Duration timeout)
      throws InterruptedException {
    MonitorQueries queries = MonitorQueries.over(streams.kafkaStreams(), fleet.definitions());
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        Map<String, Stored> stored = new LinkedHashMap<>();
        for (Fleet.Member m : fleet.members()) {
          MonitorStatus status = queries.monitor(m.name()).orElseThrow();
          TimeSeriesTable rows = queries.recentRows(m.name(), Fleet.ROWS + 1).orElseThrow();
          stored.put(m.name(), new Stored(rows, status.openSteps()));
        }
        return stored;
      } catch (StoresUnavailableException e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("stores not readable after " + timeout + " (" + streams.state()
              + ")", e);
        }
        Thread.sleep(100);
      }
    }
  }

  /**
   * Checks both guarantees on the topics of {@code settings}, read to their end now, and the
   * stores; returns the counts.
   */
  static Counts check(
      String label, Fleet fleet, Feed.Books books, String bootstrap, TopologySettings settings,
      Map<String, Stored> stored) {
    List<ConsumerRecord<String, String>> metrics = Committed.all(bootstrap, settings.metricsTopic());
    List<ConsumerRecord<String, String>> dead =
        Committed.all(bootstrap, TopologySettings.dlq(settings.metricsTopic()));
    List<ConsumerRecord<String, String>> impact = Committed.all(bootstrap, settings.impactTopic());
    List<ConsumerRecord<String, String>> summaries =
        Committed.all(bootstrap, settings.summaryTopic());
    int used = everyPointAccountedFor(label, fleet, books, metrics, dead, stored);
    impactExactlyOnceAsBatch(label, fleet, impact, summaries);
    return new Counts(books.sent().size(), used, dead.size(), impact.size(), summaries.size());
  }

  /**
   * The metrics topic holds every record sent exactly once; the dead letters are the bad records,
   * each once, with the expected reason; every other point is used: each closed row of each
   * monitor holds exactly its simulated values (summed, so a point used twice or lost would show),
   * none imputed, and one step (the one the closing point opened) has an open cell.
   *
   * @return the points used
   */
  static int everyPointAccountedFor(
      String label, Fleet fleet, Feed.Books books, List<ConsumerRecord<String, String>> metrics,
      List<ConsumerRecord<String, String>> dead, Map<String, Stored> stored) {
    assertEquals(
        counts(books.sent(), Function.identity()), counts(metrics, ConsumerRecord::value),
        label + ": the metrics topic must hold every record sent, exactly once");
    assertEquals(
        books.bad().stream().map(b -> b.reason() + " " + b.value()).sorted().toList(),
        dead.stream().map(d -> header(d, "cim.reason") + " " + d.value()).sorted().toList(),
        label + ": the dead letters must be the bad records, each once, with its reason");
    int used = 0;
    for (Fleet.Member m : fleet.members()) {
      Stored s = stored.get(m.name());
      String at = label + ", " + m.name() + ": ";
      assertEquals(Fleet.ROWS, s.rows().rows(), at + "closed rows in the store");
      for (String series : List.of(m.x(), m.y())) {
        for (int r = 0; r < Fleet.ROWS; r++) {
          assertEquals(
              m.table().value(series, r), s.rows().value(series, r), 0.0,
              at + series + " in row " + r + " (a lost point leaves an imputed value, a point"
                  + " used twice a doubled one)");
        }
      }
      assertEquals(1, s.openSteps(), at + "open steps (the campaign's closing point)");
      used += 2 * Fleet.ROWS + 1;
    }
    assertEquals(
        books.sent().size(), used + dead.size(),
        label + ": metric points in = points used + points in the dead-letter topic");
    return used;
  }

  /**
   * Per monitor, one impact record per campaign row, in order, none imputed, each equal to the
   * batch analysis; one summary per monitor, equal to the batch analysis; nothing else.
   */
  static void impactExactlyOnceAsBatch(
      String label, Fleet fleet, List<ConsumerRecord<String, String>> impact,
      List<ConsumerRecord<String, String>> summaries) {
    Map<String, List<JsonNode>> byMonitor = byMonitor(impact);
    Map<String, List<JsonNode>> summaryByMonitor = byMonitor(summaries);
    assertEquals(
        fleet.members().stream().map(Fleet.Member::name).sorted().toList(),
        List.copyOf(byMonitor.keySet()), label + ": monitors with impact records");
    assertEquals(impactRecords(fleet), impact.size(), label + ": impact records in all");
    for (Fleet.Member m : fleet.members()) {
      ImpactAnalysis batch = m.batch();
      List<StepImpact> series = batch.outcome(m.y()).series();
      List<JsonNode> records = byMonitor.get(m.name());
      assertEquals(IMPACT_PER_MONITOR, records.size(), label + ", " + m.name() + ": impact records");
      for (int h = 0; h < records.size(); h++) {
        JsonNode r = records.get(h);
        StepImpact b = series.get(h);
        String at = label + ", " + m.name() + ", impact record " + h + " " + r;
        assertEquals(h + 1, r.get("step").asInt(), at + ": steps in order, none missing or twice");
        assertFalse(r.get("imputed").asBoolean(), at + ": imputed");
        assertEquals(b.actual(), r.get("actual").asDouble(), 0.0, at + ": actual");
        assertEquals(
            b.counterfactual().mean(), r.get("counterfactual").get("mean").asDouble(), TOLERANCE,
            at + ": counterfactual");
        assertEquals(b.effect().mean(), r.get("effect").get("mean").asDouble(), TOLERANCE,
            at + ": effect");
        JsonNode cumulative = r.get("cumulative");
        assertEquals(b.cumulative().mean(), cumulative.get("mean").asDouble(), TOLERANCE,
            at + ": cumulative effect");
        assertInterval(b.cumulative().bootstrap(), cumulative.get("bootstrap"), at + ": bootstrap");
        assertInterval(b.cumulative().conformal(), cumulative.get("conformal"), at + ": conformal");
      }
      List<JsonNode> summary = summaryByMonitor.getOrDefault(m.name(), List.of());
      assertEquals(1, summary.size(), label + ", " + m.name() + ": summaries " + summary);
      assertEquals(
          batch.outcome(m.y()).summary().average().effect().mean(),
          summary.get(0).get("summary").get("average").get("effect").get("mean").asDouble(),
          TOLERANCE, label + ", " + m.name() + ": average effect of the summary");
    }
  }

  private static void assertInterval(Interval expected, JsonNode actual, String what) {
    if (expected == null) {
      assertEquals(true, actual == null || actual.isNull(), what + " should be absent");
      return;
    }
    assertEquals(expected.lower(), actual.get(0).asDouble(), TOLERANCE, what + " lower");
    assertEquals(expected.upper(), actual.get(1).asDouble(), TOLERANCE, what + " upper");
  }

  /** Record values by their {@code monitor} field, each monitor's in the order read. */
  private static Map<String, List<JsonNode>> byMonitor(List<ConsumerRecord<String, String>> rs) {
    Map<String, List<JsonNode>> out = new TreeMap<>();
    for (ConsumerRecord<String, String> r : rs) {
      JsonNode v = json(r.value());
      out.computeIfAbsent(v.get("monitor").asText(), k -> new java.util.ArrayList<>()).add(v);
    }
    return out;
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static <T> Map<String, Long> counts(List<T> items, Function<T, String> key) {
    return items.stream().collect(Collectors.groupingBy(key, TreeMap::new, Collectors.counting()));
  }

  private static String header(ConsumerRecord<String, String> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? "(no " + name + ")" : new String(h.value(), StandardCharsets.UTF_8);
  }
}
