package org.causalimpact.monitor.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker's single-node configuration and helpers, without starting a broker. */
class EmbeddedKafkaTest {
  @Test
  void everyInternalTopicHasReplicationOneOnASingleNode() {
    Properties p = BrokerSetup.serverProperties(Path.of("/data/logs"), 9092, 9093);
    assertEquals("broker,controller", p.get("process.roles"));
    assertEquals("1@127.0.0.1:9093", p.get("controller.quorum.voters"));
    assertEquals("PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093", p.get("listeners"));
    assertEquals("PLAINTEXT://127.0.0.1:9092", p.get("advertised.listeners"));
    assertEquals("/data/logs", p.get("log.dirs"));
    for (String key :
        new String[] {
          "offsets.topic.replication.factor",
          "transaction.state.log.replication.factor",
          "transaction.state.log.min.isr",
          "share.coordinator.state.topic.replication.factor",
          "share.coordinator.state.topic.min.isr"
        }) {
      assertEquals("1", p.get(key), key);
    }
    assertEquals("0", p.get("group.initial.rebalance.delay.ms"));
    assertEquals("8388608", p.get("log.cleaner.dedupe.buffer.size"));
    // simulated event time: neither rejected for being ahead of the clock nor deleted as old
    assertEquals("-1", p.get("log.retention.ms"));
    assertEquals(Long.toString(Long.MAX_VALUE), p.get("log.message.timestamp.after.max.ms"));
    assertEquals(Long.toString(Long.MAX_VALUE), p.get("log.message.timestamp.before.max.ms"));
  }

  @Test
  void freePortsAreDistinctAndUsable() {
    int[] ports = EmbeddedKafka.freePorts(3);
    assertEquals(3, ports.length);
    assertNotEquals(ports[0], ports[1]);
    assertNotEquals(ports[1], ports[2]);
    assertNotEquals(ports[0], ports[2]);
    for (int port : ports) {
      assertTrue(port > 0 && port <= 65_535, "port " + port);
    }
  }

  @Test
  void portsAreChecked(@TempDir Path dir) {
    assertThrows(IllegalArgumentException.class, () -> EmbeddedKafka.start(dir, 0, 9093));
    assertThrows(IllegalArgumentException.class, () -> EmbeddedKafka.start(dir, 9092, 9092));
  }

  @Test
  void deleteRecursivelyRemovesATreeAndIgnoresAMissingOne(@TempDir Path dir) throws Exception {
    Path tree = dir.resolve("a");
    Files.createDirectories(tree.resolve("b/c"));
    Files.writeString(tree.resolve("b/c/f.txt"), "x");
    EmbeddedKafka.deleteRecursively(tree);
    assertTrue(Files.notExists(tree));
    EmbeddedKafka.deleteRecursively(tree);
  }
}
