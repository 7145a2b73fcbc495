package org.causalimpact.monitor.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.EnumMap;
import java.util.Map;
import org.causalimpact.monitor.ingest.RemoteWriteListener;
import org.causalimpact.monitor.ingest.RemoteWriteReceiver;
import org.causalimpact.monitor.ingest.RemoteWriteRouter;

/**
 * The Prometheus remote-write receiver's meters: {@code cim.remote.write.requests} (Prometheus:
 * {@code cim_remote_write_requests_total}) per request {@code outcome} ({@code accepted}, {@code
 * bad-payload}, {@code too-large}, {@code unauthorized}, {@code unsupported}, {@code
 * unavailable}) and {@code cim.remote.write.samples} ({@code cim_remote_write_samples_total}) per
 * sample {@code outcome} ({@code accepted}, {@code unmatched}, {@code stale}, {@code non-finite},
 * {@code out-of-range}, {@code bad-timestamp}, {@code unwritten}). Every counter is registered at
 * 0 when bound, so that the first bad payload is a rise {@code increase()} sees. Thread-safe.
 */
public final class RemoteWriteMeters implements MeterBinder, RemoteWriteListener {
  private final Map<RemoteWriteReceiver.Outcome, Counter> requests =
      new EnumMap<>(RemoteWriteReceiver.Outcome.class);
  private final Map<RemoteWriteRouter.SampleOutcome, Counter> samples =
      new EnumMap<>(RemoteWriteRouter.SampleOutcome.class);

  /** Registers every counter; call once, before any request is reported. */
  @Override
  public void bindTo(MeterRegistry registry) {
    for (RemoteWriteReceiver.Outcome o : RemoteWriteReceiver.Outcome.values()) {
      requests.put(
          o,
          Counter.builder("cim.remote.write.requests")
              .description("Prometheus remote-write requests by how they were answered")
              .tag("outcome", o.word())
              .register(registry));
    }
    for (RemoteWriteRouter.SampleOutcome o : RemoteWriteRouter.SampleOutcome.values()) {
      samples.put(
          o,
          Counter.builder("cim.remote.write.samples")
              .description("samples of Prometheus remote-write requests by what became of them")
              .tag("outcome", o.word())
              .register(registry));
    }
  }

  @Override
  public void request(RemoteWriteReceiver.Outcome outcome) {
    requests.get(outcome).increment();
  }

  @Override
  public void samples(RemoteWriteRouter.SampleOutcome outcome, long count) {
    if (count > 0) {
      samples.get(outcome).increment(count);
    }
  }
}
