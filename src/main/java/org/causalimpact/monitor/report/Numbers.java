package org.causalimpact.monitor.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;
import org.causalimpact.monitor.impact.Interval;

/**
 * How reports print numbers: three significant digits, but never fewer than the integer digits
 * (so {@code 3511.46} prints as {@code 3511}, never {@code 3.51e3}), trailing zeros dropped, as R's
 * CausalImpact summary does. Thread-safe; no state.
 */
public final class Numbers {
  private static final int SIGNIFICANT = 3;

  private Numbers() {}

  /** {@code x} with three significant digits; {@code n/a} for NaN, {@code ±inf} for infinities. */
  public static String format(double x) {
    if (Double.isNaN(x)) {
      return "n/a";
    }
    if (Double.isInfinite(x)) {
      return x > 0 ? "+inf" : "-inf";
    }
    if (x == 0) {
      return "0";
    }
    double a = Math.abs(x);
    if (a < 1e-4) {
      return String.format(Locale.ROOT, "%.2e", x);
    }
    int integerDigits = a >= 1 ? (int) Math.floor(Math.log10(a)) + 1 : 0;
    BigDecimal d =
        new BigDecimal(x)
            .round(new MathContext(Math.max(SIGNIFICANT, integerDigits), RoundingMode.HALF_EVEN))
            .stripTrailingZeros();
    String s = d.toPlainString();
    return s.equals("-0") ? "0" : s;
  }

  /** {@code x} with an explicit sign: {@code +11}, {@code -3.2}. */
  public static String signed(double x) {
    String s = format(x);
    return x > 0 && !Double.isInfinite(x) ? "+" + s : s;
  }

  /** A fraction as a percentage: {@code 0.0987} prints as {@code 9.87%}. */
  public static String percent(double fraction) {
    if (Double.isNaN(fraction)) {
      return "n/a";
    }
    return format(fraction * 100) + "%";
  }

  /** A signed percentage: {@code +9.87%}. */
  public static String signedPercent(double fraction) {
    String s = percent(fraction);
    return fraction > 0 && !Double.isInfinite(fraction) ? "+" + s : s;
  }

  /**
   * An interval as {@code [lo, hi]}; an unbounded side prints as {@code -inf}/{@code +inf}, a
   * missing interval as {@code n/a}.
   */
  public static String interval(Interval i) {
    if (i == null) {
      return "n/a";
    }
    return "["
        + (i.lower() == null ? "-inf" : format(i.lower()))
        + ", "
        + (i.upper() == null ? "+inf" : format(i.upper()))
        + "]";
  }

  /** An interval of fractions as percentages: {@code [9.2%, 11%]}. */
  public static String percentInterval(Interval i) {
    if (i == null) {
      return "n/a";
    }
    return "["
        + (i.lower() == null ? "-inf" : percent(i.lower()))
        + ", "
        + (i.upper() == null ? "+inf" : percent(i.upper()))
        + "]";
  }

  /** A level as a percentage without needless digits: 0.95 → {@code 95%}, 0.975 → {@code 97.5%}. */
  public static String level(double level) {
    return BigDecimal.valueOf(level * 100).round(new MathContext(6)).stripTrailingZeros()
            .toPlainString()
        + "%";
  }

  /** {@code p = 0.012} or {@code p < 0.001}, for prose. */
  public static String pClause(Double p) {
    String v = pValue(p);
    return v.startsWith("<") ? "p " + v : "p = " + v;
  }

  /**
   * {@code 1 - p} as a percentage, from the p-value as {@link #pValue} prints it so that the two
   * agree to the digit: {@code 0.002} → {@code 99.8%}, {@code < 0.001} → {@code > 99.9%}; {@code
   * n/a} without a p-value. What R's CausalImpact calls the posterior probability of a causal
   * effect; here {@code p} is a frequentist two-sided p-value, so it is no posterior probability.
   */
  public static String oneMinusP(Double p) {
    String v = pValue(p);
    if (v.equals("n/a")) {
      return v;
    }
    if (v.startsWith("<")) {
      return "> 99.9%";
    }
    return BigDecimal.ONE.subtract(new BigDecimal(v)).movePointRight(2).stripTrailingZeros()
            .toPlainString()
        + "%";
  }

  /** A p-value with three decimals, or {@code < 0.001}. */
  public static String pValue(Double p) {
    if (p == null || p.isNaN()) {
      return "n/a";
    }
    if (p > 0 && p < 0.001) {
      return "< 0.001";
    }
    return String.format(Locale.ROOT, "%.3f", p);
  }
}
