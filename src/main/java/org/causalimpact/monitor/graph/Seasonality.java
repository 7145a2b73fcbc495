package org.causalimpact.monitor.graph;

/**
 * Fourier seasonality with {@code harmonics} sine/cosine pairs of period {@code period} steps:
 * {@code sum_{h=1..H} a_h sin(2 pi h t / S) + b_h cos(2 pi h t / S)}.
 */
public record Seasonality(double period, int harmonics) {
  public Seasonality {
    if (!(period >= 2)) {
      throw new IllegalArgumentException("seasonality period must be >= 2 steps, got " + period);
    }
    if (harmonics < 1 || harmonics > period / 2) {
      throw new IllegalArgumentException(
          "seasonality harmonics must be between 1 and period/2 = "
              + (int) (period / 2)
              + ", got "
              + harmonics);
    }
  }
}
