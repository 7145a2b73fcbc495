package org.causalimpact.monitor.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.causalimpact.monitor.ingest.DeadLetter;
import org.causalimpact.monitor.live.TopologySettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} against a broker that requires SASL/PLAIN ({@code SASL_PLAINTEXT} listener of the
 * embedded broker), as a user runs it: the packaged jar in its own JVM, the non-secret settings in
 * a file given with {@code --config}, the JAAS line with the password in the environment variable
 * {@code CIM_SASL_JAAS_CONFIG}. With the right password records flow in and out; with a wrong one
 * {@code run} exits 2 within seconds with one line naming the authentication failure and the
 * settings to check, whether it meets the refusal before Kafka Streams starts or inside it. Neither
 * password ever appears in what {@code run} prints or logs.
 */
class SaslPlainIT {
  private static final Path JAR =
      Path.of(System.getProperty("cim.jar", "target/causal-impact-monitor.jar"));
  private static final long HOUR = Duration.ofHours(1).toMillis();
  private static final String BROKER_USER = "broker";
  private static final String USER = "monitor";
  // random, so that finding one in the output cannot be a coincidence
  private static final String BROKER_PASSWORD = "broker-" + UUID.randomUUID();
  private static final String PASSWORD = "pw-" + UUID.randomUUID();
  private static final TopologySettings TOPICS = TopologySettings.defaults();

  @TempDir static Path dir;
  private static EmbeddedKafka kafka;
  private static Path monitors;

  @BeforeAll
  static void startBroker() throws IOException {
    Map<String, String> users = new LinkedHashMap<>();
    users.put(BROKER_USER, BROKER_PASSWORD);
    users.put(USER, PASSWORD);
    long t0 = System.nanoTime();
    kafka = EmbeddedKafka.startSaslPlain(dir.resolve("kafka"), users);
    System.err.printf("SASL/PLAIN broker started in %.2f s%n", (System.nanoTime() - t0) / 1e9);
    monitors = Files.createDirectories(dir.resolve("monitors"));
    Files.writeString(
        monitors.resolve("sasl.yaml"),
        "name: sasl\nstep: 1h\npreWindow: 10\nmodel: {ar: 1}\nseed: 3\n"
            + "nodes:\n  - name: x\n  - name: y\n    parents: [{node: x, lags: 1}]\n");
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void withTheRightPasswordRecordsFlowAndThePasswordIsNeverShown() throws Exception {
    Run run = Run.start(settings("sasl-right"), EmbeddedKafka.plainJaas(USER, PASSWORD),
        "--create-topics");
    try {
      assertTrue(run.awaitOutput("streams: RUNNING", Duration.ofSeconds(90)), run::toString);
      assertTrue(run.out().contains("sasl.jaas.config=********  (environment variable"
          + " CIM_SASL_JAAS_CONFIG)"), run::toString);
      assertTrue(run.out().contains("security.protocol=SASL_PLAINTEXT"), run::toString);

      Map<String, Object> client = client(USER, PASSWORD);
      Random noise = new Random(3);
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(
          withProducer(client), new StringSerializer(), new StringSerializer())) {
        double x = 20;
        double y = 50;
        for (int r = 0; r < 30; r++) {
          double xPrev = x;
          x = 20 + 0.5 * (x - 20) + noise.nextGaussian();
          y = 5 + 1.5 * x + 0.5 * xPrev + 0.3 * (y - 50) + noise.nextGaussian();
          send(producer, "x", r * HOUR, Double.toString(x));
          send(producer, "y", r * HOUR + 1000, Double.toString(y));
        }
        producer.send(new ProducerRecord<>(TOPICS.metricsTopic(), "x", "{not json"));
        producer.flush();
      }
      List<ConsumerRecord<byte[], byte[]>> health =
          await(client, TOPICS.healthTopic(), l -> !l.isEmpty());
      assertFalse(health.isEmpty(), "model-health records came out over SASL");
      List<ConsumerRecord<byte[], byte[]>> dead =
          await(client, TopologySettings.dlq(TOPICS.metricsTopic()), l -> !l.isEmpty());
      assertEquals(1, dead.size(), "the malformed point's dead letter");
      assertEquals("malformed-json", header(dead.get(0), DeadLetter.REASON));
    } finally {
      run.stop();
    }
    assertTrue(run.out().contains("stopped: streams closed"), run::toString);
    assertPasswordsNotShown(run);
  }

  @Test
  void withAWrongPasswordTopicCreationFailsClearlyAndExitsTwo() throws Exception {
    Run run = Run.start(settings("sasl-wrong-create"),
        EmbeddedKafka.plainJaas(USER, PASSWORD + "-wrong"), "--create-topics");
    assertRefusedWithHint(run, "run --create-topics with a wrong password");
    assertFalse(run.err().contains("\tat "), () -> "no stack trace\n" + run);
  }

  @Test
  void withAWrongPasswordRunExitsTwoWithAHintBeforeStreamsStart() throws Exception {
    kafka.createTopics(TOPICS.topics(), 1);
    Run run = Run.start(settings("sasl-wrong-streams"),
        EmbeddedKafka.plainJaas(USER, PASSWORD + "-wrong"));
    assertRefusedWithHint(run, "run with a wrong password");
    assertFalse(run.err().contains("\tat "), () -> "no stack trace\n" + run);
    assertFalse(run.out().contains("running:"), () -> "Kafka Streams never started\n" + run);
  }

