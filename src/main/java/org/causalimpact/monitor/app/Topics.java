package org.causalimpact.monitor.app;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.causalimpact.monitor.live.TopologySettings;

/**
 * Creates the monitor's topics on a cluster, and checks what inputs keyed by monitor need of them.
 * Thread-safe; no state.
 */
public final class Topics {
  /** How long {@link #create} waits for the cluster's answers. */
  public static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private static final OffsetSpec LATEST = OffsetSpec.latest();

  private Topics() {}

  /**
   * Creates the topics that do not exist yet, and returns once every partition of those it created
   * has a leader that serves it ({@link #awaitLeaders}). Idempotent: a topic that exists (or that
   * another client creates meanwhile) is left as it is.
   *
   * <p>Why wait for leaders: {@code createTopics} answers when the controller has accepted the
   * topic, possibly before the broker serves it. An idempotent producer that writes at once can
   * then have its first request refused (NOT_LEADER_OR_FOLLOWER) and a later one accepted; the
   * first is retried with OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout and its records
   * are lost (KAFKA-15591, KAFKA-14359; a broker-side fix is apache/kafka#23234). Seen here once
   * in CI with Kafka 4.3.1, on a test's producer against a Testcontainers broker.
   *
   * @param adminConfig admin client settings (bootstrap servers, security)
   * @param partitions partitions of a new topic, or {@code null} for the broker's default
   * @param replication replication factor of a new topic, or {@code null} for the broker's default
   * @return the topics created
   * @throws IllegalStateException when the cluster refuses or does not answer within {@link
   *     #ADMIN_TIMEOUT}
   */
  public static List<String> create(
      Map<String, Object> adminConfig,
      Collection<String> topics,
      Integer partitions,
      Short replication) {
    if (partitions != null && partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
    }
    if (replication != null && replication < 1) {
      throw new IllegalArgumentException("replication must be >= 1, got " + replication);
    }
    Set<String> wanted = new LinkedHashSet<>(topics);
    List<String> created = new ArrayList<>();
    try (Admin admin = Admin.create(adminConfig)) {
      Set<String> existing =
          admin.listTopics().names().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (String t : wanted) {
        if (!existing.contains(t)) {
          missing.add(
              new NewTopic(t, Optional.ofNullable(partitions), Optional.ofNullable(replication)));
        }
      }
      if (missing.isEmpty()) {
        return created;
      }
      for (var e : admin.createTopics(missing).values().entrySet()) {
        try {
          e.getValue().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
          created.add(e.getKey());
        } catch (ExecutionException ex) {
          if (!(ex.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException(
                "cannot create topic " + e.getKey() + ": " + ex.getCause().getMessage(),
                ex.getCause());
          }
        }
      }
      awaitLeaders(admin, created);
      return created;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics " + wanted, e);
    } catch (ExecutionException | TimeoutException e) {
      throw unreachable("list or create topics " + wanted, adminConfig, e);
    }
  }

  /**
   * Waits until every partition of {@code topics} has a leader that serves it, at most {@link
   * #ADMIN_TIMEOUT}. A leader in the metadata is not enough: the broker publishes a new
   * partition's metadata before its replica manager leads the partition, and a produce in between
   * is refused (the KafkaContainerIT flake of 2026-12-08: NOT_LEADER_OR_FOLLOWER on the first
   * request after the leaders were known, then OUT_OF_ORDER_SEQUENCE_NUMBER until the test's
   * timeout). So once the metadata names the leaders, their latest offsets are asked for:
   * ListOffsets is answered by the leader's replica manager, as a produce is, and fails with a
   * retriable error until it leads the partition.
   */
  static void awaitLeaders(Admin admin, List<String> topics)
      throws ExecutionException, TimeoutException, InterruptedException {
    if (topics.isEmpty()) {
      return;
    }
    long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
    Map<String, TopicDescription> described;
    while ((described = led(admin, topics)) == null) {
      checkDeadline(deadline, topics);
      Thread.sleep(50);
    }
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    described.forEach(
        (topic, d) ->
            d.partitions()
                .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), LATEST)));
    while (true) {
      try {
        admin.listOffsets(latest).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException)) {
          throw e;
        }
      }
      checkDeadline(deadline, topics);
      Thread.sleep(50);
    }
  }

  private static void checkDeadline(long deadline, List<String> topics) {
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException(
          "the topics " + topics + " were created but not every partition has a leader that"
              + " serves it after " + ADMIN_TIMEOUT.toSeconds() + " s; check that the brokers"
              + " are up and joined");
    }
  }

  /**
   * The descriptions of {@code topics} if the broker asked knows every partition with a leader,
   * else {@code null}.
   */
  private static Map<String, TopicDescription> led(Admin admin, List<String> topics)
      throws ExecutionException, TimeoutException, InterruptedException {
    Map<String, TopicDescription> d;
    try {
      d =
          admin.describeTopics(topics).allTopicNames()
              .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return null; // not yet in the metadata of the broker asked
      }
      throw e;
    }
    boolean all =
        d.values().stream()
            .flatMap(t -> t.partitions().stream())
            .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
    return all ? d : null;
  }

  /**
   * What stops inputs keyed by monitor ({@link TopologySettings#keyedByMonitor()}) from reaching
   * their monitor's task: {@code metrics} and {@code interventions} with different numbers of
   * partitions (a monitor's points and its events would land in different tasks). Empty when
   * they match, when the setting is off, or when a topic is missing (Kafka Streams reports that).
   *
   * @throws IllegalStateException when the cluster does not answer within {@link #ADMIN_TIMEOUT}
   */
  public static Optional<String> keyedByMonitorProblem(
      Map<String, Object> adminConfig, TopologySettings settings) {
    if (!settings.keyedByMonitor()) {
      return Optional.empty();
    }
    List<String> inputs = List.of(settings.metricsTopic(), settings.interventionsTopic());
    try (Admin admin = Admin.create(adminConfig)) {
      Set<String> existing =
          admin.listTopics().names().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (!existing.containsAll(inputs)) {
        return Optional.empty();
      }
      Map<String, TopicDescription> d =
          admin.describeTopics(inputs).allTopicNames()
              .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      int points = d.get(settings.metricsTopic()).partitions().size();
      int events = d.get(settings.interventionsTopic()).partitions().size();
      if (points == events) {
        return Optional.empty();
      }
      return Optional.of(
          AppSettings.KEYED_BY_MONITOR + "=true needs " + settings.metricsTopic() + " and "
              + settings.interventionsTopic() + " with as many partitions, so that a monitor's"
              + " points and events reach the same task: " + settings.metricsTopic() + " has "
              + points + ", " + settings.interventionsTopic() + " has " + events + " (add"
              + " partitions to the smaller before anything is written to it, or set "
              + AppSettings.KEYED_BY_MONITOR + "=false)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while describing topics " + inputs, e);
    } catch (ExecutionException | TimeoutException e) {
      throw unreachable("describe topics " + inputs, adminConfig, e);
    }
  }

  private static IllegalStateException unreachable(
      String what, Map<String, Object> adminConfig, Exception e) {
    return new IllegalStateException(
        "cannot "
            + what
            + " at "
            + adminConfig.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)
            + " within "
            + ADMIN_TIMEOUT.toSeconds()
            + " s: "
            + (e.getCause() == null ? e : e.getCause()).getMessage(),
        e);
  }
}
