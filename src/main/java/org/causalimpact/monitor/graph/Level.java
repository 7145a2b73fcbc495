package org.causalimpact.monitor.graph;

import java.util.Locale;

/**
 * The stochastic part of a node's structural equation besides its regressors: whether the equation
 * carries a level that may drift, learned from the pre-period.
 *
 * <ul>
 *   <li>{@link #NONE}: the error is white noise (a static regression; the equation of DESIGN.md
 *       with nothing added).
 *   <li>{@link #LOCAL}: a local level {@code mu_t = mu_{t-1} + eta_t} plus AR(1) noise, its
 *       variances learned from the pre-period (the level always drifts a little).
 *   <li>{@link #TREND}: a local linear trend (a level whose slope drifts too) plus AR(1) noise.
 *   <li>{@link #AUTO}: a local level whose variance may be 0, plus AR(1) noise whose coefficient
 *       may be 0, and a linear trend the node does not ask for that may enter (it is selected,
 *       unless the parents' terms are); the data decide, so a stationary series keeps intervals
 *       close to those of {@link #NONE} over short horizons and a growing one is continued.
 * </ul>
 */
public enum Level {
  NONE,
  LOCAL,
  TREND,
  AUTO;

  /** The name used in monitor files and on the command line. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the equation has a state (level or AR noise) to filter. */
  public boolean stochastic() {
    return this != NONE;
  }

  /**
   * The level named {@code text} ({@code none}, {@code local}, {@code trend} or {@code auto}, any
   * case).
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static Level parse(String text) {
    for (Level l : values()) {
      if (l.configName().equalsIgnoreCase(text == null ? "" : text.trim())) {
        return l;
      }
    }
    throw new IllegalArgumentException(
        "unknown level '" + text + "': use one of auto, none, local, trend");
  }
}
