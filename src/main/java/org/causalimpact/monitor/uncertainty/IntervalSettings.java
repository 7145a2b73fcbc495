package org.causalimpact.monitor.uncertainty;

/**
 * Settings of both interval routes.
 *
 * @param level nominal coverage, in (0, 1), e.g. 0.95
 * @param replicates bootstrap replicates, at least 19
 * @param blockLength moving-block length in steps; {@code 0} picks {@code round(n^(1/3))}
 * @param calibrationFraction share of the pre-window used as conformal calibration origins, in
 *     (0, 1); the model used for each origin is fitted on all rows before it
 * @param seed seed of every random draw
 */
public record IntervalSettings(
    double level, int replicates, int blockLength, double calibrationFraction, long seed) {
  public IntervalSettings {
    if (!(level > 0 && level < 1)) {
      throw new IllegalArgumentException("interval level must be in (0, 1), e.g. 0.95; got " + level);
    }
    if (replicates < 19) {
      throw new IllegalArgumentException(
          "bootstrap replicates must be >= 19 (1000 is a good default), got " + replicates);
    }
    if (blockLength < 0) {
      throw new IllegalArgumentException(
          "bootstrap block length must be >= 0 (0 = automatic), got " + blockLength);
    }
    if (!(calibrationFraction > 0 && calibrationFraction < 1)) {
      throw new IllegalArgumentException(
          "conformal calibration fraction must be in (0, 1), e.g. 0.5; got " + calibrationFraction);
    }
  }

  public static IntervalSettings defaults() {
    return new IntervalSettings(0.95, 1000, 0, 0.5, 1L);
  }

  public IntervalSettings withLevel(double newLevel) {
    return new IntervalSettings(newLevel, replicates, blockLength, calibrationFraction, seed);
  }

  public IntervalSettings withReplicates(int n) {
    return new IntervalSettings(level, n, blockLength, calibrationFraction, seed);
  }

  public IntervalSettings withSeed(long newSeed) {
    return new IntervalSettings(level, replicates, blockLength, calibrationFraction, newSeed);
  }

  public IntervalSettings withBlockLength(int b) {
    return new IntervalSettings(level, replicates, b, calibrationFraction, seed);
  }

  public IntervalSettings withCalibrationFraction(double f) {
    return new IntervalSettings(level, replicates, blockLength, f, seed);
  }
}
