package org.causalimpact.monitor.stream;

/** An input that cannot be used, with a bounded reason word for the DLQ and the metrics. */
final class Rejected extends Exception {
  private static final long serialVersionUID = 1L;
  private final String reason;

  Rejected(String reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  String reason() {
    return reason;
  }
}
