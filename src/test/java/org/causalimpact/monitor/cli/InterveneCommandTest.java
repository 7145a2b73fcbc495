package org.causalimpact.monitor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.causalimpact.monitor.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code intervene} without a monitor: bad options exit 2 before any request (a real listening
 * socket sees no connection), a closed port exits 1 naming the URL, and the bodies built from the
 * options are the API's event JSON. The command against a real API is {@code InterveneIT}.
 */
class InterveneCommandTest {
  @TempDir Path dir;

  /** Runs {@code intervene} against a socket that listens but never answers; fails on a connection. */
  private static CliRun refusedBeforeAnyRequest(String... options) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      String[] args = new String[options.length + 5];
      args[0] = "intervene";
      args[1] = "--api";
      args[2] = "http://127.0.0.1:" + server.getLocalPort();
      args[3] = "--monitor";
      args[4] = "demo";
      System.arraycopy(options, 0, args, 5, options.length);
      CliRun run = CliRun.of(args);
      server.setSoTimeout(300);
      assertThrows(SocketTimeoutException.class, server::accept, "a request was made: " + run);
      assertEquals(Main.BAD_INPUT, run.code(), run.toString());
      assertEquals("", run.out());
      assertFalse(run.err().contains("\tat "), run.toString());
      return run;
    }
  }

  @Test
  void badDoSyntaxExitsTwoBeforeAnyRequest() throws Exception {
    for (String bad : List.of("ad_spend:shift:50", "ad_spend=push:50", "ad_spend=shift:lots",
        "=shift:1", "ad_spend=shift:NaN", "ad_spend=shift")) {
      CliRun run = refusedBeforeAnyRequest("--id", "deploy-42", "--start", "--do", bad);
      assertTrue(run.err().contains("--do '" + bad + "'"), run.toString());
    }
    CliRun twice = refusedBeforeAnyRequest(
        "--id", "d", "--start", "--do", "x=shift:1", "--do", "x=set:2");
    assertTrue(twice.err().contains("names node 'x' twice"), twice.toString());
  }

  @Test
  void otherBadOptionsExitTwoBeforeAnyRequest() throws Exception {
    assertTrue(refusedBeforeAnyRequest("--id", "d", "--start").err()
        .contains("--start needs at least one --do"));
    assertTrue(refusedBeforeAnyRequest("--start", "--do", "x=shift:1").err()
        .contains("needs --id"));
    assertTrue(refusedBeforeAnyRequest("--id", "d", "--start", "--end").err()
        .contains("mutually exclusive"));
    assertTrue(refusedBeforeAnyRequest("--id", "d", "--end", "--at", "yesterday").err()
        .contains("--at 'yesterday' is not a time"));
    assertTrue(refusedBeforeAnyRequest("--id", "d", "--end", "--do", "x=shift:1").err()
        .contains("--end takes no --do"));
    assertTrue(refusedBeforeAnyRequest("--id", "a/b", "--end").err()
        .contains("is not an intervention id"));
    assertTrue(refusedBeforeAnyRequest("--event", "{\"id\":").err()
        .contains("not valid JSON"));
    assertTrue(refusedBeforeAnyRequest("--event", dir.resolve("none.json").toString()).err()
        .contains("neither JSON"));
    String variable = "CIM_TEST_UNSET_" + System.nanoTime();
    CliRun unset = refusedBeforeAnyRequest("--id", "d", "--end", "--token-env", variable);
    assertTrue(unset.err().contains(variable + ": that environment variable is not set"),
        unset.toString());
  }

  @Test
  void unreachableApiExitsOneNamingTheUrl() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    CliRun run = CliRun.of("intervene", "--api", "http://127.0.0.1:" + port + "/", "--monitor",
        "demo", "--id", "deploy-42", "--end", "--timeout", "5");
    assertEquals(Main.INTERNAL_ERROR, run.code(), run.toString());
    assertTrue(
        run.err().contains("the API is not reachable at http://127.0.0.1:" + port
            + "/api/monitors/demo/interventions (connection refused)"),
        run.toString());
    assertFalse(run.err().contains("internal error"), run.toString());
  }

  @Test
  void bodiesAreTheApiEventJson() throws Exception {
    ObjectNode start = InterventionBody.start("deploy-42", "2026-01-01T08:00:00Z",
        List.of("ad_spend=shift:50", "node=set:3"), List.of("visits", "signups", "visits"));
    assertEquals("{\"id\":\"deploy-42\",\"action\":\"start\",\"timestamp\":\"2026-01-01T08:00:00Z\","
        + "\"do\":{\"ad_spend\":{\"shift\":50.0},\"node\":{\"set\":3.0}},"
        + "\"outcomes\":[\"visits\",\"signups\"]}", start.toString());
    assertEquals("{\"id\":\"deploy-42\",\"action\":\"end\"}",
        InterventionBody.end("deploy-42", null).toString());
    Path file = Files.writeString(dir.resolve("e.json"), "{\"id\": \"x\", \"action\": \"end\"}");
    assertEquals("{\"id\":\"x\",\"action\":\"end\"}",
        InterventionBody.event("@" + file).toString());
    assertThrows(InputException.class, () -> InterventionBody.event("[1, 2]"));
  }

  @Test
  void helpNamesTheOptionsAndExitCodes() {
    CliRun run = CliRun.of("intervene", "--help");
    assertEquals(0, run.code(), run.toString());
    for (String s : List.of("--api", "--monitor", "--start", "--end", "--event", "--do",
        "--outcomes", "--token-env", "--at", "Exit status")) {
      assertTrue(run.out().contains(s), s + " missing from\n" + run.out());
    }
  }
}
