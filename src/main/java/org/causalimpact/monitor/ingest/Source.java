package org.causalimpact.monitor.ingest;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Where an input record came from, carried with it so that a dead letter written later (a point
 * found late after repartitioning, say) still names its original topic, partition and offset and
 * holds its original bytes — at most the first {@value #MAX_KEY_BYTES} bytes of the key and {@value
 * #MAX_VALUE_BYTES} of the value, whatever the input. A source therefore stays small on the
 * repartition topic, in the stored interventions and in dead letters: a 1 MiB bad input makes a
 * dead letter of a few KiB. Where something was cut, the sizes as read are kept, and for the value
 * its SHA-256, so that the dead letter still identifies the original. The arrays are not copied
 * when they are short enough: sources are made once per input record on the hot path, and nobody
 * writes to them.
 *
 * @param key the record key's first bytes, or {@code null}
 * @param value the record value's first bytes, or {@code null}
 * @param originalKeySize the key's size as read where {@code key} is a cut prefix of it, else 0
 * @param originalValueSize the value's size as read where {@code value} is a cut prefix of it,
 *     else 0
 * @param valueSha256 the SHA-256 of the whole value where {@code value} is a cut prefix of it, else
 *     {@code null}: computed only for inputs too large to keep, never for ordinary ones
 */
public record Source(
    String topic,
    int partition,
    long offset,
    byte[] key,
    byte[] value,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) int originalKeySize,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) int originalValueSize,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) byte[] valueSha256) {
  /** Most bytes of a record's key kept. */
  public static final int MAX_KEY_BYTES = 1024;

  /** Most bytes of a record's value kept. */
  public static final int MAX_VALUE_BYTES = 4096;

  /** Cuts the key and value to their bounds, computing the digest of a value it cuts. */
  public Source {
    if (key != null && key.length > MAX_KEY_BYTES) {
      originalKeySize = Math.max(originalKeySize, key.length);
      key = Arrays.copyOf(key, MAX_KEY_BYTES);
    }
    if (value != null && value.length > MAX_VALUE_BYTES) {
      originalValueSize = Math.max(originalValueSize, value.length);
      valueSha256 = valueSha256 == null ? sha256(value) : valueSha256;
      value = Arrays.copyOf(value, MAX_VALUE_BYTES);
    }
    if (key == null || originalKeySize <= key.length) {
      originalKeySize = 0;
    }
    if (value == null || originalValueSize <= value.length) {
      originalValueSize = 0;
      valueSha256 = null;
    }
  }

  /** The source of a record read whole: its key and value are cut to their bounds. */
  public Source(String topic, int partition, long offset, byte[] key, byte[] value) {
    this(topic, partition, offset, key, value, 0, 0, null);
  }

  /**
   * A source as stored (in intervention state) or as the repartition topic's version 1 held it.
   * Older builds wrote only topic, partition, offset, key and value, with the whole value, which
   * is cut here if it is too long; the new fields are written only where something was cut, so
   * that an ordinary source is stored as before.
   */
  @JsonCreator
  static Source json(
      @JsonProperty("topic") String topic,
      @JsonProperty("partition") int partition,
      @JsonProperty("offset") long offset,
      @JsonProperty("key") byte[] key,
      @JsonProperty("value") byte[] value,
      @JsonProperty("originalKeySize") Integer originalKeySize,
      @JsonProperty("originalValueSize") Integer originalValueSize,
      @JsonProperty("valueSha256") byte[] valueSha256) {
    return new Source(
        topic,
        partition,
        offset,
        key,
        value,
        originalKeySize == null ? 0 : originalKeySize,
        originalValueSize == null ? 0 : originalValueSize,
        valueSha256);
  }

  /** The key's size as read, {@code -1} for no key. */
  public int keySize() {
    return originalKeySize > 0 ? originalKeySize : length(key);
  }

  /** The value's size as read, {@code -1} for no value. */
  public int valueSize() {
    return originalValueSize > 0 ? originalValueSize : length(value);
  }

  /** Whether the value kept is only a prefix of the value read. */
  public boolean valueTruncated() {
    return originalValueSize > 0;
  }

  /** Whether the key kept is only a prefix of the key read. */
  public boolean keyTruncated() {
    return originalKeySize > 0;
  }

  private static int length(byte[] b) {
    return b == null ? -1 : b.length;
  }

  private static byte[] sha256(byte[] value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value);
    } catch (NoSuchAlgorithmException e) {
      // every Java platform must provide SHA-256
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
