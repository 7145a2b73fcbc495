package org.causalimpact.monitor.cluster;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ContainerNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Network;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.lifecycle.Startables;

/**
 * A KRaft cluster of combined broker + controller nodes in containers of {@link KafkaImage#NAME}
 * on one Testcontainers {@link Network}: a quorum of all nodes, replication factor 3 and {@code
 * min.insync.replicas=2} for every topic including the offsets and transaction logs, and timeouts
 * short enough that a lost node is fenced, and its partitions and the quorum led elsewhere, within
 * seconds (heartbeat 0.5 s, session 3 s, quorum election 1 s, fetch 2 s). Each node's client port
 * is published on a fixed port of 127.0.0.1, so it keeps its address across a restart.
 *
 * <p>Faults: {@link #kill} (SIGKILL) and {@link #restart} reuse the container and its data;
 * {@link #disconnect} and {@link #reconnect} take the node off the network and back (it then
 * reaches no peer and no client, as no client reaches it). Not thread-safe.
 */
public final class KafkaCluster implements AutoCloseable {
  /** Internal and default replication of the cluster's topics. */
  public static final int REPLICATION = 3;

  /** {@code min.insync.replicas} of the cluster's topics. */
  public static final int MIN_IN_SYNC = 2;

  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

  private final Network network;
  private final Map<Integer, KafkaContainer> nodes;
  private final Map<Integer, String> aliases;

  private KafkaCluster(Network network, Map<Integer, KafkaContainer> nodes, Map<Integer, String> aliases) {
    this.network = network;
    this.nodes = nodes;
    this.aliases = aliases;
  }

