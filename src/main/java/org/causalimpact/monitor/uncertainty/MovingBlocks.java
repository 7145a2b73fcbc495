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
    int b = Math.max(1, Math.min(block, n));
    int[] out = new int[length];
    int i = 0;
    while (i < length) {
      int start = rng.nextInt(n - b + 1);
      for (int k = 0; k < b && i < length; k++) {
        out[i++] = start + k;
      }
    }
    return out;
  }
}
