package org.causalimpact.monitor.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.causalimpact.monitor.io.InterventionEvents.InterventionEvent;
import org.causalimpact.monitor.scm.TimeSeriesTable;

/**
 * Replays a simulated table to Kafka in accelerated event time: one point per node per row, row
 * {@code r} stamped {@code gridStart + r·step}, at {@code speed} rows per wall-clock second. The
 * intervention's start event goes out just before the points of its start row; its end event
 * (timestamp = the end of the last row of the post-period) just before the points of the row after
 * it. Each event is flushed before the next point is sent. After the end, {@link #tailRows} more
 * rows follow, so that stream time passes the end of the last post-period row plus the grace and
 * the monitor closes it.
 *
 * <p>The replay ends early, with the end event and the tail, when {@code maxDuration} of wall time
 * has passed; it stops at once, without them, when {@code stop} says so (Ctrl-C). Not thread-safe:
 * one replay runs on one thread.
 */
public final class PointReplay {
  /** What the replay reports as it goes (on its own thread). */
  public interface Listener {
    /** The points of {@code row} (at {@code time}) were handed to the producer. */
    default void row(int row, Instant time) {}

    /** The start event was sent before row {@code row}. */
    default void started(int row, Instant time) {}

    /** The end event was sent: the post-period is the rows before {@code row}. */
    default void ended(int row, Instant time) {}
  }

  /**
   * What was sent.
   *
   * @param rows rows sent, tail included
   * @param startRow the intervention's start row, or -1 when its start was not reached
   * @param endRow the first row after its post-period, or -1 when no end event was sent
   * @param stopped whether the replay was stopped before its end
   */
  public record Result(int rows, int startRow, int endRow, boolean stopped) {}

  private final String monitor;
  private final TimeSeriesTable table;
  private final Instant gridStart;
  private final Duration step;
  private final int rows;
  private final InterventionEvent event;
  private final int startRow;
  private final int endRow;

  /**
   * @param monitor the monitor the events are addressed to
   * @param table the simulated values: {@code rows} rows, then the tail
   * @param gridStart the time of row 0
   * @param step the monitor's grid step
   * @param rows rows before the tail; the post-period ends at {@code endRow} at the latest
   * @param event the intervention, or {@code null} for none
   * @param startRow the intervention's first row ({@code 0 <= startRow < rows}), ignored without one
   * @param endRow the first row after its post-period ({@code startRow < endRow <= rows})
   */
  public PointReplay(
      String monitor,
      TimeSeriesTable table,
      Instant gridStart,
      Duration step,
      int rows,
      InterventionEvent event,
      int startRow,
      int endRow) {
    this.monitor = Objects.requireNonNull(monitor, "monitor");
    this.table = Objects.requireNonNull(table, "table");
    this.gridStart = Objects.requireNonNull(gridStart, "gridStart");
    this.step = Objects.requireNonNull(step, "step");
    if (rows < 1 || rows > table.rows()) {
      throw new IllegalArgumentException(
          "rows must be in 1.." + table.rows() + " (the table's rows), got " + rows);
    }
    if (event != null && (startRow < 0 || startRow >= rows || endRow <= startRow || endRow > rows)) {
      throw new IllegalArgumentException(
          "need 0 <= startRow < endRow <= rows, got startRow "
              + startRow
              + ", endRow "
              + endRow
              + ", rows "
              + rows);
    }
    this.rows = rows;
    this.event = event;
    this.startRow = startRow;
    this.endRow = endRow;
  }

  /**
   * Rows to send after the end so that stream time passes the last row's end plus {@code grace}:
   * {@code ceil(grace / step) + 2}.
   */
  public static int tailRows(Duration grace, Duration step) {
    long g = grace.toNanos();
    long s = step.toNanos();
    return (int) Math.min(1_000, (g + s - 1) / s + 2);
  }

  /** The time of row {@code row}. */
  public Instant time(int row) {
    return gridStart.plus(step.multipliedBy(row));
  }

  /**
   * Sends the rows, paced at {@code speed} rows per second ({@code 0} or infinity: as fast as the
   * producer takes them), and flushes.
   *
   * @param maxDuration wall time after which the post-period is ended early, or {@code null}
   * @param stop polled before every row; when true, the replay stops at once
   * @throws InterruptedException when the thread is interrupted while pacing
   */
  public Result run(
      PointProducer out,
      double speed,
      Duration maxDuration,
      BooleanSupplier stop,
      Listener listener)
      throws InterruptedException {
    return run(out, speed, speed, maxDuration, stop, listener);
  }

  /**
   * Sends the rows as {@link #run(PointProducer, double, Duration, BooleanSupplier, Listener)}
   * does, the post-period's rows (from the start row to the end) paced at {@code campaignSpeed}
   * and the others at {@code speed}: a pre-period that goes by fast and a campaign a person can
   * follow.
   */
  public Result run(
      PointProducer out,
      double speed,
      double campaignSpeed,
      Duration maxDuration,
      BooleanSupplier stop,
      Listener listener)
      throws InterruptedException {
    if (!(speed >= 0) || !(campaignSpeed >= 0)) {
      throw new IllegalArgumentException(
          "speeds must be >= 0 rows per second, got " + speed + " and " + campaignSpeed);
    }
    List<String> nodes = table.columns();
    double[][] values = new double[nodes.size()][];
    for (int c = 0; c < values.length; c++) {
      values[c] = table.column(nodes.get(c));
    }
    long begin = System.nanoTime();
    long due = begin;
    long deadline = maxDuration == null ? Long.MAX_VALUE : begin + maxDuration.toNanos();
    int end = event == null ? rows : endRow;
    int last = table.rows();
    int started = -1;
    int ended = -1;
    int sent = 0;
    for (int r = 0; r < last; r++) {
      if (stop.getAsBoolean()) {
        out.flush();
        return new Result(sent, started, ended, true);
      }
      if (r < end && System.nanoTime() >= deadline) {
        // out of wall time: the post-period ends here, and the tail follows
        int tail = table.rows() - rows;
        end = r;
        last = Math.min(table.rows(), r + Math.max(tail, 1));
      }
      Instant time = time(r);
      if (event != null && r == startRow && r < end) {
        out.start(monitor, event);
        // written before any point of its start row, so a consumer never sees them the other way
        out.flush();
        started = r;
        listener.started(r, time);
      }
      if (started >= 0 && ended < 0 && r == end) {
        out.end(monitor, event.id(), time);
        out.flush();
        ended = r;
        listener.ended(r, time);
      }
      for (int c = 0; c < values.length; c++) {
        out.point(nodes.get(c), time, values[c][r]);
      }
      sent++;
      listener.row(r, time);
      double pace = started >= 0 && ended < 0 ? campaignSpeed : speed;
      if (pace > 0 && Double.isFinite(pace)) {
        due += (long) (1e9 / pace);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
      } else {
        due = System.nanoTime();
      }
    }
    if (started >= 0 && ended < 0) {
      // a table without a tail: end after the last row
      Instant time = time(last);
      out.end(monitor, event.id(), time);
      ended = last;
      listener.ended(last, time);
    }
    out.flush();
    return new Result(sent, started, ended, false);
  }
}
