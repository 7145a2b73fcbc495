package org.causalimpact.monitor.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.scm.TimeSeriesTable;

/**
 * What a {@link FaultDrill} sent, measured and read back.
 *
 * @param label the test, for the log
 * @param table the rows sent (the simulated data)
 * @param batch the batch analysis of the same rows: what an undisturbed run reports
 * @param fault what the fault did
 * @param leader the leader of the monitor's partitions when the fault struck
 * @param controller the active controller when the fault struck
 * @param broken the nodes the fault broke
 * @param producerFailover from the fault to the acknowledgement ({@code acks=all}) of the first
 *     point sent after it
 * @param firstOutputAfterFault from the fault to the first impact record committed after it
 * @param rejoin from the repair until the repaired nodes were in the ISR of every partition
 * @param sent every metric record value sent, in order
 * @param unusable the records among them the monitor must dead-letter
 * @param metrics the metrics topic, read to its end
 * @param deadLetters the metrics dead-letter topic, read to its end
 * @param impact the impact topic, read to its end
 * @param summaries the summary topic, read to its end
 * @param storedRows the monitor's closed rows, from its state store
 */
record DrillReport(
    String label,
    TimeSeriesTable table,
    ImpactAnalysis batch,
    String fault,
    int leader,
    int controller,
    Set<Integer> broken,
    Duration producerFailover,
    Duration firstOutputAfterFault,
    Duration rejoin,
    List<String> sent,
    List<InputFeed.Unusable> unusable,
    List<ConsumerRecord<String, String>> metrics,
    List<ConsumerRecord<String, String>> deadLetters,
    List<JsonNode> impact,
    List<JsonNode> summaries,
    TimeSeriesTable storedRows) {

  /** Timings and record counts, two lines for the log. */
  String describe() {
    return String.format(
        "[%s] %s on node(s) %s: producer acks resumed after %.1f s, first impact record after %.1f s,"
            + " back in every ISR %.1f s after the repair%n"
            + "[%s] records: %d metric records sent, %d in the metrics topic, %d dead letters (%d"
            + " expected), %d impact records, %d summary, %d rows stored",
        label, fault, broken, seconds(producerFailover), seconds(firstOutputAfterFault),
        seconds(rejoin), label, sent.size(), metrics.size(), deadLetters.size(), unusable.size(),
        impact.size(), summaries.size(), storedRows.rows());
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }

  /** Collects the parts of a report as the drill goes; every part must be given. */
  static final class Builder {
    private final String label;
    private final TimeSeriesTable table;
    private ImpactAnalysis batch;
    private String fault;
    private int leader = -1;
    private int controller = -1;
    private Set<Integer> broken;
    private Duration producerFailover;
    private Duration firstOutputAfterFault;
    private Duration rejoin;
    private List<String> sent;
    private List<InputFeed.Unusable> unusable;
    private List<ConsumerRecord<String, String>> metrics;
    private List<ConsumerRecord<String, String>> deadLetters;
    private List<JsonNode> impact;
    private List<JsonNode> summaries;
    private TimeSeriesTable storedRows;

    Builder(String label, TimeSeriesTable table) {
      this.label = label;
      this.table = table;
    }

    void batch(ImpactAnalysis a) {
      batch = a;
    }

    void fault(String what, int leaderNode, int controllerNode, Set<Integer> nodes) {
      fault = what;
      leader = leaderNode;
      controller = controllerNode;
      broken = Set.copyOf(nodes);
    }

    void producerFailover(Duration d) {
      producerFailover = d;
    }

    void firstOutputAfterFault(Duration d) {
      firstOutputAfterFault = d;
    }

    void rejoin(Duration d) {
      rejoin = d;
    }

    void sent(List<String> values, List<InputFeed.Unusable> bad) {
      sent = List.copyOf(values);
      unusable = List.copyOf(bad);
    }

    void metrics(List<ConsumerRecord<String, String>> records) {
      metrics = List.copyOf(records);
    }

    void deadLetters(List<ConsumerRecord<String, String>> records) {
      deadLetters = List.copyOf(records);
    }

    void impact(List<JsonNode> records) {
      impact = List.copyOf(records);
    }

    void summaries(List<JsonNode> records) {
      summaries = List.copyOf(records);
    }

    void storedRows(TimeSeriesTable rows) {
      storedRows = rows;
    }

    DrillReport build() {
      return new DrillReport(
          label,
          table,
          Objects.requireNonNull(batch, "batch"),
          Objects.requireNonNull(fault, "fault"),
          leader,
          controller,
          Objects.requireNonNull(broken, "broken"),
          Objects.requireNonNull(producerFailover, "producerFailover"),
          Objects.requireNonNull(firstOutputAfterFault, "firstOutputAfterFault"),
          Objects.requireNonNull(rejoin, "rejoin"),
          Objects.requireNonNull(sent, "sent"),
          Objects.requireNonNull(unusable, "unusable"),
          Objects.requireNonNull(metrics, "metrics"),
          Objects.requireNonNull(deadLetters, "deadLetters"),
          Objects.requireNonNull(impact, "impact"),
          Objects.requireNonNull(summaries, "summaries"),
          Objects.requireNonNull(storedRows, "storedRows"));
    }
  }
}
