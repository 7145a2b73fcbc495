package org.causalimpact.monitor.uncertainty;

import java.util.SplittableRandom;
import org.causalimpact.monitor.scm.EquationPosterior;
import org.causalimpact.monitor.scm.ErrorPaths;
import org.causalimpact.monitor.scm.FittedEquation;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.NoiseProcess;

/**
 * What every replicate shares: the rows the simulated equations' residuals are resampled from
 * (the rows every equation has, from the latest first row on), the block length and one seed per
 * replicate. Replicate {@code b}'s index series is {@link MovingBlocks#draw} with {@code new
 * SplittableRandom(seeds[b])}: its first {@code lengthBefore} indexes are the pseudo-errors of the
 * refit of the white-noise equations, the next one per post-period row the noise of that row. The
 * component, scale and coefficient draws of a state-space equation come from a second generator of
 * the same seed, so the index series of a model without one is that of the plain residual
 * bootstrap. It keeps the residuals and, for
 * state-space equations, each component's scale, noise autoregression and forecast gains; not the
 * equations (their designs are as large as the pre-period): {@link #replicate} reads them from the
 * model.
 */
final class BootstrapPlan {
  /** Mixes a replicate's seed into the seed of its component and scale draws. */
  private static final long DRAWS = 0x9E3779B97F4A7C15L;

  /**
   * Per position, by fit row of the equation: {@code inflation * residual} for white noise, the
   * standardised innovations {@code inflation * residual / sigma} of the best component for a
   * state-space error.
   */
  private final double[][] scaledResiduals;
  private final boolean[] stochastic;
  /** The simulated nodes' graph indexes, by position. */
  private final int[] nodes;
  /** {@code [pos][component]}: forecast gains, for state-space positions. */
  private final NoiseProcess.Forecast[][] forecasts;
  /** {@code [pos][component]}: sigma and the noise's autoregression, for state-space positions. */
  private final double[][] sigma;

  private final double[][] rho;
  private final int[] shift;
  private final int lengthBefore;
  private final int sources;
  private final int block;
  private final long[] seeds;
  private final boolean anyStochastic;

  /**
   * @param model the fitted model
   * @param nodes the simulated nodes' graph indexes, by position
   * @param settings replicates, block length and seed
   * @param horizon the most post-period rows that will be simulated
   */
  BootstrapPlan(FittedScm model, int[] nodes, IntervalSettings settings, int horizon) {
    int d = nodes.length;
    this.nodes = nodes.clone();
    EquationPosterior[] posteriors = new EquationPosterior[d];
    int commonStart = Integer.MIN_VALUE;
    int longest = 0;
    for (int i = 0; i < d; i++) {
      posteriors[i] = model.posterior(nodes[i]);
      FittedEquation eq = posteriors[i].best();
      commonStart = Math.max(commonStart, eq.firstRow());
      longest = Math.max(longest, eq.observations());
    }
    int preEnd = model.windowEnd();
    sources = preEnd - commonStart;
    block =
        settings.blockLength() > 0
            ? settings.blockLength()
            : MovingBlocks.automaticLength(sources);
    lengthBefore = longest;
    shift = new int[d];
    scaledResiduals = new double[d][];
    stochastic = new boolean[d];
    forecasts = new NoiseProcess.Forecast[d][];
    sigma = new double[d][];
    rho = new double[d][];
    boolean any = false;
    for (int i = 0; i < d; i++) {
      FittedEquation eq = posteriors[i].best();
      shift[i] = commonStart - eq.firstRow();
      stochastic[i] = !eq.process().isStatic();
      any |= stochastic[i];
      double inflate = eq.residualInflation();
      double unit = stochastic[i] && eq.sigma() > 0 ? eq.sigma() : 1.0;
      // centred as the refit centres them (FittedEquation#residualCentre: 0 for white noise)
      double centre = eq.residualCentre();
      scaledResiduals[i] = new double[eq.observations()];
      for (int r = 0; r < scaledResiduals[i].length; r++) {
        scaledResiduals[i][r] = inflate * (eq.residual(r) - centre) / unit;
      }
      if (stochastic[i]) {
        forecasts[i] = new NoiseProcess.Forecast[posteriors[i].size()];
        sigma[i] = new double[posteriors[i].size()];
        rho[i] = new double[posteriors[i].size()];
        for (int c = 0; c < posteriors[i].size(); c++) {
          FittedEquation comp = posteriors[i].component(c);
          sigma[i][c] = comp.sigma();
          rho[i][c] = comp.process().ar();
          double[][] p = comp.forecastCovariance();
          int steps = comp.process().forecastSteps(p, Math.max(1, horizon));
          forecasts[i][c] = comp.process().forecast(p, steps);
        }
      }
    }
    anyStochastic = any;
    seeds = new SplittableRandom(settings.seed()).longs(settings.replicates()).toArray();
  }

