package org.causalimpact.monitor.app;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
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
import org.causalimpact.monitor.live.OutputGuard;
import org.causalimpact.monitor.live.StreamListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and stops one Kafka Streams instance of a topology built elsewhere, and tells whether it
 * is running or why it stopped. An exception that escapes the topology stops the whole instance
 * ({@code SHUTDOWN_CLIENT}): with exactly-once processing nothing half-done is committed, and a
 * supervisor (or the user) restarts it from the last commit.
 *
 * <p>One exception to that: a stream thread stopped by a record Kafka refused to write (under
 * exactly-once the failed send dooms the thread's transaction; see {@link SendErrorHandler}) is
 * replaced ({@code REPLACE_THREAD}), since the {@link OutputGuard} now stops that record before it
 * is sent (and, where it was too large, the topic's limit is read again from the cluster, so that
 * the next records too large are stopped too): the new thread processes the task's input again
 * from the last commit and goes on. At
 * most {@value #MAX_REPLACEMENTS} threads are replaced in an hour; a refusal beyond that stops the
 * instance. The new thread gets the task once the old thread's consumer has left the group, after
 * {@code session.timeout.ms} (45 s by default).
 *
 * <p>Thread-safe.
 */
public final class StreamsRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamsRunner.class);

  /** How long {@link #close()} waits for the threads to finish and the state to be flushed. */
  public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  /** Most stream threads replaced after refused records within an hour. */
  static final int MAX_REPLACEMENTS = 10;

  private final KafkaStreams streams;
  private final Properties config;
  private final OutputGuard guard;
  private final Deque<Long> replacements = new ArrayDeque<>();
  private static final long HOUR_NANOS = TimeUnit.HOURS.toNanos(1);

  private final CountDownLatch running = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  private StreamsRunner(Topology topology, Properties config, OutputGuard guard) {
    this.streams = new KafkaStreams(topology, config);
    this.config = config;
    this.guard = guard;
    streams.setUncaughtExceptionHandler(this::onUncaught);
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
   * Creates the instance and starts its threads, with a guard of Kafka's default limits that only
   * the production exception handler reports to (the topology checks its own).
   *
   * @throws org.apache.kafka.common.config.ConfigException when {@code config} is invalid
   */
  public static StreamsRunner start(Topology topology, Properties config) {
    return start(topology, config, OutputGuard.defaults(), StreamListener.NONE);
  }

  /**
   * Creates the instance and starts its threads. The production exception handler reports refused
   * records to {@code guard} — the one the topology was built with — and counts them with {@code
   * listener}.
   *
   * @throws org.apache.kafka.common.config.ConfigException when {@code config} is invalid
   */
  public static StreamsRunner start(
      Topology topology, Properties config, OutputGuard guard, StreamListener listener) {
    Properties p = new Properties();
    p.putAll(config);
    p.put(SendErrorHandler.GUARD, guard);
    p.put(SendErrorHandler.LISTENER, listener);
    StreamsRunner r = new StreamsRunner(topology, p, guard);
    r.streams.start();
    return r;
  }

  private StreamThreadExceptionResponse onUncaught(Throwable e) {
    if (guard.causedByRefusal(e) && replacementAllowed()) {
      // on the stopping thread: the new one starts once this returns
      RecordLimits.refresh(guard, config);
      LOG.error(
          "a stream thread stopped after Kafka refused a record ({}); it is replaced, and the"
              + " record is dead-lettered when its input is processed again",
          message(e));
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
    failure.compareAndSet(null, e);
    // Kafka Streams logs the stack trace itself when it acts on this response
    LOG.error("Kafka Streams stops after an unexpected error: {}", message(e));
    return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
  }

  /** Whether fewer than {@link #MAX_REPLACEMENTS} threads were replaced in the last hour. */
  private synchronized boolean replacementAllowed() {
    long now = System.nanoTime();
    while (!replacements.isEmpty() && now - replacements.peekFirst() > HOUR_NANOS) {
      replacements.removeFirst();
    }
    if (replacements.size() >= MAX_REPLACEMENTS) {
      return false;
    }
    replacements.addLast(now);
    return true;
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
