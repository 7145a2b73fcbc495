package org.causalimpact.monitor.scm;

import java.nio.ByteBuffer;

/**
 * The one writer and reader of the binary form of {@link SlidingLeastSquares}, version {@value
 * #VERSION}, laid out as {@link SlidingLeastSquares#toBytes} describes: the sums exactly as held (no
 * rows), so that a restored object's further updates and solutions are bit for bit those of the
 * original. Stateless; thread-safe.
 */
final class SlidingLeastSquaresFormat {
  static final byte VERSION = 1;

  /** Version byte, {@code p}, {@code n} and the update count. */
  static final int HEADER_BYTES = Byte.BYTES + 2 * Integer.BYTES + Long.BYTES;

  /** Bounds {@code p} on reading, so that a corrupt count cannot ask for a huge allocation. */
  private static final int MAX_TERMS = 1 << 12;

  private SlidingLeastSquaresFormat() {}

  /** Bytes of {@link #write}, as {@link SlidingLeastSquares#serializedSize} states them. */
  static int size(SlidingLeastSquares s) {
    return HEADER_BYTES
        + Double.BYTES * (3 + 3 * s.slopes + s.sumXX.length)
        + Integer.BYTES * s.slopes;
  }

  static byte[] write(SlidingLeastSquares s) {
    ByteBuffer buf = ByteBuffer.allocate(size(s));
    buf.put(VERSION).putInt(s.terms).putInt(s.n).putLong(s.updates);
    buf.putDouble(s.shiftY).putDouble(s.sumY).putDouble(s.sumYY);
    for (double[] array : new double[][] {s.shift, s.sumX, s.sumXY, s.sumXX}) {
      for (double v : array) {
        buf.putDouble(v);
      }
    }
    for (int c : s.nonZero) {
      buf.putInt(c);
    }
    return buf.array();
  }

  /**
   * Restores what {@link #write} wrote.
   *
   * @throws IllegalArgumentException if the bytes are not version {@value #VERSION} of the form, or
   *     their length or counts do not fit it
   */
  static SlidingLeastSquares read(byte[] bytes) {
    if (bytes.length < HEADER_BYTES) {
      throw new IllegalArgumentException(
          "sliding least-squares state needs at least "
              + HEADER_BYTES
              + " bytes, got "
              + bytes.length);
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    byte version = buf.get();
    if (version != VERSION) {
      throw new IllegalArgumentException(
          "unknown sliding least-squares state version " + version + " (this build reads 1)");
    }
    int terms = buf.getInt();
    int n = buf.getInt();
    long updates = buf.getLong();
    if (terms < 1 || terms > MAX_TERMS || n < 0 || updates < 0) {
      throw new IllegalArgumentException(
          "corrupt sliding least-squares state: p = "
              + terms
              + ", n = "
              + n
              + ", updates = "
              + updates);
    }
    SlidingLeastSquares s = new SlidingLeastSquares(terms);
    if (bytes.length != size(s)) {
      throw new IllegalArgumentException(
          "sliding least-squares state for p = "
              + terms
              + " has "
              + size(s)
              + " bytes, got "
              + bytes.length);
    }
    s.n = n;
    s.updates = updates;
    s.shiftY = buf.getDouble();
    s.sumY = buf.getDouble();
    s.sumYY = buf.getDouble();
    for (double[] array : new double[][] {s.shift, s.sumX, s.sumXY, s.sumXX}) {
      for (int i = 0; i < array.length; i++) {
        array[i] = buf.getDouble();
      }
    }
    for (int k = 0; k < s.slopes; k++) {
      s.nonZero[k] = buf.getInt();
    }
    return s;
  }
}
