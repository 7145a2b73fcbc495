package org.causalimpact.monitor.ingest;

/**
 * Turns one input record into inputs for the monitors it concerns, keyed by monitor name. Never
 * throws on data other than a {@link Rejected}, which becomes a dead letter. Implementations hold
 * no mutable state and are thread-safe.
 */
@FunctionalInterface
public interface Router {
  /**
   * The setting that says the inputs are keyed by their monitor's name (they then skip the
   * repartition topic, and a record keyed otherwise is a dead letter).
   */
  String KEYED_BY_MONITOR = "monitor.inputs.keyed.by.monitor";

  /** Receives each input with the monitor it is for. */
  @FunctionalInterface
  interface Out {
    void accept(String monitor, Input input);
  }

  /**
   * Routes one record.
   *
   * @param key the record's key, or {@code null}
   * @param value the record's whole value, or {@code null}
   * @param source where the record came from, with a bounded copy of its key and value
   * @throws Rejected when the record cannot be used; nothing was passed to {@code out} then
   */
  void route(byte[] key, byte[] value, Source source, Out out) throws Rejected;
}
