package org.causalimpact.monitor.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.app.AppSettings;
import org.causalimpact.monitor.app.MonitorApp;
import org.causalimpact.monitor.app.StreamsRunner;
import org.causalimpact.monitor.app.Topics;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.ingest.RemoteWriteRouter;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.http.HttpApi;
import org.causalimpact.monitor.live.TopologySettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code run}: the monitor against an external Kafka cluster, until Ctrl-C. Settings come from
 * {@code config/application.properties} and {@code CIM_*} environment variables (see {@link
 * AppSettings}); the monitors are every {@code *.yaml} of the definitions directory.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Run the streaming monitor against a Kafka cluster until Ctrl-C.",
      "",
      "Settings: --config FILE (default config/application.properties, if present), then",
      "environment variables CIM_<KEY> (key upper-cased, '.' as '_'): CIM_BOOTSTRAP_SERVERS",
      "sets bootstrap.servers, CIM_SASL_JAAS_CONFIG sets sasl.jaas.config.",
      "",
      "  CIM_BOOTSTRAP_SERVERS=kafka:9092 run --create-topics",
      ""
    })
final class RunCommand implements Callable<Integer> {
  static final Path DEFAULT_CONFIG = Path.of("config", "application.properties");
  static final Path DEFAULT_MONITORS = Path.of("config", "monitors");

