package org.causalimpact.monitor.cluster;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor on a 3-node KRaft cluster in containers (Testcontainers; skipped without a Docker
 * engine): in the middle of an intervention the leader of the monitor's partitions, which is also
 * the active controller, is killed (SIGKILL) and later restarted. Every metric point is accounted
 * for, every impact record is committed exactly once, and the cumulative effect is the one of an
 * undisturbed run. Failover time and record counts go to stderr.
 */
class BrokerFailoverIT {
  @TempDir Path dir;

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void killingTheLeaderAndControllerLosesAndRepeatsNothing() throws Exception {
    KafkaImage.assumeAvailable();
    long start = System.nanoTime();
    try (KafkaCluster cluster = KafkaCluster.start(3)) {
      System.err.printf(
          "[BrokerFailoverIT] 3-node cluster up in %.1f s%n", (System.nanoTime() - start) / 1e9);
      DrillReport report = FaultDrill.run(cluster, new Kill(), dir, "BrokerFailoverIT");
      System.err.println(report.describe());
      Guarantees.everyPointAccountedFor(report);
      Guarantees.impactExactlyOnceAsUndisturbed(report);
    }
  }

  /** Kills the partition leader and, if it is another node, the active controller; restarts them. */
  private static final class Kill implements Fault {
    @Override
    public String describe() {
      return "kill (SIGKILL) and restart";
    }

    @Override
    public Set<Integer> inject(KafkaCluster cluster, int leader, int controller) {
      Set<Integer> nodes = new LinkedHashSet<>(Set.of(leader));
      nodes.add(controller);
      nodes.forEach(cluster::kill);
      return nodes;
    }

    @Override
    public void repair(KafkaCluster cluster, Set<Integer> nodes) {
      nodes.forEach(cluster::restart);
    }
  }
}
