package org.causalimpact.monitor.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.causalimpact.monitor.impact.StepImpact;
import org.causalimpact.monitor.scm.TimeSeriesTable;

/**
 * What a fault must not break, checked on a {@link DrillReport}: every metric point accounted
 * for, and the impact records each committed once and equal to an undisturbed run.
 */
final class Guarantees {
  /** Header of a dead letter: why the record could not be used. */
  static final String REASON = "cim.reason";

  /** Header of a dead letter: the offset of the record in its source topic. */
  static final String SOURCE_OFFSET = "cim.source.offset";

  private static final double TOLERANCE = 1e-9;

  private Guarantees() {}

  /**
   * Every metric record sent is in the metrics topic exactly once; the unusable ones are each in
   * the dead-letter topic exactly once, with the expected reason; every other point is used: its
   * value is the value of its series in the stored row of its step (the last point, of the row
   * after the post-period, closes that period's last row).
   */
  static void everyPointAccountedFor(DrillReport r) {
    assertEquals(
        counts(r.sent(), Function.identity()),
        counts(r.metrics(), ConsumerRecord::value),
        r.label() + ": the metrics topic must hold every record sent exactly once");

    List<String> expected =
        r.unusable().stream().map(u -> u.reason() + " " + u.value()).sorted().toList();
    List<String> deadLetters =
        r.deadLetters().stream().map(d -> header(d, REASON) + " " + d.value()).sorted().toList();
    assertEquals(
        expected, deadLetters,
        r.label() + ": the dead letters must be the unusable records, each once, with its reason");
    assertEquals(
        r.deadLetters().size(),
        r.deadLetters().stream().map(d -> header(d, SOURCE_OFFSET)).distinct().count(),
        r.label() + ": no source offset may be dead-lettered twice");

    TimeSeriesTable t = r.table();
    TimeSeriesTable rows = r.storedRows();
    int used = t.columns().size() * FaultDrill.ROWS;
    assertEquals(
        r.sent().size(), r.unusable().size() + used + 1,
        r.label() + ": records sent = unusable + points of the stored rows + the closing point");
    assertEquals(
        FaultDrill.ROWS, rows.rows(), r.label() + ": closed rows in the monitor's store");
    assertEquals(Instant.EPOCH.toString(), rows.label(0), r.label() + ": first stored row");
    for (String series : t.columns()) {
      for (int row = 0; row < FaultDrill.ROWS; row++) {
        assertEquals(
            t.value(series, row), rows.value(series, row), 0.0,
            r.label() + ": stored value of " + series + " at row " + row
                + " (a lost point leaves the previous value in its place)");
      }
    }
  }

  /**
   * One impact record per post-period row, in order, none imputed, each equal to the batch
   * analysis of the same rows (so the cumulative effect is the undisturbed run's throughout);
   * exactly one summary, equal to the batch analysis.
   */
  static void impactExactlyOnceAsUndisturbed(DrillReport r) {
    List<StepImpact> batch = r.batch().outcome("y").series();
    List<JsonNode> impact = r.impact();
    assertEquals(
        FaultDrill.ROWS - FaultDrill.START, impact.size(),
        r.label() + ": impact records (one per post-period row; read_committed)");
    for (int h = 0; h < impact.size(); h++) {
      JsonNode record = impact.get(h);
      String at = r.label() + ": impact record " + h + " " + record;
      assertEquals(h + 1, record.get("step").asInt(), at + ": steps in order, none missing or repeated");
      assertFalse(record.get("imputed").asBoolean(), at + ": imputed");
      assertEquals(
          r.table().value("y", FaultDrill.START + h), record.get("actual").asDouble(), 0.0,
          at + ": actual");
      JsonNode cumulative = record.get("cumulative");
      assertEquals(batch.get(h).cumulative().mean(), cumulative.get("mean").asDouble(), TOLERANCE, at);
      assertEquals(
          batch.get(h).cumulative().bootstrap().lower(),
          cumulative.get("bootstrap").get(0).asDouble(), TOLERANCE, at);
      assertEquals(
          batch.get(h).cumulative().bootstrap().upper(),
          cumulative.get("bootstrap").get(1).asDouble(), TOLERANCE, at);
    }
    assertEquals(1, r.summaries().size(), r.label() + ": summaries " + r.summaries());
    assertEquals(
        r.batch().outcome("y").summary().average().effect().mean(),
        r.summaries().get(0).get("summary").get("average").get("effect").get("mean").asDouble(),
        TOLERANCE,
        r.label() + ": average effect of the summary");
  }

  private static <T> Map<String, Long> counts(List<T> items, Function<T, String> key) {
    return items.stream().collect(Collectors.groupingBy(key, TreeMap::new, Collectors.counting()));
  }

  private static String header(ConsumerRecord<String, String> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? "(no " + name + ")" : new String(h.value(), StandardCharsets.UTF_8);
  }
}
