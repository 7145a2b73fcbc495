package org.causalimpact.monitor.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code docker-compose.yml}: valid for {@code docker-compose} (the check needs no Docker engine;
 * skipped where docker-compose is not installed), and consistent with the files it mounts and
 * the configurations that name its services — no engine here can start the stack, so these
 * checks stand in for the mistakes a {@code docker compose up} would reveal.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ComposeFileIT {
  private static final Path COMPOSE = Path.of("docker-compose.yml");
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Set<String> REQUIRED =
      Set.of("kafka", "monitor", "simulator", "prometheus", "alertmanager", "grafana");
  /** Services that run until stopped, so Compose should know when they are healthy. */
  private static final Set<String> LONG_RUNNING =
      Set.of("kafka", "monitor", "prometheus", "alertmanager", "grafana");

  private static JsonNode services() throws IOException {
    return YAML.readTree(COMPOSE.toFile()).path("services");
  }

  private static List<String> names(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void dockerComposeAcceptsTheFile() throws Exception {
    Optional<Path> compose = PrometheusTools.find("docker-compose");
    assumeTrue(compose.isPresent(), "docker-compose is not installed (apt-get install docker-compose)");
    PrometheusTools.Run run =
        PrometheusTools.run(
            Duration.ofSeconds(60),
            List.of(compose.get().toString(), "-f", COMPOSE.toString(), "config", "-q"));
    assertEquals(0, run.code(), run.toString());
  }

  @Test
  void theStackHasEveryServiceOnOneNetwork() throws Exception {
    JsonNode services = services();
    assertTrue(names(services).containsAll(REQUIRED), "services: " + names(services));
    List<String> networks = names(YAML.readTree(COMPOSE.toFile()).path("networks"));
    assertEquals(1, networks.size(), "one network: " + networks);
    for (String name : names(services)) {
      JsonNode s = services.get(name);
      if (s.has("network_mode")) {
        // shares another service's network namespace, which must be on the network
        Matcher m = Pattern.compile("service:(\\S+)").matcher(s.get("network_mode").asText());
        assertTrue(m.matches(), name + ": network_mode " + s.get("network_mode"));
        assertTrue(services.has(m.group(1)), name + " shares an unknown service " + m.group(1));
        assertFalse(s.has("ports"), name + ": ports belong on " + m.group(1));
        continue;
      }
      List<String> joined = new ArrayList<>();
      if (s.path("networks").isArray()) {
        s.path("networks").forEach(n -> joined.add(n.asText()));
      } else {
        s.path("networks").fieldNames().forEachRemaining(joined::add);
      }
      assertEquals(networks, joined, name + " networks");
    }
  }

  @Test
  void portsArePublishedOnLoopbackOnly() throws Exception {
    JsonNode services = services();
    int published = 0;
    for (String name : names(services)) {
      for (JsonNode port : services.get(name).path("ports")) {
        assertTrue(port.isTextual(), name + ": use the short form 127.0.0.1:HOST:CONTAINER");
        // the host port may be a variable with a default, so that a taken port can be moved
        assertTrue(port.asText().matches("127\\.0\\.0\\.1:(\\d+|\\$\\{[A-Z_]+:-\\d+}):\\d+"),
            name + " publishes " + port.asText() + " beyond 127.0.0.1");
        published++;
      }
    }
    assertTrue(published >= 4, "Grafana, Prometheus, Alertmanager and the monitor are published");
  }

  @Test
  void imagesArePinnedAndLongRunningServicesHaveHealthChecks() throws Exception {
    JsonNode services = services();
    for (String name : names(services)) {
      JsonNode s = services.get(name);
      String image = s.path("image").asText();
      assertFalse(image.isEmpty(), name + " has no image name");
      if (!s.has("build")) {
        String tag = image.substring(image.lastIndexOf('/') + 1);
        assertTrue(tag.contains(":") && !tag.endsWith(":latest"), name + ": unpinned " + image);
      }
    }
    assertEquals("apache/kafka:4.3.1", services.path("kafka").path("image").asText());
    for (String name : LONG_RUNNING) {
      JsonNode test = services.path(name).path("healthcheck").path("test");
      assertTrue(test.isArray() && test.size() > 1, name + " has no health check");
    }
  }

  @Test
  void theBrokerKeepsAndAcceptsSimulatedEventTimes() throws Exception {
    JsonNode env = services().path("kafka").path("environment");
    assertEquals(-1L, env.path("KAFKA_LOG_RETENTION_MS").asLong(0));
    long year = Duration.ofDays(365).toMillis();
    assertTrue(env.path("KAFKA_LOG_MESSAGE_TIMESTAMP_AFTER_MAX_MS").asLong(0) > year,
        "records stamped ahead of the broker's clock must be accepted");
    assertEquals("1", env.path("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR").asText(),
        "exactly-once on one broker");
    assertEquals("1", env.path("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR").asText());
    assertEquals("1", env.path("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR").asText());

    // the monitor and the simulator use the listener Kafka advertises on the network
    String advertised = env.path("KAFKA_ADVERTISED_LISTENERS").asText();
    Matcher plaintext = Pattern.compile("PLAINTEXT://([^,]+)").matcher(advertised);
    assertTrue(plaintext.find(), advertised);
    String bootstrap = plaintext.group(1);
    assertTrue(bootstrap.startsWith("kafka:"), bootstrap);
    JsonNode services = services();
    assertEquals(bootstrap,
        services.path("monitor").path("environment").path("CIM_BOOTSTRAP_SERVERS").asText());
    List<String> simulator = new ArrayList<>();
    services.path("simulator").path("command").forEach(c -> simulator.add(c.asText()));
    int toKafka = simulator.indexOf("--to-kafka");
    assertTrue(toKafka >= 0 && toKafka + 1 < simulator.size(), "simulator: " + simulator);
    assertEquals(bootstrap, simulator.get(toKafka + 1));
  }

  @Test
  void theMonitorImageIsTheJarAndConfig() throws Exception {
    JsonNode services = services();
    List<String> monitor = new ArrayList<>();
    services.path("monitor").path("command").forEach(c -> monitor.add(c.asText()));
    assertEquals("run", monitor.get(0), "monitor: " + monitor);
    List<String> simulator = new ArrayList<>();
    services.path("simulator").path("command").forEach(c -> simulator.add(c.asText()));
    assertEquals("simulate", simulator.get(0), "simulator: " + simulator);
    for (String option : List.of("--monitor", "--intervention")) {
      int i = simulator.indexOf(option);
      assertTrue(i >= 0, "simulator needs " + option);
      // the image's working directory holds config/, as the checkout does
      assertTrue(Files.isRegularFile(Path.of(simulator.get(i + 1))), simulator.get(i + 1));
    }
    for (String name : List.of("monitor", "simulator")) {
      assertEquals(".", services.path(name).path("build").asText(), name + " builds the Dockerfile");
    }

    String dockerfile = Files.readString(Path.of("Dockerfile"), StandardCharsets.UTF_8);
    Matcher from = Pattern.compile("(?m)^FROM\\s+(\\S+)").matcher(dockerfile);
    assertTrue(from.find(), "no FROM");
    assertTrue(from.group(1).matches("[^:]+:[^:]*\\d[^:]*"), "unpinned base " + from.group(1));
    assertTrue(dockerfile.contains("COPY target/causal-impact-monitor.jar"), dockerfile);
    assertTrue(dockerfile.contains("COPY config/"), dockerfile);
    assertTrue(dockerfile.contains("ENTRYPOINT [\"java\""), dockerfile);
    assertTrue(Pattern.compile("(?m)^USER\\s+(?!root)\\S+").matcher(dockerfile).find(),
        "the monitor should not run as root");

    // the build context keeps the two things the Dockerfile copies
    List<String> ignore =
        Files.readAllLines(Path.of(".dockerignore"), StandardCharsets.UTF_8).stream()
            .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    if (ignore.contains("*")) {
      assertTrue(ignore.contains("!target/causal-impact-monitor.jar"), ignore.toString());
      assertTrue(ignore.contains("!config/") || ignore.contains("!config"), ignore.toString());
    }
  }

  /** Every bind mount's source exists, and every configuration file is mounted where it is read. */
  @Test
  void mountedFilesExistAndConfigurationsAgree() throws Exception {
    JsonNode services = services();
    Map<String, Map<String, Path>> mounts = new HashMap<>();
    for (String name : names(services)) {
      Map<String, Path> byTarget = new HashMap<>();
      for (JsonNode volume : services.get(name).path("volumes")) {
        String[] parts = volume.asText().split(":");
        assertTrue(parts[0].startsWith("./"), name + ": only bind mounts of the checkout: "
            + volume.asText());
        Path source = Path.of(parts[0]);
        assertTrue(Files.exists(source), name + " mounts missing " + source);
        byTarget.put(parts[1], source.normalize());
      }
      mounts.put(name, byTarget);
    }

    // Prometheus reads its config and the rules where the compose file puts them
    Map<String, Path> prometheus = mounts.get("prometheus");
    List<String> flags = new ArrayList<>();
    services.path("prometheus").path("command").forEach(c -> flags.add(c.asText()));
    String configFlag = flags.stream().filter(f -> f.startsWith("--config.file=")).findFirst()
        .orElseThrow(() -> new AssertionError("prometheus: no --config.file"));
    String configTarget = configFlag.substring("--config.file=".length());
    Path config = prometheus.get(configTarget);
    assertEquals(Path.of("config", "prometheus.yml"), config);
    JsonNode promConfig = YAML.readTree(config.toFile());
    Path configDir = Path.of(configTarget).getParent();
    for (JsonNode ruleFile : promConfig.path("rule_files")) {
      Path inContainer = configDir.resolve(ruleFile.asText());
      assertEquals(Path.of("config").resolve(ruleFile.asText()),
          prometheus.get(inContainer.toString()), "rule file " + inContainer + " is mounted");
    }
    // its scrape target and Alertmanager are services, at ports they serve
    List<String> targets = new ArrayList<>();
    for (JsonNode job : promConfig.path("scrape_configs")) {
      if (job.path("job_name").asText().equals("causal-impact-monitor")) {
        job.path("static_configs").forEach(c -> c.path("targets").forEach(t -> targets.add(t.asText())));
      }
    }
    assertEquals(1, targets.size(), "monitor scrape targets " + targets);
    assertServed(services, targets.get(0));
    List<String> alertmanagers = new ArrayList<>();
    promConfig.path("alerting").path("alertmanagers").forEach(a -> a.path("static_configs")
        .forEach(c -> c.path("targets").forEach(t -> alertmanagers.add(t.asText()))));
    assertEquals(1, alertmanagers.size(), alertmanagers.toString());
    assertServed(services, alertmanagers.get(0));
    assertEquals(Path.of("config", "alertmanager.yml"),
        mounts.get("alertmanager").get("/etc/alertmanager/alertmanager.yml"));

    // Grafana: provisioning from dashboards/provisioning, dashboards where the provider looks
    Map<String, Path> grafana = mounts.get("grafana");
    assertEquals(Path.of("dashboards", "provisioning"), grafana.get("/etc/grafana/provisioning"));
    Path providers = Path.of("dashboards", "provisioning", "dashboards");
    List<Path> providerFiles = yamlFiles(providers);
    assertFalse(providerFiles.isEmpty(), "no dashboard provider in " + providers);
    int dashboards = 0;
    for (Path file : providerFiles) {
      for (JsonNode provider : YAML.readTree(file.toFile()).path("providers")) {
        String path = provider.path("options").path("path").asText();
        Path source = grafana.get(path);
        assertNotNull(source, file + ": provider path " + path + " is not mounted");
        try (Stream<Path> s = Files.list(source)) {
          dashboards += (int) s.filter(p -> p.toString().endsWith(".json")).count();
        }
      }
    }
    assertTrue(dashboards >= 3, "the provider finds " + dashboards + " dashboards");
    String home = services.path("grafana").path("environment")
        .path("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH").asText();
    if (!home.isEmpty()) {
      assertTrue(Files.isRegularFile(containerToCheckout(grafana, home)), "home dashboard " + home);
    }
    List<Path> datasourceFiles = yamlFiles(Path.of("dashboards", "provisioning", "datasources"));
    assertFalse(datasourceFiles.isEmpty(), "no data source provisioned");
    for (Path file : datasourceFiles) {
      for (JsonNode ds : YAML.readTree(file.toFile()).path("datasources")) {
        assertEquals("prometheus", ds.path("type").asText());
        URI url = URI.create(ds.path("url").asText());
        assertServed(services, url.getHost() + ":" + url.getPort());
      }
    }
  }

  /** {@code host:port} is a compose service (or one sharing its network) listening on port. */
  private static void assertServed(JsonNode services, String hostPort) {
    String[] hp = hostPort.split(":");
    assertEquals(2, hp.length, hostPort);
    assertTrue(services.has(hp[0]), hostPort + ": no service " + hp[0]);
    Set<String> ports = new TreeSet<>();
    for (Iterator<String> it = services.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      JsonNode s = services.get(name);
      boolean sameNetwork =
          name.equals(hp[0]) || s.path("network_mode").asText().equals("service:" + hp[0]);
      if (!sameNetwork) {
        continue;
      }
      for (JsonNode port : s.path("ports")) {
        String[] parts = port.asText().split(":");
        ports.add(parts[parts.length - 1]);
      }
      s.path("expose").forEach(p -> ports.add(p.asText()));
    }
    // the services other containers reach here are also published to the host, so the container
    // side of their port mappings says what they listen on
    assertTrue(ports.contains(hp[1]), hostPort + ": " + hp[0] + " serves " + ports);
  }

  private static Path containerToCheckout(Map<String, Path> mounts, String containerPath) {
    for (Map.Entry<String, Path> m : mounts.entrySet()) {
      if (containerPath.startsWith(m.getKey() + "/")) {
        return m.getValue().resolve(containerPath.substring(m.getKey().length() + 1));
      }
    }
    throw new AssertionError(containerPath + " is not in a mounted directory");
  }

  private static List<Path> yamlFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
          .sorted().toList();
    }
  }
}
