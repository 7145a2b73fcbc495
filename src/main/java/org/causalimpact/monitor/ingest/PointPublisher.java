package org.causalimpact.monitor.ingest;

import java.io.IOException;
import java.util.List;

/**
 * Where the remote-write receiver writes its points: the {@code metrics} topic. The receiver
 * knows no Kafka client; the application supplies one. Implementations are thread-safe.
 */
public interface PointPublisher {
  /** The topic points are written to. */
  String topic();

  /**
   * Writes the points, each keyed and timestamped as it says, and waits until the cluster has
   * them all.
   *
   * @throws IOException when the cluster does not take every point (some may be written; the
   *     request may be retried, as Prometheus does after a 5xx answer)
   */
  void publish(List<RemoteWriteRouter.Point> points) throws IOException;
}
