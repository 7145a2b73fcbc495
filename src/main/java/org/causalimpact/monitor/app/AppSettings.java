package org.causalimpact.monitor.app;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.streams.StreamsConfig;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.ingest.Router;
import org.causalimpact.monitor.live.InterventionLimits;
import org.causalimpact.monitor.live.TopologySettings;

/**
 * The application's settings: Kafka Streams and client settings, plus the monitor's own ({@code
 * monitor.*}: topic names, grace, where the monitor definitions are). Immutable; thread-safe.
 *
 * <p>Where settings come from, later ones winning:
 *
 * <ol>
 *   <li>defaults: {@code application.id=causal-impact-monitor}, {@code
 *       processing.guarantee=exactly_once_v2}, String serdes, {@code
 *       processing.exception.handler.global.enabled=true}, {@code max.task.idle.ms=-1} (points
 *       and intervention events are not synchronised by time), {@code state.dir} under {@code
 *       java.io.tmpdir}, the topics of {@link TopologySettings#defaults()};
 *   <li>a properties file, usually {@code config/application.properties};
 *   <li>environment variables {@code CIM_*}: the name without the prefix, lower-cased, with every
 *       {@code _} read as {@code .} — {@code CIM_BOOTSTRAP_SERVERS} sets {@code bootstrap.servers},
 *       {@code CIM_SASL_JAAS_CONFIG} sets {@code sasl.jaas.config}, {@code CIM_MONITOR_GRACE} sets
 *       {@code monitor.grace}.
 * </ol>
 *
 * <p>Every key outside {@code monitor.*} goes to Kafka: all of them to Kafka Streams (which hands
 * client settings such as {@code security.protocol}, {@code sasl.*} and {@code ssl.*} on to its
 * clients), and to the producer, consumer and admin client of the demo and the simulator those that
 * each of them knows. {@link #toString()} and {@link #describe()} mask the values of secret keys
 * (those containing {@code password}, {@code secret}, {@code jaas}, {@code token}, {@code
 * credential}, {@code user.info}, or ending in {@code .key}).
 */
public final class AppSettings {
  /** The default {@code application.id} (the consumer group and the prefix of internal topics). */
  public static final String DEFAULT_APPLICATION_ID = "causal-impact-monitor";

  /** Prefix of the environment variables that override settings. */
  public static final String ENV_PREFIX = "CIM_";

  public static final String TOPIC_METRICS = "monitor.topic.metrics";
  public static final String TOPIC_INTERVENTIONS = "monitor.topic.interventions";
  public static final String TOPIC_IMPACT = "monitor.topic.impact";
  public static final String TOPIC_SUMMARY = "monitor.topic.summary";
  public static final String TOPIC_HEALTH = "monitor.topic.health";

  /** {@code bootstrap.servers}. */
  public static final String BOOTSTRAP_SERVERS = StreamsConfig.BOOTSTRAP_SERVERS_CONFIG;

  /** How long after a step's end late points are accepted, e.g. {@code 30s}. */
  public static final String GRACE = "monitor.grace";

  /** Rows after an intervention's start kept for it. */
  public static final String MAX_POST_ROWS = "monitor.max.post.rows";

  /** Rows between refits of the model-health fit before interventions. */
  public static final String HEALTH_REFIT_EVERY = "monitor.health.refit.every";

  /** Rows reported after an intervention's end (effect persistence); 0, the default, none. */
  public static final String PERSISTENCE_ROWS = "monitor.persistence.rows";

  /**
   * {@code true}: metric points and intervention events are keyed by their monitor's name, so they
   * skip the repartition topic ({@link TopologySettings#keyedByMonitor()}); {@code false}, the
   * default, any key.
   */
  public static final String KEYED_BY_MONITOR = Router.KEYED_BY_MONITOR;

  /** How long the meters of an ended intervention stay on /metrics, e.g. {@code 1h}. */
  public static final String METERS_RETENTION = "monitor.meters.retention";

  /** Most interventions that get impact meters at once; more are left off /metrics. */
  public static final String METERS_MAX_INTERVENTIONS = "monitor.meters.max.interventions";

  /** Default of {@value #METERS_RETENTION}. */
  public static final Duration DEFAULT_METERS_RETENTION = Duration.ofHours(1);

  /** Default of {@value #METERS_MAX_INTERVENTIONS}. */
  public static final int DEFAULT_METERS_MAX_INTERVENTIONS = 200;

  /** Most interventions running (or pending) at once per monitor (default 16). */
  public static final String INTERVENTIONS_MAX_RUNNING = InterventionLimits.MAX_RUNNING;

  /** Most ended interventions kept per monitor (default 100). */
  public static final String INTERVENTIONS_ENDED_KEEP = InterventionLimits.KEEP_ENDED;

