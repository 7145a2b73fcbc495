package org.causalimpact.monitor.ingest;

/**
 * What a {@link Router} makes of one input record: an {@link Input} for a monitor, or a {@link
 * DeadLetter} for the input's dead-letter topic.
 */
public sealed interface Routed permits Input, DeadLetter {}
