package org.causalimpact.monitor.ingest;

/**
 * Where an input record came from, carried with it so that a dead letter written later (a point
 * found late after repartitioning, say) still names its original topic, partition and offset and
 * holds its original bytes.
 */
public record Source(String topic, int partition, long offset, byte[] key, byte[] value) {}
