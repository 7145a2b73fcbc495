package org.causalimpact.monitor.impact;

/** Which conformal method produced a summary's conformal p-value and average-effect interval. */
public enum ConformalTest {
  /**
   * The rank of the observed cumulative error among the calibration pool of errors normalised by
   * the model's spread ({@code uncertainty.RollingOriginCalibration}), two-sided.
   */
  NORMALISED_RANK("normalised split-conformal rank", "normalised-rank", "normalised rank"),
  /**
   * The moving-block permutation test of Chernozhukov, Wuthrich and Zhu (2021) for a constant
   * effect, used where the calibration pool is too small.
   */
  PERMUTATION("permutation, Chernozhukov-Wuthrich-Zhu", "permutation", "permutation");

  private final String label;
  private final String key;
  private final String shortLabel;

  ConformalTest(String label, String key, String shortLabel) {
    this.label = label;
    this.key = key;
    this.shortLabel = shortLabel;
  }

  /** The name in the summary table's p-value line. */
  public String shortLabel() {
    return shortLabel;
  }

  /** How reports name the method. */
  public String label() {
    return label;
  }

  /** The method's name in JSON records. */
  public String key() {
    return key;
  }
}
