package org.causalimpact.monitor.live;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * What the monitor must not hand to Kafka: records larger than their topic takes, and records
 * Kafka already refused. The {@link Emitter} checks every output and dead letter here before
 * forwarding it, and turns what would fail into a dead letter instead.
 *
 * <p>Why before, not after: under exactly-once a send that Kafka refuses cannot be skipped. It puts
 * the producer's transaction in an error state, so the next send or commit of the stream thread
 * fails whatever the production exception handler answers, and the thread stops (measured with
 * Kafka Streams 4.3.1). The handler therefore reports each refusal here ({@link #refused}); the
 * stream thread is replaced, its task processes its input again from the last commit, and this
 * time the record is stopped before it is sent.
 *
 * <p>The limit of a topic is the smallest of the producer's {@code max.request.size}, the topic's
 * {@code max.message.bytes} where it is known (read at the start, and again after Kafka refused a
 * record as too large: the topic's configuration may have changed), and the size of a record
 * Kafka refused as too large.
 * A topic known not to exist ({@link #missing}) gets no dead letters: sending to it would block the
 * stream thread for {@code max.block.ms}, waiting for the topic.
 *
 * <p>Thread-safe: stream threads check, the production exception handler (on producer threads too)
 * reports. Costs nothing per record beyond a size sum until Kafka has refused a record.
 */
public final class OutputGuard {
  /** Kafka's default {@code max.request.size} and {@code max.message.bytes}: 1 MiB. */
  public static final int KAFKA_DEFAULT = 1 << 20;

  /**
   * Bytes Kafka adds around one record's key, value and headers, rounded up: a batch header of 61
   * bytes, and the record's attributes, timestamp and offset deltas and length varints (at most
   * 21 bytes, plus 10 per header). The producer checks {@code max.request.size} against this
   * estimate, the broker {@code max.message.bytes} against the batch as written.
   */
  static final int OVERHEAD = 128;

  /** Most refused records remembered; the oldest is forgotten first. */
  static final int MAX_REFUSED = 1000;

  private final int maxRequestSize;
  private final Map<String, Integer> topicMaxBytes;
  private final Set<String> missing;
  private final Map<String, Integer> learned = new ConcurrentHashMap<>();
  private final Map<String, String> refused =
      Collections.synchronizedMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
              return size() > MAX_REFUSED;
            }
          });
  private final Set<Throwable> reported =
      Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
  private volatile boolean anyRefused;

  /**
   * @param maxRequestSize the producer's {@code max.request.size}
   * @param topicMaxBytes {@code max.message.bytes} of the topics whose configuration is known
   * @param missing topics known not to exist
   */
  public OutputGuard(int maxRequestSize, Map<String, Integer> topicMaxBytes, Set<String> missing) {
    if (maxRequestSize <= OVERHEAD) {
      throw new IllegalArgumentException(
          "max.request.size must exceed " + OVERHEAD + " bytes, got " + maxRequestSize);
    }
    this.maxRequestSize = maxRequestSize;
    this.topicMaxBytes = new ConcurrentHashMap<>(topicMaxBytes);
    this.missing = Set.copyOf(missing);
  }

  /** Kafka's defaults for every topic, each assumed to exist. */
  public static OutputGuard defaults() {
    return new OutputGuard(KAFKA_DEFAULT, Map.of(), Set.of());
  }

  /** The largest record, as {@link #size} counts it, that may be sent to {@code topic}. */
  public int limit(String topic) {
    int limit = Math.min(maxRequestSize, topicMaxBytes.getOrDefault(topic, Integer.MAX_VALUE));
    return Math.min(limit, learned.getOrDefault(topic, Integer.MAX_VALUE));
  }

  /** The topic's {@code max.message.bytes} as read again from the cluster. */
  public void topicMaxBytes(String topic, int maxMessageBytes) {
    topicMaxBytes.put(topic, maxMessageBytes);
  }

  /** The topics Kafka refused a record of as too large, whose configuration may have changed. */
  public Set<String> refusedAsTooLarge() {
    return Set.copyOf(learned.keySet());
  }

  /** Whether {@code topic} is known not to exist. */
  public boolean missing(String topic) {
    return missing.contains(topic);
  }

  /**
   * A record's size as Kafka counts it against {@link #limit}, rounded up.
   *
   * @param headers the record's headers, or {@code null}
   */
  public static int size(byte[] key, byte[] value, Headers headers) {
    long n = OVERHEAD + length(key) + length(value);
    if (headers != null) {
      for (Header h : headers) {
        n += 10 + h.key().getBytes(StandardCharsets.UTF_8).length + length(h.value());
      }
    }
    return (int) Math.min(n, Integer.MAX_VALUE);
  }

  /**
   * Kafka refused to write this record to {@code topic}; from now on it is stopped before it is
   * sent, and where Kafka found it too large, so is every record of its size or more. Only the
   * first report of an error counts: under exactly-once the other records of the lost transaction
   * are reported with the same error, and they were not at fault.
   *
   * @param tooLarge whether Kafka refused it as too large
   * @return whether this was the first report of {@code error}
   */
  public boolean refused(
      String topic, byte[] key, byte[] value, Headers headers, boolean tooLarge, Throwable error) {
    if (!reported.add(error)) {
      return false;
    }
    if (tooLarge) {
      learned.merge(topic, size(key, value, headers) - 1, Math::min);
    }
    refused.put(fingerprint(topic, key, value), String.valueOf(error));
    anyRefused = true;
    return true;
  }

  /**
   * Why Kafka refused this very record before ({@link #refused}), or {@code null} if it did not.
   */
  public String refusedBefore(String topic, byte[] key, byte[] value) {
    return anyRefused ? refused.get(fingerprint(topic, key, value)) : null;
  }

  /** Whether {@code e} or one of its causes is an error reported by {@link #refused}. */
  public boolean causedByRefusal(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (reported.contains(t)) {
        return true;
      }
    }
    return false;
  }

  /** A record key for a log line: its first 200 bytes as text. */
  public static String keyText(byte[] key) {
    if (key == null) {
      return "null";
    }
    String k = new String(key, 0, Math.min(key.length, 200), StandardCharsets.UTF_8);
    return key.length > 200 ? k + "..." : k;
  }

  private static String fingerprint(String topic, byte[] key, byte[] value) {
    MessageDigest d = sha256();
    d.update(topic.getBytes(StandardCharsets.UTF_8));
    update(d, key);
    update(d, value);
    return new String(d.digest(), StandardCharsets.ISO_8859_1);
  }

  /** The bytes with their length, so that no two (key, value) pairs digest the same input. */
  private static void update(MessageDigest d, byte[] b) {
    int n = b == null ? -1 : b.length;
    d.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
    if (b != null) {
      d.update(b);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      // every Java platform must provide SHA-256
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private static int length(byte[] b) {
    return b == null ? 0 : b.length;
  }
}
