package org.causalimpact.monitor.impact;

/**
 * A two-sided interval. A {@code null} bound is unbounded: the method had too little calibration
 * data to give a finite bound at the requested level, and says so instead of inventing one.
 *
 * @param lower lower bound or {@code null} for minus infinity
 * @param upper upper bound or {@code null} for plus infinity
 */
public record Interval(Double lower, Double upper) {
  public Interval {
    if (lower != null && upper != null && lower > upper) {
      throw new IllegalArgumentException("interval lower " + lower + " > upper " + upper);
    }
    if (lower != null && lower.isNaN() || upper != null && upper.isNaN()) {
      throw new IllegalArgumentException("interval bound is NaN");
    }
  }

  public static Interval of(double lower, double upper) {
    return new Interval(lower, upper);
  }

  public static Interval unbounded() {
    return new Interval(null, null);
  }

  public boolean isBounded() {
    return lower != null && upper != null;
  }

  /** Whether {@code x} lies in the closed interval (unbounded sides always contain it). */
  public boolean contains(double x) {
    return (lower == null || lower <= x) && (upper == null || x <= upper);
  }

  /** Whether the interval lies entirely above or entirely below zero. */
  public boolean excludesZero() {
    return !contains(0.0);
  }

  /** {@code c - this}: the interval of {@code c - X} when this is the interval of {@code X}. */
  public Interval subtractedFrom(double c) {
    return new Interval(upper == null ? null : c - upper, lower == null ? null : c - lower);
  }

  /** {@code this + c}. */
  public Interval plus(double c) {
    return new Interval(lower == null ? null : lower + c, upper == null ? null : upper + c);
  }

  /** {@code this * k} for {@code k > 0}. */
  public Interval times(double k) {
    if (!(k > 0)) {
      throw new IllegalArgumentException("scale factor must be > 0, got " + k);
    }
    return new Interval(lower == null ? null : lower * k, upper == null ? null : upper * k);
  }

  public double width() {
    return isBounded() ? upper - lower : Double.POSITIVE_INFINITY;
  }
}
