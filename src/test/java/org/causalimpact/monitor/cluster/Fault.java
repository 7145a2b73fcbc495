package org.causalimpact.monitor.cluster;

import java.util.Set;

/** A fault injected into a {@link KafkaCluster} in the middle of an intervention, and its repair. */
interface Fault {
  /** What the fault does, for the log. */
  String describe();

  /**
   * Breaks the cluster.
   *
   * @param leader the node that leads the monitor's partitions
   * @param controller the active controller (the quorum's leader)
   * @return the nodes broken
   */
  Set<Integer> inject(KafkaCluster cluster, int leader, int controller);

  /** Repairs the nodes {@link #inject} broke. */
  void repair(KafkaCluster cluster, Set<Integer> nodes);
}
