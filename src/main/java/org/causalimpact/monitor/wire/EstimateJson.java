package org.causalimpact.monitor.wire;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import org.causalimpact.monitor.impact.Estimate;
import org.causalimpact.monitor.impact.Interval;

/**
 * An estimate as every record writes it: {@code {"mean", "conformal": [lo, hi], "bootstrap": [lo,
 * hi]}}, an interval a route does not give left out, an unbounded side {@code null}, a mean that
 * is not finite {@code null}.
 */
public record EstimateJson(
    Double mean,
    @JsonInclude(JsonInclude.Include.NON_NULL) Bounds conformal,
    @JsonInclude(JsonInclude.Include.NON_NULL) Bounds bootstrap) {

  /** The estimate, or {@code null} for {@code null}. */
  public static EstimateJson of(Estimate e) {
    return e == null
        ? null
        : new EstimateJson(finite(e.mean()), Bounds.of(e.conformal()), Bounds.of(e.bootstrap()));
  }

  /**
   * An estimate with its standard deviation, as period summaries write it: {@code {"mean", "sd",
   * "conformal", "bootstrap"}}, the sd {@code null} where it is not finite.
   */
  public record WithSd(
      Double mean,
      Double sd,
      @JsonInclude(JsonInclude.Include.NON_NULL) Bounds conformal,
      @JsonInclude(JsonInclude.Include.NON_NULL) Bounds bootstrap) {
    public static WithSd of(Estimate e, double sd) {
      return new WithSd(
          finite(e.mean()), finite(sd), Bounds.of(e.conformal()), Bounds.of(e.bootstrap()));
    }
  }

  /** An interval, {@code [lower, upper]}, {@code null} for an unbounded or non-finite side. */
  @JsonFormat(shape = JsonFormat.Shape.ARRAY)
  public record Bounds(Double lower, Double upper) {
    public static Bounds of(Interval i) {
      return i == null ? null : new Bounds(finite(i.lower()), finite(i.upper()));
    }
  }

  /** {@code x}, or {@code null} for {@code null}, NaN and infinities (written as JSON null). */
  public static Double finite(Double x) {
    return x == null || !Double.isFinite(x) ? null : x;
  }
}
