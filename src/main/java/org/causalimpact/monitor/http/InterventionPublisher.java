package org.causalimpact.monitor.http;

import java.io.IOException;

/**
 * Where the API writes the intervention events it is given: the {@code interventions} topic, so
 * that Kafka stays the one source of truth and the stream reads them like any other event. The
 * HTTP layer knows no Kafka client; the application supplies one. Implementations are thread-safe.
 */
public interface InterventionPublisher {
  /**
   * Where an event was written.
   *
   * @param topic the topic
   * @param partition its partition
   * @param offset its offset in that partition
   */
  record Published(String topic, int partition, long offset) {}

  /** The topic events are written to; dead-letter messages name it as the stream would. */
  String topic();

  /**
   * Writes one event, keyed by its monitor's name, and waits until the cluster has it.
   *
   * @param monitor the monitor's name, the record key
   * @param event the event's JSON, as the stream will read it
   * @throws IOException when the cluster does not take the event (the request may be retried)
   */
  Published publish(String monitor, byte[] event) throws IOException;
}
