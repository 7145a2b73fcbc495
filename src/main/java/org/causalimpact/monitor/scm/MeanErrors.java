package org.causalimpact.monitor.scm;

/**
 * The mean forecast of the errors of the simulated equations from the end of the fit window: for
 * an equation whose error has a state (a level, AR noise), the error's predicted mean {@code Z T^h
 * a_T}, which the noise-free paths add to the equation; 0 for white noise. Rows are produced in
 * order, one call of {@link #next} per row, so a stream and a batch get the same numbers. Not
 * thread-safe.
 */
public final class MeanErrors {
  private final NoiseProcess[] processes;
  private final double[][] states;
  /** The states at the end of the fit window, for {@link #restart}. */
  private final double[][] initial;
  private final boolean any;

  /**
   * @param model the fitted model (its best components are used)
   * @param nodes the simulated nodes' graph indexes, by position
   */
  public MeanErrors(FittedScm model, int[] nodes) {
    processes = new NoiseProcess[nodes.length];
    states = new double[nodes.length][];
    initial = new double[nodes.length][];
    boolean some = false;
    for (int i = 0; i < nodes.length; i++) {
      FittedEquation eq = model.equation(nodes[i]);
      processes[i] = eq.process();
      states[i] = eq.forecastState();
      initial[i] = eq.forecastState();
      some |= !eq.process().isStatic();
    }
    any = some;
  }

  /** Whether any simulated equation's error has a non-zero mean forecast. */
  public boolean any() {
    return any;
  }

  /** Back to the end of the fit window: the next row is the first again. */
  public void restart() {
    for (int i = 0; i < states.length; i++) {
      System.arraycopy(initial[i], 0, states[i], 0, states[i].length);
    }
  }

  /** The mean errors of the next row, by position, into {@code out}. */
  public void next(double[] out) {
    for (int i = 0; i < processes.length; i++) {
      out[i] = processes[i].isStatic() ? 0.0 : processes[i].meanStep(states[i]);
    }
  }

  /**
   * {@code [pos][h]}: the mean errors of the first {@code horizon} rows, or {@code null} when every
   * error is white noise (the noise-free path needs none).
   */
  public static double[][] path(FittedScm model, int[] nodes, int horizon) {
    MeanErrors e = new MeanErrors(model, nodes);
    if (!e.any()) {
      return null;
    }
    double[][] out = new double[nodes.length][horizon];
    double[] row = new double[nodes.length];
    for (int h = 0; h < horizon; h++) {
      e.next(row);
      for (int i = 0; i < nodes.length; i++) {
        out[i][h] = row[i];
      }
    }
    return out;
  }
}
