package org.causalimpact.monitor.http;

import java.util.Map;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The errors Jetty answers itself (a request line or URI it refuses, headers too large, a request
 * it could not hand to the routes) in the API's JSON shape, {@code {"error": message}}, never with
 * a stack trace or an exception's message (a failure is logged by Jetty).
 */
final class JsonErrors extends ErrorHandler {
  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback) {
    String reason = HttpStatus.getMessage(code);
    String text =
        code >= 500
            ? "internal error (" + reason + "); see the server log"
            : message == null || message.isBlank() || message.equals(reason)
                ? reason
                : reason + ": " + message;
    Exchanges.send(request, response, callback, Exchanges.Answer.error(code, text, null, Map.of()));
  }
}
