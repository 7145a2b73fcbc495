package org.causalimpact.monitor.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.wire.Json;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code intervene}: starts or ends an intervention through a running monitor's JSON API ({@code
 * POST /api/monitors/{m}/interventions}), for deploy pipelines. The API writes the event to the
 * interventions topic and answers where; this command prints that answer. Exit status: 0 when the
 * API accepted the event; 2 for bad options (before any request) and for the API's 4xx answers
 * (its message and reason printed); 1 when the API is not reachable or answers 5xx.
 */
@Command(
    name = "intervene",
    mixinStandardHelpOptions = true,
    description = {
      "Start or end an intervention on a running monitor through its JSON API (for deploy"
          + " pipelines). The API writes the event to the interventions topic; its answer"
          + " (topic, partition, offset) is printed.",
      "Exit status: 0 accepted; 2 bad options or the API refused the event (400/401/404);"
          + " 1 the API is not reachable or answered 5xx (503: Kafka did not take the event,"
          + " run again)."
    },
    footer = {
      "",
      "Examples:",
      "  CIM_API_TOKEN=... causal-impact-monitor intervene --api http://127.0.0.1:8080"
          + " --monitor demo --token-env CIM_API_TOKEN --id deploy-42 --start"
          + " --do ad_spend=shift:50 --outcomes visits,signups",
      "  causal-impact-monitor intervene --api http://127.0.0.1:8080 --monitor demo"
          + " --token-env CIM_API_TOKEN --id deploy-42 --end"
    })
final class InterveneCommand implements Callable<Integer> {
  private static final Pattern MONITOR = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  @Spec CommandSpec spec;

  @Option(names = "--api", required = true, paramLabel = "URL",
      description = "Base URL of the monitor's API, e.g. http://127.0.0.1:8080.")
  String api;

  @Option(names = "--monitor", required = true, paramLabel = "NAME",
      description = "The monitor's name (as in its YAML).")
  String monitor;

  @Option(names = "--id", paramLabel = "ID",
      description = "The intervention's id (with --start or --end).")
  String id;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Action action;

  /** Exactly one of start, end or a whole event. */
  static final class Action {
    @Option(names = "--start", required = true, description = "Start the intervention.")
    boolean start;

    @Option(names = "--end", required = true,
        description = "End it (an end at or before its start cancels it).")
    boolean end;

    @Option(names = "--event", required = true, paramLabel = "JSON",
        description = "The whole event body instead: inline JSON, @path or a path"
            + " (without \"monitor\", which --monitor names).")
    String event;
  }

  @Option(names = "--at", paramLabel = "TIME",
      description = "When it starts or ends: ISO-8601 (2026-01-01T08:00:00Z) or epoch ms"
          + " (default: the API's now).")
  String at;

  @Option(names = "--do", paramLabel = "NODE=KIND:VALUE",
      description = "A do-spec of --start, KIND set, shift or scale (e.g. ad_spend=shift:50);"
          + " repeat for several nodes.")
  List<String> actions = List.of();

  @Option(names = "--outcomes", split = ",", paramLabel = "NODES",
      description = "Nodes to report, comma-separated (default: every descendant of the"
          + " intervened nodes).")
  List<String> outcomes = List.of();

  @Option(names = "--token-env", paramLabel = "VAR",
      description = "Name of the environment variable holding the API's bearer token (the"
          + " monitor's --api-token-env); the token itself is never an option.")
  String tokenEnv;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
      description = "Give up after this long without an answer (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Override
  public Integer call() {
    URI endpoint = endpoint();
    ObjectNode body = body();
    String token = token();
    if (timeoutSeconds < 1 || timeoutSeconds > 600) {
      throw new InputException("--timeout must be 1 to 600 seconds; got " + timeoutSeconds);
    }
    Duration timeout = Duration.ofSeconds(timeoutSeconds);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(endpoint)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
    PrintWriter err = spec.commandLine().getErr();
    HttpResponse<String> answer;
    try {
      answer = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      err.println(
          "error: the API is not reachable at " + endpoint + " (" + reason(e) + "); check --api"
              + " and that the monitor runs with its API on (run/demo --port)");
      return Main.INTERNAL_ERROR;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("error: interrupted while waiting for " + endpoint);
      return Main.INTERNAL_ERROR;
    }
    return answered(endpoint, answer);
  }

