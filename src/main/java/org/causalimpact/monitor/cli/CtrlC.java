package org.causalimpact.monitor.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C for long-running commands: a shutdown hook raises {@link #requested()} and holds the JVM
 * (at most 45 s) until the command has closed what it started and calls {@link #close()}.
 */
final class CtrlC implements AutoCloseable {
  private final AtomicBoolean stop = new AtomicBoolean();
  private final CountDownLatch done = new CountDownLatch(1);
  private final Thread hook;

  CtrlC(String name) {
    hook =
        new Thread(
            () -> {
              stop.set(true);
              try {
                done.await(45, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            name);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Whether Ctrl-C was pressed. */
  boolean requested() {
    return stop.get();
  }

  /** Lets a running hook return, or removes the hook when no shutdown is under way. */
  @Override
  public void close() {
    done.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down (Ctrl-C): the hook is running and now returns
    }
  }
}
