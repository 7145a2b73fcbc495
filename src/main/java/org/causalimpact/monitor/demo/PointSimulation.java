package org.causalimpact.monitor.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.io.InterventionEvents;
import org.causalimpact.monitor.io.InterventionEvents.InterventionEvent;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.DataSimulator.SimulatedData;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.SimulationSpec;

/**
 * Data drawn from a monitor's true equations (its {@code simulation} section) for a replay to
 * Kafka: {@code rows} rows on the monitor's grid from {@code gridStart}, then {@code tail} more
 * rows that close the last rows past the grace (see {@link PointReplay}). The noise is drawn row by
 * row, so the first {@code rows} rows are exactly those {@code simulate --rows rows} writes as CSV
 * with the same seed.
 *
 * @param monitor the monitor
 * @param event the intervention event, or {@code null}
 * @param placed the event on the grid ({@code null} without an event)
 * @param gridStart the time of row 0
 * @param rows rows before the tail
 * @param tail rows after them
 * @param data the simulated table ({@code rows + tail} rows) and the true effects
 */
public record PointSimulation(
    MonitorDefinition monitor,
    InterventionEvent event,
    Intervention placed,
    Instant gridStart,
    int rows,
    int tail,
    SimulatedData data) {
  public PointSimulation {
    Objects.requireNonNull(monitor, "monitor");
    Objects.requireNonNull(gridStart, "gridStart");
    Objects.requireNonNull(data, "data");
    if ((event == null) != (placed == null)) {
      throw new IllegalArgumentException("event and placed must both be given or both be null");
    }
  }

  /**
   * Simulates the monitor with the event's do-specs from its start row on (to the end of the data,
   * tail included, unless the event gives an end).
   *
   * @param grace the grace of the stream, which sets the tail (see {@link PointReplay#tailRows})
   * @throws InputException when the monitor has no simulation section, the event is addressed to
   *     another monitor or lies outside the rows, or {@code rows} is out of range
   */
  public static PointSimulation of(
      MonitorDefinition def,
      InterventionEvent event,
      int rows,
      long seed,
      Instant gridStart,
      Duration grace) {
    SimulationSpec base = def.simulation();
    if (base == null) {
      throw new InputException(
          "monitor '"
              + def.name()
              + "' has no 'simulation' section: add the true equation of every node under"
              + " 'simulation: equations:' (see config/monitors/demo.yaml)");
    }
    if (rows < 3 || rows > 10_000_000) {
      throw new InputException("the number of rows must be between 3 and 10000000; got " + rows);
    }
    int tail = PointReplay.tailRows(grace, def.step());
    Intervention placed = null;
    if (event != null) {
      if (event.monitor() != null && !event.monitor().equals(def.name())) {
        throw new InputException(
            "the intervention event is addressed to monitor '"
                + event.monitor()
                + "' but the monitor is '"
                + def.name()
                + "'");
      }
      placed = InterventionEvents.onGrid(event, def.graph(), gridStart, def.step(), rows);
    }
    SimulatedData data =
        DataSimulator.simulate(
            def.graph(), new SimulationSpec(rows + tail, base.equations()), placed, seed);
    return new PointSimulation(def, event, placed, gridStart, rows, tail, data);
  }

  /** The first row of the intervention's post-period, or -1 without an intervention. */
  public int startRow() {
    return placed == null ? -1 : placed.start();
  }

  /** The row after its post-period as the event gives it: its end row, or {@code rows}. */
  public int endRow() {
    return placed == null ? -1 : placed.endWithin(rows);
  }

  /** The replay of these rows: start and end events at {@link #startRow()} and {@link #endRow()}. */
  public PointReplay replay() {
    return new PointReplay(
        monitor.name(),
        data.table(),
        gridStart,
        monitor.step(),
        rows,
        event,
        startRow(),
        endRow());
  }

  /** The nodes whose effects are reported: the event's outcomes, or every descendant of its nodes. */
  public List<String> outcomes() {
    if (placed == null) {
      return List.of();
    }
    if (!placed.outcomes().isEmpty()) {
      return placed.outcomes();
    }
    return new ArrayList<>(monitor.graph().descendants(placed.actions().keySet()));
  }

  /** The true average effect on {@code node} over rows {@code from} (inclusive) to {@code to}. */
  public double trueAverageEffect(String node, int from, int to) {
    if (to <= from) {
      return Double.NaN;
    }
    double sum = 0;
    for (int t = from; t < to; t++) {
      sum += data.trueEffect(node, t);
    }
    return sum / (to - from);
  }
}
