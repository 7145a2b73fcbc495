package org.causalimpact.monitor.scm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.causalimpact.monitor.graph.Level;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The grid's prior: a distribution, the spike and the floored slab of {@code auto}. */
class LevelGridTest {
  private static double totalMass(List<LevelGrid.GridPoint> grid) {
    return grid.stream().mapToDouble(p -> Math.exp(p.logPrior())).sum();
  }

  @ParameterizedTest
  @ValueSource(ints = {19, 70, 450, 4000})
  void everyLevelModelsPriorSumsToOne(int n) {
    for (Level level : List.of(Level.AUTO, Level.LOCAL, Level.TREND)) {
      List<LevelGrid.GridPoint> grid = LevelGrid.grid(level, n);
      assertEquals(1.0, totalMass(grid), 1e-12, level + " on " + n + " rows");
      assertTrue(grid.stream().allMatch(p -> Double.isFinite(p.logPrior())), level.toString());
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {19, 70, 450, 4000})
  void autoPutsTheSpikeAtNoDriftAndNothingBetweenItAndTheFloor(int n) {
    List<LevelGrid.GridPoint> grid = LevelGrid.grid(Level.AUTO, n);
    double half = Math.pow(10, 0.5 / LevelGrid.PER_DECADE);
    double spike = 0;
    for (LevelGrid.GridPoint p : grid) {
      double r = Math.sqrt(p.process().levelVariance());
      if (r == 0) {
        spike += Math.exp(p.logPrior());
      } else {
        // the point's cell reaches above the floor
        assertTrue(r * half > LevelGrid.SLAB_FLOOR, "a point at " + r + " below the floor");
      }
    }
    assertEquals(LevelGrid.NO_LEVEL_PRIOR, spike, 1e-12);
  }

  @org.junit.jupiter.api.Test
  void theSlabIsADistributionFunctionFromTheFloorUp() {
    assertEquals(0.0, LevelGrid.slab(LevelGrid.SLAB_FLOOR));
    assertEquals(1.0, LevelGrid.slab(Double.POSITIVE_INFINITY), 1e-15);
    double previous = 0;
    for (double r = LevelGrid.SLAB_FLOOR; r < 100; r *= 1.1) {
      double f = LevelGrid.slab(r);
      assertTrue(f >= previous, "not monotone at " + r);
      previous = f;
    }
    // most of it near the median, but a heavy tail for levels that drift fast: the half-Cauchy
    // share keeps about SLAB_TAIL * (1 - 2/pi atan(10)) = 1.3% beyond a drift of 1 noise sd
    double beyondOne = 1 - LevelGrid.slab(1.0);
    assertTrue(beyondOne > 0.01 && beyondOne < 0.02, "mass beyond 1: " + beyondOne);
    double nearMedian = LevelGrid.slab(0.1) - LevelGrid.slab(LevelGrid.SLAB_FLOOR);
    assertTrue(nearMedian > 0.75, "mass between the floor and 0.1: " + nearMedian);
  }
}
