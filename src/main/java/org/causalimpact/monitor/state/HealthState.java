package org.causalimpact.monitor.state;

import java.nio.ByteBuffer;

/**
 * How far a monitor's model health has got, the part of it that is stored (33 bytes, written once
 * per closed row): the step its equation rows count from, the last row its sliding sums hold, when
 * the sums were last rebuilt from the stored rows and when the coefficients were last solved.
 *
 * <p>Everything else (the sums, coefficients, and the rings of recent errors and band hits) is a
 * deterministic function of these steps and the stored rows, so {@link ModelHealth} keeps it in
 * memory and rebuilds it, bit for bit, when its memory does not match what is stored (after a
 * restart, a rebalance or an aborted transaction). Before, the whole memory was written per row:
 * about 9 KB a monitor per commit, which dominated the stream's cost.
 */
public final class HealthState {
  /** Step that equation row index 0 stands for (fixed once chosen, so lags and terms align). */
  public long base = GridState.NONE;

  /** Last step added to the sums, or NONE when they are empty. */
  public long lastAdded = GridState.NONE;

  /** Step at which the sums were last rebuilt from the stored rows. */
  public long rebuiltAt = GridState.NONE;

  /** Last row in the sums the coefficients were solved from. */
  public long solvedAt = GridState.NONE;

  public void copyFrom(HealthState o) {
    base = o.base;
    lastAdded = o.lastAdded;
    rebuiltAt = o.rebuiltAt;
    solvedAt = o.solvedAt;
  }

  public boolean sameAs(HealthState o) {
    return base == o.base
        && lastAdded == o.lastAdded
        && rebuiltAt == o.rebuiltAt
        && solvedAt == o.solvedAt;
  }

  @Override
  public String toString() {
    return "base " + base + ", last added " + lastAdded + ", rebuilt at " + rebuiltAt
        + ", solved at " + solvedAt;
  }

  // ---- binary form: version, then the four steps

  /** Version 1 held the whole memory; version 2 only the steps. */
  public static final byte VERSION = 2;

  public int size() {
    return 1 + 4 * 8;
  }

  public void writeTo(ByteBuffer b) {
    b.put(VERSION).putLong(base).putLong(lastAdded).putLong(rebuiltAt).putLong(solvedAt);
  }

  public static HealthState readFrom(ByteBuffer b) {
    StateSerdes.checkVersion(b.get(), VERSION, "model-health state");
    HealthState h = new HealthState();
    h.base = b.getLong();
    h.lastAdded = b.getLong();
    h.rebuiltAt = b.getLong();
    h.solvedAt = b.getLong();
    return h;
  }
}
