package org.causalimpact.monitor.state;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a monitor's grid stands: the last closed step, stream time, the open cells and the last
 * value of each node (for imputation). The only state every metric point reads and writes, so it
 * is kept small and stored in a compact binary form ({@link StateSerdes}); everything else
 * (interventions, model health) is touched once per closed row at most. Mutable, owned by one
 * processor task.
 */
public final class GridState {
  /** No step closed yet, no event time seen. */
  public static final long NONE = Long.MIN_VALUE;

  public long lastClosedStep = NONE;
  public long maxEventTime = NONE;

  /** Per open step, the cell of each node by graph index ({@code null} where no point arrived). */
  public final TreeMap<Long, Cell[]> open = new TreeMap<>();

  /** Per node, the last value of a closed row; NaN before the first. */
  public double[] lastValues;

  public GridState(int nodes) {
    lastValues = new double[nodes];
    Arrays.fill(lastValues, Double.NaN);
  }

  /** The cell of {@code node} in open step {@code step}, created on first use. */
  public Cell cell(long step, int node) {
    Cell[] cells = open.computeIfAbsent(step, k -> new Cell[lastValues.length]);
    if (cells[node] == null) {
      cells[node] = new Cell();
    }
    return cells[node];
  }

  /** Points held in open cells (not yet in a closed row). */
  public long openPoints() {
    long n = 0;
    for (Cell[] cells : open.values()) {
      for (Cell c : cells) {
        n += c == null ? 0 : c.count;
      }
    }
    return n;
  }

  /** Sum of the values of the points held in open cells. */
  public double openSum() {
    double s = 0;
    for (Cell[] cells : open.values()) {
      for (Cell c : cells) {
        s += c == null ? 0 : c.sum;
      }
    }
    return s;
  }

  /** Aggregate of the points of one node in one step. */
  public static final class Cell {
    public double sum;
    public long count;
    public double last;
    public long lastTime = Long.MIN_VALUE;
  }

  // ---- binary form: version, clock, last values, open cells --------------------------------

  public static final byte VERSION = 1;

  public int size() {
    int cells = 0;
    for (Cell[] row : open.values()) {
      for (Cell c : row) {
        cells += c == null ? 0 : 1;
      }
    }
    return 1 + 8 + 8 + 4 + 8 * lastValues.length + 4 + open.size() * (8 + 4) + cells * (4 + 32);
  }

  public void writeTo(ByteBuffer b) {
    b.put(VERSION).putLong(lastClosedStep).putLong(maxEventTime).putInt(lastValues.length);
    for (double v : lastValues) {
      b.putDouble(v);
    }
    b.putInt(open.size());
    for (Map.Entry<Long, Cell[]> e : open.entrySet()) {
      Cell[] row = e.getValue();
      int present = 0;
      for (Cell c : row) {
        present += c == null ? 0 : 1;
      }
      b.putLong(e.getKey()).putInt(present);
      for (int j = 0; j < row.length; j++) {
        Cell c = row[j];
        if (c != null) {
          b.putInt(j).putDouble(c.sum).putLong(c.count).putDouble(c.last).putLong(c.lastTime);
        }
      }
    }
  }

  public static GridState readFrom(ByteBuffer b) {
    StateSerdes.checkVersion(b.get(), VERSION, "grid state");
    long lastClosed = b.getLong();
    long maxTime = b.getLong();
    GridState g = new GridState(b.getInt());
    g.lastClosedStep = lastClosed;
    g.maxEventTime = maxTime;
    for (int j = 0; j < g.lastValues.length; j++) {
      g.lastValues[j] = b.getDouble();
    }
    int steps = b.getInt();
    for (int s = 0; s < steps; s++) {
      long step = b.getLong();
      int present = b.getInt();
      Cell[] row = new Cell[g.lastValues.length];
      for (int k = 0; k < present; k++) {
        Cell c = new Cell();
        int j = b.getInt();
        c.sum = b.getDouble();
        c.count = b.getLong();
        c.last = b.getDouble();
        c.lastTime = b.getLong();
        row[j] = c;
      }
      g.open.put(step, row);
    }
    return g;
  }
}
