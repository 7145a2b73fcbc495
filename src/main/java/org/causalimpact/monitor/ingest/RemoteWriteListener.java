package org.causalimpact.monitor.ingest;

/**
 * What the remote-write receiver reports, so that counting stays out of it (the metrics package
 * turns it into meters). Implementations are thread-safe: request threads report.
 */
public interface RemoteWriteListener {
  /** Reports nothing. */
  RemoteWriteListener NONE =
      new RemoteWriteListener() {
        @Override
        public void request(RemoteWriteReceiver.Outcome outcome) {}

        @Override
        public void samples(RemoteWriteRouter.SampleOutcome outcome, long count) {}
      };

  /** One request was answered with {@code outcome}. */
  void request(RemoteWriteReceiver.Outcome outcome);

  /** {@code count} samples of a request went the way {@code outcome} says. */
  void samples(RemoteWriteRouter.SampleOutcome outcome, long count);
}
