package org.causalimpact.monitor.stream;

import java.nio.ByteBuffer;
import org.causalimpact.monitor.scm.SlidingLeastSquares;

/**
 * A monitor's model-health memory, written once per closed row in a compact binary form: per node
 * the sliding sufficient statistics of its equation over the latest window of rows, the
 * coefficients it predicts the next row with (and their R² and residual scale), and the latest
 * one-step absolute errors and band hits (rings of at most {@link ModelHealth#WINDOW}).
 */
final class HealthState {
  /** Step that equation row index 0 stands for (fixed once chosen, so lags and terms align). */
  long base = GridState.NONE;

  /** Last step added to the sums, or NONE when they are empty. */
  long lastAdded = GridState.NONE;

  /** Step at which the sums were last rebuilt from the stored rows. */
  long rebuiltAt = GridState.NONE;

  /** Last row in the sums the coefficients were solved from. */
  long solvedAt = GridState.NONE;

  final SlidingLeastSquares[] sums;

  /** Per node, the coefficients predicting the next row, or {@code null} (too few rows). */
  final double[][] coefficients;

  final double[] rSquared;
  final double[] sigma;
  final Ring[] errors;
  final Ring[] covered;

  HealthState(int nodes) {
    sums = new SlidingLeastSquares[nodes];
    coefficients = new double[nodes][];
    rSquared = new double[nodes];
    sigma = new double[nodes];
    errors = new Ring[nodes];
    covered = new Ring[nodes];
    for (int j = 0; j < nodes; j++) {
      errors[j] = new Ring(ModelHealth.WINDOW);
      covered[j] = new Ring(ModelHealth.WINDOW);
    }
  }

  /** The latest values, at most {@code capacity}, oldest dropped first. */
  static final class Ring {
    final double[] values;
    int start;
    int size;

    Ring(int capacity) {
      values = new double[capacity];
    }

    void add(double v) {
      if (size < values.length) {
        values[(start + size++) % values.length] = v;
      } else {
        values[start] = v;
        start = (start + 1) % values.length;
      }
    }

    /** The values, oldest first. */
    double[] toArray() {
      double[] out = new double[size];
      for (int i = 0; i < size; i++) {
        out[i] = values[(start + i) % values.length];
      }
      return out;
    }

    double sum() {
      double s = 0;
      for (int i = 0; i < size; i++) {
        s += values[(start + i) % values.length];
      }
      return s;
    }
  }

  // ---- binary form: version, steps, then per node sums, coefficients, fit, errors, hits as bits

  static final byte VERSION = 1;

  int size() {
    int n = 1 + 4 * 8 + 4;
    for (int j = 0; j < errors.length; j++) {
      n += 4 + (sums[j] == null ? 0 : sums[j].serializedSize());
      n += 4 + (coefficients[j] == null ? 0 : 8 * coefficients[j].length) + 16;
      n += 4 + 8 * errors[j].size + 4 + 8 * ((covered[j].size + 63) / 64);
    }
    return n;
  }

  void writeTo(ByteBuffer b) {
    b.put(VERSION).putLong(base).putLong(lastAdded).putLong(rebuiltAt).putLong(solvedAt);
    b.putInt(errors.length);
    for (int j = 0; j < errors.length; j++) {
      if (sums[j] == null) {
        b.putInt(-1);
      } else {
        byte[] s = sums[j].toBytes();
        b.putInt(s.length).put(s);
      }
      double[] c = coefficients[j];
      b.putInt(c == null ? -1 : c.length);
      if (c != null) {
        for (double v : c) {
          b.putDouble(v);
        }
      }
      b.putDouble(rSquared[j]).putDouble(sigma[j]);
      write(b, errors[j]);
      writeFlags(b, covered[j]);
    }
  }

  /** A ring of 0/1 values as bits, oldest first. */
  private static void writeFlags(ByteBuffer b, Ring r) {
    b.putInt(r.size);
    double[] v = r.toArray();
    for (int w = 0; w < (v.length + 63) / 64; w++) {
      long bits = 0;
      for (int i = w * 64; i < Math.min(v.length, w * 64 + 64); i++) {
        bits |= (v[i] != 0 ? 1L : 0L) << (i - w * 64);
      }
      b.putLong(bits);
    }
  }

  private static void readFlags(ByteBuffer b, Ring r) {
    int n = b.getInt();
    for (int w = 0; w < (n + 63) / 64; w++) {
      long bits = b.getLong();
      for (int i = w * 64; i < Math.min(n, w * 64 + 64); i++) {
        r.add((bits >>> (i - w * 64)) & 1L);
      }
    }
  }

  private static void write(ByteBuffer b, Ring r) {
    b.putInt(r.size);
    for (double v : r.toArray()) {
      b.putDouble(v);
    }
  }

  static HealthState readFrom(ByteBuffer b) {
    StateSerdes.checkVersion(b.get(), VERSION, "model-health state");
    long base = b.getLong();
    long lastAdded = b.getLong();
    long rebuiltAt = b.getLong();
    long solvedAt = b.getLong();
    HealthState h = new HealthState(b.getInt());
    h.base = base;
    h.lastAdded = lastAdded;
    h.rebuiltAt = rebuiltAt;
    h.solvedAt = solvedAt;
    for (int j = 0; j < h.errors.length; j++) {
      int n = b.getInt();
      if (n >= 0) {
        byte[] s = new byte[n];
        b.get(s);
        h.sums[j] = SlidingLeastSquares.fromBytes(s);
      }
      int p = b.getInt();
      if (p >= 0) {
        h.coefficients[j] = new double[p];
        for (int k = 0; k < p; k++) {
          h.coefficients[j][k] = b.getDouble();
        }
      }
      h.rSquared[j] = b.getDouble();
      h.sigma[j] = b.getDouble();
      read(b, h.errors[j]);
      readFlags(b, h.covered[j]);
    }
    return h;
  }

  private static void read(ByteBuffer b, Ring r) {
    int n = b.getInt();
    for (int i = 0; i < n; i++) {
      r.add(b.getDouble());
    }
  }
}
