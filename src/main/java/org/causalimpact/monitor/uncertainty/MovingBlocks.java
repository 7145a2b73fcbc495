package org.causalimpact.monitor.uncertainty;

import java.util.SplittableRandom;

/**
 * Index sequences of the moving-block bootstrap (Kunsch 1989; Liu and Singh 1992): blocks of
 * {@code block} consecutive indexes starting at uniform positions in {@code [0, n - block]},
 * concatenated and cut to the requested length. Keeps serial dependence up to the block length.
 */
public final class MovingBlocks {
  private MovingBlocks() {}

  /** The automatic block length {@code max(1, round(n^(1/3)))}. */
  public static int automaticLength(int n) {
    return Math.max(1, (int) Math.round(Math.cbrt(n)));
  }

  /**
   * @param n number of source positions, at least 1
   * @param length number of indexes wanted
   * @param block block length, clipped to {@code [1, n]}
   * @param rng the random source
   */
  public static int[] draw(int n, int length, int block, SplittableRandom rng) {
    Cursor cursor = new Cursor(n, block, rng);
    int[] out = new int[length];
    for (int i = 0; i < length; i++) {
      out[i] = cursor.next();
    }
    return out;
  }

  /**
   * The indexes of {@link #draw} one at a time. A draw is prefix-stable: after {@code k} calls
   * {@link #next} has returned exactly the first {@code k} indexes of {@code draw(n, length, block,
   * rng)} for any {@code length >= k} with a generator in the same state, so a cursor can continue a
   * resampled series row by row. Not thread-safe; it advances its generator.
   */
  public static final class Cursor {
    private final int n;
    private final int block;
    private final SplittableRandom rng;
    private int start;
    private int used;

    /**
     * @param n number of source positions, at least 1
     * @param block block length, clipped to {@code [1, n]}
     * @param rng the random source, advanced by one draw per block
     */
    public Cursor(int n, int block, SplittableRandom rng) {
      this.n = n;
      this.block = Math.max(1, Math.min(block, n));
      this.rng = rng;
      this.used = this.block;
    }

    /** The next index. */
    public int next() {
      if (used == block) {
        start = rng.nextInt(n - block + 1);
        used = 0;
      }
      return start + used++;
    }
  }
}
