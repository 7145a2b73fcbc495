package org.causalimpact.monitor.cluster;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor on a 3-node KRaft cluster in containers (Testcontainers; skipped without a Docker
 * engine): in the middle of an intervention the leader of the monitor's partitions, which is also
 * the active controller, is disconnected from the Docker network (no peer and no client reaches
 * it, it reaches none; it keeps running) and later reconnected. Every metric point is accounted
 * for, every impact record is committed exactly once, and the cumulative effect is the one of an
 * undisturbed run. Failover time and record counts go to stderr.
 */
class NetworkPartitionIT {
  @TempDir Path dir;

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void isolatingTheLeaderLosesAndRepeatsNothing() throws Exception {
    KafkaImage.assumeAvailable();
    long start = System.nanoTime();
    try (KafkaCluster cluster = KafkaCluster.start(3)) {
      System.err.printf(
          "[NetworkPartitionIT] 3-node cluster up in %.1f s%n", (System.nanoTime() - start) / 1e9);
      DrillReport report = FaultDrill.run(cluster, new Partition(), dir, "NetworkPartitionIT");
      System.err.println(report.describe());
      Guarantees.everyPointAccountedFor(report);
      Guarantees.impactExactlyOnceAsUndisturbed(report);
    }
  }

  /** Takes the partition leader off the network, then puts it back. */
  private static final class Partition implements Fault {
    @Override
    public String describe() {
      return "disconnect from the network and reconnect";
    }

    @Override
    public Set<Integer> inject(KafkaCluster cluster, int leader, int controller) {
      cluster.disconnect(leader);
      return Set.of(leader);
    }

    @Override
    public void repair(KafkaCluster cluster, Set<Integer> nodes) {
      nodes.forEach(cluster::reconnect);
    }
  }
}
