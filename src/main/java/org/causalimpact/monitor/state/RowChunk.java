package org.causalimpact.monitor.state;

import java.util.ArrayList;
import java.util.List;

/**
 * Up to {@value #SIZE} consecutive closed rows of one monitor, steps {@code index * SIZE} to {@code
 * index * SIZE + SIZE - 1}: one value of the rows store. Rows are stored in chunks so that a closed
 * row is a change to its monitor's open chunk in the store's cache, not a RocksDB write and a
 * changelog record of its own, and so that old rows leave a chunk (one tombstone) at a time.
 *
 * <p>What the chunks pay, measured in the throughput harness ({@code ThroughputHarness}, {@code
 * -Dcim.rows=3000 -Dcim.rounds=3 -Dcim.latencyRows=5}; 2-core AMD EPYC, OpenJDK 17, shared with
 * other work; 3 runs of each build, alternated), against the same code with {@link #SIZE} 1 (a
 * row a value): the monitor's CPU per point in rounds 2 and 3, median of the runs, 11.8 us against
 * 15.6 us, and its rate 148,921 against 117,365 points/s (medians of the runs' results).
 */
public final class RowChunk {
  public static final int SIZE = 16;

  public final long index;
  private final GridRow[] rows = new GridRow[SIZE];

  public RowChunk(long index) {
    this.index = index;
  }

  /** Chunk keys sort by index: the monitor name, a slash and the index zero-padded to 19 digits. */
  public static String key(String monitor, long chunk) {
    if (chunk < 0) {
      throw new IllegalArgumentException("row chunk " + chunk + " < 0");
    }
    String digits = Long.toString(chunk);
    StringBuilder b = new StringBuilder(monitor.length() + 20).append(monitor).append('/');
    for (int i = digits.length(); i < 19; i++) {
      b.append('0');
    }
    return b.append(digits).toString();
  }

  /** The chunk that holds step {@code step}. */
  public static long indexOf(long step) {
    return Math.floorDiv(step, SIZE);
  }

  /** The row of step {@code step}, or {@code null} if this chunk does not hold it. */
  public GridRow get(long step) {
    long at = step - index * SIZE;
    return at < 0 || at >= SIZE ? null : rows[(int) at];
  }

  /** Stores the row, replacing a row of the same step. */
  public void put(GridRow row) {
    if (indexOf(row.step()) != index) {
      throw new IllegalArgumentException("row " + row.step() + " is not in chunk " + index);
    }
    int slot = (int) (row.step() - index * SIZE);
    rows[slot] = row;
  }

  /** The row in slot {@code slot} (step {@code index * SIZE + slot}), or {@code null}. */
  public GridRow at(int slot) {
    return rows[slot];
  }

  /** The rows held, in step order. */
  public List<GridRow> rows() {
    List<GridRow> list = new ArrayList<>(SIZE);
    for (GridRow r : rows) {
      if (r != null) {
        list.add(r);
      }
    }
    return list;
  }
}
