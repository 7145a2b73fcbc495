package org.causalimpact.monitor.scm;

/**
 * The error of a structural equation as a linear Gaussian state-space process, in units of the
 * innovation variance {@code sigma^2} (Harvey 1989; Durbin and Koopman 2012, ch. 2-4):
 *
 * <pre>
 *   u_t = Z alpha_t + H^(1/2) eps_t
 *   level   mu_{t+1} = mu_t + nu_t + eta_t      Var eta  = q
 *   slope   nu_{t+1} = nu_t + zeta_t            Var zeta = qSlope   (local linear trend only)
 *   noise   e_{t+1}  = rho e_t + xi_{t+1}       Var xi   = 1        (AR(1) noise)
 *   u_t = mu_t + e_t
 * </pre>
 *
 * The {@link #staticNoise() static} process has no state and {@code u_t = eps_t}, {@code H = 1}:
 * the error of an ordinary regression. The level and slope start at 0 with variance 0: their
 * unknown initial values are the equation's intercept and trend coefficients, which makes the
 * filter the exact diffuse treatment of the initial level and slope (de Jong 1991) once those are
 * estimated by generalised least squares on the whitened rows ({@link #whiten}). The AR(1) noise
 * starts from its stationary variance {@code 1 / (1 - rho^2)}.
 *
 * <p>The filter is the predicted form: with {@code F_t = Z P_t Z' + H}, {@code M_t = T P_t Z'},
 * {@code K_t = M_t / F_t}, the innovation {@code v_t = u_t - Z a_t}, then {@code a_{t+1} = T a_t +
 * K_t v_t} and {@code P_{t+1} = T P_t T' + Q - M_t M_t' / F_t}. {@code P} and {@code F} do not
 * depend on the data, so every column of a regression is filtered with the same gains.
 *
 * <p>Immutable and thread-safe.
 */
public final class NoiseProcess {
  private static final NoiseProcess STATIC = new NoiseProcess(false, false, 0, 0, 0, false);

  private final boolean level;
  private final boolean slope;
  private final boolean ar;
  private final double q;
  private final double qSlope;
  private final double rho;
  private final int m;
  private final double[][] transition;
  private final double[][] disturbance;
  private final double[] observation;
  private final double observationVariance;
  private final double[][] initial;

  private NoiseProcess(
      boolean level, boolean slope, double q, double qSlope, double rho, boolean ar) {
    this.level = level;
    this.slope = slope;
    this.ar = ar;
    this.q = q;
    this.qSlope = qSlope;
    this.rho = rho;
    this.m = (level ? 1 : 0) + (slope ? 1 : 0) + (ar ? 1 : 0);
    transition = new double[m][m];
    disturbance = new double[m][m];
    observation = new double[m];
    initial = new double[m][m];
    int k = 0;
    if (level) {
      transition[k][k] = 1;
      disturbance[k][k] = q;
      observation[k] = 1;
      if (slope) {
        transition[k][k + 1] = 1;
        transition[k + 1][k + 1] = 1;
        disturbance[k + 1][k + 1] = qSlope;
        k++;
      }
      k++;
    }
    if (ar) {
      transition[k][k] = rho;
      disturbance[k][k] = 1;
      observation[k] = 1;
      initial[k][k] = 1 / (1 - rho * rho);
    }
    observationVariance = ar ? 0 : 1;
  }

  /** White noise: the error of an ordinary regression. */
  public static NoiseProcess staticNoise() {
    return STATIC;
  }

  /**
   * A local level with AR(1) noise.
   *
   * @param q level variance per step relative to the AR innovation's, {@code >= 0}
   * @param rho AR(1) coefficient of the noise, in {@code [0, 1)}
   */
  public static NoiseProcess localLevel(double q, double rho) {
    check(q, "level variance ratio");
    checkRho(rho);
    return new NoiseProcess(true, false, q, 0, rho, true);
  }

  /**
   * A local linear trend with AR(1) noise.
   *
   * @param q level variance ratio, {@code >= 0}
   * @param qSlope slope variance ratio, {@code >= 0}
   * @param rho AR(1) coefficient of the noise, in {@code [0, 1)}
   */
  public static NoiseProcess localTrend(double q, double qSlope, double rho) {
    check(q, "level variance ratio");
    check(qSlope, "slope variance ratio");
    checkRho(rho);
    return new NoiseProcess(true, true, q, qSlope, rho, true);
  }

