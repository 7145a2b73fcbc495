package org.causalimpact.monitor.app;

import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.MissingSourceTopicException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and stops one Kafka Streams instance of a topology built elsewhere, and tells whether it
 * is running or why it stopped. An exception that escapes the topology stops the whole instance
 * ({@code SHUTDOWN_CLIENT}): with exactly-once processing nothing half-done is committed, and a
 * supervisor (or the user) restarts it from the last commit.
 *
 * <p>Thread-safe.
 */
public final class StreamsRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamsRunner.class);

  /** How long {@link #close()} waits for the threads to finish and the state to be flushed. */
  public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaStreams streams;
  private final CountDownLatch running = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  private StreamsRunner(Topology topology, Properties config) {
    this.streams = new KafkaStreams(topology, config);
    streams.setUncaughtExceptionHandler(
        e -> {
          failure.compareAndSet(null, e);
          // Kafka Streams logs the stack trace itself when it acts on this response
          LOG.error("Kafka Streams stops after an unexpected error: {}", message(e));
          return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    streams.setStateListener(
        (now, before) -> {
          if (now == KafkaStreams.State.RUNNING) {
            running.countDown();
          }
          if (now == KafkaStreams.State.ERROR
              || now == KafkaStreams.State.PENDING_ERROR
              || now == KafkaStreams.State.PENDING_SHUTDOWN
              || now == KafkaStreams.State.NOT_RUNNING) {
            stopped.countDown();
          }
        });
  }

  /**
   * Creates the instance and starts its threads.
   *
   * @throws org.apache.kafka.common.config.ConfigException when {@code config} is invalid
   */
  public static StreamsRunner start(Topology topology, Properties config) {
    StreamsRunner r = new StreamsRunner(topology, config);
    r.streams.start();
    return r;
  }

  /** Waits until the instance has joined its group and runs; {@code false} on timeout or stop. */
  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (running.await(50, TimeUnit.MILLISECONDS)) {
        return true;
      }
      if (stopped.getCount() == 0) {
        return false;
      }
    }
    return false;
  }

  /** Waits until the instance stops by itself (an error, or a close from elsewhere). */
  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    return stopped.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Whether the instance is stopping or has stopped. */
  public boolean hasStopped() {
    return stopped.getCount() == 0;
  }

  /** Whether the instance is in state RUNNING (not rebalancing, not stopped). */
  public boolean isRunning() {
    return streams.state() == KafkaStreams.State.RUNNING;
  }

  /** The current state. */
  public KafkaStreams.State state() {
    return streams.state();
  }

  /** The error that stopped the instance, if one did. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  /** The instance, for interactive queries. */
  public KafkaStreams kafkaStreams() {
    return streams;
  }

  /**
   * A one-line reason for an error, naming a missing source topic plainly. The root cause is
   * added only when the message does not already say it (a {@code StreamsException} wrapping an
   * error carries that error's text as its message).
   */
  public static String message(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MissingSourceTopicException) {
        return "a source topic is missing ("
            + t.getMessage()
            + "): create the topics first (run --create-topics does)";
      }
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = e.getMessage() == null ? e.toString() : e.getMessage();
    if (root == e || (root.getMessage() != null && m.contains(root.getMessage()))) {
      return m;
    }
    return m + " (caused by " + root + ")";
  }

  /**
   * The authentication failure (SASL or TLS) in the cause chain of {@code e}, if there is one:
   * wrong credentials or security settings, which no restart mends.
   */
  public static Optional<AuthenticationException> authenticationFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof AuthenticationException a) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  /**
   * Stops the instance, waiting at most {@link #CLOSE_TIMEOUT}; idempotent. The instance leaves
   * its consumer group, so that a restarted or other instance takes the partitions over at once
   * instead of after the session timeout.
   */
  @Override
  public void close() {
    CloseOptions options =
        CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
            .withTimeout(CLOSE_TIMEOUT);
    if (!streams.close(options)) {
      LOG.warn("Kafka Streams did not stop within {}", CLOSE_TIMEOUT);
    }
  }
}
