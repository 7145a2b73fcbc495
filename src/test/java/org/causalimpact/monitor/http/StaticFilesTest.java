package org.causalimpact.monitor.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link StaticFiles} on a Jetty {@link Server} of its own on a free loopback port: the real
 * page and the Chart.js WebJar from the test classpath, and a throw-away class path in a temporary
 * directory for what must never be served (files outside the roots, directories).
 */
class StaticFilesTest {
  private static final String CHART_JS = "/webjars/chart.js/4.5.1/dist/chart.umd.min.js";

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private Server server;
  private URLClassLoader tempLoader;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.stop();
    }
    if (tempLoader != null) {
      tempLoader.close();
    }
  }

  private int serve(StaticFiles files) throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(InetAddress.getLoopbackAddress().getHostAddress());
    server.addConnector(connector);
    server.setHandler(files);
    server.start();
    return connector.getLocalPort();
  }

  private HttpResponse<byte[]> request(int port, String method, String path, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The status line of a request sent byte for byte, so that no client tidies the path. */
  private static String rawStatusLine(int port, String rawPath) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET " + rawPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return response.lines().findFirst().orElse("");
    }
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse("");
  }

  private static byte[] classpathBytes(String name) throws IOException {
    try (InputStream in = StaticFilesTest.class.getClassLoader().getResourceAsStream(name)) {
      assertTrue(in != null, name + " on the test classpath");
      return in.readAllBytes();
    }
  }

  @Test
  void pathsMapToTheirClasspathRoots() {
    assertEquals(Optional.of("web/index.html"), StaticFiles.resourceName("/"));
    assertEquals(Optional.of("web/index.html"), StaticFiles.resourceName("/index.html"));
    assertEquals(Optional.of("web/app.js"), StaticFiles.resourceName("/assets/app.js"));
    assertEquals(
        Optional.of("META-INF/resources/webjars/chart.js/4.5.1/dist/chart.umd.min.js"),
        StaticFiles.resourceName(CHART_JS));
    assertEquals(
        Optional.of("web/vendor/x-1.0_min.js"),
        StaticFiles.resourceName("/assets/vendor/x-1.0_min.js"));
    assertEquals(
        Optional.of("web/app.js"),
        StaticFiles.resourceName("/assets/%61pp.js"),
        "segments are percent-decoded before they are checked");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/assets/../pom.xml",
        "/assets/%2e%2e/pom.xml",
        "/assets/%2E%2E/%2E%2E/etc/passwd.txt",
        "/assets/..%2Fpom.xml",
        "/assets/a%2Fb.js",
        "/assets/a%5Cb.js",
        "/webjars/..%2F..%2Fweb/index.html",
        "/webjars/../../logback.xml",
        "/assets/./app.js",
        "/assets//app.js",
        "/assets/.hidden.js",
        "/assets/app.js%00.png",
        "/assets/a%zz.js",
        "/assets/",
        "/assets/app",
        "/assets/app.",
        "/assets/logback.xml",
        "/assets/a b.js",
        "//etc/passwd.txt",
        "/index.htm",
        "/logback.xml",
        "/api.js",
        "relative.js",
        ""
      })
  void unsafeOrUnknownPathsMapToNothing(String rawPath) {
    assertEquals(Optional.empty(), StaticFiles.resourceName(rawPath), rawPath);
  }

  @Test
  void contentTypesFollowTheExtension() {
    assertEquals(Optional.of("text/html; charset=utf-8"), StaticFiles.contentType("web/a.html"));
    assertEquals(
        Optional.of("text/javascript; charset=utf-8"), StaticFiles.contentType("web/a.min.js"));
    assertEquals(Optional.of("text/css; charset=utf-8"), StaticFiles.contentType("web/A.CSS"));
    assertEquals(Optional.of("image/svg+xml"), StaticFiles.contentType("web/favicon.svg"));
    assertEquals(Optional.empty(), StaticFiles.contentType("web/a.class"));
    assertEquals(Optional.empty(), StaticFiles.contentType("web/.js"));
    assertEquals(Optional.empty(), StaticFiles.contentType("web.js/readme"));
  }

  @Test
  void servesThePageWithItsHeaders() throws Exception {
    int port = serve(StaticFiles.fromClasspath());
    HttpResponse<byte[]> r = request(port, "GET", "/");
    assertEquals(200, r.statusCode());
    assertEquals("text/html; charset=utf-8", header(r, "Content-Type"));
    assertArrayEquals(classpathBytes("web/index.html"), r.body());
    String html = new String(r.body(), StandardCharsets.UTF_8);
    assertTrue(html.contains("<canvas id=\"chart-actual\">"), "the page has its charts");
    assertTrue(html.contains("webjars/chart.js/4.5.1/dist/chart.umd.min.js"), "loads Chart.js");
    assertEquals(StaticFiles.CONTENT_SECURITY_POLICY, header(r, "Content-Security-Policy"));
    assertEquals("no-cache", header(r, "Cache-Control"));
    assertEquals("nosniff", header(r, "X-Content-Type-Options"));
    assertTrue(header(r, "ETag").matches("\"[0-9a-f]{32}\""), header(r, "ETag"));

    HttpResponse<byte[]> js = request(port, "GET", "/assets/app.js");
    assertEquals(200, js.statusCode());
    assertEquals("text/javascript; charset=utf-8", header(js, "Content-Type"));
    assertEquals("", header(js, "Content-Security-Policy"), "the policy is the page's");
    HttpResponse<byte[]> css = request(port, "GET", "/assets/app.css");
    assertEquals("text/css; charset=utf-8", header(css, "Content-Type"));
    assertEquals(200, request(port, "GET", "/assets/favicon.svg").statusCode());
  }

  @Test
  void servesTheWebJarFromItsJarAsImmutable() throws Exception {
    URL url = getClass().getClassLoader().getResource("META-INF/resources" + CHART_JS);
    assertTrue(url != null && url.getProtocol().equals("jar"), "Chart.js comes from a jar: " + url);
    int port = serve(StaticFiles.fromClasspath());
    HttpResponse<byte[]> r = request(port, "GET", CHART_JS + "?v=ignored");
    assertEquals(200, r.statusCode());
    assertEquals("text/javascript; charset=utf-8", header(r, "Content-Type"));
    assertArrayEquals(classpathBytes("META-INF/resources" + CHART_JS), r.body());
    assertEquals("public, max-age=31536000, immutable", header(r, "Cache-Control"));
    // a directory of the jar whose name looks like a script
    assertEquals(404, request(port, "GET", "/webjars/chart.js").statusCode());
    assertEquals(404, request(port, "GET", "/webjars/chart.js/4.5.1/dist/none.js").statusCode());
  }

  @Test
  void revalidationHeadAndMethods() throws Exception {
    int port = serve(StaticFiles.fromClasspath());
    HttpResponse<byte[]> first = request(port, "GET", "/assets/app.js");
    String etag = header(first, "ETag");
    HttpResponse<byte[]> again = request(port, "GET", "/assets/app.js", "If-None-Match", etag);
    assertEquals(304, again.statusCode());
    assertEquals(0, again.body().length);
    assertEquals(etag, header(again, "ETag"));
    HttpResponse<byte[]> other =
        request(port, "GET", "/assets/app.js", "If-None-Match", "\"0123\", W/\"4567\"");
    assertEquals(200, other.statusCode(), "another tag is not a match");
    assertEquals(
        200,
        request(port, "GET", "/assets/app.css", "If-None-Match", etag).statusCode(),
        "one file's tag does not match another file");

    HttpResponse<byte[]> head = request(port, "HEAD", "/");
    assertEquals(200, head.statusCode());
    assertEquals(0, head.body().length);
    assertEquals(
        Integer.toString(classpathBytes("web/index.html").length),
        header(head, "Content-Length"));

    for (String method : new String[] {"POST", "PUT", "DELETE"}) {
      HttpResponse<byte[]> r = request(port, method, "/");
      assertEquals(405, r.statusCode(), method);
      assertEquals("GET, HEAD", header(r, "Allow"), method);
    }
  }

  @Test
  void unknownPathsAre404InPlainText() throws Exception {
    int port = serve(StaticFiles.fromClasspath());
    for (String path :
        new String[] {"/nothing.html", "/assets/missing.js", "/assets/", "/metrics", "/assets"}) {
      HttpResponse<byte[]> r = request(port, "GET", path);
      assertEquals(404, r.statusCode(), path);
      assertEquals("text/plain; charset=utf-8", header(r, "Content-Type"), path);
      assertEquals("no-store", header(r, "Cache-Control"), path);
    }
  }

  /**
   * A class path with a secret beside the web root and a directory named like a script: neither is
   * served, however the path is spelled on the wire (404, or 400 for an ambiguous encoding), while
   * a file in the root is.
   */
  @Test
  void traversalAndDirectoriesAreRefusedOnTheWire(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("web/dir.js"));
    Files.writeString(dir.resolve("web/ok.txt"), "fine");
    Files.writeString(dir.resolve("secret.txt"), "secret");
    Files.createDirectories(dir.resolve("META-INF/resources/webjars/x"));
    Files.writeString(dir.resolve("META-INF/resources/webjars/x/lib.js"), "var x;");
    tempLoader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null);
    int port = serve(StaticFiles.from(tempLoader));

    HttpResponse<byte[]> ok = request(port, "GET", "/assets/ok.txt");
    assertEquals(200, ok.statusCode());
    assertEquals("fine", new String(ok.body(), StandardCharsets.UTF_8));
    assertEquals(200, request(port, "GET", "/webjars/x/lib.js").statusCode());
    // the class loader itself would hand these out: the handler must not
    assertTrue(tempLoader.getResource("web/../secret.txt") != null, "the loader resolves '..'");
    assertTrue(tempLoader.getResource("web/dir.js") != null, "the loader finds directories");

    for (String raw :
        new String[] {
          "/assets/../secret.txt",
          "/assets/%2e%2e/secret.txt",
          "/assets/..%2fsecret.txt",
          "/webjars/../../secret.txt",
          "/webjars/x/..%2F..%2F..%2Fsecret.txt",
          "/assets/dir.js",
          "/assets/dir.js/"
        }) {
      // Jetty itself refuses encoded dots and separators (ambiguous URIs) and paths that climb
      // above the root with 400 before any handler sees them; the handler answers the rest 404
      String status = rawStatusLine(port, raw);
      assertTrue(status.matches("HTTP/1\\.1 (400|404) .*"), raw + " -> " + status);
    }
    assertFalse(rawStatusLine(port, "/assets/ok.txt").contains("404"), "the control is served");
  }
}
