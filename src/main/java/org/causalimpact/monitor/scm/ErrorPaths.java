package org.causalimpact.monitor.scm;

/**
 * The errors of many bootstrap paths stepped at once, each path with its own component of an
 * equation's posterior: the streaming bootstrap's inner loop, laid out by state component and path
 * so that one row of all paths is one pass over a few arrays.
 */
public final class ErrorPaths {
  private ErrorPaths() {}

  /**
   * {@link NoiseProcess.Forecast#step} for many paths at once, each with its own process of one shape ({@code
   * m} = 2: level and AR noise; 3: a trend too): path {@code b} follows component {@code
   * comp[b]}, whose AR coefficient is {@code rho[comp[b]]} and whose gains and innovation factor
   * at this step are {@code gain[comp[b]]} and {@code sqrtF[comp[b]]}; its standardised
   * innovation is {@code e = residuals[index[b] + shift]}, its innovation {@code v =
   * (sigmaScale[b] sqrtF) e}, and {@code out[b]} receives {@code u = Z a + v}. The same
   * operations per path as {@code sigma scale sqrtF e} followed by {@link NoiseProcess.Forecast#step}.
   *
   * @param states {@code [component of the state][path]}, updated in place
   */
  public static void stepMany(
      int m,
      double[][] states,
      int[] comp,
      double[] rho,
      double[][] gain,
      double[] sqrtF,
      double[] sigmaScale,
      double[] residuals,
      int shift,
      int[] index,
      double[] out) {
    int n = out.length;
    if (m == 2) {
      double[] level = states[0];
      double[] noise = states[1];
      for (int b = 0; b < n; b++) {
        int c = comp[b];
        double v = sigmaScale[b] * sqrtF[c] * residuals[index[b] + shift];
        double l = level[b];
        double x = noise[b];
        double[] k = gain[c];
        out[b] = (l + x) + v;
        level[b] = l + k[0] * v;
        noise[b] = rho[c] * x + k[1] * v;
      }
    } else if (m == 3) {
      double[] level = states[0];
      double[] slope = states[1];
      double[] noise = states[2];
      for (int b = 0; b < n; b++) {
        int c = comp[b];
        double v = sigmaScale[b] * sqrtF[c] * residuals[index[b] + shift];
        double l = level[b];
        double d = slope[b];
        double x = noise[b];
        double[] k = gain[c];
        out[b] = (l + x) + v;
        level[b] = (l + d) + k[0] * v;
        slope[b] = d + k[1] * v;
        noise[b] = rho[c] * x + k[2] * v;
      }
    } else {
      throw new IllegalArgumentException("no state shape of size " + m);
    }
  }
}
