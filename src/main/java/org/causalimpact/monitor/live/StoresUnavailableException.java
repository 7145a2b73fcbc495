package org.causalimpact.monitor.live;

/**
 * The monitor's state cannot be read right now: Kafka Streams is starting, rebalancing or
 * restoring its stores from their changelogs, or has stopped. Asking again later may succeed.
 */
public final class StoresUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  StoresUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
