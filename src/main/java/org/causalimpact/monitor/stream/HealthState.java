package org.causalimpact.monitor.stream;

import java.nio.ByteBuffer;

/**
 * A monitor's model-health memory: the step its current fit predicts from, and per node the latest
 * one-step absolute errors and whether each band covered the actual value (rings of at most
 * {@link ModelHealth#WINDOW}). Written once per closed row, in a compact binary form.
 */
final class HealthState {
  /** Step from which the current fit predicts (its fit ends just before), or NONE. */
  long fitStep = GridState.NONE;

  final Ring[] errors;
  final Ring[] covered;

  HealthState(int nodes) {
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

  // ---- binary form: version, fit step, nodes, per node the two rings oldest first -----------

  static final byte VERSION = 1;

  int size() {
    int n = 1 + 8 + 4;
    for (int j = 0; j < errors.length; j++) {
      n += 8 + 8 * (errors[j].size + covered[j].size);
    }
    return n;
  }

  void writeTo(ByteBuffer b) {
    b.put(VERSION).putLong(fitStep).putInt(errors.length);
    for (int j = 0; j < errors.length; j++) {
      write(b, errors[j]);
      write(b, covered[j]);
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
    long fitStep = b.getLong();
    HealthState h = new HealthState(b.getInt());
    h.fitStep = fitStep;
    for (int j = 0; j < h.errors.length; j++) {
      read(b, h.errors[j]);
      read(b, h.covered[j]);
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
