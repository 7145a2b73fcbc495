package org.causalimpact.monitor.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in live page and its assets, read from the classpath:
 *
 * <ul>
 *   <li>{@code /} and {@code /index.html}: {@code web/index.html};
 *   <li>{@code /assets/a/b.js}: {@code web/a/b.js};
 *   <li>{@code /webjars/x/1.0/y.js}: {@code META-INF/resources/webjars/x/1.0/y.js} (the WebJars
 *       layout, so Chart.js comes from its jar and the page works offline).
 * </ul>
 *
 * Only {@code GET} and {@code HEAD} (405 otherwise). A path is served only when every segment,
 * percent-decoded, matches {@code [A-Za-z0-9_-][A-Za-z0-9._-]*} (so no {@code ..}, no hidden
 * files, no encoded separators), the file has an extension of {@link #CONTENT_TYPES} and it is a
 * regular file, not a directory: anything else is 404 with a plain-text body. Responses carry a
 * strong {@code ETag} (SHA-256 of the bytes) and answer {@code If-None-Match} with 304; webjar
 * paths are versioned and cached for a year as immutable, the page and its assets are revalidated
 * on every use ({@code no-cache}). HTML carries a content security policy that allows only this
 * origin.
 *
 * <p>Thread-safe. Files found are kept in memory after their first request; the set is bounded by
 * what the classpath holds under the two roots, never by what clients ask for.
 */
public final class StaticFiles extends Handler.Abstract {
  private static final Logger LOG = LoggerFactory.getLogger(StaticFiles.class);

  /** The page's own files. */
  static final String WEB_ROOT = "web/";

  /** Where WebJars put their files. */
  static final String WEBJARS_ROOT = "META-INF/resources/webjars/";

  /** Served extensions; a file with another extension is 404. */
  static final Map<String, String> CONTENT_TYPES =
      Map.ofEntries(
          Map.entry("html", "text/html; charset=utf-8"),
          Map.entry("js", "text/javascript; charset=utf-8"),
          Map.entry("mjs", "text/javascript; charset=utf-8"),
          Map.entry("css", "text/css; charset=utf-8"),
          Map.entry("json", "application/json; charset=utf-8"),
          Map.entry("map", "application/json; charset=utf-8"),
          Map.entry("txt", "text/plain; charset=utf-8"),
          Map.entry("md", "text/plain; charset=utf-8"),
          Map.entry("svg", "image/svg+xml"),
          Map.entry("png", "image/png"),
          Map.entry("ico", "image/x-icon"),
          Map.entry("woff2", "font/woff2"));

  /**
   * The page may load scripts, styles, images and data from this origin only; Chart.js draws on a
   * canvas and sets styles through the CSSOM, which this policy allows.
   */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self';"
          + " frame-ancestors 'none'";

  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*");
  private static final int MAX_SEGMENTS = 16;

  /**
   * A file to serve.
   *
   * @param name its classpath resource name
   * @param contentType the {@code Content-Type} header
   * @param bytes the content (not copied: never handed out of this class)
   * @param etag the strong entity tag, quoted
   * @param immutable whether its path is versioned, so that clients may keep it for good
   */
  record Asset(String name, String contentType, byte[] bytes, String etag, boolean immutable) {
    Asset {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(contentType, "contentType");
      Objects.requireNonNull(bytes, "bytes");
      Objects.requireNonNull(etag, "etag");
    }
  }

  private final ClassLoader loader;
  private final Map<String, Asset> found = new ConcurrentHashMap<>();

  private StaticFiles(ClassLoader loader) {
    this.loader = Objects.requireNonNull(loader, "loader");
  }

  /** Files from the class loader that loaded this class (the application's classpath or jar). */
  public static StaticFiles fromClasspath() {
    return new StaticFiles(StaticFiles.class.getClassLoader());
  }

  /** Files from {@code loader}, for tests. */
  static StaticFiles from(ClassLoader loader) {
    return new StaticFiles(loader);
  }

  /**
   * The classpath resource for a raw request path, or empty when the path maps to nothing that
   * may be served. Pure: reads nothing.
   *
   * @param rawPath the path as sent, still percent-encoded, without the query
   */
  static Optional<String> resourceName(String rawPath) {
    if (rawPath == null || !rawPath.startsWith("/")) {
      return Optional.empty();
    }
    if (rawPath.equals("/") || rawPath.equals("/index.html")) {
      return Optional.of(WEB_ROOT + "index.html");
    }
    String[] parts = rawPath.substring(1).split("/", -1);
    if (parts.length < 2 || parts.length > MAX_SEGMENTS) {
      return Optional.empty();
    }
    String root =
        switch (parts[0]) {
          case "assets" -> WEB_ROOT;
          case "webjars" -> WEBJARS_ROOT;
          default -> null;
        };
    if (root == null) {
      return Optional.empty();
    }
    StringBuilder name = new StringBuilder(root);
    for (int i = 1; i < parts.length; i++) {
      String segment;
      try {
        segment = URLDecoder.decode(parts[i].replace("+", "%2B"), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
      if (!SEGMENT.matcher(segment).matches()) {
        return Optional.empty();
      }
      if (i > 1) {
        name.append('/');
      }
      name.append(segment);
    }
    String resource = name.toString();
    return contentType(resource).isPresent() ? Optional.of(resource) : Optional.empty();
  }

  /** The content type for a resource name's extension, if it is one that is served. */
  static Optional<String> contentType(String name) {
    int slash = name.lastIndexOf('/');
    int dot = name.lastIndexOf('.');
    if (dot <= slash + 1 || dot == name.length() - 1) {
      return Optional.empty();
    }
    return Optional.ofNullable(
        CONTENT_TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT)));
  }

  /**
   * The file for a raw request path, read from the classpath on first use.
   *
   * @throws UncheckedIOException when the resource exists but cannot be read
   */
  Optional<Asset> find(String rawPath) {
    Optional<String> name = resourceName(rawPath);
    if (name.isEmpty()) {
      return Optional.empty();
    }
    Asset cached = found.get(name.get());
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<Asset> read;
    try {
      read = read(name.get());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the resource " + name.get(), e);
    }
    read.ifPresent(a -> found.putIfAbsent(a.name(), a));
    return read;
  }

  private Optional<Asset> read(String name) throws IOException {
    URL url = loader.getResource(name);
    if (url == null || !isRegularFile(url)) {
      return Optional.empty();
    }
    byte[] bytes;
    try (InputStream in = url.openStream()) {
      bytes = in.readAllBytes();
    }
    return Optional.of(
        new Asset(
            name,
            contentType(name).orElseThrow(),
            bytes,
            etag(bytes),
            name.startsWith(WEBJARS_ROOT)));
  }

  /** A file, not a directory: a directory's URL would stream its listing or nothing. */
  private static boolean isRegularFile(URL url) throws IOException {
    if (url.getProtocol().equals("file")) {
      try {
        return Files.isRegularFile(Path.of(url.toURI()));
      } catch (URISyntaxException | IllegalArgumentException e) {
        return false;
      }
    }
    if (url.getProtocol().equals("jar")) {
      URLConnection c = url.openConnection();
      return c instanceof JarURLConnection j
          && j.getJarEntry() != null
          && !j.getJarEntry().isDirectory();
    }
    return false;
  }

  private static String etag(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** Serves one request and completes its callback; never throws. */
  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    Exchanges.Answer answer;
    try {
      answer = serve(request);
    } catch (RuntimeException e) {
      LOG.error("{} {} failed", request.getMethod(), Exchanges.rawPath(request), e);
      answer = text(500, "internal error; see the server log");
    }
    Exchanges.send(request, response, callback, answer);
    return true;
  }

  private Exchanges.Answer serve(Request request) {
    String method = request.getMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      Exchanges.Answer a = text(405, "method " + method + " is not allowed here; use GET");
      return new Exchanges.Answer(
          a.status(), a.contentType(), a.body(), Map.of("Allow", "GET, HEAD"));
    }
    Optional<Asset> asset = find(Exchanges.rawPath(request));
    if (asset.isEmpty()) {
      return text(404, "not found; the page is at / and the JSON API under /api/monitors");
    }
    Asset a = asset.get();
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("ETag", a.etag());
    headers.put(
        "Cache-Control", a.immutable() ? "public, max-age=31536000, immutable" : "no-cache");
    if (a.contentType().startsWith("text/html")) {
      headers.put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
      headers.put("Referrer-Policy", "no-referrer");
    }
    if (matches(request.getHeaders().get("If-None-Match"), a.etag())) {
      return new Exchanges.Answer(304, a.contentType(), new byte[0], headers);
    }
    return new Exchanges.Answer(200, a.contentType(), a.bytes(), headers);
  }

  /** Whether an {@code If-None-Match} header lists the tag (or is {@code *}). */
  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String candidate : ifNoneMatch.split(",")) {
      String c = candidate.strip();
      if (c.startsWith("W/")) {
        c = c.substring(2);
      }
      if (c.equals("*") || c.equals(etag)) {
        return true;
      }
    }
    return false;
  }

  private static Exchanges.Answer text(int status, String message) {
    return Exchanges.Answer.text(status, "text/plain; charset=utf-8", message + "\n");
  }
}
