package org.causalimpact.monitor;

/**
 * Bad input from a user: a file, a column, a configuration value or a command-line option that
 * cannot be used as given. The message says what is wrong and how to fix it; the command line
 * prints it without a stack trace and exits with status 2.
 */
public class InputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InputException(String message) {
    super(message);
  }

  public InputException(String message, Throwable cause) {
    super(message, cause);
  }
}
