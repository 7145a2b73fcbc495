package org.causalimpact.monitor.ingest;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Prometheus remote-write receiver's service: decodes a request body ({@link
 * RemoteWriteDecoder}), maps its samples to metric points ({@link RemoteWriteRouter}), writes them
 * to the metrics topic ({@link PointPublisher}) and reports every request and sample to its
 * {@link RemoteWriteListener}. The HTTP layer reads the body, checks the token and turns the
 * outcome into a status. Thread-safe.
 */
public final class RemoteWriteReceiver {
  /** Largest snappy-compressed request body accepted (413 beyond). */
  public static final int MAX_BODY_BYTES = 4 << 20;

  /** Largest inflated {@code WriteRequest} accepted (413 beyond). */
  public static final int MAX_INFLATED_BYTES = 32 << 20;

  /** How one request was answered; the words are the tags of the requests counter. */
  public enum Outcome {
    /** 204: the points of the matching samples are on the topic. */
    ACCEPTED("accepted"),
    /** 400: not a snappy-compressed protobuf {@code WriteRequest}. */
    BAD_PAYLOAD("bad-payload"),
    /** 413: the body, or the request inflated, is too large. */
    TOO_LARGE("too-large"),
    /** 401: the bearer token is missing or wrong. */
    UNAUTHORIZED("unauthorized"),
    /** 415: a content type or encoding other than remote-write 1.0's. */
    UNSUPPORTED("unsupported"),
    /** 503: Kafka did not take the points; Prometheus sends the request again. */
    UNAVAILABLE("unavailable");

    private final String word;

    Outcome(String word) {
      this.word = word;
    }

    public String word() {
      return word;
    }
  }

  /** What a request turned into: how many samples came and how many points were written. */
  public record Received(long samples, int points) {}

  private final RemoteWriteRouter router;
  private final PointPublisher publisher;
  private final RemoteWriteListener listener;

  public RemoteWriteReceiver(
      RemoteWriteRouter router, PointPublisher publisher, RemoteWriteListener listener) {
    this.router = Objects.requireNonNull(router, "router");
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * Takes one request body; reports the request {@code accepted}, {@code bad-payload}, {@code
   * too-large} or {@code unavailable} and its samples.
   *
   * @throws RemoteWriteDecoder.BadPayload when the body cannot be read (see {@link
   *     RemoteWriteDecoder.BadPayload#tooLarge()}); nothing is written
   * @throws IOException when Kafka does not take the points; the samples are counted {@code
   *     unwritten}
   */
  public Received receive(byte[] body) throws RemoteWriteDecoder.BadPayload, IOException {
    List<RemoteWriteDecoder.Series> series;
    try {
      series = RemoteWriteDecoder.decode(body, MAX_INFLATED_BYTES);
    } catch (RemoteWriteDecoder.BadPayload e) {
      refused(e.tooLarge() ? Outcome.TOO_LARGE : Outcome.BAD_PAYLOAD);
      throw e;
    }
    RemoteWriteRouter.Routed routed = router.route(series);
    Map<RemoteWriteRouter.SampleOutcome, Long> counts = routed.samples();
    long total = counts.values().stream().mapToLong(Long::longValue).sum();
    if (!routed.points().isEmpty()) {
      try {
        publisher.publish(routed.points());
      } catch (IOException e) {
        counts.forEach(
            (o, n) ->
                listener.samples(
                    o == RemoteWriteRouter.SampleOutcome.ACCEPTED
                        ? RemoteWriteRouter.SampleOutcome.UNWRITTEN
                        : o,
                    n));
        refused(Outcome.UNAVAILABLE);
        throw e;
      }
    }
    counts.forEach(listener::samples);
    listener.request(Outcome.ACCEPTED);
    return new Received(total, routed.points().size());
  }

  /** Reports a request refused before its body was read (a missing token, a wrong type, ...). */
  public void refused(Outcome outcome) {
    listener.request(outcome);
  }

  /** The topic points are written to. */
  public String topic() {
    return publisher.topic();
  }
}
