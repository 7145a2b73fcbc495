package org.causalimpact.monitor.stream;

import java.util.ArrayList;
import java.util.List;

/**
 * Up to {@value #SIZE} consecutive closed rows of one monitor, steps {@code index * SIZE} to {@code
 * index * SIZE + SIZE - 1}: one value of the rows store. Rows are stored in chunks so that a closed
 * row is a change to its monitor's open chunk in the store's cache, not a RocksDB write and a
 * changelog record of its own, and so that old rows leave a chunk (one tombstone) at a time.
 */
final class RowChunk {
  static final int SIZE = 16;

  final long index;
  private final GridRow[] rows = new GridRow[SIZE];

  /**
   * Each held row's bytes as {@link StateSerdes} stores them, by slot, kept until the row is
   * replaced: the chunk is written again whenever a row closes into it, and its older rows need
   * not be encoded again each time.
   */
  final byte[][] encoded = new byte[SIZE][];

  RowChunk(long index) {
    this.index = index;
  }

  /** The chunk that holds step {@code step}. */
  static long indexOf(long step) {
    return Math.floorDiv(step, SIZE);
  }

  /** The row of step {@code step}, or {@code null} if this chunk does not hold it. */
  GridRow get(long step) {
    long at = step - index * SIZE;
    return at < 0 || at >= SIZE ? null : rows[(int) at];
  }

  /** Stores the row, replacing a row of the same step. */
  void put(GridRow row) {
    if (indexOf(row.step()) != index) {
      throw new IllegalArgumentException("row " + row.step() + " is not in chunk " + index);
    }
    int slot = (int) (row.step() - index * SIZE);
    rows[slot] = row;
    encoded[slot] = null;
  }

  /** The row in slot {@code slot} (step {@code index * SIZE + slot}), or {@code null}. */
  GridRow at(int slot) {
    return rows[slot];
  }

  /** The rows held, in step order. */
  List<GridRow> rows() {
    List<GridRow> list = new ArrayList<>(SIZE);
    for (GridRow r : rows) {
      if (r != null) {
        list.add(r);
      }
    }
    return list;
  }
}