  /**
   * Starts {@code size} nodes (ids 1..size) in parallel (each waits for its quorum) and returns
   * once every node runs.
   *
   * @throws IllegalStateException if the cluster is not up within two minutes
   */
  public static KafkaCluster start(int size) throws InterruptedException {
    if (size < REPLICATION) {
      throw new IllegalArgumentException("a cluster needs at least " + REPLICATION + " nodes, got " + size);
    }
    Network network = Network.newNetwork();
    Map<Integer, KafkaContainer> nodes = new LinkedHashMap<>();
    Map<Integer, String> aliases = new LinkedHashMap<>();
    for (int id = 1; id <= size; id++) {
      aliases.put(id, "kafka-" + id);
    }
    String voters =
        aliases.entrySet().stream()
            .map(e -> e.getKey() + "@" + e.getValue() + ":9094")
            .collect(Collectors.joining(","));
    for (int id = 1; id <= size; id++) {
      KafkaContainer node =
          KafkaImage.container()
              .withNetwork(network)
              .withNetworkAliases(aliases.get(id))
              .withEnv(brokerSettings(id, voters))
              // a lost node's name is unknown to Docker's DNS, which then asks the host's
              // servers: where they cannot be reached each lookup stalls a broker's network
              // thread 10 s (2 x 5 s), long enough to make a new quorum leader resign
              .withCreateContainerCmdModifier(
                  cmd -> cmd.getHostConfig().withDnsOptions(List.of("timeout:1", "attempts:1")))
              .withStartupTimeout(START_TIMEOUT);
      nodes.put(id, Loopback.publish(node, 9092, Loopback.freePort()));
    }
    KafkaCluster cluster = new KafkaCluster(network, nodes, aliases);
    try {
      Startables.deepStart(nodes.values()).get(START_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      cluster.close();
      throw new IllegalStateException("the " + size + "-node Kafka cluster did not start: " + e, e);
    } catch (InterruptedException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** The broker settings of node {@code id}, as the image's KAFKA_* variables. */
  static Map<String, String> brokerSettings(int id, String voters) {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_NODE_ID", Integer.toString(id));
    env.put("KAFKA_CONTROLLER_QUORUM_VOTERS", voters);
    env.put("KAFKA_DEFAULT_REPLICATION_FACTOR", Integer.toString(REPLICATION));
    env.put("KAFKA_MIN_INSYNC_REPLICAS", Integer.toString(MIN_IN_SYNC));
    env.put("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", Integer.toString(REPLICATION));
    env.put("KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS", "3");
    env.put("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", Integer.toString(REPLICATION));
    env.put("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", Integer.toString(MIN_IN_SYNC));
    env.put("KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS", "3");
    env.put("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", Integer.toString(REPLICATION));
    env.put("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", Integer.toString(MIN_IN_SYNC));
    env.put("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
    // the test data are dated 1970: time-based retention would delete them at its first check,
    // 30 s after the start
    env.put("KAFKA_LOG_RETENTION_MS", "-1");
    // failover in seconds: fencing a silent broker, electing a quorum leader, dropping a lagging
    // follower from the ISR, giving up on a connection to a vanished address or on a request in
    // flight to it (transaction markers, follower fetches: 30 s by default)
    env.put("KAFKA_BROKER_HEARTBEAT_INTERVAL_MS", "500");
    env.put("KAFKA_BROKER_SESSION_TIMEOUT_MS", "3000");
    env.put("KAFKA_CONTROLLER_QUORUM_ELECTION_TIMEOUT_MS", "1000");
    env.put("KAFKA_CONTROLLER_QUORUM_FETCH_TIMEOUT_MS", "2000");
    env.put("KAFKA_REPLICA_LAG_TIME_MAX_MS", "5000");
    env.put("KAFKA_SOCKET_CONNECTION_SETUP_TIMEOUT_MS", "1000");
    env.put("KAFKA_SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS", "3000");
    env.put("KAFKA_REQUEST_TIMEOUT_MS", "5000");
    env.put("KAFKA_REPLICA_SOCKET_TIMEOUT_MS", "5000");
    // three brokers on two cores: small heaps (the cleaner's buffer would take 128 MiB)
    env.put("KAFKA_LOG_CLEANER_DEDUPE_BUFFER_SIZE", "8388608");
    env.put("KAFKA_HEAP_OPTS", "-Xmx256m -Xms64m");
    return env;
  }

  /** The node ids, in order. */
  public List<Integer> nodeIds() {
    return new ArrayList<>(nodes.keySet());
  }

  /** {@code localhost:port} of every node, comma-separated. */
  public String bootstrapServers() {
    return nodes.values().stream()
        .map(KafkaContainer::getBootstrapServers)
        .collect(Collectors.joining(","));
  }

  /** An admin client with short request timeouts (the caller closes it). */
  public Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
    return Admin.create(p);
  }

  /** The node that leads the KRaft quorum (the active controller). */
  public static int activeController(Admin admin) throws ExecutionException, InterruptedException {
    return admin.describeMetadataQuorum().quorumInfo().get().leaderId();
  }

  /** The leader of a partition, or -1 while it has none. */
  public static int leader(Admin admin, String topic, int partition)
      throws ExecutionException, InterruptedException {
    TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    Node leader = d.partitions().get(partition).leader();
    return leader == null ? -1 : leader.id();
  }

  /**
   * Waits until node {@code id} is in the ISR of every partition of every topic (internal ones
   * included), and returns how long that took.
   *
   * @throws AssertionError naming a partition still without it after {@code timeout}
   */
  public Duration awaitInSync(Admin admin, int id, Duration timeout) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    String missing = "(not asked yet)";
    while (System.nanoTime() < deadline) {
      try {
        missing = partitionWithout(admin, id);
        if (missing == null) {
          return Duration.ofNanos(System.nanoTime() - start);
        }
      } catch (ExecutionException e) {
        missing = "(metadata not readable: " + e.getCause() + ")";
      }
      Thread.sleep(200);
    }
    throw new AssertionError("node " + id + " not back in the ISR of " + missing + " after " + timeout);
  }

  private static String partitionWithout(Admin admin, int id)
      throws ExecutionException, InterruptedException {
    Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
    for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get().values()) {
      for (TopicPartitionInfo p : d.partitions()) {
        if (p.isr().stream().noneMatch(n -> n.id() == id)) {
          return d.name() + "-" + p.partition() + " (ISR " + p.isr() + ")";
        }
      }
    }
    return null;
  }

  /** Kills node {@code id} with SIGKILL: no clean shutdown, its container and data stay. */
  public void kill(int id) {
    docker().killContainerCmd(node(id).getContainerId()).exec();
  }

  /** Starts the container of a killed node again: same data, address and published port. */
  public void restart(int id) {
    docker().startContainerCmd(node(id).getContainerId()).exec();
  }

  /** Takes node {@code id} off the network: no peer or client reaches it, it reaches none. */
  public void disconnect(int id) {
    docker()
        .disconnectFromNetworkCmd()
        .withNetworkId(network.getId())
        .withContainerId(node(id).getContainerId())
        .exec();
  }

  /** Puts a disconnected node back on the network under its alias. */
  public void reconnect(int id) {
    docker()
        .connectToNetworkCmd()
        .withNetworkId(network.getId())
        .withContainerId(node(id).getContainerId())
        .withContainerNetwork(new ContainerNetwork().withAliases(aliases.get(id)))
        .exec();
  }

  /** The last {@code lines} lines of a node's log, to explain a failure. */
  public String logTail(int id, int lines) {
    String[] all = node(id).getLogs().split("\n");
    return String.join("\n", List.of(all).subList(Math.max(0, all.length - lines), all.length));
  }

  private KafkaContainer node(int id) {
    KafkaContainer c = nodes.get(id);
    if (c == null) {
      throw new IllegalArgumentException("no node " + id + " in " + nodes.keySet());
    }
    return c;
  }

  private static DockerClient docker() {
    return DockerClientFactory.instance().client();
  }

  /** Stops and removes every container, then the network. */
  @Override
  public void close() {
    nodes.values().parallelStream().forEach(KafkaContainer::stop);
    network.close();
  }
}