  @Test
  void aRefusalThatOnlyKafkaStreamsMeetsAlsoExitsTwoWithTheHint() throws Exception {
    kafka.createTopics(TOPICS.topics(), 1);
    // the admin client's check passes; only the Streams main consumer has the wrong password
    Run run = Run.start(
        settings("sasl-wrong-consumer", "main.consumer.sasl.jaas.config="
            + EmbeddedKafka.plainJaas(USER, PASSWORD + "-wrong")),
        EmbeddedKafka.plainJaas(USER, PASSWORD));
    assertRefusedWithHint(run, "run with a wrong password for the Streams consumer only");
    assertTrue(run.out().contains("running:"), () -> "Kafka Streams started\n" + run);
    assertTrue(run.out().contains("main.consumer.sasl.jaas.config=********"), run::toString);
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** Exit 2 within 90 s, one error line that names the refusal and what to check, no password. */
  private static void assertRefusedWithHint(Run run, String what) throws InterruptedException {
    assertTrue(run.awaitExit(Duration.ofSeconds(90)), () -> "still running after 90 s\n" + run);
    System.err.println(what + ": exit " + run.code() + ", " + run.errorLine());
    assertEquals(2, run.code(), run::toString);
    assertTrue(run.errorLine().startsWith("error: Kafka at " + kafka.bootstrapServers()
        + " refused authentication: Authentication failed"), run::toString);
    assertTrue(run.errorLine().endsWith("(check security.protocol, sasl.mechanism and"
        + " sasl.jaas.config, which the environment variable CIM_SASL_JAAS_CONFIG sets; ssl.* for"
        + " TLS)"), run::toString);
    assertEquals(1, run.err().lines().filter(l -> l.startsWith("error: ")).count(),
        run::toString);
    assertFalse(run.err().contains("internal error"), run::toString);
    assertPasswordsNotShown(run);
  }

  private static void assertPasswordsNotShown(Run run) {
    for (String secret : List.of(PASSWORD, BROKER_PASSWORD)) {
      assertFalse(run.out().contains(secret), () -> "a password on stdout\n" + run);
      assertFalse(run.err().contains(secret), () -> "a password on stderr\n" + run);
    }
  }

  /** A settings file without secrets; state and application id of its own. */
  private static Path settings(String name, String... extraLines) throws IOException {
    Path file = dir.resolve(name + ".properties");
    List<String> lines = new ArrayList<>(List.of(
        "bootstrap.servers=" + kafka.bootstrapServers(),
        "security.protocol=SASL_PLAINTEXT",
        "sasl.mechanism=PLAIN",
        "application.id=" + name,
        "state.dir=" + dir.resolve(name + "-state"),
        "replication.factor=1",
        "commit.interval.ms=100",
        "monitor.grace=0s"));
    lines.addAll(List.of(extraLines));
    Files.writeString(file, String.join("\n", lines) + "\n");
    return file;
  }

  private static Map<String, Object> client(String user, String password) {
    Map<String, Object> m = new HashMap<>(kafka.clientSecurity());
    m.put("bootstrap.servers", kafka.bootstrapServers());
    m.put("sasl.jaas.config", EmbeddedKafka.plainJaas(user, password));
    return m;
  }

  private static Map<String, Object> withProducer(Map<String, Object> client) {
    Map<String, Object> m = new HashMap<>(client);
    m.put(ProducerConfig.ACKS_CONFIG, "all");
    return m;
  }

  private static void send(KafkaProducer<String, String> p, String series, long t, String v) {
    p.send(new ProducerRecord<>(TOPICS.metricsTopic(), null, t, series,
        "{\"series\":\"" + series + "\",\"timestamp\":" + t + ",\"value\":" + v + "}"));
  }

  /** Committed records of {@code topic}, polled until {@code done} holds or 90 s pass. */
  private static List<ConsumerRecord<byte[], byte[]>> await(
      Map<String, Object> client,
      String topic,
      Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
    Map<String, Object> p = new HashMap<>(client);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "sasl-it-" + topic + "-" + System.nanoTime());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (System.nanoTime() < deadline && !done.test(out)) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      c.poll(Duration.ofMillis(1000)).forEach(out::add); // a duplicate would show here
    }
    return out;
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** {@code java -jar causal-impact-monitor.jar run ...} in its own process. */
  private record Run(Process process, Path outFile, Path errFile) {
    static Run start(Path settings, String jaas, String... extra) throws IOException {
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
          JAR.toString(), "run", "--config", settings.toString(), "--monitors",
          monitors.toString(), "--port", "-1"));
      command.addAll(List.of(extra));
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.environment().keySet().removeIf(k -> k.startsWith("CIM_"));
      pb.environment().put("CIM_SASL_JAAS_CONFIG", jaas);
      Path out = Files.createTempFile(dir, "run-out", ".txt");
      Path err = Files.createTempFile(dir, "run-err", ".txt");
      pb.redirectOutput(out.toFile()).redirectError(err.toFile());
      return new Run(pb.start(), out, err);
    }

    boolean awaitOutput(String text, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline && process.isAlive()) {
        if (out().contains(text)) {
          return true;
        }
        Thread.sleep(100);
      }
      return out().contains(text);
    }

    boolean awaitExit(Duration timeout) throws InterruptedException {
      boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!exited) {
        stop();
      }
      return exited;
    }

    /** Stops it as Ctrl-C does (SIGTERM runs the shutdown hook), forcibly after 60 s. */
    void stop() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }

    int code() {
      return process.exitValue();
    }

    /** The line {@code run} ends with on failure ({@code error: ...}); log lines come before it. */
    String errorLine() {
      return err().lines().filter(l -> l.startsWith("error: ")).findFirst().orElse("");
    }

    String out() {
      return read(outFile);
    }

    String err() {
      return read(errFile);
    }

    private static String read(Path p) {
      try {
        return Files.readString(p, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(unreadable: " + e + ")";
      }
    }

    @Override
    public String toString() {
      return "--- stdout\n" + out() + "\n--- stderr\n" + err();
    }
  }
}
