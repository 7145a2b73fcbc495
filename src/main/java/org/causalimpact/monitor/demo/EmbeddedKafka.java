package org.causalimpact.monitor.demo;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.utils.Time;
import org.causalimpact.monitor.app.Topics;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) running inside this JVM,
 * for the demo and the integration tests. It is started from Kafka's own artifacts ({@code
 * kafka_2.13}, {@code kafka-server-common}): the storage is formatted with {@link StorageTool} and
 * a {@link KafkaRaftServer} is started on it. Both listeners are bound to 127.0.0.1 only.
 *
 * <p>A single node needs every replication factor and minimum ISR of the internal topics set to
 * 1, or consumer groups loop on {@code INVALID_REPLICATION_FACTOR} and exactly-once producers stall
 * waiting for the transaction log. See {@link #serverProperties}.
 *
 * <p>The broker keeps its data in {@code dataDir}; stopping it with {@link #close()} and starting
 * it again with {@link #start(Path, int, int)} on the same directory and ports (or both at once
 * with {@link #restart()}) finds the same topics and records (formatting is skipped when the
 * directory is already formatted).
 *
 * <p>{@link #startSaslPlain} starts the same broker with a client listener that requires SASL/PLAIN
 * authentication ({@code SASL_PLAINTEXT}), for tests of the clients' security settings.
 *
 * <p>Not thread-safe for concurrent {@link #close()}; {@link #createTopics} may be called from any
 * thread.
 */
public final class EmbeddedKafka implements AutoCloseable {
  /** How long {@link #restart()} retries binding ports that the stopped broker's sockets hold. */
  private static final Duration RESTART_BIND_TIMEOUT = Duration.ofSeconds(10);

  private final Path dataDir;
  private final int brokerPort;
  private final int controllerPort;
  private final KafkaRaftServer server;
  private final Security security;
  private boolean closed;

  /**
   * How clients reach the broker's client listener.
   *
   * @param protocol the listener's name and security protocol
   * @param broker broker settings the protocol adds
   * @param client what a client (the admin of {@link #createTopics}) needs besides the address
   */
  private record Security(String protocol, Map<String, String> broker, Map<String, Object> client) {
    static final Security PLAINTEXT = new Security("PLAINTEXT", Map.of(), Map.of());
  }

  private EmbeddedKafka(
      Path dataDir, int brokerPort, int controllerPort, KafkaRaftServer server, Security security) {
    this.dataDir = dataDir;
    this.brokerPort = brokerPort;
    this.controllerPort = controllerPort;
    this.server = server;
    this.security = security;
  }

  /**
   * Starts a broker on two free ports of 127.0.0.1, keeping its data in {@code dataDir}. A port
   * that another process takes between the search and the bind is replaced (three attempts).
   */
  public static EmbeddedKafka start(Path dataDir) {
    return startOnFreePorts(dataDir, Security.PLAINTEXT);
  }

  /**
   * Starts a broker like {@link #start(Path)} whose client listener requires SASL/PLAIN over an
   * unencrypted connection ({@code SASL_PLAINTEXT} on 127.0.0.1): only the given users may connect,
   * each with its password. The first user is the broker's own identity and the one {@link
   * #createTopics} and {@link #clientSecurity()} use. There is no authorizer, so every user that
   * authenticates may do everything. The passwords are written to {@code server.properties} in
   * {@code dataDir}: for tests only.
   *
   * @param users user name to password, in order; names and passwords must not contain {@code "},
   *     {@code \} or {@code ;} (JAAS quoting)
   */
  public static EmbeddedKafka startSaslPlain(Path dataDir, Map<String, String> users) {
    if (users.isEmpty()) {
      throw new IllegalArgumentException("a SASL/PLAIN broker needs at least one user");
    }
    StringBuilder jaas =
        new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
    Map.Entry<String, String> self = users.entrySet().iterator().next();
    jaas.append(" username=\"").append(checkJaas(self.getKey())).append('"');
    jaas.append(" password=\"").append(checkJaas(self.getValue())).append('"');
    users.forEach(
        (user, password) ->
            jaas.append(" user_").append(checkJaas(user)).append("=\"")
                .append(checkJaas(password)).append('"'));
    jaas.append(';');
    Map<String, String> broker = new LinkedHashMap<>();
    broker.put("sasl.enabled.mechanisms", "PLAIN");
    broker.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
    broker.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas.toString());
    Map<String, Object> client = new HashMap<>();
    client.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
    client.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
    client.put(SaslConfigs.SASL_JAAS_CONFIG, plainJaas(self.getKey(), self.getValue()));
    return startOnFreePorts(
        dataDir, new Security("SASL_PLAINTEXT", Map.copyOf(broker), Map.copyOf(client)));
  }

  /** The JAAS line of a SASL/PLAIN client: {@code PlainLoginModule required username=.. password=..;}. */
  static String plainJaas(String user, String password) {
    return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
        + checkJaas(user) + "\" password=\"" + checkJaas(password) + "\";";
  }

  private static String checkJaas(String value) {
    if (value.isEmpty() || value.contains("\"") || value.contains("\\") || value.contains(";")) {
      throw new IllegalArgumentException(
          "a SASL/PLAIN user name or password must be non-empty without '\"', '\\' or ';'");
    }
    return value;
  }

  private static EmbeddedKafka startOnFreePorts(Path dataDir, Security security) {
    for (int attempt = 1; ; attempt++) {
      int[] ports = freePorts(2);
      try {
        return start(dataDir, ports[0], ports[1], security);
      } catch (IllegalStateException e) {
        if (attempt == 3 || !causedByBind(e)) {
          throw e;
        }
      }
    }
  }

  private static boolean causedByBind(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Starts a broker on the given ports, keeping its data in {@code dataDir} (created if absent).
   * A directory that a previous broker used is reused with its topics and records.
   *
   * @param brokerPort the client (PLAINTEXT) port on 127.0.0.1
   * @param controllerPort the KRaft controller port on 127.0.0.1
   * @throws IllegalStateException when the storage cannot be formatted or the broker fails to start
   */
  public static EmbeddedKafka start(Path dataDir, int brokerPort, int controllerPort) {
    return start(dataDir, brokerPort, controllerPort, Security.PLAINTEXT);
  }

  private static EmbeddedKafka start(
      Path dataDir, int brokerPort, int controllerPort, Security security) {
    checkPort(brokerPort, "brokerPort");
    checkPort(controllerPort, "controllerPort");
    if (brokerPort == controllerPort) {
      throw new IllegalArgumentException(
          "brokerPort and controllerPort must differ, both are " + brokerPort);
    }
    Path dir = dataDir.toAbsolutePath().normalize();
    Properties props =
        BrokerSetup.serverProperties(
            dir.resolve("logs"), brokerPort, controllerPort, security.protocol());
    props.putAll(security.broker());
    Path file = dir.resolve("server.properties");
    try {
      Files.createDirectories(dir);
      try (OutputStream out = Files.newOutputStream(file)) {
        props.store(out, "embedded single-node KRaft broker of causal-impact-monitor");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    BrokerSetup.format(file, BrokerSetup.clusterId(dir.resolve("cluster.id")));
    KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
    try {
      server.startup();
    } catch (RuntimeException e) {
      server.shutdown();
      server.awaitShutdown();
      throw new IllegalStateException(
          "the embedded Kafka broker did not start on 127.0.0.1:"
              + brokerPort
              + " (controller "
              + controllerPort
              + "): "
              + e.getMessage(),
          e);
    }
    return new EmbeddedKafka(dir, brokerPort, controllerPort, server, security);
  }

  /** {@code 127.0.0.1:port} of the client listener. */
  public String bootstrapServers() {
    return "127.0.0.1:" + brokerPort;
  }

  /** The client (PLAINTEXT or SASL_PLAINTEXT) port. */
  public int brokerPort() {
    return brokerPort;
  }

  /**
   * What a client needs besides {@link #bootstrapServers()}: nothing for a PLAINTEXT broker; for
   * a SASL/PLAIN one, the security protocol, the mechanism and the first user's JAAS line.
   */
  public Map<String, Object> clientSecurity() {
    return security.client();
  }

  /** The KRaft controller port. */
  public int controllerPort() {
    return controllerPort;
  }

  /** Where the broker keeps its configuration and logs. */
  public Path dataDir() {
    return dataDir;
  }

  /**
   * Creates the topics that do not exist yet, with {@code partitions} partitions and replication
   * factor 1; existing topics are left as they are. Returns once the broker serves them: {@link
   * Topics#create} waits until every new partition has a leader.
   *
   * @throws IllegalStateException when the broker refuses or does not answer within 30 s
   */
  public void createTopics(Collection<String> topics, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
    }
    Map<String, Object> config = new HashMap<>(security.client());
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    Topics.create(config, topics, partitions, (short) 1);
  }

  /** Stops the broker and waits until it has stopped; the data directory is kept. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.shutdown();
    server.awaitShutdown();
  }

  /**
   * Stops this broker (if it still runs) and starts a new one on the same data directory, ports
   * and client security, as an operator restarts a broker: it finds the same topics, records,
   * committed offsets and transaction state. This instance stays closed; use the one returned.
   * The ports are bound again at once; should the old sockets still hold them, binding is retried
   * for up to {@code 10 s}.
   *
   * @throws IllegalStateException when the new broker does not start
   */
  public EmbeddedKafka restart() {
    close();
    long deadline = System.nanoTime() + RESTART_BIND_TIMEOUT.toNanos();
    while (true) {
      try {
        return start(dataDir, brokerPort, controllerPort, security);
      } catch (IllegalStateException e) {
        if (!causedByBind(e) || System.nanoTime() > deadline) {
          throw e;
        }
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while restarting the embedded broker", e);
      }
    }
  }

  /** Stops the broker, then deletes its data directory. */
  public void closeAndDelete() {
    close();
    deleteRecursively(dataDir);
  }

  /** Deletes a directory tree; a missing path is not an error. */
  public static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
              if (exc instanceof NoSuchFileException) {
                return FileVisitResult.CONTINUE;
              }
              throw exc;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
              Files.deleteIfExists(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  /**
   * {@code n} distinct ports that were free on 127.0.0.1 a moment ago (the sockets are held open
   * together so that the same port is not handed out twice, then closed).
   */
  public static int[] freePorts(int n) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      InetAddress loopback = InetAddress.getByName("127.0.0.1");
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket();
        sockets.add(s);
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(loopback, 0));
        ports[i] = s.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find free ports on 127.0.0.1", e);
    } finally {
      for (ServerSocket s : sockets) {
        try {
          s.close();
        } catch (IOException ignored) {
          // a socket that was never bound has nothing to release
        }
      }
    }
  }

  private static void checkPort(int port, String name) {
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException(name + " must be in 1..65535, got " + port);
    }
  }
}