  /** How long, in event time, an ended intervention is kept at most (default {@code 30d}). */
  public static final String INTERVENTIONS_ENDED_MAX_AGE = InterventionLimits.MAX_ENDED_AGE;

  /** How far after a monitor's newest point or now a start may lie (default {@code 7d}). */
  public static final String INTERVENTIONS_MAX_LEAD = InterventionLimits.MAX_LEAD;

  /** Directory of the monitor definitions ({@code *.yaml}) that {@code run} loads. */
  public static final String DEFINITIONS = "monitor.definitions";

  /**
   * Every {@code monitor.*} key, one a line: {@link #load} refuses any other, which would be a
   * typo silently ignored. A new setting adds its line here.
   */
  static final List<String> MONITOR_KEYS =
      List.of(
          TOPIC_METRICS,
          TOPIC_INTERVENTIONS,
          TOPIC_IMPACT,
          TOPIC_SUMMARY,
          TOPIC_HEALTH,
          GRACE,
          MAX_POST_ROWS,
          HEALTH_REFIT_EVERY,
          PERSISTENCE_ROWS,
          KEYED_BY_MONITOR,
          METERS_RETENTION,
          METERS_MAX_INTERVENTIONS,
          INTERVENTIONS_MAX_RUNNING,
          INTERVENTIONS_ENDED_KEEP,
          INTERVENTIONS_ENDED_MAX_AGE,
          INTERVENTIONS_MAX_LEAD,
          DEFINITIONS);

  private static final String OWN_PREFIX = "monitor.";

  private final Map<String, String> values;
  private final Map<String, String> origins;

  private AppSettings(Map<String, String> values, Map<String, String> origins) {
    this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    this.origins = Collections.unmodifiableMap(new HashMap<>(origins));
  }

  /** No settings beyond the defaults. */
  public static AppSettings defaults() {
    return new AppSettings(Map.of(), Map.of());
  }

