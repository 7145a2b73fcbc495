package org.causalimpact.monitor.metrics;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.testcontainers.DockerClientFactory;

/**
 * {@code docker-compose.yml} run as a Compose project of its own ({@code docker-compose} 1.x, else
 * the {@code docker compose} plugin) on the Docker engine the tests reach, with override files and
 * with the host ports given in the environment ({@code MONITOR_PORT}, ...); and the state of its
 * containers through the engine's API. {@link #close} takes it down, volumes included.
 */
final class ComposeStack implements AutoCloseable {
  private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);

  private final List<String> compose;
  private final String project;
  private final Map<String, String> environment;

  private ComposeStack(List<String> compose, String project, Map<String, String> environment) {
    this.compose = compose;
    this.project = project;
    this.environment = environment;
  }

  /**
   * The Compose command of this machine, or an {@link AssertionError} saying how to install one:
   * where a Docker engine runs, the stack's test must not be skipped for want of the client.
   */
  static List<String> composeCommand() throws IOException, InterruptedException {
    Optional<Path> v1 = PrometheusTools.find("docker-compose");
    if (v1.isPresent()) {
      return List.of(v1.get().toString());
    }
    Optional<Path> docker = PrometheusTools.find("docker");
    if (docker.isPresent()
        && PrometheusTools.run(Duration.ofSeconds(30),
            List.of(docker.get().toString(), "compose", "version")).code() == 0) {
      return List.of(docker.get().toString(), "compose");
    }
    throw new AssertionError(
        "a Docker engine is reachable but neither docker-compose nor the docker compose plugin"
            + " is installed (Debian: apt-get install docker-compose; .ci/run installs it)");
  }

  /**
   * Runs {@code up -d --no-build services} of the compose file with {@code overrides} as the
   * project {@code project} and fails with Compose's output when it does. Compose waits for the
   * health checks that gate the start order.
   */
  static ComposeStack up(String project, Map<String, String> environment, List<Path> overrides,
      List<String> services) throws IOException, InterruptedException {
    ComposeStack stack = new ComposeStack(composeCommand(), project, Map.copyOf(environment));
    List<String> args = new ArrayList<>(List.of("up", "-d", "--no-build"));
    args.addAll(services);
    List<String> files = new ArrayList<>(List.of("-f", "docker-compose.yml"));
    overrides.forEach(o -> files.addAll(List.of("-f", o.toString())));
    PrometheusTools.Run run = stack.run(files, args);
    if (run.code() != 0) {
      String logs = stack.logs();
      stack.close();
      throw new AssertionError("docker-compose up failed: " + run + "\n--- logs\n" + logs);
    }
    return stack;
  }

  private PrometheusTools.Run run(List<String> files, List<String> args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(compose);
    command.addAll(List.of("-p", project));
    command.addAll(files);
    command.addAll(args);
    return PrometheusTools.run(COMMAND_TIMEOUT, environment, command);
  }

  /** What the services have logged (the last lines of each), for a failure's message. */
  String logs() throws IOException, InterruptedException {
    PrometheusTools.Run run =
        run(List.of("-f", "docker-compose.yml"), List.of("logs", "--no-color", "--tail", "60"));
    return run.out() + run.err();
  }

  /** What {@code service} has logged. */
  String logs(String service) throws IOException, InterruptedException {
    return run(List.of("-f", "docker-compose.yml"), List.of("logs", "--no-color", service)).out();
  }

  /** The engine's view of the project's containers, by service. */
  Map<String, InspectContainerResponse.ContainerState> states() {
    DockerClient client = DockerClientFactory.instance().client();
    Map<String, InspectContainerResponse.ContainerState> states = new HashMap<>();
    List<Container> containers = client.listContainersCmd().withShowAll(true)
        .withLabelFilter(Map.of("com.docker.compose.project", project)).exec();
    for (Container c : containers) {
      states.put(c.getLabels().get("com.docker.compose.service"),
          client.inspectContainerCmd(c.getId()).exec().getState());
    }
    return states;
  }

  /** {@code down -v}: containers, the network and volumes go; the images stay. */
  @Override
  public void close() {
    try {
      PrometheusTools.Run run = run(List.of("-f", "docker-compose.yml"), List.of("down", "-v"));
      if (run.code() != 0) {
        System.err.println("[ComposeStack] docker-compose down failed: " + run);
      }
    } catch (IOException e) {
      System.err.println("[ComposeStack] docker-compose down failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
