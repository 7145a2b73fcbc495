package org.causalimpact.monitor.uncertainty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MovingBlocksTest {

  @Test
  void automaticLengthIsTheRoundedCubeRoot() {
    assertEquals(1, MovingBlocks.automaticLength(1));
    assertEquals(3, MovingBlocks.automaticLength(27));
    assertEquals(3, MovingBlocks.automaticLength(30), "cbrt(30) = 3.107");
    assertEquals(10, MovingBlocks.automaticLength(1000));
    assertEquals(1, MovingBlocks.automaticLength(0), "never below 1");
  }

  @Test
  void indexesAreInRangeAndBlocksAreContiguous() {
    int n = 50;
    int block = 7;
    int[] idx = MovingBlocks.draw(n, 200, block, new SplittableRandom(1));

    assertEquals(200, idx.length);
    for (int i = 0; i < idx.length; i++) {
      assertTrue(idx[i] >= 0 && idx[i] < n, "index " + idx[i] + " at " + i);
      if (i % block != 0) {
        assertEquals(idx[i - 1] + 1, idx[i], "within a block indexes are consecutive, at " + i);
      }
    }
    // Block starts lie in [0, n - block]: a block never wraps.
    for (int i = 0; i < idx.length; i += block) {
      assertTrue(idx[i] <= n - block, "block start " + idx[i]);
    }
  }

  @Test
  void cursorContinuesEveryShorterDraw() {
    // Prefix stability, which the streaming bootstrap relies on: a cursor's first k indexes are
    // draw(n, k, block) for every k, with the same seed. Seeds 7 and 8, several block lengths.
    for (int block : new int[] {1, 3, 10, 60}) {
      for (long seed : new long[] {7, 8}) {
        MovingBlocks.Cursor cursor = new MovingBlocks.Cursor(50, block, new SplittableRandom(seed));
        int[] streamed = new int[120];
        for (int i = 0; i < streamed.length; i++) {
          streamed[i] = cursor.next();
        }
        for (int k : new int[] {1, 7, 49, 120}) {
          int[] drawn = MovingBlocks.draw(50, k, block, new SplittableRandom(seed));
          assertArrayEquals(drawn, Arrays.copyOf(streamed, k), "block " + block + ", k " + k);
        }
      }
    }
  }

  @Test
  void deterministicForASeedAndDifferentAcrossSeeds() {
    int[] a = MovingBlocks.draw(100, 300, 5, new SplittableRandom(42));
    int[] b = MovingBlocks.draw(100, 300, 5, new SplittableRandom(42));
    int[] c = MovingBlocks.draw(100, 300, 5, new SplittableRandom(43));

    assertArrayEquals(a, b);
    assertFalse(Arrays.equals(a, c));
  }

  @Test
  void blockLengthIsClippedToTheSource() {
    assertArrayEquals(new int[] {0, 0, 0, 0}, MovingBlocks.draw(1, 4, 3, new SplittableRandom(1)));
    assertArrayEquals(
        new int[] {0, 1, 2, 0, 1, 2, 0}, MovingBlocks.draw(3, 7, 10, new SplittableRandom(1)),
        "a block longer than the source is the whole source");
    int[] single = MovingBlocks.draw(20, 40, 0, new SplittableRandom(2));
    assertTrue(Arrays.stream(single).allMatch(i -> i >= 0 && i < 20), "block 0 counts as 1");
    assertEquals(0, MovingBlocks.draw(5, 0, 2, new SplittableRandom(1)).length);
  }

  @Test
  void blockStartsAreUniform() {
    // n = 10, block = 3: starts uniform on {0..7}. 8000 blocks -> 1000 per start, binomial sd
    // 29.6; tolerance +-120 (about 4 sd) per start. Seed 99.
    int n = 10;
    int block = 3;
    int blocks = 8000;
    int[] idx = MovingBlocks.draw(n, blocks * block, block, new SplittableRandom(99));
    int[] count = new int[n - block + 1];
    for (int i = 0; i < idx.length; i += block) {
      count[idx[i]]++;
    }
    for (int s = 0; s < count.length; s++) {
      assertEquals(1000, count[s], 120, "start " + s);
    }
  }
}
