package org.causalimpact.monitor.http;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import org.causalimpact.monitor.ingest.RemoteWriteDecoder;
import org.causalimpact.monitor.ingest.RemoteWriteReceiver;
import org.causalimpact.monitor.ingest.RemoteWriteReceiver.Outcome;
import org.eclipse.jetty.server.Request;

/**
 * {@code POST /api/v1/write}, Prometheus' remote-write 1.0 protocol: the body is a
 * snappy-compressed protobuf {@code WriteRequest}, passed to the {@link RemoteWriteReceiver}.
 * Answers as the protocol asks, so that Prometheus retries what may succeed later and drops what
 * never will: 204 when the points of the matching samples are on the metrics topic (samples that
 * match no selector are counted, not an error); 400 with a short message for a body that is not
 * snappy or not a {@code WriteRequest}; 413 for a body over {@value
 * RemoteWriteReceiver#MAX_BODY_BYTES} bytes (or over {@value
 * RemoteWriteReceiver#MAX_INFLATED_BYTES} inflated); 415 for a {@code Content-Encoding} other
 * than {@code snappy} or a {@code Content-Type} other than {@code application/x-protobuf} of
 * remote-write 1.0; 401 without the bearer token when one is set; 503 with {@code Retry-After}
 * when Kafka does not take the points or {@value #CONCURRENT} requests are being written already.
 * Each answer is counted by the receiver's listener (a 405 for another method is not).
 *
 * <p>Thread-safe.
 */
final class RemoteWritePosts {
  /** Requests written at once; more are answered 503 so that other endpoints keep threads. */
  static final int CONCURRENT = 4;

  /** The protobuf message remote-write 1.0 sends, as a {@code proto=} content-type parameter. */
  private static final String PROTO_V1 = "prometheus.WriteRequest";

  private final RemoteWriteReceiver receiver;
  private final BearerToken token;
  private final Semaphore slots = new Semaphore(CONCURRENT);

  RemoteWritePosts(RemoteWriteReceiver receiver, BearerToken token) {
    this.receiver = receiver;
    this.token = token;
  }

  Exchanges.Answer post(Request request) throws IOException {
    Exchanges.requireMethod(request, "POST");
    refuseAs(Outcome.UNAUTHORIZED, () -> token.check(request));
    refuseAs(Outcome.UNSUPPORTED, () -> checkType(request));
    byte[] body = refuseAs(Outcome.TOO_LARGE,
        () -> Exchanges.body(request, RemoteWriteReceiver.MAX_BODY_BYTES));
    if (!slots.tryAcquire()) {
      receiver.refused(Outcome.UNAVAILABLE);
      throw unavailable(
          "more than " + CONCURRENT + " remote-write requests at once; Prometheus sends it again");
    }
    try {
      RemoteWriteReceiver.Received r = receiver.receive(body);
      return new Exchanges.Answer(
          204, "text/plain; charset=utf-8", new byte[0],
          Map.of(
              "X-Samples", Long.toString(r.samples()), "X-Points", Integer.toString(r.points())));
    } catch (RemoteWriteDecoder.BadPayload e) {
      throw ApiError.of(e.tooLarge() ? 413 : 400, e.getMessage());
    } catch (IOException e) {
      throw unavailable(e.getMessage() + "; no point of this request is lost if it is sent again");
    } finally {
      slots.release();
    }
  }

  /** 415 unless the headers are those of remote-write 1.0 (or absent). */
  private static void checkType(Request request) {
    String encoding = request.getHeaders().get("Content-Encoding");
    if (encoding != null && !encoding.strip().equalsIgnoreCase("snappy")) {
      throw ApiError.of(
          415,
          "Content-Encoding '" + encoding + "' is not supported; remote-write 1.0 sends snappy");
    }
    String type = request.getHeaders().get("Content-Type");
    if (type == null) {
      return;
    }
    String t = type.toLowerCase(Locale.ROOT).replace(" ", "");
    boolean protobuf = t.startsWith("application/x-protobuf");
    int proto = t.indexOf(";proto=");
    if (!protobuf
        || (proto >= 0 && !t.substring(proto + 7).startsWith(PROTO_V1.toLowerCase(Locale.ROOT)))) {
      throw ApiError.of(
          415,
          "Content-Type '" + type + "' is not supported; this receiver takes remote-write 1.0,"
              + " application/x-protobuf (a " + PROTO_V1 + ")");
    }
  }

  private static ApiError unavailable(String message) {
    return ApiError.of(503, message).withHeader("Retry-After", "5");
  }

  /** A check that may fail with an {@link ApiError}. */
  @FunctionalInterface
  private interface Check<T> {
    T run() throws IOException;
  }

  private <T> T refuseAs(Outcome outcome, Check<T> check) throws IOException {
    try {
      return check.run();
    } catch (ApiError e) {
      receiver.refused(outcome);
      throw e;
    }
  }

  private void refuseAs(Outcome outcome, Runnable check) throws IOException {
    refuseAs(outcome, () -> {
      check.run();
      return null;
    });
  }
}
