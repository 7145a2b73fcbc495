package org.causalimpact.monitor.ingest;

/** An input that cannot be used, with a bounded reason word for the DLQ and the metrics. */
public final class Rejected extends Exception {
  private static final long serialVersionUID = 1L;
  private final String reason;

  public Rejected(String reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
