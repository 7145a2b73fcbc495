package org.causalimpact.monitor.live;

import java.util.Arrays;
import org.causalimpact.monitor.scm.EquationLayout;
import org.causalimpact.monitor.scm.SlidingLeastSquares;
import org.causalimpact.monitor.state.GridRow;
import org.causalimpact.monitor.state.GridState;
import org.causalimpact.monitor.state.HealthState;
import org.causalimpact.monitor.uncertainty.Quantiles;

/**
 * What {@link ModelHealth} keeps in memory per monitor: the sliding sums, coefficients, rings of
 * recent errors and band hits, and the latest rows the equations read. A deterministic function of
 * the stored progress ({@link HealthState}) and the stored rows, rebuilt from them when it does not
 * match. Confined to one stream thread.
 */
final class HealthMemory {
  private HealthMemory() {}

  /** A monitor's model health in memory, at the progress it names. */
  static final class Memory {
    final HealthState progress = new HealthState();
    final SlidingLeastSquares[] sums;

    /** Per node, the coefficients predicting the next row, or {@code null} (too few rows). */
    final double[][] coefficients;

    final double[] rSquared;
    final double[] sigma;

    final Ring[] errors;
    final Ring[] covered;

    /** The latest rows the equations read, as stored. */
    final RowRing rows;

    /**
     * Every step up to this one is known not to be stored, now or later ({@link GridState#NONE}
     * while none is known): the rows before a monitor's first, or dropped as too old. The store
     * holds consecutive steps, added at the newest end and dropped at the oldest, so a step older
     * than a row that exists stays missing; knowing it saves a store read per row while a young
     * monitor's window still reaches back before its first row.
     */
    long missingThrough = GridState.NONE;

    /** The row being closed, once one is: it exists, so every missing older step stays so. */
    long closing = GridState.NONE;

    Memory(int nodes, int rowsHeld) {
      rows = new RowRing(rowsHeld, nodes);
      sums = new SlidingLeastSquares[nodes];
      coefficients = new double[nodes][];
      rSquared = new double[nodes];
      sigma = new double[nodes];
      errors = new Ring[nodes];
      covered = new Ring[nodes];
      for (int j = 0; j < nodes; j++) {
        errors[j] = new Ring(ModelHealth.WINDOW, true);
        covered[j] = new Ring(ModelHealth.WINDOW, false);
      }
    }
  }

  /**
   * The latest values, at most {@code capacity}, oldest dropped first; optionally also kept in
   * ascending order, so that an order statistic needs no copy and no selection.
   */
  static final class Ring {
    final double[] values;
    int start;
    int size;
    private final double[] sorted;
    private double total;

    Ring(int capacity, boolean keepSorted) {
      values = new double[capacity];
      sorted = keepSorted ? new double[capacity] : null;
    }

    void add(double v) {
      if (size < values.length) {
        values[(start + size++) % values.length] = v;
        if (sorted != null) {
          insertSorted(v, size - 1);
        }
      } else {
        double evicted = values[start];
        values[start] = v;
        start = (start + 1) % values.length;
        total -= evicted;
        if (sorted != null) {
          int at = Arrays.binarySearch(sorted, 0, size, evicted);
          System.arraycopy(sorted, at + 1, sorted, at, size - at - 1);
          insertSorted(v, size - 1);
        }
      }
      total += v;
    }

    /** Inserts into the first {@code n} sorted values. */
    private void insertSorted(double v, int n) {
      int at = Arrays.binarySearch(sorted, 0, n, v);
      if (at < 0) {
        at = -at - 1;
      }
      System.arraycopy(sorted, at, sorted, at + 1, n - at);
      sorted[at] = v;
    }

    /**
     * The split-conformal quantile of the values ({@link Quantiles#conformal}, the same number),
     * or {@code null} if there are too few; only for a ring kept sorted.
     */
    Double conformal(double alpha) {
      int k = Quantiles.conformalRank(size, alpha);
      return k > size ? null : sorted[k - 1];
    }

    /** The sum kept as values come and go: exact for values that are small integers (hits). */
    double total() {
      return total;
    }
  }

  /**
   * The values of a monitor's latest rows by step, a fixed number of steps back from the newest:
   * what the equations read (a row, its lags, and the row leaving the window with its lags)
   * without reading the store. A step it does not hold reads as missing, so callers {@link
   * ModelHealth#onRowClosed} first. It holds only rows as stored: the rows store keeps more steps
   * than
   * this, and a monitor's memory is set up again from the store whenever it may be behind.
   */
  static final class RowRing {
    private final int nodes;
    private final long[] steps;
    private final double[] values;

    RowRing(int capacity, int nodes) {
      this.nodes = nodes;
      this.steps = new long[capacity];
      this.values = new double[capacity * nodes];
      Arrays.fill(steps, GridState.NONE);
    }

    private int slot(long s) {
      return (int) Math.floorMod(s, (long) steps.length);
    }

    void put(GridRow row) {
      int slot = slot(row.step());
      steps[slot] = row.step();
      System.arraycopy(row.values(), 0, values, slot * nodes, nodes);
    }

    boolean holds(long s) {
      return steps[slot(s)] == s;
    }

    /** Whether rows {@code s - maxLag .. s} are all held and complete. */
    boolean usable(long s, int maxLag) {
      for (long r = s - maxLag; r <= s; r++) {
        int slot = slot(r);
        if (steps[slot] != r) {
          return false;
        }
        for (int j = slot * nodes; j < (slot + 1) * nodes; j++) {
          if (!Double.isFinite(values[j])) {
            return false;
          }
        }
      }
      return true;
    }

    EquationLayout.NodeValues values(long base) {
      return (node, t) -> {
        long r = base + t;
        int slot = slot(r);
        return steps[slot] == r ? values[slot * nodes + node] : Double.NaN;
      };
    }
  }
}
