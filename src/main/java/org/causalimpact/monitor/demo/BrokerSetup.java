package org.causalimpact.monitor.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;

/**
 * What the {@link EmbeddedKafka} broker needs before it starts: its configuration, its cluster id
 * and its formatted storage. Stateless.
 */
final class BrokerSetup {
  private BrokerSetup() {}

  /**
   * The broker's configuration: a combined broker and controller (node 1) with static quorum
   * voters, listeners on 127.0.0.1, and replication factor 1 / minimum ISR 1 for every internal
   * topic. The log cleaner's dedupe buffer is cut from 128 MiB to 8 MiB (the heap of a started
   * broker drops from ~170 to ~50 MiB); the group rebalance delay is 0 so that a Streams instance
   * starts processing at once. Records are kept forever and accepted whatever their timestamp,
   * since the simulator's event time is not the wall clock.
   */
  static Properties serverProperties(Path logDir, int brokerPort, int controllerPort) {
    return serverProperties(logDir, brokerPort, controllerPort, "PLAINTEXT");
  }

  /** {@link #serverProperties(Path, int, int)} with the client listener named {@code protocol}. */
  static Properties serverProperties(
      Path logDir, int brokerPort, int controllerPort, String protocol) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put(
        "listeners",
        protocol + "://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", protocol + "://127.0.0.1:" + brokerPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("listener.security.protocol.map", protocol + ":" + protocol + ",CONTROLLER:PLAINTEXT");
    p.put("inter.broker.listener.name", protocol);
    p.put("log.dirs", logDir.toString());
    p.put("num.partitions", "1");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("log.cleaner.dedupe.buffer.size", "8388608");
    p.put("auto.create.topics.enable", "false");
    // Simulated event time lies anywhere: with the defaults a record stamped more than an hour
    // ahead of the wall clock is rejected, and one stamped more than 7 days back is deleted by the
    // first retention check, 30 s after start.
    p.put("log.retention.ms", "-1");
    p.put("log.message.timestamp.before.max.ms", Long.toString(Long.MAX_VALUE));
    p.put("log.message.timestamp.after.max.ms", Long.toString(Long.MAX_VALUE));
    return p;
  }

  /**
   * The cluster id of the broker in this directory, created on first use. A formatted log
   * directory records its cluster id, so a restart must format (that is, skip formatting) with
   * the same one.
   */
  static String clusterId(Path file) {
    try {
      if (Files.exists(file)) {
        return Files.readString(file, StandardCharsets.US_ASCII).strip();
      }
      String id = Uuid.randomUuid().toString();
      Files.writeString(file, id + "\n", StandardCharsets.US_ASCII);
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write " + file, e);
    }
  }

  static void format(Path propertiesFile, String clusterId) {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    int code;
    try (PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8)) {
      code =
          StorageTool.execute(
              new String[] {
                "format",
                "-t",
                clusterId,
                "-c",
                propertiesFile.toString(),
                "--ignore-formatted"
              },
              out);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "cannot format the embedded broker's storage (" + propertiesFile + "): " + e.getMessage(),
          e);
    }
    if (code != 0) {
      throw new IllegalStateException(
          "formatting the embedded broker's storage ("
              + propertiesFile
              + ") failed with status "
              + code
              + ": "
              + text.toString(StandardCharsets.UTF_8).strip());
    }
  }
}