  /** Number of replicates. */
  int replicates() {
    return seeds.length;
  }

  /**
   * Replicate {@code b} before its first post-period row: draws its components and scales,
   * refits every simulated equation on the first {@code lengthBefore} indexes of its series, and
   * sets the errors' states.
   *
   * @param model the model the plan was made from
   */
  Replicate replicate(FittedScm model, int b) {
    int d = nodes.length;
    EquationPosterior[] posteriors = new EquationPosterior[d];
    for (int i = 0; i < d; i++) {
      posteriors[i] = model.posterior(nodes[i]);
    }
    Replicate r = new Replicate(d);
    r.cursor = new MovingBlocks.Cursor(sources, block, new SplittableRandom(seeds[b]));
    SplittableRandom draws = anyStochastic ? new SplittableRandom(seeds[b] ^ DRAWS) : null;
    for (int i = 0; i < d; i++) {
      if (stochastic[i]) {
        r.component[i] = drawComponent(posteriors[i], draws.nextDouble());
        r.scale[i] = scaleFactor(posteriors[i].component(r.component[i]), draws);
      } else {
        r.scale[i] = 1.0;
      }
    }
    int[] idx = new int[lengthBefore];
    for (int k = 0; k < lengthBefore; k++) {
      idx[k] = r.cursor.next();
    }
    for (int i = 0; i < d; i++) {
      FittedEquation eq = posteriors[i].component(r.component[i]);
      r.coefficients[i] = new double[eq.coefficients().length];
      if (stochastic[i]) {
        eq.drawCoefficients(eq.sigma() * r.scale[i], draws, r.coefficients[i]);
      } else {
        eq.refitResampled(
            idx, lengthBefore - eq.observations(), shift[i], eq.residualInflation(),
            r.coefficients[i]);
      }
      int m = eq.process().stateSize();
      r.initialState[i] = new double[m];
      eq.forecastStateFor(r.coefficients[i], r.initialState[i]);
      r.state[i] = r.initialState[i].clone();
    }
    return r;
  }

  /** Replicate {@code b}'s cursor at its first post-period row: a fresh one past the refit indexes. */
  MovingBlocks.Cursor cursorAfterRefit(int b) {
    MovingBlocks.Cursor c = new MovingBlocks.Cursor(sources, block, new SplittableRandom(seeds[b]));
    for (int k = 0; k < lengthBefore; k++) {
      c.next();
    }
    return c;
  }

  /**
   * The noise of replicate {@code r}'s next post-period row, which is post-period step {@code h}
   * (0-based), by position into {@code out}: draws one resampled row index.
   */
  void noise(Replicate r, int h, double[] out) {
    int index = r.cursor.next();
    for (int i = 0; i < out.length; i++) {
      double e = scaledResiduals[i][index + shift[i]];
      if (!stochastic[i]) {
        out[i] = e;
      } else {
        int c = r.component[i];
        NoiseProcess.Forecast f = forecasts[i][c];
        double v = sigma[i][c] * r.scale[i] * f.sqrtF(h) * e;
        out[i] = f.step(r.state[i], h, v);
      }
    }
  }

  /**
   * The replicates' draws laid out by position and replicate, for {@link #noiseAll}: the
   * component, the factor {@code sigma_c s_b} and the error's state of every replicate at every
   * state-space position, and the state each started from.
   */
  final class Lanes {
    final int[][] component;
    final double[][] sigmaScale;
    final double[][][] state;
    final double[][][] initial;

    Lanes(Replicate[] reps) {
      int d = nodes.length;
      int n = reps.length;
      component = new int[d][];
      sigmaScale = new double[d][];
      state = new double[d][][];
      initial = new double[d][][];
      for (int i = 0; i < d; i++) {
        if (!stochastic[i]) {
          continue;
        }
        int m = reps[0].initialState[i].length;
        component[i] = new int[n];
        sigmaScale[i] = new double[n];
        state[i] = new double[m][n];
        initial[i] = new double[m][n];
        for (int b = 0; b < n; b++) {
          Replicate r = reps[b];
          int c = r.component[i];
          component[i][b] = c;
          sigmaScale[i][b] = sigma[i][c] * r.scale[i];
          for (int k = 0; k < m; k++) {
            state[i][k][b] = r.initialState[i][k];
            initial[i][k][b] = r.initialState[i][k];
          }
        }
      }
    }