  private static void check(double v, String what) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(what + " must be a finite number >= 0, got " + v);
    }
  }

  private static void checkRho(double rho) {
    if (!(rho >= 0 && rho < 1)) {
      throw new IllegalArgumentException("AR coefficient must be in [0, 1), got " + rho);
    }
  }

  /** Dimension of the state; 0 for {@link #staticNoise()}. */
  public int stateSize() {
    return m;
  }

  /** Whether this is the static process (no state). */
  public boolean isStatic() {
    return m == 0;
  }

  public double levelVariance() {
    return q;
  }

  public double slopeVariance() {
    return qSlope;
  }

  public double ar() {
    return rho;
  }

  public boolean hasSlope() {
    return slope;
  }

  /**
   * Filters every column with the same gains and returns the standardised innovations: the
   * columns of the generalised-least-squares problem whose residual sum of squares, with {@code
   * logDetF}, gives the likelihood.
   *
   * @param columns {@code [column][row]}, at least one row each; not modified
   * @param keepRowStates whether to keep the predicted state of every column before every row
   */
  public Whitened whiten(double[][] columns, boolean keepRowStates) {
    int c = columns.length;
    int n = columns[0].length;
    double[][] out = new double[c][n];
    double[][] a = new double[c][m];
    double[][] rowStates = keepRowStates ? new double[n][c * m] : null;
    double[] sqrtFs = new double[n];
    FilterGains gains = newGains(initial);
    double logDetF = 0;
    for (int t = 0; t < n; t++) {
      double f = gains.f;
      double sqrtF = gains.sqrtF;
      sqrtFs[t] = sqrtF;
      logDetF += gains.logF;
      double[] k = gains.k;
      for (int j = 0; j < c; j++) {
        double[] aj = a[j];
        if (rowStates != null) {
          System.arraycopy(aj, 0, rowStates[t], j * m, m);
        }
        double v = columns[j][t] - observe(aj);
        out[j][t] = v / sqrtF;
        advance(aj, k, v);
      }
      gains.next();
    }
    return new Whitened(out, logDetF, a, gains.covariance(), rowStates, sqrtFs);
  }

  /**
   * The sufficient statistics of the whitened problem without the whitened columns: {@code
   * [[z'z, (W'z)'], [W'z, W'W]]} as the Gram of {@code [z, W]}, and {@code sum_t log F_t}, for
   * the likelihood of a grid point.
   *
   * @param columns {@code [column][row]}: the response, then the regressors
   * @return {@code {gram, {logDetF}}}
   */
  public double[][][] gram(double[][] columns) {
    int c = columns.length;
    int n = columns[0].length;
    double[][] a = new double[c][m];
    double[][] gram = new double[c][c];
    double[] w = new double[c];
    FilterGains gains = newGains(initial);
    double logDetF = 0;
    for (int t = 0; t < n; t++) {
      double sqrtF = gains.sqrtF;
      logDetF += gains.logF;
      double[] k = gains.k;
      for (int j = 0; j < c; j++) {
        double[] aj = a[j];
        double v = columns[j][t] - observe(aj);
        w[j] = v / sqrtF;
        advance(aj, k, v);
      }
      for (int x = 0; x < c; x++) {
        double wx = w[x];
        double[] gx = gram[x];
        for (int y = 0; y <= x; y++) {
          gx[y] += wx * w[y];
        }
      }
      gains.next();
    }
    for (int x = 0; x < c; x++) {
      for (int y = 0; y < x; y++) {
        gram[y][x] = gram[x][y];
      }
    }
    return new double[][][] {gram, {{logDetF}}};
  }

  /**
   * {@code a <- T a + k v} in place: the transition is upper triangular (level, slope, AR noise),
   * so element {@code i} reads only elements {@code >= i}, which are not yet updated.
   */
  private void advance(double[] a, double[] k, double v) {
    // written out for the two shapes (a local level with AR noise, a local linear trend with AR
    // noise): the filter of every grid point and every bootstrap path runs this per row
    if (m == 2) {
      a[0] = a[0] + k[0] * v;
      a[1] = rho * a[1] + k[1] * v;
    } else if (m == 3) {
      a[0] = (a[0] + a[1]) + k[0] * v;
      a[1] = a[1] + k[1] * v;
      a[2] = rho * a[2] + k[2] * v;
    }
  }

  /** {@code Z a}: the error's mean part at a state, the level plus the AR noise. */
  private double observe(double[] a) {
    return m == 2 ? a[0] + a[1] : m == 3 ? a[0] + a[2] : 0.0;
  }

  private FilterGains newGains(double[][] start) {
    return new FilterGains(transition, disturbance, observation, observationVariance, start);
  }

  /**
   * One step of the mean forecast: returns {@code Z a}, the mean of {@code u} at the state's row,
   * and moves {@code a} to {@code T a}, the mean state of the next row.
   */
  public double meanStep(double[] a) {
    double u = observe(a);
    advance(a, ZERO, 0);
    return u;
  }

  private static final double[] ZERO = new double[3];

  /**
   * {@link #meanStep} for many states at once, laid out {@code [component][index]}: adds the mean
   * of {@code u} at each of the first {@code count} states to {@code out[index]} and moves those
   * states on, with the same operations as {@code meanStep} per state.
   */
  public void addMeanSteps(double[][] states, int count, double[] out) {
    if (m == 2) {
      double[] level = states[0];
      double[] noise = states[1];
      for (int b = 0; b < count; b++) {
        double l = level[b];
        double e = noise[b];
        out[b] += l + e;
        level[b] = l + 0.0 * 0.0;
        noise[b] = rho * e + 0.0 * 0.0;
      }
    } else if (m == 3) {
      double[] level = states[0];
      double[] slope = states[1];
      double[] noise = states[2];
      for (int b = 0; b < count; b++) {
        double l = level[b];
        double d = slope[b];
        double e = noise[b];
        out[b] += l + e;
        level[b] = (l + d) + 0.0 * 0.0;
        slope[b] = d + 0.0 * 0.0;
        noise[b] = rho * e + 0.0 * 0.0;
      }
    }
  }

  /**
   * The gains of the forecast from a state with covariance {@code P}: for step {@code h = 0, 1,
   * ...} the standard deviation factor {@code sqrt(F_h)} of the innovation and the gain {@code K_h}
   * with which a simulated innovation updates the state. Simulating {@code u_h = Z a_h + v_h} with
   * {@code v_h ~ sigma sqrt(F_h) eps}, {@code a_{h+1} = T a_h + K_h v_h} draws the joint predictive
   * distribution of the future errors (the innovations form of the model).
   *
   * @param covariance {@code P} of the first forecast step
   * @param steps number of steps to prepare; beyond them the last step's gains hold (the filter
   *     converges to its steady state, and {@code steps} is chosen past that by {@link
   *     #forecastSteps})
   */
  public Forecast forecast(double[][] covariance, int steps) {
    double[] sqrtF = new double[steps];
    double[][] gain = new double[steps][];
    FilterGains g = newGains(covariance);
    for (int h = 0; h < steps; h++) {
      sqrtF[h] = g.sqrtF;
      gain[h] = g.k.clone();
      g.next();
    }
    return new Forecast(sqrtF, gain);
  }

  /**
   * Steps after which the forecast gains from {@code covariance} change by less than {@code 1e-12}
   * relative (at most {@code cap}): how many {@link #forecast} must prepare.
   */
  public int forecastSteps(double[][] covariance, int cap) {
    FilterGains g = newGains(covariance);
    double last = Double.NaN;
    for (int h = 0; h < cap; h++) {
      if (g.steady || (Math.abs(g.f - last) <= 1e-12 * g.f && h > 2)) {
        return h + 1;
      }
      last = g.f;
      g.next();
    }
    return cap;
  }

  /**
   * The gains of a forecast ({@link #forecast}); step {@code h} past the prepared ones uses the last.
   */
  public final class Forecast {
    private final double[] sqrtF;
    private final double[][] gain;

    private Forecast(double[] sqrtF, double[][] gain) {
      this.sqrtF = sqrtF;
      this.gain = gain;
    }

    /** {@code K_h}, shared: do not modify. */
    public double[] gain(int h) {
      return gain[Math.min(h, gain.length - 1)];
    }

    /** {@code sqrt(F_h)}. */
    public double sqrtF(int h) {
      return sqrtF[Math.min(h, sqrtF.length - 1)];
    }

    /**
     * One simulated step: returns {@code u_h = Z a + v} and moves {@code a} to {@code T a + K_h
     * v}.
     *
     * @param a the state before step {@code h}, updated in place
     * @param h the step
     * @param v the innovation of the step
     */
    public double step(double[] a, int h, double v) {
      double u = observe(a) + v;
      advance(a, gain[Math.min(h, gain.length - 1)], v);
      return u;
    }
  }


  @Override
  public String toString() {
    if (m == 0) {
      return "static";
    }
    return slope
        ? String.format(java.util.Locale.ROOT, "trend(q=%.3g, qSlope=%.3g, rho=%.2f)", q, qSlope, rho)
        : String.format(java.util.Locale.ROOT, "level(q=%.3g, rho=%.2f)", q, rho);
  }
}
