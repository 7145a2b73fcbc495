package org.causalimpact.monitor.ingest;

/**
 * What a router emits: an envelope for a monitor, or a dead letter for the input's DLQ topic.
 *
 * @param envelope the parsed input, or {@code null}
 * @param dead the dead letter, or {@code null}
 */
public record Routed(Envelope envelope, DeadLetter dead) {
  public static Routed live(Envelope e) {
    return new Routed(e, null);
  }

  public static Routed dead(DeadLetter d) {
    return new Routed(null, d);
  }
}
