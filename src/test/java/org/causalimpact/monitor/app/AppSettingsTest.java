package org.causalimpact.monitor.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.live.InterventionLimits;
import org.causalimpact.monitor.live.TopologySettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings from file and environment, what goes to which Kafka client, and secret masking. */
class AppSettingsTest {
  @Test
  void environmentVariablesMapToKeysAndOverrideTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("app.properties");
    Files.writeString(
        file,
        "bootstrap.servers=file:9092\nmonitor.topic.metrics=m1\nmonitor.grace=10s\n"
            + "security.protocol=SSL\n");
    AppSettings c =
        AppSettings.load(
            file,
            Map.of(
                "CIM_BOOTSTRAP_SERVERS", "env:9092",
                "CIM_SASL_JAAS_CONFIG", "org.example.Login required password=\"hunter2\";",
                "CIM_MONITOR_GRACE", "PT45S",
                "PATH", "/usr/bin",
                "CIM_", "ignored"));
    assertEquals("env:9092", c.bootstrapServers());
    assertEquals("org.example.Login required password=\"hunter2\";", c.get("sasl.jaas.config"));
    assertEquals("m1", c.topology().metricsTopic());
    assertEquals(Duration.ofSeconds(45), c.topology().grace());
    assertEquals("interventions", c.topology().interventionsTopic());
    assertFalse(c.values().containsKey("path"));
    assertEquals("sasl.jaas.config", AppSettings.envKey("CIM_SASL_JAAS_CONFIG"));
    assertEquals("monitor.topic.summary", AppSettings.envKey("CIM_MONITOR_TOPIC_SUMMARY"));
  }

  @Test
  void secretsAreNeverShown() {
    AppSettings c =
        AppSettings.defaults()
            .with("sasl.jaas.config", "jaas-secret-1")
            .with("ssl.truststore.password", "pw-secret-2")
            .with("ssl.keystore.key", "pem-secret-3")
            .with("basic.auth.user.info", "user:secret-4")
            .with("bootstrap.servers", "broker:9092");
    for (String shown : new String[] {c.describe(), c.toString()}) {
      assertFalse(shown.contains("secret-"), shown);
      assertTrue(shown.contains("broker:9092"), shown);
      assertTrue(shown.contains("sasl.jaas.config=********"), shown);
    }
    assertTrue(AppSettings.isSecret("sasl.jaas.config"));
    assertTrue(AppSettings.isSecret("SSL.KEY.PASSWORD"));
    assertFalse(AppSettings.isSecret("ssl.keystore.location"));
    assertFalse(AppSettings.isSecret("security.protocol"));
  }

  @Test
  void streamsGetDefaultsAndEveryKafkaKeyButNotTheMonitorsOwn() {
    Properties p =
        AppSettings.defaults()
            .with("bootstrap.servers", "b:9092")
            .with("security.protocol", "SASL_SSL")
            .with("monitor.grace", "5s")
            .streams();
    assertEquals("causal-impact-monitor", p.get("application.id"));
    assertEquals("exactly_once_v2", p.get("processing.guarantee"));
    assertEquals("-1", p.get("max.task.idle.ms"));
    assertEquals(
        "0",
        AppSettings.defaults().with("max.task.idle.ms", "0").streams().get("max.task.idle.ms"));
    assertEquals("131072", p.get("producer.batch.size"));
    assertEquals(
        "16384",
        AppSettings.defaults().with("producer.batch.size", "16384").streams()
            .get("producer.batch.size"));
    assertEquals("SASL_SSL", p.get("security.protocol"));
    assertTrue(p.get("state.dir").toString().contains("causal-impact-monitor"), p.toString());
    assertFalse(p.containsKey("monitor.grace"));
  }

  @Test
  void clientsGetOnlyTheKeysTheyKnow() {
    AppSettings c =
        AppSettings.defaults()
            .with("bootstrap.servers", "b:9092")
            .with("security.protocol", "SASL_SSL")
            .with("application.id", "x")
            .with("state.dir", "/s")
            .with("acks", "0");
    Map<String, Object> producer = c.producer();
    assertEquals("b:9092", producer.get("bootstrap.servers"));
    assertEquals("SASL_SSL", producer.get("security.protocol"));
    assertEquals("all", producer.get("acks"), "the simulator never loses points");
    assertFalse(producer.containsKey("application.id"));
    assertFalse(producer.containsKey("state.dir"));
    assertEquals("read_committed", c.consumer().get("isolation.level"));
    assertFalse(c.admin().containsKey("acks"));
  }

  @Test
  void embeddedSettingsSuitASingleNode(@TempDir Path dir) {
    Properties p = AppSettings.embedded("127.0.0.1:1234", dir).streams();
    assertEquals("1", p.get("replication.factor"));
    assertEquals("100", p.get("commit.interval.ms"));
    assertEquals(dir.toAbsolutePath().toString(), p.get("state.dir"));
    assertEquals("127.0.0.1:1234", p.get("bootstrap.servers"));
  }

  @Test
  void invalidValuesNameTheSettingAndItsSource(@TempDir Path dir) {
    InputException e =
        assertThrows(
            InputException.class,
            () -> AppSettings.load(null, Map.of("CIM_MONITOR_GRACE", "soon")));
    assertTrue(e.getMessage().contains("monitor.grace"), e.getMessage());
    assertTrue(e.getMessage().contains("CIM_MONITOR_GRACE"), e.getMessage());
    InputException missing =
        assertThrows(
            InputException.class, () -> AppSettings.load(dir.resolve("none"), Map.of()));
    assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    assertThrows(
        InputException.class,
        () -> AppSettings.load(null, Map.of("CIM_MONITOR_TOPIC_IMPACT", "bad topic")));
  }

  @Test
  void aMonitorKeyWithATypoIsRefusedNamingTheNearestKnownOne(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("app.properties"), "monitor.max.post.row=500\n");
    String m = assertThrows(InputException.class, () -> AppSettings.load(file, Map.of()))
        .getMessage();
    assertTrue(m.startsWith("setting monitor.max.post.row=500 (from " + file + ") is not a setting"
        + " of the monitor; the nearest is monitor.max.post.rows. The monitor's settings:"
        + " monitor.topic.metrics, "), m);
    m = assertThrows(InputException.class,
        () -> AppSettings.load(null, Map.of("CIM_MONITOR_GARCE", "5s"))).getMessage();
    assertTrue(m.contains("monitor.garce=5s (from environment variable CIM_MONITOR_GARCE)"), m);
    assertTrue(m.contains("the nearest is monitor.grace (CIM_MONITOR_GRACE)"), m);
    m = assertThrows(InputException.class,
        () -> AppSettings.load(null, Map.of("CIM_MONITOR_API_TOKEN", "tok-secret"))).getMessage();
    assertTrue(m.contains("monitor.api.token=******** (from environment"), m);
    assertFalse(m.contains("tok-secret"), m);
    // keys outside monitor.* are Kafka's to judge; every known key loads
    assertEquals("x", AppSettings.load(null, Map.of("CIM_SOME_CLIENT_SETTING", "x"))
        .get("some.client.setting"));
    Map<String, String> every = new TreeMap<>();
    Files.readAllLines(Path.of("config", "application.properties")).stream()
        .map(l -> l.replaceFirst("^# ", ""))
        .filter(l -> l.startsWith("monitor.") && l.contains("="))
        .forEach(l -> every.put(SettingChecks.envVariable(l.substring(0, l.indexOf('='))),
            l.substring(l.indexOf('=') + 1)));
    assertEquals(AppSettings.MONITOR_KEYS.size(), every.size(), every.toString());
    assertEquals(TopologySettings.defaults(), AppSettings.load(null, every).topology());
  }

  /** A new monitor.* constant that is not in the list would be refused as a typo. */
  @Test
  void everyMonitorKeyConstantIsAKnownKey() throws Exception {
    int constants = 0;
    for (Field f : AppSettings.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class
          && f.get(null).toString().startsWith("monitor.")) {
        constants++;
        assertTrue(AppSettings.MONITOR_KEYS.contains(f.get(null)), f.getName());
      }
    }
    assertEquals(AppSettings.MONITOR_KEYS.size(), constants);
  }

  @Test
  void aJaasLineKafkaCannotParseIsRefusedWithoutShowingIt() {
    String secret = "pw-" + UUID.randomUUID();
    String module = "org.apache.kafka.common.security.plain.PlainLoginModule";
    Map<String, String> broken = new LinkedHashMap<>();
    broken.put(module + " required username=\"u\" password=\"" + secret + "\"",
        "JAAS config entry not terminated by semi-colon");
    broken.put(module + " username=\"u\" password=\"" + secret + "\";",
        "Invalid login module control flag '...'");
    broken.put(module + " " + secret + " username=\"u\";", "Invalid login module control flag");
    broken.put(module + " required username=\"u\" \"" + secret + "\";",
        "Value not specified for key '...'");
    broken.put(module + " required password=\"" + secret + "\"; " + module + " required;",
        "contains 2 login modules");
    broken.put("", "Login module not specified");
    broken.put("org.example.NoSuchLogin required password=\"" + secret + "\";",
        "its login module org.example.NoSuchLogin is not a class on the class path");
    broken.put(secret + " required;", "its login module (its first word) is not a class");
    broken.forEach((line, problem) -> {
      String m = assertThrows(InputException.class,
          () -> AppSettings.load(null, Map.of("CIM_SECURITY_PROTOCOL", "SASL_SSL",
              "CIM_SASL_JAAS_CONFIG", line)), line).getMessage();
      assertTrue(m.startsWith("setting sasl.jaas.config=******** (from environment variable"
          + " CIM_SASL_JAAS_CONFIG) is not a JAAS line Kafka can read: "), m);
      assertTrue(m.contains(problem), m);
      assertTrue(m.endsWith("e.g. " + module + " required username=\"...\" password=\"...\";"), m);
      assertFalse(m.contains(secret), m);
    });
    String m = assertThrows(InputException.class,
        () -> AppSettings.load(null, Map.of("CIM_SECURITY_PROTOCOL", "sasl_plaintext",
            "CIM_PRODUCER_SASL_JAAS_CONFIG", module + " required"))).getMessage();
    assertTrue(m.startsWith("setting producer.sasl.jaas.config=******** (from"), m);

    String good = module + " required username=\"u\" password=\"" + secret + "\";";
    assertEquals(good, AppSettings.load(null, Map.of("CIM_SECURITY_PROTOCOL", "SASL_SSL",
        "CIM_SASL_JAAS_CONFIG", good)).get("sasl.jaas.config"));
    // without SASL no client reads the line, and neither does the check
    assertEquals("", AppSettings.load(null, Map.of("CIM_SECURITY_PROTOCOL", "SSL",
        "CIM_SASL_JAAS_CONFIG", "")).get("sasl.jaas.config"));
  }

  @Test
  void healthRefitIntervalIsASetting() {
    assertEquals(
        TopologySettings.DEFAULT_HEALTH_REFIT_EVERY,
        AppSettings.load(null, Map.of()).topology().healthRefitEvery());
    assertEquals(25, settingsWith("CIM_MONITOR_HEALTH_REFIT_EVERY", "25").healthRefitEvery());
    InputException e =
        assertThrows(
            InputException.class,
            () -> AppSettings.load(null, Map.of("CIM_MONITOR_HEALTH_REFIT_EVERY", "0")));
    assertTrue(e.getMessage().contains("monitor.health.refit.every"), e.getMessage());
  }

  @Test
  void inputsKeyedByMonitorIsAnOptInSetting() {
    assertFalse(AppSettings.load(null, Map.of()).topology().keyedByMonitor());
    assertTrue(settingsWith("CIM_MONITOR_INPUTS_KEYED_BY_MONITOR", "True").keyedByMonitor());
    assertFalse(settingsWith("CIM_MONITOR_INPUTS_KEYED_BY_MONITOR", "false").keyedByMonitor());
    InputException e =
        assertThrows(
            InputException.class,
            () -> AppSettings.load(null, Map.of("CIM_MONITOR_INPUTS_KEYED_BY_MONITOR", "yes")));
    assertTrue(e.getMessage().contains("monitor.inputs.keyed.by.monitor=yes"), e.getMessage());
    assertTrue(e.getMessage().contains("must be true or false"), e.getMessage());
  }

  @Test
  void interventionLimitsAreSettings() {
    assertEquals(
        InterventionLimits.defaults(), AppSettings.load(null, Map.of()).topology().interventions());
    InterventionLimits l =
        AppSettings.load(
                null,
                Map.of(
                    "CIM_MONITOR_INTERVENTIONS_MAX_RUNNING", "4",
                    "CIM_MONITOR_INTERVENTIONS_ENDED_KEEP", "0",
                    "CIM_MONITOR_INTERVENTIONS_ENDED_MAX_AGE", "2h",
                    "CIM_MONITOR_INTERVENTIONS_MAX_LEAD", "0s"))
            .topology()
            .interventions();
    assertEquals(new InterventionLimits(4, 0, Duration.ofHours(2), Duration.ZERO), l);
    for (String[] bad :
        new String[][] {
          {"CIM_MONITOR_INTERVENTIONS_MAX_RUNNING", "0", "must be >= 1"},
          {"CIM_MONITOR_INTERVENTIONS_ENDED_KEEP", "-1", "must be >= 0"},
          {"CIM_MONITOR_INTERVENTIONS_ENDED_MAX_AGE", "0d", "must be longer than 0"},
          {"CIM_MONITOR_INTERVENTIONS_MAX_LEAD", "a week", "is not a duration"}
        }) {
      InputException e =
          assertThrows(InputException.class, () -> AppSettings.load(null, Map.of(bad[0], bad[1])));
      String shown = AppSettings.envKey(bad[0]) + "=" + bad[1];
      assertTrue(e.getMessage().contains(shown), e.getMessage());
      assertTrue(e.getMessage().contains(bad[2]), e.getMessage());
    }
  }

  private static TopologySettings settingsWith(String variable, String value) {
    return AppSettings.load(null, Map.of(variable, value)).topology();
  }

  @Test
  void durations() {
    assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
    assertEquals(Duration.ofSeconds(60), Durations.parse("60s"));
    assertEquals(Duration.ofMinutes(2), Durations.parse("2m"));
    assertEquals(Duration.ofSeconds(30), Durations.parse("PT30S"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("1.5s"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("PT-1S"));
  }

  @Test
  void theShippedSettingsFileLoads() {
    AppSettings c = AppSettings.load(Path.of("config", "application.properties"), Map.of());
    assertEquals("localhost:9092", c.bootstrapServers());
    assertEquals(TopologySettings.defaults(), c.topology());
    assertEquals(Path.of("config", "monitors"), c.definitions(Path.of("elsewhere")));
  }
}