  /** How long {@link #checkAuthentication} waits for the cluster before leaving it to Streams. */
  static final Duration AUTHENTICATION_CHECK_TIMEOUT = Duration.ofSeconds(10);

  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE",
      description = "Settings file (default: config/application.properties if it exists).")
  Path config;

  @Option(names = "--monitors", paramLabel = "DIR",
      description = "Directory of monitor definitions, every *.yaml (default: the setting"
          + " monitor.definitions, else config/monitors).")
  Path monitors;

  @Option(names = "--create-topics",
      description = "Create the monitor's topics that do not exist yet before starting.")
  boolean createTopics;

  @Option(names = "--partitions", paramLabel = "N",
      description = "Partitions of topics that --create-topics creates (default: the broker's).")
  Integer partitions;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
      description = "HTTP port of the page, the JSON API and /metrics (default ${DEFAULT-VALUE};"
          + " -1 serves nothing).")
  int port;

  @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "Address the HTTP server listens on (default ${DEFAULT-VALUE}, this machine"
          + " only). In a container give 0.0.0.0 so that Prometheus can scrape it; then protect"
          + " the what-if endpoint with --api-token-env.")
  String bind;

  @Option(names = "--api-token-env", paramLabel = "VAR",
      description = "Environment variable holding a bearer token that POST endpoints require"
          + " (default: none required).")
  String apiTokenEnv;

  /** The environment the settings are read from; tests replace it. */
  Map<String, String> environment = System.getenv();

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    Path file = config;
    if (file == null && Files.isRegularFile(DEFAULT_CONFIG)) {
      file = DEFAULT_CONFIG;
    }
    AppSettings configs = AppSettings.load(file, environment);
    if (configs.bootstrapServers() == null || configs.bootstrapServers().isBlank()) {
      throw new InputException(
          "no bootstrap.servers: set it in "
              + (file == null ? DEFAULT_CONFIG : file)
              + " or as CIM_BOOTSTRAP_SERVERS");
    }
    TopologySettings settings = configs.topology();
    InetSocketAddress address = bindAddress(bind, Math.max(port, 0));
    // the meters' settings are checked before anything connects
    configs.metersRetention();
    configs.metersMaxInterventions();
    Path dir = monitors != null ? monitors : configs.definitions(DEFAULT_MONITORS);
    List<MonitorDefinition> defs = loadAll(dir);
    try {
      // the monitors' Prometheus selectors are checked before anything connects
      new RemoteWriteRouter(defs, settings.keyedByMonitor());
    } catch (IllegalArgumentException e) {
      throw new InputException(dir + ": " + e.getMessage());
    }
    if (partitions != null && partitions < 1) {
      throw new InputException("--partitions must be >= 1, got " + partitions);
    }

    out.println(
        "run: "
            + defs.size()
            + " monitor(s) from "
            + dir
            + ": "
            + String.join(", ", defs.stream().map(MonitorDefinition::name).toList()));
    out.println("settings" + (file == null ? " (no settings file)" : " from " + file) + ":");
    configs.describe().lines().forEach(l -> out.println("  " + l));
    prepareTopics(configs, settings, out);
    out.flush();

    CtrlC ctrlC = new CtrlC("run-shutdown");
    MonitorApp app;
    try {
      app = MonitorApp.start(configs, defs);
    } catch (ConfigException e) {
      ctrlC.close();
      throw new InputException("invalid Kafka Streams setting: " + e.getMessage(), e);
    }
    try (app) {
      if (port >= 0) {
        serve(app, address, environment);
      }
      out.println(
          "running: application.id " + configs.applicationId() + " at "
              + configs.bootstrapServers() + "; reading " + settings.metricsTopic() + ", "
              + settings.interventionsTopic() + "; writing " + settings.impactTopic() + ", "
              + settings.summaryTopic() + ", " + settings.healthTopic() + " (Ctrl-C stops)");
      out.flush();
      return awaitEnd(app.streams(), ctrlC, configs, out);
    } finally {
      ctrlC.close();
    }
  }

  /**
   * Creates the topics ({@code --create-topics}) or checks the credentials, then checks what inputs
   * keyed by monitor need of the topics: problems end {@code run} with exit 2 before Kafka Streams
   * starts.
   */
  private void prepareTopics(AppSettings configs, TopologySettings settings, PrintWriter out)
      throws InterruptedException {
    if (createTopics) {
      String rf = configs.get("replication.factor");
      Short replication;
      try {
        replication = rf == null || rf.equals("-1") ? null : Short.valueOf(rf);
      } catch (NumberFormatException e) {
        throw new InputException("setting replication.factor=" + rf + " is not a number", e);
      }
      List<String> created;
      try {
        created = Topics.create(configs.admin(), settings.topics(), partitions, replication);
      } catch (IllegalStateException e) {
        StreamsRunner.authenticationFailure(e).ifPresent(a -> {
          throw authenticationFailed(configs, a);
        });
        throw new InputException(
            e.getMessage() + " (check bootstrap.servers and the security settings)", e);
      }
      out.println(
          created.isEmpty() ? "topics: all exist" : "topics created: " + String.join(", ", created));
    } else {
      checkAuthentication(configs);
    }
    if (settings.keyedByMonitor()) {
      Optional<String> problem;
      try {
        problem = Topics.keyedByMonitorProblem(configs.admin(), settings);
      } catch (IllegalStateException e) {
        throw new InputException(
            e.getMessage() + " (check bootstrap.servers and the security settings)", e);
      }
      if (problem.isPresent()) {
        throw new InputException(problem.get());
      }
      out.println(
          "inputs keyed by monitor: " + settings.metricsTopic() + " and "
              + settings.interventionsTopic() + " go straight to the monitors (no repartition)");
    }
  }

  /**
   * Waits until Ctrl-C or until Kafka Streams stops by itself, and says which.
   *
   * @return the exit status
   */
  private int awaitEnd(StreamsRunner runner, CtrlC ctrlC, AppSettings configs, PrintWriter out)
      throws InterruptedException {
    boolean announced = false;
    while (!ctrlC.requested()) {
      if (runner.awaitStopped(Duration.ofMillis(200))) {
        break;
      }
      if (!announced && runner.isRunning()) {
        out.println("streams: RUNNING");
        out.flush();
        announced = true;
      }
    }
    if (ctrlC.requested()) {
      runner.close();
      out.println("stopped: streams closed");
      return DemoCommand.INTERRUPTED;
    }
    runner.failure().flatMap(StreamsRunner::authenticationFailure).ifPresent(a -> {
      throw authenticationFailed(configs, a);
    });
    String reason = runner.failure().map(StreamsRunner::message).orElse("no error recorded");
    spec.commandLine().getErr().println("error: Kafka Streams stopped (" + runner.state() + "): "
        + reason);
    return Main.INTERNAL_ERROR;
  }

  /** Starts the HTTP server of {@code app}, with the bearer token of {@code --api-token-env}. */
  private void serve(MonitorApp app, InetSocketAddress address, Map<String, String> env) {
    String token = apiTokenEnv == null ? null : env.get(apiTokenEnv);
    if (apiTokenEnv != null && (token == null || token.isBlank())) {
      throw new InputException(
          "--api-token-env " + apiTokenEnv + " names an unset or empty environment variable");
    }
    HttpApi api;
    try {
      api = app.serve(address, token);
    } catch (java.io.IOException e) {
      throw new InputException(
          "cannot serve HTTP on " + bind + ":" + port + ": " + e.getMessage()
              + "; choose another --port or --bind", e);
    }
    spec.commandLine().getOut().println(
        "http: http://" + hostForUrl(bind) + ":" + api.port() + "/ (live page); JSON API under"
            + " /api/monitors; /metrics, /health, /ready");
  }

  /**
   * Connects once with the admin client's settings, so that wrong credentials end {@code run}
   * with exit 2 and one line before Kafka Streams starts (its threads would die with a logged
   * stack trace). Any other outcome (no answer within {@link #AUTHENTICATION_CHECK_TIMEOUT}, an
   * unreachable or misnamed broker) is left to Kafka Streams, which waits for the cluster or
   * reports the problem itself.
   */
  static void checkAuthentication(AppSettings configs) throws InterruptedException {
    Admin admin;
    try {
      admin = Admin.create(configs.admin());
    } catch (KafkaException e) {
      return;
    }
    try {
      admin.describeCluster().clusterId()
          .get(AUTHENTICATION_CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      StreamsRunner.authenticationFailure(e).ifPresent(a -> {
        throw authenticationFailed(configs, a);
      });
    } catch (TimeoutException e) {
      // not answering is not a refusal: Kafka Streams retries until the cluster is there
    } finally {
      admin.close(Duration.ofSeconds(1));
    }
  }

  /**
   * Exit 2 with what to check: the broker refused the credentials or the security settings,
   * which the user fixes; the message names settings, never their values.
   */
  private static InputException authenticationFailed(
      AppSettings configs, AuthenticationException e) {
    return new InputException(
        "Kafka at " + configs.bootstrapServers() + " refused authentication: " + e.getMessage()
            + " (check security.protocol, sasl.mechanism and sasl.jaas.config, which the"
            + " environment variable CIM_SASL_JAAS_CONFIG sets; ssl.* for TLS)",
        e);
  }

  /** {@code --bind} as an address, resolved now so that a typo fails before anything starts. */
  static InetSocketAddress bindAddress(String host, int port) {
    InetSocketAddress a = new InetSocketAddress(host, port);
    if (a.isUnresolved()) {
      throw new InputException(
          "--bind " + host + " is not an address of this machine (e.g. 127.0.0.1 or 0.0.0.0)");
    }
    return a;
  }

  private static String hostForUrl(String bind) {
    return bind.equals("0.0.0.0") ? "127.0.0.1" : bind.contains(":") ? "[" + bind + "]" : bind;
  }

  /** Every {@code *.yaml} / {@code *.yml} of {@code dir}, by file name; names must be unique. */
  static List<MonitorDefinition> loadAll(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new InputException("monitor directory " + dir + " does not exist");
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files =
          s.filter(p -> {
                String n = p.getFileName().toString();
                return Files.isRegularFile(p) && (n.endsWith(".yaml") || n.endsWith(".yml"));
              })
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new InputException("cannot list monitor directory " + dir + ": " + e.getMessage(), e);
    }
    if (files.isEmpty()) {
      throw new InputException("monitor directory " + dir + " has no *.yaml monitor definitions");
    }
    List<MonitorDefinition> defs = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Path f : files) {
      MonitorDefinition d = MonitorLoader.load(f);
      if (!names.add(d.name())) {
        throw new InputException(
            "two monitors in " + dir + " are named '" + d.name() + "' (the second in " + f + ")");
      }
      defs.add(d);
    }
    return defs;
  }
}