  /** Prints the API's answer and returns the exit status it calls for. */
  private int answered(URI endpoint, HttpResponse<String> answer) {
    int status = answer.statusCode();
    JsonNode json = json(answer.body());
    if (status / 100 == 2 && json.has("offset")) {
      JsonNode event = json.path("event");
      spec.commandLine().getOut().printf(
          Locale.ROOT,
          "%d accepted: %s of intervention '%s' on monitor %s written to topic %s, partition %d,"
              + " offset %d (timestamp %s)%n",
          status,
          event.path("action").asText("start"),
          event.path("id").asText(),
          json.path("monitor").asText(),
          json.path("topic").asText(),
          json.path("partition").asInt(),
          json.path("offset").asLong(),
          event.path("timestamp").asText());
      return 0;
    }
    String message = json.has("error") ? json.get("error").asText() : shortened(answer.body());
    String reason = json.has("reason") ? " (reason: " + json.get("reason").asText() + ")" : "";
    PrintWriter err = spec.commandLine().getErr();
    err.println("error: the API at " + endpoint + " answered " + status + ": " + message + reason);
    if (status == 401) {
      err.println(
          "The API wants the monitor's bearer token: put it in an environment variable and name"
              + " that with --token-env VAR.");
    }
    if (status / 100 == 4) {
      return Main.BAD_INPUT;
    }
    answer.headers().firstValue("Retry-After").ifPresent(
        s -> err.println("The event was not written: run the command again in " + s + " s."));
    return Main.INTERNAL_ERROR;
  }

  private URI endpoint() {
    URI base;
    try {
      base = URI.create(api.trim());
    } catch (IllegalArgumentException e) {
      base = null;
    }
    if (base == null
        || base.getHost() == null
        || !("http".equals(base.getScheme()) || "https".equals(base.getScheme()))) {
      throw new InputException(
          "--api '" + api + "' is not an http(s) URL with a host; use e.g. http://127.0.0.1:8080");
    }
    if (!MONITOR.matcher(monitor).matches() || monitor.matches("\\.+")) {
      throw new InputException(
          "--monitor '" + monitor + "' is not a monitor name: use 1 to 128 characters of"
              + " letters, digits, '.', '_' and '-'");
    }
    String prefix = base.toString().replaceAll("/+$", "");
    return URI.create(prefix + "/api/monitors/" + monitor + "/interventions");
  }

  private ObjectNode body() {
    if (action.event != null) {
      if (id != null || at != null || !actions.isEmpty() || !outcomes.isEmpty()) {
        throw new InputException(
            "--event gives the whole event: leave out --id, --at, --do and --outcomes,"
                + " or build the event with --start/--end and those options");
      }
      return InterventionBody.event(action.event);
    }
    if (action.end) {
      if (!actions.isEmpty() || !outcomes.isEmpty()) {
        throw new InputException(
            "--end takes no --do or --outcomes: an end names only the intervention (--id)");
      }
      return InterventionBody.end(id, at);
    }
    return InterventionBody.start(id, at, actions, outcomes);
  }

  /** The bearer token from the variable {@code --token-env} names, or none. */
  private String token() {
    if (tokenEnv == null) {
      return null;
    }
    String token = System.getenv(tokenEnv);
    if (token == null || token.isBlank()) {
      throw new InputException(
          "--token-env " + tokenEnv + ": that environment variable is not set (or is empty);"
              + " export it with the monitor's API token");
    }
    return token.trim();
  }

  private static JsonNode json(String body) {
    try {
      JsonNode n = Json.MAPPER.readTree(body);
      return n == null ? Json.MAPPER.createObjectNode() : n;
    } catch (JsonProcessingException e) {
      return Json.MAPPER.createObjectNode();
    }
  }

  private static String shortened(String body) {
    String s = body == null ? "" : body.strip();
    if (s.isEmpty()) {
      return "(no message)";
    }
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }

  private String reason(IOException e) {
    if (e instanceof HttpTimeoutException) {
      return "no answer within " + timeoutSeconds + " s";
    }
    if (e instanceof ConnectException) {
      return "connection refused";
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
