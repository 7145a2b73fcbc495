package org.causalimpact.monitor.app;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
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
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.causalimpact.monitor.live.TopologySettings;

/**
 * Creates the monitor's topics on a cluster, and checks what inputs keyed by monitor need of them.
 * Thread-safe; no state.
 */
public final class Topics {
  /** How long {@link #create} waits for the cluster's answers. */
  public static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private Topics() {}

  /**
   * Creates the topics that do not exist yet. Idempotent: a topic that exists (or that another
   * client creates meanwhile) is left as it is.
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
      return created;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics " + wanted, e);
    } catch (ExecutionException | TimeoutException e) {
      throw unreachable("list or create topics " + wanted, adminConfig, e);
    }
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