    /** Bytes per replicate: component, factor, and the error's state and its start. */
    long bytesPerReplicate() {
      long bytes = 0;
      for (double[][] s : state) {
        if (s != null) {
          bytes += 4 + 8 + 16L * s.length;
        }
      }
      return bytes;
    }

    /** Every replicate's error state back at its start. */
    void rewind() {
      for (int i = 0; i < state.length; i++) {
        if (state[i] != null) {
          for (int k = 0; k < state[i].length; k++) {
            System.arraycopy(initial[i][k], 0, state[i][k], 0, initial[i][k].length);
          }
        }
      }
    }
  }

  /**
   * The noise of every replicate's next row, post-period step {@code h}, into {@code
   * noise[pos][replicate]}, given each replicate's resampled row index: the numbers {@link
   * #noise} gives one replicate at a time (the same operations per replicate; {@link
   * ErrorPaths#stepMany} is {@link NoiseProcess.Forecast#step} for many paths).
   */
  void noiseAll(Lanes lanes, int h, int[] rowIndex, double[][] noise) {
    for (int i = 0; i < noise.length; i++) {
      if (!stochastic[i]) {
        staticNoise(i, rowIndex, noise[i]);
        continue;
      }
      NoiseProcess.Forecast[] f = forecasts[i];
      double[] sqrtF = new double[f.length];
      double[][] gain = new double[f.length][];
      for (int c = 0; c < f.length; c++) {
        sqrtF[c] = f[c].sqrtF(h);
        gain[c] = f[c].gain(h);
      }
      ErrorPaths.stepMany(
          lanes.state[i].length,
          lanes.state[i],
          lanes.component[i],
          rho[i],
          gain,
          sqrtF,
          lanes.sigmaScale[i],
          scaledResiduals[i],
          shift[i],
          rowIndex,
          noise[i]);
    }
  }

  /** Whether some simulated equation's error has a state (its noise is drawn through it). */
  boolean stochastic() {
    return anyStochastic;
  }

  /**
   * For a plan without state-space errors: the noise of position {@code i} of every replicate
   * whose resampled row index is {@code index[b]}, into {@code out[b]} (what {@link #noise}
   * gives each replicate, for all at once).
   */
  void staticNoise(int i, int[] index, double[] out) {
    double[] r = scaledResiduals[i];
    int s = shift[i];
    for (int b = 0; b < out.length; b++) {
      out[b] = r[index[b] + s];
    }
  }

  private static int drawComponent(EquationPosterior posterior, double u) {
    double cumulative = 0;
    for (int c = 0; c < posterior.size(); c++) {
      cumulative += posterior.weight(c);
      if (u < cumulative) {
        return c;
      }
    }
    return posterior.size() - 1;
  }

  /**
   * A draw of {@code s = sqrt(nu / chi^2_nu)}, the factor of the residual scale under its
   * sampling distribution; {@code chi^2_nu} by the Wilson-Hilferty cube-root normal
   * approximation, within 1% of its quantiles for {@code nu >= 3} (Johnson, Kotz and Balakrishnan
   * 1994, sec. 18.5).
   */
  static double scaleFactor(FittedEquation eq, SplittableRandom rng) {
    int nu = eq.degreesOfFreedom();
    double c = 2.0 / (9.0 * nu);
    double cube = 1 - c + rng.nextGaussian() * Math.sqrt(c);
    double chi2 = nu * Math.max(cube, 1e-3) * Math.max(cube, 1e-3) * Math.max(cube, 1e-3);
    return Math.sqrt(nu / chi2);
  }

  /** Bytes of the resampled residual rows. */
  long residualBytes() {
    long n = 0;
    for (double[] r : scaledResiduals) {
      n += 8L * r.length;
    }
    return n;
  }

  /**
   * One replicate's draws: its resampled-index cursor (at its next post-period row), its refitted
   * coefficients {@code [pos][k]}, and per position the component of the equation's posterior, the
   * residual scale factor and the error's state. Not thread-safe.
   */
  static final class Replicate {
    MovingBlocks.Cursor cursor;
    final double[][] coefficients;
    final int[] component;
    final double[] scale;
    final double[][] state;
    final double[][] initialState;

    Replicate(int d) {
      coefficients = new double[d][];
      component = new int[d];
      scale = new double[d];
      state = new double[d][];
      initialState = new double[d][];
    }
  }
}
