package org.causalimpact.monitor.http;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.QoSHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The limit on API requests that compute (a monitor's live fit, an intervention's report, a
 * what-if): at most {@code concurrent} run at once; the next {@code queued} wait without holding a
 * thread, each at most {@code maxWait}; any more, and any that waited too long, are answered 503
 * with {@code Retry-After} and the JSON error body at once. Every other request passes straight
 * through, so the operational endpoints, the page and the monitor list stay quick under API load.
 * Jetty's {@link QoSHandler} does the counting and the queue.
 */
final class HeavyRequests extends QoSHandler {
  /** Paths that compute: {@code /api/monitors/{m}}, its {@code whatif} and interventions. */
  private static final Pattern PATHS =
      Pattern.compile("/api/monitors/[^/]+(/whatif|/interventions/[^/]+)?/?");

  private final long retryAfterSeconds;

  HeavyRequests(Handler next, int concurrent, int queued, Duration maxWait) {
    super(next);
    setMaxRequestCount(concurrent);
    setMaxSuspendedRequestCount(queued);
    setMaxSuspend(maxWait);
    // the request's own path: the path mappings give the handlers below them a shorter one
    include(request -> PATHS.matcher(Exchanges.rawPath(request)).matches());
    this.retryAfterSeconds = Math.max(1, maxWait.toSeconds());
  }

  @Override
  protected void reject(Request request, Response response, Callback callback, int status) {
    busy(request, response, callback, "more fit, report or what-if requests than the server takes");
  }

  @Override
  protected void failSuspended(
      Request request, Response response, Callback callback, int status, Throwable failure) {
    busy(request, response, callback, "waited too long behind other fit, report or what-if calls");
  }

  private void busy(Request request, Response response, Callback callback, String why) {
    if (response.isCommitted()) {
      callback.failed(new IllegalStateException("the response was already committed"));
      return;
    }
    Exchanges.send(
        request,
        response,
        callback,
        Exchanges.Answer.error(
            503,
            why + " (at most " + getMaxRequestCount() + " at once and "
                + getMaxSuspendedRequestCount() + " waiting); try again in " + retryAfterSeconds
                + " s",
            null,
            Map.of("Retry-After", Long.toString(retryAfterSeconds))));
  }
}