  /**
   * Settings for the embedded single-node broker: replication factor 1 for the internal topics,
   * an explicit state directory, and a commit every 100 ms so that outputs show up promptly.
   */
  public static AppSettings embedded(String bootstrapServers, Path stateDir) {
    return defaults()
        .with(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers)
        .with(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString())
        .with(StreamsConfig.REPLICATION_FACTOR_CONFIG, "1")
        .with(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
  }

  /**
   * Reads a properties file (if {@code file} is not {@code null}), then applies the {@code CIM_*}
   * variables of {@code env}.
   *
   * @throws InputException when the file cannot be read, a {@code monitor.*} key is unknown or
   *     its value invalid
   */
  public static AppSettings load(Path file, Map<String, String> env) {
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, String> origins = new HashMap<>();
    if (file != null) {
      Properties p = new Properties();
      try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(in);
      } catch (NoSuchFileException e) {
        throw new InputException(
            "settings file " + file + " does not exist (looked for " + file.toAbsolutePath() + ")");
      } catch (IOException | IllegalArgumentException e) {
        throw new InputException("cannot read settings file " + file + ": " + e.getMessage(), e);
      }
      for (String key : p.stringPropertyNames()) {
        values.put(key, p.getProperty(key).strip());
        origins.put(key, file.toString());
      }
    }
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      String name = e.getKey();
      if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
        String key = envKey(name);
        values.put(key, e.getValue().strip());
        origins.put(key, "environment variable " + name);
      }
    }
    AppSettings c = new AppSettings(values, origins);
    SettingChecks.monitorKeys(c, MONITOR_KEYS);
    SettingChecks.jaasLines(c);
    c.topology();
    return c;
  }

  /** The setting an environment variable overrides: {@code CIM_SASL_JAAS_CONFIG} → {@code sasl.jaas.config}. */
  public static String envKey(String variable) {
    if (!variable.startsWith(ENV_PREFIX)) {
      throw new IllegalArgumentException(
          "environment variable " + variable + " does not start with " + ENV_PREFIX);
    }
    return variable.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
  }

  /** These settings with {@code key} set to {@code value} (or removed when {@code value} is null). */
  public AppSettings with(String key, String value) {
    Objects.requireNonNull(key, "key");
    Map<String, String> v = new HashMap<>(values);
    Map<String, String> o = new HashMap<>(origins);
    if (value == null) {
      v.remove(key);
      o.remove(key);
    } else {
      v.put(key, value);
      o.put(key, "the command line");
    }
    return new AppSettings(v, o);
  }

  /** The value given for {@code key} (file or environment), or {@code null}. */
  public String get(String key) {
    return values.get(key);
  }

  /** Every key given explicitly, with its value (secrets unmasked: do not print). */
  public Map<String, String> values() {
    return values;
  }

  /** {@code bootstrap.servers}, or {@code null} when not given. */
  public String bootstrapServers() {
    return values.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
  }

  /** {@code application.id}, {@value #DEFAULT_APPLICATION_ID} unless given. */
  public String applicationId() {
    return values.getOrDefault(StreamsConfig.APPLICATION_ID_CONFIG, DEFAULT_APPLICATION_ID);
  }

  /** The directory of monitor definitions, {@code fallback} unless {@value #DEFINITIONS} is given. */
  public Path definitions(Path fallback) {
    String d = values.get(DEFINITIONS);
    return d == null || d.isEmpty() ? fallback : Path.of(d);
  }

  /**
   * Topic names, grace and post-row limit: {@link TopologySettings#defaults()} with the {@code
   * monitor.topic.*}, {@value #GRACE} and {@value #MAX_POST_ROWS} given.
   *
   * @throws InputException naming the setting and where it came from when a value is invalid
   */
  public TopologySettings topology() {
    TopologySettings d = TopologySettings.defaults();
    SettingValues v = new SettingValues(this);
    InterventionLimits limits = d.interventions();
    return new TopologySettings(
        v.topic(TOPIC_METRICS, d.metricsTopic()),
        v.topic(TOPIC_INTERVENTIONS, d.interventionsTopic()),
        v.topic(TOPIC_IMPACT, d.impactTopic()),
        v.topic(TOPIC_SUMMARY, d.summaryTopic()),
        v.topic(TOPIC_HEALTH, d.healthTopic()),
        v.duration(GRACE, d.grace(), false),
        v.wholeNumber(MAX_POST_ROWS, d.maxPostRows(), 1),
        v.wholeNumber(HEALTH_REFIT_EVERY, d.healthRefitEvery(), 1),
        v.wholeNumber(PERSISTENCE_ROWS, d.persistenceRows(), 0),
        v.bool(KEYED_BY_MONITOR, d.keyedByMonitor()),
        new InterventionLimits(
            v.wholeNumber(INTERVENTIONS_MAX_RUNNING, limits.maxRunning(), 1),
            v.wholeNumber(INTERVENTIONS_ENDED_KEEP, limits.keepEnded(), 0),
            v.duration(INTERVENTIONS_ENDED_MAX_AGE, limits.maxEndedAge(), true),
            v.duration(INTERVENTIONS_MAX_LEAD, limits.maxLead(), false)));
  }

  /** {@value #METERS_RETENTION}, or its default. */
  public Duration metersRetention() {
    return new SettingValues(this).duration(METERS_RETENTION, DEFAULT_METERS_RETENTION, false);
  }

  /** {@value #METERS_MAX_INTERVENTIONS}, or its default. */
  public int metersMaxInterventions() {
    return new SettingValues(this)
        .wholeNumber(METERS_MAX_INTERVENTIONS, DEFAULT_METERS_MAX_INTERVENTIONS, 1);
  }

  /** Where {@code key} was given: a file, an environment variable, the command line. */
  String origin(String key) {
    return origins.getOrDefault(key, "defaults");
  }

  /** A message naming {@code key}, its value (masked if secret) and its origin, then the problem. */
  InputException invalid(String key, String problem) {
    return new InputException("setting " + key + "=" + Secrets.shown(key, values.get(key))
        + " (from " + origin(key) + ") " + problem);
  }

  /**
   * The Kafka Streams configuration: the defaults, then every non-{@code monitor.*} setting.
   * {@code state.dir} defaults to {@code java.io.tmpdir/causal-impact-monitor/<application.id>}
   * rather than Kafka's {@code /tmp/kafka-streams}.
   */
  public Properties streams() {
    return KafkaConfigs.streams(kafkaSettings(), applicationId());
  }

  /** Producer settings: the known producer keys given, then acks=all and idempotence. */
  public Map<String, Object> producer() {
    return KafkaConfigs.producer(kafkaSettings());
  }

  /** Consumer settings: the known consumer keys given, reading only committed records. */
  public Map<String, Object> consumer() {
    return KafkaConfigs.consumer(kafkaSettings());
  }

  /** Admin client settings: the known admin keys given. */
  public Map<String, Object> admin() {
    return KafkaConfigs.admin(kafkaSettings());
  }

  /** Every setting outside {@code monitor.*}: Kafka's. */
  private Map<String, String> kafkaSettings() {
    Map<String, String> m = new TreeMap<>();
    values.forEach((k, v) -> {
      if (!k.startsWith(OWN_PREFIX)) {
        m.put(k, v);
      }
    });
    return m;
  }

  /** Whether the value of {@code key} is a secret that is never printed. */
  public static boolean isSecret(String key) {
    return Secrets.isSecret(key);
  }

  /** One {@code key=value (origin)} line per setting given, secrets masked. */
  public String describe() {
    return Secrets.lines(values, origins);
  }

  /** The settings given, secrets masked. */
  @Override
  public String toString() {
    return Secrets.inline("AppSettings{", values);
  }
}
